# Two commands on a fresh machine: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench lint pretrained figures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	$(BIN)/python -m learned_ops.cli.warm
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/learned-ops demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

pretrained: $(STAMP)
	$(BIN)/python -m learned_ops.pretrained.build

figures: $(STAMP)
	$(BIN)/learned-ops demo --out docs/figures --quiet

clean:
	rm -rf $(VENV) build *.egg-info learned-ops-output
