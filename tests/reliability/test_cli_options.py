"""Options that would do nothing are refused: exit 2, one stderr line, no traceback, no file.

One table of command lines through :func:`learned_ops.cli.main.main`; each row names a phrase
the one-line message must contain (what the user gave).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learned_ops.cli.main import main

ADV = ("advection", "--operator", "fd:1:-1,0,1")

CASES: list[tuple[str, tuple[str, ...], str]] = [
    ("converge --n with a space study", ("converge", *ADV, "--n", "100"), "--n is for a time"),
    ("converge --levels with a space study", ("converge", *ADV, "--levels", "3"),
     "--levels is for a time"),
    ("converge --n with a coupled study", ("converge", *ADV, "--kind", "coupled", "--n", "80"),
     "coupled study"),
    ("converge --allow-unstable without --number", ("converge", *ADV, "--allow-unstable"),
     "--allow-unstable needs --number"),
    ("converge --ic mode:", ("converge", *ADV, "--ic", "mode:"), "'mode:'"),
    ("converge --number rounds dt to zero",
     ("converge", *ADV, "--kind", "coupled", "--number", "5e-324"), "--number 5e-324"),
    ("simulate --allow-unstable without a dt", ("simulate", *ADV, "--allow-unstable"),
     "--allow-unstable needs --dt or --courant"),
    ("simulate --seed with --ic bump", ("simulate", *ADV, "--ic", "bump", "--seed", "3"),
     "--seed only applies"),
    ("simulate --seed with --ic mode:2", ("simulate", *ADV, "--ic", "mode:2", "--seed", "0"),
     "--ic mode:2"),
    ("simulate --ic mode:", ("simulate", *ADV, "--ic", "mode:"), "'mode:'"),
    ("simulate --ic mode: fullwidth K", ("simulate", *ADV, "--ic", "mode:\uff12"),
     "ASCII digits"),
    ("simulate --t-final 1e-12", ("simulate", *ADV, "--t-final", "1e-12"), "--t-final 1e-12"),
    ("simulate --dt 5e-324", ("simulate", *ADV, "--dt", "5e-324"), "--dt 5e-324"),
    ("simulate --courant 5e-324", ("simulate", *ADV, "--courant", "5e-324"),
     "--courant 5e-324"),
    ("train fullwidth offset", ("train", "--offsets=-1,\uff10,1", "--method", "lstsq"),
     "--offsets"),
    ("fd spec fullwidth offset", ("simulate", "advection", "--operator", "fd:1:-1,\uff10,1"),
     "fd:1:-1,\uff10,1"),
]


@pytest.mark.parametrize(("argv", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused(argv: tuple[str, ...], phrase: str, capsys: pytest.CaptureFixture[str],
                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = main([*argv, *(("--plot", "p.png") if argv[0] in ("simulate", "converge") else ())])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert phrase in lines[0], lines[0]
    assert "Traceback" not in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []
