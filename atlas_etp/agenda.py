"""Course agendas laid out from the session data, so a timetable never disagrees with the sessions.

A training day starts at 09:00 and holds at most six hours of learning: the sessions, the opening
(with the pre-test) on the first day, a short review of the day before on the others, and the
closing (with the post-test) on the last. Sessions keep the order the programme gives them; a
session that does not fit in what is left of a day starts the next one. Breaks are not learning
time: a 15-minute break between sessions, and a one-hour lunch at the gap nearest 12:15.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DAY_START = datetime.time(9, 0)
DAY_CAPACITY = 360  # minutes of learning per day
OPENING = 45  # welcome, introductions, ground rules, pre-test
REVIEW = 15  # recap of the day before, questions
CLOSING = 45  # post-test, evaluation, certificates, closing
BREAK = 15
LUNCH = 60
LUNCH_AIM = 12 * 60 + 15  # lunch goes in the gap nearest 12:15 (minutes after midnight)…
LUNCH_WINDOW = (11 * 60, 14 * 60)  # …that falls in this window

SlotKind = Literal["opening", "review", "session", "break", "lunch", "closing"]


@dataclass(frozen=True)
class Slot:
    kind: SlotKind
    start: datetime.time
    end: datetime.time
    session_id: str | None = None


@dataclass(frozen=True)
class Day:
    number: int
    slots: tuple[Slot, ...]

    @property
    def learning_minutes(self) -> int:
        return sum(_minutes_between(s.start, s.end) for s in self.slots if s.kind not in ("break", "lunch"))


def lay_out(sessions: Sequence[tuple[str, int]]) -> list[Day]:
    """Days for `sessions` (id, minutes) in the given order, with opening, reviews and closing."""
    plans: list[list[tuple[SlotKind, int, str | None]]] = [[("opening", OPENING, None)]]
    for session_id, minutes in sessions:
        if _used(plans[-1]) + minutes > DAY_CAPACITY and _has_session(plans[-1]):
            plans.append([("review", REVIEW, None)])
        plans[-1].append(("session", minutes, session_id))
    if _used(plans[-1]) + CLOSING > DAY_CAPACITY:
        plans.append([("review", REVIEW, None)])
    plans[-1].append(("closing", CLOSING, None))
    return [_timetable(number, plan) for number, plan in enumerate(plans, start=1)]


def _used(plan: list[tuple[SlotKind, int, str | None]]) -> int:
    return sum(minutes for _, minutes, _ in plan)


def _has_session(plan: list[tuple[SlotKind, int, str | None]]) -> bool:
    return any(kind == "session" for kind, _, _ in plan)


def _timetable(number: int, plan: list[tuple[SlotKind, int, str | None]]) -> Day:
    """Clock times for one day's items, with breaks and lunch between sessions."""
    lunch = _lunch_gap(plan)
    slots: list[Slot] = []
    clock = DAY_START
    for index, (kind, minutes, session_id) in enumerate(plan):
        if _is_gap(plan, index):
            pause: SlotKind = "lunch" if index == lunch else "break"
            slots.append(Slot(pause, clock, clock := _at(clock, LUNCH if pause == "lunch" else BREAK)))
        slots.append(Slot(kind, clock, clock := _at(clock, minutes), session_id))
    return Day(number, tuple(slots))


def _is_gap(plan: list[tuple[SlotKind, int, str | None]], index: int) -> bool:
    """A pause comes after each session, before the next item."""
    return index > 0 and plan[index - 1][0] == "session"


def _lunch_gap(plan: list[tuple[SlotKind, int, str | None]]) -> int | None:
    """The index of the item that lunch comes before: the gap nearest midday, if one is near it."""
    start = DAY_START.hour * 60 + DAY_START.minute
    candidates = []
    for index, (_, minutes, _) in enumerate(plan):
        if _is_gap(plan, index) and LUNCH_WINDOW[0] <= start <= LUNCH_WINDOW[1]:
            candidates.append((abs(start - LUNCH_AIM), index))
        start += minutes + (BREAK if _is_gap(plan, index + 1) else 0)
    return min(candidates)[1] if candidates else None


def _at(time: datetime.time, minutes: int) -> datetime.time:
    moment = datetime.datetime.combine(datetime.date(2000, 1, 1), time) + datetime.timedelta(minutes=minutes)
    return moment.time()


def _minutes_between(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
