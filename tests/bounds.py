"""Bounds on cost that hold on a slow or loaded machine: growth, never a wall-clock time.

A test that guards against quadratic work compares the CPU time of this
process on an input with that on an input twice as large (linear code takes
about twice as long, quadratic code four times).  A test that only guards
against a hang runs its work under :func:`hang_guard`, whose limit is far
above any normal run and is no claim about speed.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import time
from collections.abc import Callable, Iterator
from types import FrameType

#: Doubling the input may cost at most this factor (linear is 2, quadratic 4).
MAX_GROWTH = 3.0


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time of this process spent in ``work()``, after a full collection so none is charged to it."""
    gc.collect()
    started = time.process_time()
    work()
    return time.process_time() - started


def doubling_growth(
    small: Callable[[], object], large: Callable[[], object], *, runs: int = 3, tries: int = 4
) -> float:
    """How many times the CPU time of ``small()`` the work ``large()`` (on twice the input) takes.

    Each try measures the small input (the fastest of ``runs`` runs) right
    before the large one, so that both see the same machine: on a shared
    virtual machine the speed of this process can change by half for
    seconds at a time, and a base taken once, before a slow spell, made
    linear code look like 3.3x.  The smallest ratio of up to ``tries`` tries
    is returned, as soon as one is within :data:`MAX_GROWTH`: a burst of load
    slows one try, quadratic code is slow in every one.
    """
    small()  # warm-up: imports, compiled patterns, caches
    growths: list[float] = []
    for _ in range(tries):
        base = max(min(cpu_seconds(small) for _ in range(runs)), 1e-6)
        growths.append(cpu_seconds(large) / base)
        if growths[-1] <= MAX_GROWTH:
            break
    return min(growths)


@contextlib.contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError if the block has not finished after ``seconds`` (main thread only)."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
