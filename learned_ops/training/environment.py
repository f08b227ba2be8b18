"""The environment a training run starts TensorFlow in: quiet logs, the CPU allocator, a
silenced stderr while it imports, and the background thread that prepares the data meanwhile.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any


def _quiet_tensorflow_logs() -> None:
    """Hide TensorFlow's C++ start-up chatter (no GPU found, CPU features) unless the user set
    ``TF_CPP_MIN_LOG_LEVEL`` themselves; Python-level errors still raise as usual."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _silenced_stderr(active: bool) -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while TensorFlow starts (its C++ logger ignores
    TF_CPP_MIN_LOG_LEVEL for a few lines); Python exceptions still propagate normally."""
    if not active:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tensorflow_environment() -> None:
    """Settings TensorFlow reads when it starts, unless the user set them: quiet C++ logs, and
    the BFC allocator on the CPU (it reuses buffers instead of mapping fresh pages for every
    large intermediate, which makes float64 training passes 1.5-3x faster here), allowed to
    grow to the machine's memory (its own default cap is 64 GiB)."""
    _quiet_tensorflow_logs()
    if "TF_CPU_ALLOCATOR_USE_BFC" not in os.environ:
        os.environ["TF_CPU_ALLOCATOR_USE_BFC"] = "true"
        with contextlib.suppress(ValueError, OSError, AttributeError):
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
            os.environ.setdefault("TF_CPU_BFC_MEM_LIMIT_IN_MB", str(total // 2**20))


class _Background:
    """Run a function in a daemon thread (so Ctrl-C never waits for it) with the caller's
    context (NumPy's error settings included); :meth:`result` re-raises its exception."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        context = contextvars.copy_context()
        self._outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                self._outcome["value"] = context.run(function, *args)
            except BaseException as exc:  # handed to the caller by result()
                self._outcome["error"] = exc

        self._thread = threading.Thread(target=run, name="learned-ops data", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def result(self) -> Any:
        """Wait for the function and return its value (or raise its exception)."""
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]

