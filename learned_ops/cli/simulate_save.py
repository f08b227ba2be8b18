"""``simulate --save FILE`` / ``--animate FILE`` / ``--frames N``: results that leave the program.

``--save`` writes the run's :class:`solvers.Solution` (``.npz``, or NetCDF ``.nc`` with xarray)
through :meth:`solvers.Solution.save`, with the run's settings and errors as attributes;
``--animate`` writes a matplotlib animation of u(x, t) (``.gif`` with Pillow, ``.mp4`` with
ffmpeg), the exact solution dashed where there is one. Both file names are checked before the
run; both writes are atomic and refuse an existing file unless ``--force``. Glue only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from learned_ops.cli.options import refuse

__all__ = ["ANIMATION_SUFFIXES", "add_save_options", "check_save_targets", "frame_times",
           "write_outputs"]

ANIMATION_SUFFIXES = (".gif", ".mp4")
DEFAULT_FRAMES = 51
_ATTRS = ("equation", "operator", "boundary", "ic", "seed", "n", "t_final", "dt", "steps",
          "stepper", "number_name", "number", "dt_limit", "errors",
          "reference_errors", "warnings")


def add_save_options(p: argparse.ArgumentParser) -> None:
    """Add ``--save``, ``--animate`` and ``--frames`` to the ``simulate`` parser."""
    p.add_argument("--save", metavar="FILE",
                   help="save the solution (times, x, snapshots, settings, errors, provenance) "
                        "to FILE.npz, or FILE.nc (NetCDF, needs xarray); --force replaces it")
    p.add_argument("--animate", metavar="FILE",
                   help="write an animation of u(x, t) to FILE.gif or FILE.mp4 (mp4 needs "
                        "ffmpeg); --force replaces it")
    p.add_argument("--frames", type=int, metavar="N",
                   help=f"with --save/--animate: snapshots at N equally spaced times from 0 to "
                        f"t_final (default {DEFAULT_FRAMES}; steps are shortened to land on "
                        "them)")


def check_save_targets(args: argparse.Namespace) -> None:
    """Refuse unusable ``--save`` / ``--animate`` / ``--frames`` before any work."""
    from learned_ops.atomic import check_target

    if args.frames is not None and (args.save is None and args.animate is None):
        refuse("--frames only applies with --save or --animate")
    if args.frames is not None and args.frames < 2:
        refuse(f"--frames must be at least 2 (the initial and the final state), got "
               f"{args.frames}")
    if args.save is not None:
        from solvers.solution_io import FORMATS

        suffix = Path(args.save).suffix.lower()
        if suffix not in FORMATS:
            refuse(f"--save {args.save}: use a file name ending in {' or '.join(FORMATS)}")
        if suffix == ".nc":
            try:
                import xarray  # noqa: F401
            except ImportError:
                refuse(f"--save {args.save}: NetCDF needs xarray (pip install xarray); or "
                       "save to a .npz file")
        check_target(args.save, overwrite=args.force, probe=True)
    if args.animate is not None:
        suffix = Path(args.animate).suffix.lower()
        if suffix not in ANIMATION_SUFFIXES:
            refuse(f"--animate {args.animate}: use a file name ending in "
                   f"{' or '.join(ANIMATION_SUFFIXES)}")
        if suffix == ".mp4":
            from matplotlib import animation

            if not animation.writers.is_available("ffmpeg"):
                refuse(f"--animate {args.animate}: mp4 needs ffmpeg on the PATH; install it "
                       "or write a .gif")
        check_target(args.animate, overwrite=args.force, probe=True)
    if args.save is not None and args.animate is not None and (
            Path(args.save).resolve() == Path(args.animate).resolve()):
        refuse("--save and --animate name the same file")


def frame_times(args: argparse.Namespace) -> list[float] | None:
    """The extra times ``solve`` saves (None: only 0 and t_final, as without the options)."""
    if getattr(args, "save", None) is None and getattr(args, "animate", None) is None:
        return None
    frames = DEFAULT_FRAMES if args.frames is None else args.frames
    return [args.t_final * k / (frames - 1) for k in range(1, frames - 1)]


def _exact_frames(problem: Any, ic: Any, times: Any) -> Any:
    import solvers

    try:
        return solvers.exact_solution(problem, ic, times)
    except solvers.ProblemError:
        return None


def _animate(path: str, solution: Any, exact: Any, title: str, overwrite: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation

    from learned_ops.atomic import atomic_path

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    try:
        data = [solution.snapshots] + ([] if exact is None else [exact])
        low = min(float(d.min()) for d in data)
        high = max(float(d.max()) for d in data)
        pad = 0.05 * (high - low or 1.0)
        ax.set(xlim=(solution.x[0], solution.x[-1]), ylim=(low - pad, high + pad), xlabel="x",
               ylabel="u")
        ax.set_title(title, fontsize=8)
        (ours,) = ax.plot(solution.x, solution.snapshots[0], label="ours")
        if exact is not None:
            (truth,) = ax.plot(solution.x, exact[0], "k--", lw=1, label="exact")
        label = ax.text(0.02, 0.92, "", transform=ax.transAxes)
        ax.legend(loc="upper right")

        def draw(k: int) -> tuple[Any, ...]:
            ours.set_ydata(solution.snapshots[k])
            label.set_text(f"t = {solution.times[k]:.4g}")
            if exact is not None:
                truth.set_ydata(exact[k])
                return ours, truth, label
            return ours, label

        movie = animation.FuncAnimation(fig, draw, frames=len(solution.times), blit=True)
        writer = (animation.PillowWriter(fps=10) if path.lower().endswith(".gif")
                  else animation.FFMpegWriter(fps=10))
        with atomic_path(path, overwrite=overwrite) as tmp:
            movie.save(tmp, writer=writer)
    finally:
        plt.close(fig)


def write_outputs(args: argparse.Namespace, solution: Any, problem: Any, ic: Any,
                  result: dict[str, Any]) -> dict[str, str]:
    """Write ``--save`` and ``--animate``; returns ``{"save": ..., "animation": ...}`` given."""
    written: dict[str, str] = {}
    if args.save is not None:
        attrs = {key: result[key] for key in _ATTRS if key in result}
        attrs["setup"] = result["problem"]  # "problem" is the solver's own description
        solution.save(args.save, attrs=attrs, overwrite=args.force)
        written["save"] = args.save
    if args.animate is not None:
        exact = _exact_frames(problem, ic, solution.times)
        _animate(args.animate, solution, exact, f"{result['problem']}; {result['operator']}",
                 args.force)
        written["animation"] = args.animate
    return written
