"""Problems found in content, reported the way a curriculum writer can act on them.

Every content problem is a `ContentError` that knows its file, line and column, says what is
wrong in one sentence and how to fix it, and quotes the line it points at with a `^` under the
column: a writer sees the offending text without opening the file. Stages collect them in an
`ErrorReport` so that one `check` run can list every problem, not only the first.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

QUOTE_WIDTH = 100
"""Characters of a long source line quoted around the column: enough to recognise the text."""
MAX_CACHED_BYTES = 4_000_000
"""A file up to this size is kept in memory while its errors are quoted (content files are at most 2 MB)."""
MAX_LINE_BYTES = 64 * 1024
"""The most of one line read for a quote: a file that is one huge line must not be read whole."""
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_VISIBLE = str.maketrans({**{chr(code): chr(0x2400 + code) for code in range(0x20)}, "\x7f": "\u2421",
                          **{chr(code): "\ufffd" for code in range(0x80, 0xA0)},
                          **{char: "\ufffd" for char in _BIDI_CONTROLS}})


@dataclass(frozen=True)
class Excerpt:
    """The source line an error points at, as data (the live preview highlights it in a browser)."""

    line: int
    text: str  # the line, shortened around the column ("…" at a cut), control characters made visible
    column: int  # 1-based position in `text` of the character the error points at

    def format(self) -> str:
        """The line under a line-number gutter, and a `^` under the column (wide and combining
        characters counted as a terminal draws them)."""
        gutter = " " * len(str(self.line))
        caret = " " * sum(map(_cell_width, self.text[: self.column - 1]))
        return f"  {self.line} | {self.text}\n  {gutter} | {caret}^"


@dataclass(frozen=True)
class ContentError:
    """One problem in one place of the content."""

    path: Path
    line: int
    message: str
    hint: str = ""
    column: int = 1
    severity: str = "error"  # or "warning": reported, but does not fail `check` (it fails `check --release`)

    def format(self, root: Path | None = None, quote: bool = True) -> str:
        """`file:line:col: error: message — hint`, with the path relative to the project; then,
        with `quote`, the source line and a `^` under the column when the line can be read.

        The first line keeps exactly this form whatever the content: editors and CI parse it.
        """
        text = f"{self.where(root)}: {self.severity}: {self.message}"
        first = visible(f"{text} — {self.hint}" if self.hint else text)
        excerpt = self.excerpt(root) if quote else None
        return f"{first}\n{excerpt.format()}" if excerpt else first

    def where(self, root: Path | None = None) -> str:
        """`file:line:col`, the path relative to `root` when given (see shown_path)."""
        shown = shown_path(self.path, root) if root is not None else self.path
        return f"{shown}:{self.line}:{self.column}"

    def excerpt(self, root: Path | None = None) -> Excerpt | None:
        """The line this error points at, read from the file now; None when there is nothing to
        quote (the file is gone, is not a regular file, is binary, or has no such line, or the
        line is blank). A relative path is taken relative to `root`."""
        path = root / self.path if root is not None and not self.path.is_absolute() else self.path
        source = _read_line(path, self.line)
        if source is None or not source.strip():
            return None
        return _shortened(visible(source), self.line, min(max(self.column, 1), len(source) + 1))


def shown_path(path: Path, root: Path) -> Path:
    """`path` relative to `root`: by their names as written first, so that a file that is a link
    is named where the writer put it, not where it points; else with links resolved (the project
    reached through a linked folder); else `path` as it is."""
    with contextlib.suppress(ValueError, OSError, RuntimeError):  # RuntimeError: a link loop
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    with contextlib.suppress(ValueError, OSError, RuntimeError):
        return path.resolve().relative_to(root.resolve())
    return path


def visible(text: str) -> str:
    """`text` safe to print on a terminal: control characters (a tab, an escape sequence hidden
    in content) become their visible symbols (␉, ␛), and bidirectional overrides, which could make
    the quoted text read differently from what the file holds, become �. One character stays one
    character, so columns still line up."""
    return text.translate(_VISIBLE) if _INVISIBLE.search(text) else text


def _cell_width(char: str) -> int:
    """Terminal cells a character takes: 0 for a combining mark (Thai vowels above and below the
    line), 2 for a wide East Asian character, otherwise 1."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _read_line(path: Path, number: int) -> str | None:
    """Line `number` (1-based) of `path`, decoded leniently (a wrong byte becomes �), or None."""
    try:
        info = path.stat()
        if number < 1 or not stat.S_ISREG(info.st_mode):  # never open a folder, a pipe or a device
            return None
        if info.st_size <= MAX_CACHED_BYTES:
            lines = _lines(path, info.st_mtime_ns, info.st_size)
            raw = lines[number - 1][:MAX_LINE_BYTES] if number <= len(lines) else b""
        else:
            raw = _streamed_line(path, number)
    except OSError:
        return None
    if not raw or b"\0" in raw:  # past the end, or binary (UTF-16 text is full of zero bytes)
        return None
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    return text.removeprefix("\ufeff") if number == 1 else text


@functools.lru_cache(maxsize=8)
def _lines(path: Path, mtime_ns: int, size: int) -> list[bytes]:
    """The lines of a file, kept while it is unchanged (its time and size are part of the key): a
    file with thousands of errors is read once, not once per error."""
    return path.read_bytes().splitlines(keepends=True)


def _streamed_line(path: Path, number: int) -> bytes:
    """Line `number` of a file too big to keep, read up to that line in bounded pieces."""
    with path.open("rb") as stream:
        for _ in range(number - 1):
            if not _skip_line(stream):
                return b""
        return stream.readline(MAX_LINE_BYTES)


def _skip_line(stream: BinaryIO) -> bool:
    """Read past one line, however long, in bounded pieces; False at the end of the file."""
    while piece := stream.readline(MAX_LINE_BYTES):
        if piece.endswith(b"\n"):
            return True
    return False


def _shortened(text: str, line: int, column: int) -> Excerpt:
    """A long line cut to QUOTE_WIDTH characters around `column`, marked with "…" where cut."""
    if len(text) <= QUOTE_WIDTH:
        return Excerpt(line, text, column)
    start = max(0, min(column - 1 - QUOTE_WIDTH // 2, len(text) - QUOTE_WIDTH))
    end = start + QUOTE_WIDTH
    head, tail = ("…" if start else ""), ("…" if end < len(text) else "")
    return Excerpt(line, head + text[start:end] + tail, column - start + len(head))


class ContentErrors(Exception):
    """Raised when a stage cannot go on; carries every problem found so far."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        """Every problem, one line each (made only when asked for: a stage may raise thousands)."""
        return "\n".join(error.format(quote=False) for error in self.errors)


class PublishError(Exception):
    """The layout engine was asked for something it must not do (exit code 1)."""


class UsageError(Exception):
    """A bad command-line argument: exit code 2, one line that lists the valid choices."""


@dataclass
class ErrorReport:
    """Collects problems across stages, so a run reports them all at once."""

    errors: list[ContentError] = field(default_factory=list)
    _seen: set[ContentError] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen.update(self.errors)

    def add(self, error: ContentError) -> None:
        """Keep `error` unless the same problem is already kept (a set: a file of thousands of bad
        keys must not take a quadratic time to report)."""
        if error not in self._seen:
            self._seen.add(error)
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
