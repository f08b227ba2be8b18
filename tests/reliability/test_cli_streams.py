"""The CLI's standard streams: any encoding, a closed pipe, a closed or full stdout, and
operator names that would inject control characters into the terminal (refused at load).

Run as a subprocess (``python -m learned_ops.cli.main``), since the streams are the subject.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from learned_ops import save_stencil, textbook_stencil
from learned_ops.cli.output import ascii_spelling

CLI = [sys.executable, "-m", "learned_ops.cli.main"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_CTYPE")}
    env.pop("PYTHONIOENCODING", None)
    env.update(extra)
    return env


def _one_clean_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("env", "composed"),
    [({"PYTHONIOENCODING": "latin-1"}, "seed-forward o seed-backward"),
     ({"PYTHONIOENCODING": "ascii"}, "seed-forward o seed-backward"),
     ({"LC_ALL": "C"}, "seed-forward"),  # Python coerces the C locale to UTF-8
     ({"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
      "seed-forward o seed-backward")],
    ids=["latin-1", "ascii", "C", "C-uncoerced"],
)
def test_any_encoding_keeps_the_output(env: dict[str, str], composed: str,
                                       tmp_path: Path) -> None:
    run = subprocess.run([*CLI, "demo", "--no-figures"], capture_output=True, cwd=tmp_path,
                         env=_env(**env), timeout=300)
    assert run.returncode == 0, run.stderr.decode("ascii", "replace")[-500:]
    ascii_only = composed.endswith("backward")
    out = run.stdout.decode("ascii" if ascii_only else "utf-8")
    assert composed in out
    assert "unexpected failure" not in run.stderr.decode("utf-8")


def test_ascii_spellings() -> None:
    assert ascii_spelling("\u2218") == " o "
    assert ascii_spelling("\u03b8") == "theta"
    assert ascii_spelling("\u4e00") == "\\u4e00"


def test_closed_pipe_exits_quietly() -> None:
    proc = subprocess.Popen([*CLI, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env())
    proc.stdout.close()  # the reader goes away before the first write (| head -0)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_closed_stdout_is_reported() -> None:
    run = subprocess.run(["bash", "-c", '"$@" >&-', "bash", *CLI, "list", "--json"],
                         capture_output=True, text=True, env=_env(), timeout=120)
    assert run.returncode == 2
    assert "standard output is closed" in _one_clean_line(run.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_stdout_is_reported() -> None:
    with open("/dev/full", "w") as full:
        run = subprocess.run([*CLI, "list", "--json"], stdout=full, stderr=subprocess.PIPE,
                             text=True, env=_env(), timeout=120)
    assert run.returncode == 1
    assert "cannot write to standard output" in _one_clean_line(run.stderr)


@pytest.mark.parametrize("name", ["evil\x1b[31mred", "two\nlines", "abc\u202edcba", "tab\there"],
                         ids=["ansi", "newline", "bidi", "tab"])
@pytest.mark.parametrize("command", ["inspect", "simulate"])
def test_control_characters_in_names_are_refused(name: str, command: str,
                                                 tmp_path: Path) -> None:
    path = save_stencil(textbook_stencil(1, [-1, 0, 1], name=name), tmp_path / "op.json")
    argv = ([command, str(path)] if command == "inspect"
            else [command, "advection", "--operator", str(path)])
    run = subprocess.run([*CLI, *argv], capture_output=True, text=True, env=_env(),
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    line = _one_clean_line(run.stderr)
    assert "control character" in line
    assert "\x1b" not in run.stderr + run.stdout
    assert "\u202e" not in run.stderr + run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["op.json"]
