"""Problems found in content, reported the way a curriculum writer can act on them.

Every content problem is a `ContentError` that knows its file, line and column, says what is
wrong in one sentence and how to fix it. Stages collect them in an `ErrorReport` so that one
`check` run can list every problem, not only the first.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ContentError:
    """One problem in one place of the content."""

    path: Path
    line: int
    message: str
    hint: str = ""
    column: int = 1
    severity: str = "error"  # or "warning": reported, but does not fail `check` (it fails `check --release`)

    def format(self, root: Path | None = None) -> str:
        """`file:line:col: error: message — hint`, with the path relative to the project."""
        shown = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                shown = self.path.resolve().relative_to(root.resolve())
        text = f"{shown}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class ContentErrors(Exception):
    """Raised when a stage cannot go on; carries every problem found so far."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = list(errors)
        super().__init__("\n".join(e.format() for e in self.errors))


class PublishError(Exception):
    """The layout engine was asked for something it must not do (exit code 1)."""


class UsageError(Exception):
    """A bad command-line argument: exit code 2, one line that lists the valid choices."""


@dataclass
class ErrorReport:
    """Collects problems across stages, so a run reports them all at once."""

    errors: list[ContentError] = field(default_factory=list)

    def add(self, error: ContentError) -> None:
        if error not in self.errors:
            self.errors.append(error)

    def extend(self, errors: Iterable[ContentError]) -> None:
        for error in errors:
            self.add(error)

    def take(self, result: tuple[T, Iterable[ContentError]]) -> T:
        """The value of a (value, problems) pair, keeping its problems in the report."""
        value, problems = result
        self.extend(problems)
        return value

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """A hint naming the closest valid choices, or listing them all when none is close."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not options:
        return f"there are no {what or 'choices'} here"
    listed = ", ".join(options[:12]) + (", …" if len(options) > 12 else "")
    return f"valid {what or 'choices'}: {listed}"
