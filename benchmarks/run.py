"""Run every ``benchmarks/bench_*.py`` module, print one table, write a JSON report.

Each benchmark module exposes ``run() -> list[Row]`` where a row is a dict with keys
``section``, ``case``, ``value`` (float), ``unit`` (str), and optionally ``ratio`` (float, a
side-by-side ratio measured in the same run), ``target`` (str, e.g. ">= 3x"), ``meets`` (bool),
and ``note`` (str). Usage: ``python -m benchmarks.run [--only NAME ...] [--out FILE.json]``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import platform
import sys
import time
from pathlib import Path

import benchmarks
from learned_ops.atomic import atomic_write_text


def _modules(only: list[str] | None) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    if only:
        names = [n for n in names if any(key in n for key in only)]
    return names


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="substrings of benchmark module names")
    parser.add_argument("--out", default="benchmarks/results/report.json")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    for name in _modules(args.only):
        started = time.perf_counter()
        print(f"# running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        rows.extend(module.run())
        print(f"# {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    header = ("section", "case", "value", "unit", "ratio", "target", "meets", "note")
    table = [header] + [tuple(_fmt(r.get(k)) for k in header) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    atomic_write_text(out, json.dumps(report, indent=2))
    print(f"report written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
