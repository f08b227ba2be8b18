"""The ``learned-ops`` command line: one parser, one module per subcommand.

Each command module exposes ``register(subparsers)`` which adds its parser and sets
``handler``. Errors from either package end as one line on stderr and exit code 2; any other
failure exits 1. Streams: see :mod:`learned_ops.cli.output` (any encoding; a closed pipe
exits 141 quietly; a closed stdout is refused with exit 2, a failed write exits 1).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from learned_ops.cli.options import UsageError
from learned_ops.cli.output import (
    PIPE_CLOSED_EXIT,
    StdoutError,
    configure_streams,
    guarded_stdout,
    silence_stdout,
)

__all__ = ["UsageError", "main"]

# Command modules, imported when the parser is built (each must import cheaply: no TensorFlow).
COMMAND_MODULES: tuple[str, ...] = (
    "learned_ops.cli.cmd_train",
    "learned_ops.cli.cmd_seed",
    "learned_ops.cli.cmd_operators",
    "learned_ops.cli.cmd_simulate",
    "learned_ops.cli.cmd_converge",
    "learned_ops.cli.cmd_demo",
    "learned_ops.cli.cmd_evaluate",
)

SOLVING_COMMANDS: frozenset[str] = frozenset({"simulate", "converge", "demo", "inspect",
                                                "evaluate"})
"""Commands that may compile a kernel; they announce it (others never import ``solvers``)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand."""
    from learned_ops import __version__

    parser = _Parser(
        prog="learned-ops",
        description="Train, inspect and verify learned finite-difference derivative operators.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  learned-ops inspect fd:1:-1,0,1\n  learned-ops demo",
    )
    parser.add_argument("--version", action="version", version=f"learned-ops {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    if sys.stdout is None:  # started with stdout closed (>&-): nowhere to put the result
        if sys.stderr is not None:
            print("learned-ops: error: standard output is closed; redirect it to a file or "
                  "to /dev/null instead", file=sys.stderr)
        return 2
    configure_streams()
    with guarded_stdout():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    from learned_ops.errors import LearnedOpsError, TrainingInterrupted

    try:
        from solvers import SolverError
    except ModuleNotFoundError:  # pragma: no cover - solvers always ships with learned_ops
        SolverError = LearnedOpsError

    try:
        args = build_parser().parse_args(argv)
        if args.command in SOLVING_COMMANDS:
            _announce_compilation(not getattr(args, "quiet", False))
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader went away (| head): quiet, as command-line tools do
        silence_stdout()
        return PIPE_CLOSED_EXIT
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except TrainingInterrupted as exc:
        print(f"learned-ops: {_one_line(exc)}", file=sys.stderr)
        return 130
    except (LearnedOpsError, SolverError) as exc:
        # The solvers name their Python keyword; on the command line it is the option.
        message = _one_line(exc).replace("pass allow_long=True", "pass --allow-long")
        print(f"learned-ops: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("learned-ops: interrupted", file=sys.stderr)
        return 130
    except StdoutError as exc:
        print(f"learned-ops: error: cannot write to standard output: {_one_line(exc)}",
              file=sys.stderr)
        silence_stdout()
        return 1
    except Exception as exc:
        print(f"learned-ops: unexpected failure: {type(exc).__name__}: {_one_line(exc)}",
              file=sys.stderr)
        return 1


def _announce_compilation(enabled: bool) -> None:
    """Say on stderr when a stencil width is compiled for the first time (a few seconds);
    ``enabled`` False (``--quiet``) removes the announcement."""
    from solvers import on_compile

    def say(taps: int) -> None:
        print(f"learned-ops: compiling the kernel for {taps} taps (once, cached)",
              file=sys.stderr, flush=True)

    on_compile(say if enabled else None)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
