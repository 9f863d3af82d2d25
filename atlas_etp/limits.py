"""Time and memory bounds for every render, so that a pathological content file fails clearly
instead of hanging CI or exhausting the machine."""

from __future__ import annotations


class LimitExceeded(Exception):
    """A render went past one of its bounds; the message says what, the bound, and what to do."""


class TimeLimitExceeded(LimitExceeded):
    """A render took longer than its time bound (raised in the thread that runs it, the main one)."""
