# Two commands on a fresh machine: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The versions `make test` last passed with; demo, test and CI install exactly these.
CONSTRAINTS := constraints.txt
LATEST := .venv-latest

.PHONY: demo test test-latest constraints bench lint pretrained figures docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[train,test,dev,docs]"
	$(BIN)/python -m learned_ops.cli.warm
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/learned-ops demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The suite on the newest releases (no constraints), in a venv of its own.
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade -e ".[train,test,dev,docs]"
	$(LATEST)/bin/python -m learned_ops.cli.warm
	$(LATEST)/bin/python -m pytest

# Refresh constraints.txt: the suite on the newest releases, then their versions recorded.
constraints: test-latest
	{ sed -n '/^#/p' $(CONSTRAINTS); \
	  $(LATEST)/bin/python -m pip freeze --exclude-editable | grep -v '^learned-ops'; } > $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

pretrained: $(STAMP)
	$(BIN)/python -m learned_ops.pretrained.build
	$(BIN)/python -m learned_ops.pretrained.build_trajectory

# The API reference (Sphinx autodoc + napoleon), warnings as errors, into docs/_build/html.
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

figures: $(STAMP)
	$(BIN)/learned-ops demo --out docs/figures --quiet

clean:
	rm -rf $(VENV) $(LATEST) build *.egg-info learned-ops-output docs/_build
