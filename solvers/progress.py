"""Progress of a run, reported at most twice a second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

__all__ = ["Progress", "ProgressCallback"]

ProgressCallback = Callable[[int, float, float], None]
"""``f(step, t, t_final)``."""


class Progress:
    """Calls a progress callback about twice a second (and once at the end on request)."""

   
    def __init__(self, progress: bool | ProgressCallback | None, t_final: float) -> None:
        self.callback: ProgressCallback | None
        if progress is True:
            self.callback = self._print
        elif callable(progress):
            self.callback = progress
        else:
            self.callback = None
        self.t_final = t_final
        self.last = time.perf_counter()
        self.quiet_end = progress is True  # the default printer skips a lone final line

    @staticmethod
    def _print(step: int, t: float, t_final: float) -> None:
        print(f"step {step}: t = {t:.6g} / {t_final:.6g} ({100 * t / t_final:.0f}%)",
              file=sys.stderr, flush=True)

    def __call__(self, step: int, t: float, *, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.perf_counter()
        if (force and not self.quiet_end) or now - self.last >= 0.5:
            self.last = now
            self.quiet_end = False
            self.callback(step, t, self.t_final)
