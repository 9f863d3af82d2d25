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
- its private writable memory peaks at 663 MiB (VmData; resident 680 MiB), of which about
  50 MiB is the process itself before the build (Python and its imports): the default bound of 2048 MiB beyond that
  is over three times what the guide needs, and two workers together stay far below the
  machine's 24 GiB.

Memory is bounded with RLIMIT_DATA (private writable memory), not RLIMIT_AS (address space):
the address space also counts the font files fontconfig maps, the 64 MiB malloc arenas each
thread reserves without using, and thread stacks, which would make a bound on it measure
bookkeeping rather than the document (the same build peaks at 852 MiB of address space).

Both can be changed (docs/release.md): ATLAS_ETP_TIME_LIMIT in seconds, ATLAS_ETP_MEMORY_LIMIT in
MiB, 0 for no bound.
"""

from __future__ import annotations

import gc
import math
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from .errors import UsageError

TIME_VARIABLE = "ATLAS_ETP_TIME_LIMIT"
MEMORY_VARIABLE = "ATLAS_ETP_MEMORY_LIMIT"
DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MIB = 2048
MEMORY_RESOURCE = resource.RLIMIT_DATA
MIB = 1024 * 1024
# After the first alarm, it rings again this often until the bound is left: a library that
# swallows every Exception (some do, around optional features) cannot make the bound go away.
_REPEAT_SECONDS = 1.0


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
    MemoryLimitExceeded naming `what` when it goes past one. Main thread only (SIGALRM)."""
    limits = limits or Limits.from_environment()
    with time_bound(limits.seconds, what), memory_bound(limits.memory_mib, what):
        yield


@contextmanager
def time_bound(seconds: float, what: str) -> Iterator[None]:
    """TimeLimitExceeded when the block runs longer than `seconds` (0: no bound). A timer signal,
    because it interrupts pure-Python loops (Jinja, Markdown, WeasyPrint's layout) wherever they
    are, with nothing to poll; signals are handled in the main thread only, so pool workers and
    the live preview run their work there. An enclosing timer is restored with its remaining time."""
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("a time bound rings with SIGALRM, which only the main thread receives")

    def ring(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(what, seconds)

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, ring)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
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


@contextmanager
def memory_bound(mib: int, what: str) -> Iterator[None]:
    """MemoryLimitExceeded when the block needs more than `mib` MiB of private writable memory
    beyond what the process held when it began (0: no bound); the process's own limit is restored
    after it.

    Beyond, not in all: a worker keeps what earlier targets left in its heap (freed, but not given
    back to the system, so still counted), and a bound on the whole process would fail a small
    target for what a large one before it left."""
    if not mib:
        yield
        return
    exceeded = False
    try:
        with _memory_capped(data_in_use() + mib * MIB):
            yield
    except MemoryError:
        exceeded = True
    if exceeded:
        # What the block had built is held in reference cycles (its frames, in the traceback): free
        # it now, or the process stays full and the next target fails at once for no fault of its own.
        gc.collect()
        raise MemoryLimitExceeded(what, mib)


def data_in_use() -> int:
    """Bytes of private writable memory this process has mapped (VmData: what RLIMIT_DATA counts)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("/proc/self/status has no VmData line")


@contextmanager
def _memory_capped(limit: int) -> Iterator[None]:
    """Lower the soft RLIMIT_DATA to `limit` bytes (never above the hard one, nor above a tighter
    bound already in force) for the block; restored before a MemoryError is turned into a message."""
    soft, hard = resource.getrlimit(MEMORY_RESOURCE)
    capped = min(value for value in (limit, soft, hard) if value != resource.RLIM_INFINITY)
    resource.setrlimit(MEMORY_RESOURCE, (capped, hard))
    try:
        yield
    finally:
        resource.setrlimit(MEMORY_RESOURCE, (soft, hard))
