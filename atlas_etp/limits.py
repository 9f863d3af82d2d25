"""Time and memory bounds for every render, so that a pathological content file fails clearly
instead of hanging CI or exhausting the machine.

`bounded(what)` wraps one unit of work: a target of `build`/`release` (load, overlay, render,
layout, in a pool worker or in the main process), an edition of `check` (load, overlay, render),
a rebuild of the live preview. Past its time it raises `TimeLimitExceeded`; when it needs more
memory than its bound, `MemoryLimitExceeded`. Each names what was being done, the bound, and what
to do; the caller turns it into a failed target or a content error, and the other targets go on.

The defaults come from the largest file of a release, the Thailand Thai facilitator guide (about
500 pages), measured with benchmarks/limits.py on one core of the project's machines:

- it takes 45 s, and CI runners may be 2 to 3 times slower, so up to about 135 s there: the
  default of 300 s leaves more than twice that, and still stops a loop that never ends within
  five minutes instead of at CI's 90-minute limit;
- its private writable memory (VmData) peaks at 663 MiB, resident 680 MiB, of which about 50 MiB
  is the process itself before the build (Python and its imports): the default bound of 2048 MiB
  beyond that is over three times what the guide needs, and two workers together stay far below
  the machine's 24 GiB.

Memory is measured as VmData (private writable memory), not the address space (VmPeak, 852 MiB
for the same build): that also counts the font files fontconfig maps, the malloc arenas each
thread reserves without using, and thread stacks, bookkeeping rather than the document.

Both can be changed (docs/release.md): ATLAS_ETP_TIME_LIMIT in seconds, ATLAS_ETP_MEMORY_LIMIT in
MiB, 0 for no bound.
"""

from __future__ import annotations

import gc
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from .errors import UsageError

TIME_VARIABLE = "ATLAS_ETP_TIME_LIMIT"
MEMORY_VARIABLE = "ATLAS_ETP_MEMORY_LIMIT"
DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MIB = 2048
MIB = 1024 * 1024
_TICK_SECONDS = 0.25  # how often the bounds are looked at


class LimitExceeded(Exception):
    """A render went past one of its bounds; the message says what, the bound, and what to do."""

    PROBLEM = "{what} went past its bound of {limit:g}"
    HINT = ""

    def __init__(self, what: str, limit: float) -> None:
        super().__init__(what, limit)  # as args, so that it crosses process boundaries intact
        self.what = what
        self.limit = limit

    @property
    def problem(self) -> str:
        return self.PROBLEM.format(what=self.what, limit=self.limit)

    def __str__(self) -> str:
        return f"{self.problem} — {self.HINT}"

    def retold(self, what: str) -> LimitExceeded:
        """The same bound exceeded, told of `what` (e.g. the edition rather than its first file)."""
        return type(self)(what, self.limit)


class TimeLimitExceeded(LimitExceeded):
    """A render took longer than its time bound (raised in the thread that runs it, the main one)."""

    PROBLEM = "{what} took longer than {limit:g} s"
    HINT = ("is there a loop in the content that never ends, or a table or section far larger than the rest? "
            f"Undo the last change to find it; if it really needs longer, raise the bound: {TIME_VARIABLE}=SECONDS "
            "(0: none)")


class MemoryLimitExceeded(LimitExceeded):
    """A render needed more memory than its bound."""

    PROBLEM = "{what} needed more than {limit:g} MiB of memory"
    HINT = ("does the content repeat text a huge number of times, or hold a huge table or image? Undo the last "
            f"change to find it; if it really needs more, raise the bound: {MEMORY_VARIABLE}=MiB (0: none)")


@dataclass(frozen=True)
class Limits:
    """The bounds of one unit of work; 0 means none."""

    seconds: float = DEFAULT_SECONDS
    memory_mib: int = DEFAULT_MEMORY_MIB

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """The defaults, or ATLAS_ETP_TIME_LIMIT / ATLAS_ETP_MEMORY_LIMIT; a usage error for a value
        that is not a number of at least 0."""
        return cls(_setting(environ, TIME_VARIABLE, DEFAULT_SECONDS, "seconds"),
                   int(_setting(environ, MEMORY_VARIABLE, DEFAULT_MEMORY_MIB, "MiB")))


def _setting(environ: Mapping[str, str], name: str, default: float, unit: str) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{name}={text} is not a number of {unit} — set it to a number such as {default:g}, "
                         "or 0 for no bound")
    return value


@contextmanager
def bounded(what: str, limits: Limits | None = None) -> Iterator[None]:
    """Run the block within `limits` (by default from the environment): TimeLimitExceeded or
    MemoryLimitExceeded naming `what` when it goes past one.

    A timer signal rings every quarter second and looks at the time spent and the memory the
    process holds beyond what it held when the block began (VmData, private writable memory).
    It interrupts pure-Python loops (Jinja, Markdown, WeasyPrint's layout) wherever they are,
    with nothing to poll, and it keeps ringing, so a library that swallows every Exception (some
    do, around optional features) cannot make a bound go away. Signals are handled in the main
    thread only: pool workers and the live preview run their work there.

    Memory is watched, not capped with setrlimit: under RLIMIT_DATA or RLIMIT_AS, allocations
    fail wherever they happen to be, and the C libraries under WeasyPrint do not survive that
    (GLib aborts when Pango cannot start a thread; CPython itself ended with "Cannot recover from
    stack overflow"): the whole build would die instead of one file failing. A single allocation
    the system refuses (MemoryError) is reported the same way. "Beyond what it held": a worker
    keeps what earlier targets left in its heap (freed, not given back to the system), which must
    not fail the next small target."""
    limits = limits or Limits.from_environment()
    if not limits.seconds and not limits.memory_mib:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("bounds ring with SIGALRM, which only the main thread receives")
    started = time.monotonic()
    baseline = data_in_use()

    def ring(signum: int, frame: FrameType | None) -> None:
        if limits.seconds and time.monotonic() - started >= limits.seconds:
            raise TimeLimitExceeded(what, limits.seconds)
        if limits.memory_mib and data_in_use() - baseline > limits.memory_mib * MIB:
            raise MemoryLimitExceeded(what, limits.memory_mib)

    exceeded: LimitExceeded | None = None
    try:
        with _ringing(ring):
            yield
    except MemoryError:
        exceeded = MemoryLimitExceeded(what, limits.memory_mib)
    except MemoryLimitExceeded as exc:
        exceeded = exc
    if exceeded is not None:
        # What the block had built is held in reference cycles (its frames, in the traceback): free
        # it now, or the process stays full and the next target fails for no fault of its own.
        gc.collect()
        raise exceeded


@contextmanager
def _ringing(ring: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """`ring` called every _TICK_SECONDS in the block; an enclosing timer is restored after it
    with the time it has left."""
    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, ring)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, _TICK_SECONDS, _TICK_SECONDS)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_delay:
                remaining = max(previous_delay - (time.monotonic() - started), 0.001)
                signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


def data_in_use() -> int:
    """Bytes of private writable memory this process has mapped (VmData)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("/proc/self/status has no VmData line")
