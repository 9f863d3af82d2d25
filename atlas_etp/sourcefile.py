"""Reading content files: text, YAML with line numbers, and Markdown front matter.

PyYAML forgets where a value came from and silently keeps the last of two duplicate keys. The
loader here remembers the line and column of every key and list item and refuses duplicates, so
that a schema error deep in `country.yaml` can still point the writer at the right line.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .errors import ContentError, ContentErrors
from .project import Project

MAX_FILE_BYTES = 2_000_000
"""A content file larger than this is refused: no session is that long, and a huge file only slows CI."""

Position = tuple[int, int]
FINGERPRINT_LENGTH = 12
TRANSLATION_RECORD = "translated_from"  # front-matter key of a translation's record (translation.py)


def fingerprint(text: str) -> str:
    """A short hash of `text` that ignores trailing spaces and blank-line changes.

    Drift (an override against the global text) and translation state (a translation against its
    English) both compare these, so that re-wrapping blank lines does not mark text as changed.
    """
    lines = [line.rstrip() for line in text.strip().splitlines()]
    normal = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def front_matter_fingerprint(front_matter: Mapping[str, Any]) -> str:
    """The fingerprint of a file's front matter as data (so quoting and comments do not count),
    leaving out the translation record itself."""
    data = {key: value for key, value in front_matter.items() if key != TRANSLATION_RECORD}
    return fingerprint(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))


class MarkedDict(dict):
    """A mapping that remembers where each key was written (1-based line, column)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marks: dict[Any, Position] = {}


class MarkedList(list):
    """A list that remembers where each item was written."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.marks: list[Position] = []


def _position(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _MarkingLoader(yaml.SafeLoader):
    """Safe YAML loading that records positions and rejects duplicate keys, aliases, keys that are
    not words, and the tags content never needs.

    Aliases (`*name`) are refused: content never needs them, and nested aliases can make a
    small file expand into billions of values (an "alias bomb").
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not supported", problem_mark=self.peek_event().start_mark
            )
        return super().compose_node(parent, index)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML raises a bare ValueError for a date that does not exist (2026-13-45) or a number
        too long to read: give it the value's place in the file, like any other YAML problem."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            shown = str(node.value)[:40]
            problem = (f"'{shown}' is not a valid date ({exc})" if node.tag == "tag:yaml.org,2002:timestamp"
                       else f"'{shown}' cannot be read as a number")
            raise yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> MarkedDict:  # type: ignore[override]
        result = MarkedDict()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.MarkedYAMLError(problem="a key must be a word, not a list or a {…} group",
                                           problem_mark=key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            if key in result:
                line, _ = result.marks[key]
                raise yaml.MarkedYAMLError(
                    problem=f"the key '{key}' appears twice (first on line {line})",
                    problem_mark=key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.marks[key] = _position(key_node)
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> MarkedList:  # type: ignore[override]
        result = MarkedList(self.construct_object(child, deep=True) for child in node.value)
        result.marks = [_position(child) for child in node.value]
        return result

    def construct_unsupported(self, node: yaml.Node) -> None:
        """Sets, ordered maps, pairs and binary data: no content needs them, and a set's order changes
        from run to run (it would change the guide and its fingerprints)."""
        raise yaml.MarkedYAMLError(problem=f"the YAML type {node.tag.rsplit(':', 1)[-1]!r} (a tag) is not supported",
                                   problem_mark=node.start_mark)


_MarkingLoader.add_constructor("tag:yaml.org,2002:map", _MarkingLoader.construct_mapping)
_MarkingLoader.add_constructor("tag:yaml.org,2002:seq", _MarkingLoader.construct_sequence)
for _tag in ("set", "omap", "pairs", "binary"):
    _MarkingLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _MarkingLoader.construct_unsupported)


def read_text(path: Path) -> str:
    """The file's text as UTF-8 (a byte-order mark is dropped), or one clear error."""
    return _decoded(_read_bytes(path), path)


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file inside the project's content folder, at most MAX_FILE_BYTES.

    A content file that is a link is followed only when it points inside content/: a link to
    /etc/passwd or to a file elsewhere on the computer would put that file into a guide. A pipe
    or a device (/dev/zero) would never end, so only regular files are read.
    """
    try:
        _require_inside_content(path)
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _error(path, 1, "this is a folder, not a file", "name a .md or .yaml file")
        if not stat.S_ISREG(info.st_mode):
            raise _error(path, 1, "this is not an ordinary file (it is a pipe or a device)",
                         "replace it with a text file saved from your editor")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _error(path, 1, "the file does not exist", "check the file name and folder") from None
    except PermissionError:
        raise _error(path, 1, "the file cannot be read (permission denied)", "fix the file's permissions") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link that points to itself, in a loop
        raise _error(path, 1, f"the file cannot be read ({getattr(exc, 'strerror', None) or exc})",
                     "make it a plain text file; a link must point to an existing file inside content/") from None
    if len(data) > MAX_FILE_BYTES:
        raise _error(path, 1, f"the file is over the limit of {MAX_FILE_BYTES:,} bytes",
                     "split it into smaller files")
    return data


def _require_inside_content(path: Path) -> None:
    """Refuse a file whose real place (links followed) is outside the content folder it was found in.

    A link from one content file to another is fine: whatever it shows is content that is itself
    checked and kept in version control.
    """
    project = Project.holding(path)
    if project is None:
        return
    real = path.resolve()
    if not real.is_relative_to(project.content.resolve()):
        raise _error(path, 1, f"this file is a link to {real}, which is outside the project's content folder",
                     "copy the file into content/ instead of linking to it")


def _decoded(data: bytes, path: Path) -> str:
    """`data` as UTF-8 text; an error at the line and column of the first byte that is not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _error(path, 1, "the file is not valid UTF-8 text: it is saved as UTF-16", _SAVE_AS_UTF8)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8-sig", errors="replace")) + 1
        raise _error(path, line, "the file is not valid UTF-8 text: this character is in another encoding "
                     "(such as Latin-1 or Windows-1252)", _SAVE_AS_UTF8, column) from None


_SAVE_AS_UTF8 = "save the file as UTF-8 in your editor (File → Save with encoding → UTF-8)"


def load_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML into MarkedDict/MarkedList; `first_line` is where `text` starts in the file."""
    try:
        data = yaml.load(text, Loader=_MarkingLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        column = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "the YAML cannot be read"
        message, hint = _plain_yaml_problem(problem)
        raise _error(path, line, message, hint, column) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise _error(path, line, f"an invisible control character (U+{exc.character:04X}) is not allowed here",
                     "delete it: it often comes with text pasted from another program", column) from None
    except yaml.YAMLError as exc:
        raise _error(path, first_line, f"malformed YAML: {exc}", "check indentation and quotes") from None
    except RecursionError:
        raise _error(path, first_line, "the YAML is nested too deeply (lists or groups inside each other)",
                     "close the '[' and '{' you opened; content needs only a few levels") from None
    if first_line != 1:
        _shift(data, first_line - 1)
    return data


def _plain_yaml_problem(problem: str) -> tuple[str, str]:
    """PyYAML's description of a problem, and what to do; in plain words where PyYAML's are not."""
    if "'\\t'" in problem:
        return "a tab character is not allowed here: YAML is indented with spaces", _yaml_hint(problem)
    if problem.startswith("mapping values are not allowed"):
        return "a ': ' inside a value makes YAML read the rest as a new key", _yaml_hint(problem)
    if problem.startswith("could not determine a constructor for the tag") or "(a tag) is not supported" in problem:
        return "YAML tags (a word after '!', such as !!python or !!set) are not supported", \
            "remove the '!…' word; write plain text, numbers, lists [a, b] and 'key: value' lines"
    return f"malformed YAML: {problem}", _yaml_hint(problem)


def _yaml_hint(problem: str) -> str:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "appears twice" in problem:
        return "keep one of the two"
    if "is not a valid date" in problem:
        return "write dates as YYYY-MM-DD, with a month from 01 to 12 and a day that month has"
    if "cannot be read as a number" in problem:
        return "write a whole number in digits (no longer than a year or a phone number), or put text in quotes"
    if "not a list or a {…} group" in problem:
        return "put text that starts with '{' or '[' in quotes; {{ … }} variables work only in the text below " \
               "the front matter"
    if "mapping values" in problem:
        return "put text that contains ': ' in quotes"
    return "check the indentation and that quotes and brackets are closed"


def split_lines(text: str) -> list[str]:
    """`text` cut into lines, ends kept, where markdown-it and editors cut them: at \\n, \\r\\n and \\r
    only. str.splitlines() also cuts at form feeds, \\x85 and U+2028, which would shift every line
    number after one of them."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def _shift(data: Any, lines: int) -> None:
    """Move recorded positions down by `lines` (YAML parsed out of a larger file)."""
    if isinstance(data, MarkedDict):
        data.marks = {k: (line + lines, col) for k, (line, col) in data.marks.items()}
        for value in data.values():
            _shift(value, lines)
    elif isinstance(data, MarkedList):
        data.marks = [(line + lines, col) for line, col in data.marks]
        for value in data:
            _shift(value, lines)


def position_of(data: Any, location: tuple[Any, ...], default: Position) -> Position:
    """The position of the value at `location` (a path of keys and indexes), as near as known."""
    found = default
    node = data
    for step in location:
        if isinstance(node, MarkedDict) and step in node:
            found = node.marks.get(step, found)
            node = node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node):
            found = node.marks[step]
            node = node[step]
        else:
            break
    return found


@dataclass(frozen=True)
class MarkdownFile:
    """A Markdown file split into its YAML front matter and its body."""

    path: Path
    front_matter: Any
    front_matter_line: int
    body: str
    body_line: int


_FRONT_MATTER_PARSER = MarkdownIt("zero").use(front_matter_plugin)


def read_markdown(path: Path, *, need_front_matter: bool) -> MarkdownFile:
    """Read a Markdown file; its front matter (between `---` lines) is parsed as YAML."""
    return _split_markdown(path, read_text(path), need_front_matter)


@functools.lru_cache(maxsize=1024)
def _split_markdown(path: Path, text: str, need_front_matter: bool) -> MarkdownFile:
    """`text` of `path` split into front matter and body. Remembered by the text: the YAML parser
    is pure Python and the slowest part of loading an edition, and a live preview loads the edition
    again on every save, when only one file has changed. The MarkdownFile is shared: never change
    its front matter."""
    tokens = _FRONT_MATTER_PARSER.parse(text)
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        start, end = tokens[0].map
        data = load_yaml(tokens[0].content, path, first_line=start + 2)
        if data is None and need_front_matter:
            raise _error(path, start + 1, "the front matter between the two '---' lines is empty", _FRONT_MATTER_HINT)
        if data is not None and not isinstance(data, dict):
            raise _error(path, start + 2, "the front matter must be 'key: value' lines, such as 'title: Introduction'",
                         "see docs/authoring.md for a session's front matter")
        body = "".join(split_lines(text)[end:])
        return MarkdownFile(path, data or MarkedDict(), start + 2, body, end + 1)
    if need_front_matter:
        raise _missing_front_matter(path, text)
    return MarkdownFile(path, MarkedDict(), 1, text, 1)


_FRONT_MATTER_HINT = "start the file with a '---' line, the 'id: …' and 'title: …' lines, and another '---' line"


def _missing_front_matter(path: Path, text: str) -> ContentErrors:
    """Why a file that needs front matter has none, in the writer's terms."""
    if not text.strip():
        return _error(path, 1, "the file is empty", _FRONT_MATTER_HINT)
    lines = split_lines(text)
    if lines[0].strip() == "---":
        return _error(path, 1, "the front matter that starts here is never closed",
                      "add a '---' line after its last 'key: value' line")
    first = next(number for number, line in enumerate(lines, 1) if line.strip())
    if lines[first - 1].strip() == "---":
        return _error(path, first, "the front matter must start on the first line",
                      "delete the empty lines above this '---'")
    return _error(path, 1, "the file has no front matter", _FRONT_MATTER_HINT)


def _error(path: Path, line: int, message: str, hint: str, column: int = 1) -> ContentErrors:
    return ContentErrors([ContentError(path, line, message, hint, column)])
