"""A corpus of bad and hostile input, each run through `check` and `build` as a writer would.

Every case must end in one clear `file:line:col: error: message — fix` line (or, for markup that
is shown as text, a successful build that shows it as text), with no traceback, no change to
content/, nothing written outside the output folder and no attempt to reach the network.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from atlas_etp.sourcefile import MAX_FILE_BYTES

from conftest import edit

SESSION = "content/global/en/m1-basics/s01-intro.md"
MORE = "content/global/en/m1-basics/s02-more.md"
MODULE = "content/global/en/m1-basics/module.md"
COUNTRY = "content/testland/country.yaml"
GUIDE = "content/global/guide.yaml"
NATIONAL = "content/testland/en/key-messages.md"
NATIONAL_SESSION = "content/testland/en/national.md"
SHARED = "content/global/en/m1-basics/more-text.md"  # not a session file name (s*.md): read through a link only
EXTRA = "content/testland/en/extra.md"
OUTSIDE = "outside"  # a folder beside the project, in the test's temporary folder
ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): error: (?P<text>.*)$")
PASSWD_TEXT = b"root:x:0:0"

Change = Callable[[Path], None]  # edits the project whose root it is given


def replace(file: str, old: str, new: str) -> Change:
    return lambda root: edit(root / file, old, new)


def write(file: str, data: str | bytes) -> Change:
    def change(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return change


def recode(file: str, encoding: str, old: str = "", new: str = "") -> Change:
    """Save `file` in another encoding (after replacing `old` by `new`)."""
    def change(root: Path) -> None:
        text = (root / file).read_text(encoding="utf-8").replace(old, new, 1)
        (root / file).write_bytes(text.encode(encoding))

    return change


def raw(file: str, old: bytes, new: bytes) -> Change:
    """Replace bytes in `file`: for text in an encoding the rest of the file cannot be saved in."""
    def change(root: Path) -> None:
        data = (root / file).read_bytes()
        assert old in data
        (root / file).write_bytes(data.replace(old, new, 1))

    return change


def link(file: str, target: str | Callable[[Path], Path]) -> Change:
    """Make `file` a symbolic link to `target`: an absolute path, or a path made from the root."""
    def change(root: Path) -> None:
        path = root / file
        destination = target(root) if callable(target) else target
        path.unlink(missing_ok=True)
        path.symlink_to(destination)

    return change


def outside_copy(file: str) -> Callable[[Path], Path]:
    """A copy of the project file `file` in a folder outside the project (a valid file, so only
    where it lies is wrong)."""
    def target(root: Path) -> Path:
        copy = root.parent / OUTSIDE / Path(file).name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes((root / file).read_bytes())
        return copy

    return target


def both(*changes: Change) -> Change:
    def change(root: Path) -> None:
        for each in changes:
            each(root)

    return change


def override(yaml_text: str) -> Change:
    """Replace the test country's overrides by `yaml_text`."""
    return replace(COUNTRY, "overrides:\n  - replace: m1.s01/key-messages\n    with: key-messages.md\n",
                   f"overrides:\n{yaml_text}")


def national_session(session_id: str) -> Change:
    """A whole national session file (English) with the ID `session_id`."""
    return write(NATIONAL_SESSION, f"---\nid: {session_id}\ntitle: National\nduration: 10\naudiences: [police]\n"
                                   "objectives: [Know the law.]\nstatus: outline\n---\n\n## Outline {#outline}\n\n"
                                   "- National text.\n")


def alias_bomb() -> str:
    """The "billion laughs": nine levels of nine aliases each, 9**9 strings once expanded."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def many_keys(count: int) -> str:
    """A country file of `count` unknown top-level keys, just under the size limit."""
    return "".join(f"k{index:06d}: x\n" for index in range(count))


def huge_session(root: Path) -> None:
    path = root / SESSION
    path.write_bytes(path.read_bytes() + b"\n" + b"padding line of a session that is far too long.\n" * 50_000)


@dataclass(frozen=True)
class Case:
    change: Change
    where: str = ""  # how the error line starts: "file:line:" or "file:" ("" for a case that builds)
    words: tuple[str, ...] = ()  # the error line must contain these
    shown: tuple[str, ...] = ()  # for a case that builds: in the page, as text
    absent: tuple[str, ...] = ()  # for a case that builds: never in the page
    pdf: bool = False  # also lay out the PDF: WeasyPrint would load the URL if it became markup

    @property
    def is_error(self) -> bool:
        return bool(self.where)


def error(change: Change, where: str, *words: str, pdf: bool = False) -> Case:
    return Case(change, where, words, pdf=pdf)


def image(markdown: str, *words: str) -> Case:
    """An image a session must not show: refused at its line, and never loaded by the PDF layout."""
    return error(replace(SESSION, "Greet the group.", markdown), f"{SESSION}:16:", *words, pdf=True)


def shown_as_text(markup: str, escaped: str, absent: str | None = None) -> Case:
    """Markup written into a session must appear as text in the page and never as markup."""
    return Case(replace(SESSION, "Greet the group.", f"Greet the group. {markup}"),
                shown=(escaped,), absent=(absent or markup,), pdf=True)


CASES: dict[str, Case] = {
    # YAML
    "tab indentation": error(replace(COUNTRY, "  laws:", "\tlaws:"), f"{COUNTRY}:5:1", "indent with spaces"),
    "tab in front matter": error(replace(SESSION, "duration: 30", "\tduration: 30"), f"{SESSION}:4:1", "tabs"),
    "duplicate key": error(replace(COUNTRY, "paper: A4", "paper: A4\npaper: Letter"), f"{COUNTRY}:4:1",
                           "'paper' appears twice (first on line 3)"),
    "duplicate front-matter key": error(replace(SESSION, "duration: 30", "duration: 30\nduration: 40"),
                                        f"{SESSION}:5:1", "'duration' appears twice"),
    "text where a list goes": error(replace(COUNTRY, "languages: [en, th]", "languages: en"), f"{COUNTRY}:2:1",
                                    "'languages'", "a list"),
    "list where key-value lines go": error(replace(COUNTRY, "name: {en: Testland, th: เทสต์แลนด์}", "name: [Testland]"),
                                           f"{COUNTRY}:1:1", "'name'", "'key: value' lines"),
    "number where text goes": error(replace(SESSION, "title: Introduction", "title: 42"), f"{SESSION}:3:1",
                                    "'title'", "write text"),
    "malformed date": error(replace(COUNTRY, "checked: 2026-11-01\n  hotlines", "checked: 2026-13-45\n  hotlines"),
                            f"{COUNTRY}:9:16", "'2026-13-45' is not a valid date", "YYYY-MM-DD"),
    "text where a number goes": error(replace(SESSION, "duration: 30", "duration: half an hour"), f"{SESSION}:4:1",
                                      "'duration'", "whole number"),
    "number too long to read": error(replace(COUNTRY, "      checked: 2026-11-01\n  hotlines",
                                             "      checked: 2026-11-01\n      year: 1" + "0" * 5000 + "\n  hotlines"),
                                     f"{COUNTRY}:10:13", "cannot be read as a number", "digits"),
    "number tag on a word": error(replace(SESSION, "duration: 30", "duration: !!int thirty"), f"{SESSION}:4:11",
                                  "'thirty' cannot be read as a number"),
    "set tag": error(replace(SESSION, "materials: [Flipchart]", "materials: !!set {Flipchart, Markers}"),
                     f"{SESSION}:8:12", "tags", "!!set", "not supported"),
    "a variable in front matter": error(replace(SESSION, "title: Introduction", "title: {{ country }}"),
                                        f"{SESSION}:3:9", "a key must be a word", "work only in the text"),
    "a list as a key": error(replace(COUNTRY, "paper: A4", "[paper]: A4"), f"{COUNTRY}:3:1", "a key must be a word"),
    "form feed before the error": error(both(replace(SESSION, "Greet the group.", "Greet the\x0c group."),
                                             replace(SESSION, "{{ country }}", "{{ countryname }}")),
                                        f"{SESSION}:36:", "countryname"),
    "alias bomb": error(write(COUNTRY, alias_bomb()), f"{COUNTRY}:2:", "aliases (*name) are not supported"),
    "merge key": error(replace(COUNTRY, "paper: A4", "base: &base {paper: A4}\n<<: *base"), f"{COUNTRY}:4:",
                       "aliases"),
    "python tag": error(replace(COUNTRY, "paper: A4", 'paper: !!python/object/apply:os.system ["touch pwned"]'),
                        f"{COUNTRY}:3:8", "tags", "not supported"),
    "control character": error(replace(COUNTRY, "paper: A4", "paper: A\x074"), f"{COUNTRY}:3:9",
                               "control character (U+0007)", "delete it"),
    "unclosed bracket": error(replace(COUNTRY, "paper: A4", "paper: [A4"), f"{COUNTRY}:", "malformed YAML"),
    "huge country file": error(write(COUNTRY, "# padding\n" * (MAX_FILE_BYTES // 10 + 1)), f"{COUNTRY}:1:1",
                               "over the limit", "split it"),
    "huge session file": error(huge_session, f"{SESSION}:1:1", "over the limit"),
    "country file of top-level YAML list": error(write(COUNTRY, "- en\n- th\n"), f"{COUNTRY}:1:1",
                                                 "'key: value' lines"),
    "empty country file": error(write(COUNTRY, ""), f"{COUNTRY}:1:1", "the file is empty", "'languages:'"),
    "empty guide file": error(write(GUIDE, "\n"), f"{GUIDE}:1:1", "the file is empty", "'title:'"),
    # front matter
    "no front matter": error(replace(SESSION, "---\nid: m1.s01", "id: m1.s01"), f"{SESSION}:1:1",
                             "no front matter", "'---'"),
    "front matter never closed": error(replace(SESSION, "methods: [discussion]\n---\n", "methods: [discussion]\n"),
                                       f"{SESSION}:1:1", "never closed", "add a '---' line"),
    "blank line above front matter": error(replace(SESSION, "---\nid: m1.s01", "\n---\nid: m1.s01"),
                                           f"{SESSION}:2:1", "must start on the first line"),
    "front matter not key-value": error(write(MORE, "---\njust a sentence\n---\n\n## Outline {#outline}\n"),
                                        f"{MORE}:2:1", "'key: value' lines"),
    "front matter a YAML list": error(write(MORE, "---\n- id: m1.s02\n- title: More\n---\n\n## Outline {#outline}\n"),
                                      f"{MORE}:2:1", "'key: value' lines"),
    "front matter empty": error(write(MORE, "---\n---\n\n## Outline {#outline}\n"), f"{MORE}:1:1",
                                "front matter", "is empty"),
    "empty session file": error(write(MORE, ""), f"{MORE}:1:1", "the file is empty", "'---'"),
    "empty module file": error(write(MODULE, ""), f"{MODULE}:1:1", "the file is empty"),
    "front matter field missing": error(replace(SESSION, "duration: 30\n", ""), f"{SESSION}:2:1",
                                        "'duration' is missing", "add a 'duration:' line"),
    # typed blocks
    "unclosed block": error(replace(SESSION, "Someone may disclose.\n:::", "Someone may disclose."),
                            f"{SESSION}:25:", "'activity' block starts inside the 'facilitator-note' block",
                            "':::'"),
    "nested unclosed block": error(replace(SESSION, "Someone may disclose.\n",
                                           "Someone may disclose.\n::: audience judges\nOnly judges.\n"),
                                   f"{SESSION}:20:", "'audience' block starts inside the 'facilitator-note'"),
    "stray closing line": error(replace(SESSION, "Greet the group.\n", "Greet the group.\n:::\n"), f"{SESSION}:17:",
                                "closes no block"),
    "block mark in fenced code": Case(replace(SESSION, "Greet the group.\n", "Greet the group.\n\n```\n::: x\n```\n"),
                                      shown=("::: x",)),
    # IDs and overrides
    "unknown override target": error(override("  - replace: m1.s09\n    with: key-messages.md\n"), f"{COUNTRY}:19:",
                                     "'m1.s09' does not exist", "m1.s0"),
    "unknown section ID": error(override("  - replace: m1.s01/nope\n    with: key-messages.md\n"), f"{COUNTRY}:19:",
                                "'m1.s01/nope' does not exist"),
    "unknown law key": error(replace(SESSION, 'law("trafficking")', 'law("trafficing")'), f"{SESSION}:36:",
                             "did you mean 'trafficking'"),
    "override of what it inserts itself": error(
        override("  - insert_after: m1.s01/key-messages-2\n    with: key-messages.md\n"), f"{COUNTRY}:19:",
        "'m1.s01/key-messages-2' does not exist"),
    "insert of a session ID that exists": error(
        both(national_session("m1.s02"), override("  - insert_after: m1.s01\n    with: national.md\n")),
        f"{NATIONAL_SESSION}:2:", "'m1.s02' is already in the guide"),
    "remove then replace the same target": error(
        override("  - remove: m1.s01/key-messages\n  - replace: m1.s01/key-messages\n    with: key-messages.md\n"),
        f"{COUNTRY}:20:", "'m1.s01/key-messages' does not exist"),
    "insert of a section ID that exists": error(
        both(write(EXTRA, "## The plan again {#plan}\n\nText.\n"),
             override("  - insert_after: m1.s01/background\n    with: extra.md\n")),
        f"{EXTRA}:1:", "the section ID 'plan' is already in session m1.s01"),
    "with: into the global folder": error(
        override("  - replace: m1.s01\n    with: ../../global/en/m1-basics/s01-intro.md\n"), f"{COUNTRY}:19:",
        "names a file outside the country's language folders", "content/testland/en/"),
    "with: an absolute path": error(override("  - replace: m1.s01/key-messages\n    with: /etc/passwd\n"),
                                    f"{COUNTRY}:19:", "names a file outside", "'with: key-messages.md'"),
    "with: a folder": error(override("  - replace: m1.s01/key-messages\n    with: .\n"), f"{COUNTRY}:19:",
                            "there is no file '.' in content/testland/en/"),
    "with: a file that does not exist": error(override("  - replace: m1.s01/key-messages\n    with: key-mesages.md\n"),
                                              f"{COUNTRY}:19:", "there is no file 'key-mesages.md'",
                                              "did you mean 'key-messages.md'?"),
    # links out of the project
    "with-file linking outside": error(link(NATIONAL, outside_copy(NATIONAL)), f"{COUNTRY}:19:", "is a link to",
                                       "copy the file into the folder"),
    "with-file linking to /etc/passwd": error(link(NATIONAL, "/etc/passwd"), f"{COUNTRY}:19:",
                                              "is a link to /etc/passwd"),
    "session linking outside": error(link(SESSION, outside_copy(SESSION)), f"{SESSION}:1:1",
                                     "outside the project's content folder", "copy the file into content/"),
    "session linking to /etc/passwd": error(link(SESSION, "/etc/passwd"), f"{SESSION}:1:1",
                                            "a link to /etc/passwd", "copy the file"),
    "session linking to /dev/zero": error(link(MORE, "/dev/zero"), f"{MORE}:1:1", "outside the project's content"),
    "country file linking outside": error(link(COUNTRY, outside_copy(COUNTRY)), f"{COUNTRY}:1:1",
                                          "outside the project's content folder"),
    "module folder linking outside": error(
        link("content/global/en/m2-outside", lambda root: outside_copy(MODULE)(root).parent),
        "content/global/en/m2-outside/module.md:1:1", "outside the project's content folder"),
    "session linking to itself": error(link("content/global/en/m1-basics/s03-loop.md", "s03-loop.md"),
                                       "content/global/en/m1-basics/s03-loop.md:1:1", "cannot be read", "a link"),
    "session that is a pipe": error(lambda root: os.mkfifo(root / "content/global/en/m1-basics/s03-pipe.md"),
                                    "content/global/en/m1-basics/s03-pipe.md:1:1", "not an ordinary file"),
    "image linking to /etc/passwd": error(
        both(link("content/global/en/m1-basics/map.png", "/etc/passwd"),
             replace(SESSION, "Greet the group.", "Greet the group. ![map](map.png)")),
        f"{SESSION}:16:", "'map.png' is not a file inside the content folder", pdf=True),
    # encodings
    "Latin-1": error(recode(SESSION, "latin-1", "Greet the group.", "Greet the café group."), f"{SESSION}:16:14",
                     "not valid UTF-8", "save the file as UTF-8"),
    "UTF-16 with a byte-order mark": error(recode(SESSION, "utf-16"), f"{SESSION}:1:1", "UTF-16", "UTF-8"),
    "country file in Windows-1252": error(raw(COUNTRY, b"Testland Gazette", "Testland “Gazette”".encode("cp1252")),
                                          f"{COUNTRY}:8:24", "not valid UTF-8"),
    # Jinja reaching for Python
    "str class MRO": error(replace(SESSION, "{{ country }}", "{{ ''.__class__.__mro__ }}"), f"{SESSION}:36:",
                           "'__class__' is not allowed in content"),
    "cycler globals": error(replace(SESSION, "{{ country }}", "{{ cycler.__init__.__globals__ }}"),
                            f"{SESSION}:36:", "not allowed"),
    "template reference context": error(replace(SESSION, "{{ country }}", "{{ self._TemplateReference__context }}"),
                                        f"{SESSION}:36:", "not allowed"),
    "namespace attribute": error(replace(SESSION, "{{ country }}",
                                         "{% set ns = namespace() %}{% set ns.__class__ = 1 %}{{ ns.__init__ }}"),
                                 f"{SESSION}:36:", "'__init__' is not allowed in content"),
    "lipsum globals": error(replace(SESSION, "{{ country }}", "{{ lipsum.__globals__ }}"), f"{SESSION}:36:",
                            "not allowed"),
    "format string attribute": error(replace(SESSION, "{{ country }}", "{{ '{0.__class__.__mro__}'.format(1) }}"),
                                     f"{SESSION}:36:", "not allowed"),
    "include a file": error(replace(SESSION, "{{ country }}", '{% include "/etc/passwd" %}'), f"{SESSION}:36:",
                            "content cannot include other files"),
    "import a template": error(replace(SESSION, "{{ country }}", '{% import "guide.html.j2" as g %}'),
                               f"{SESSION}:36:", "content cannot include other files"),
    # raw HTML: text, never markup
    "script": shown_as_text("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    "iframe": shown_as_text('<iframe src="http://example.com/"></iframe>', "&lt;iframe src="),
    "base href": shown_as_text('<base href="http://evil/">', "&lt;base href="),
    "stylesheet link": shown_as_text('<link rel=stylesheet href="http://example.com/x.css">', "&lt;link rel="),
    "img of /etc/passwd": shown_as_text('<img src="file:///etc/passwd">', "&lt;img src="),
    "style import": shown_as_text("<style>@import url(http://example.com/x.css)</style>", "&lt;style&gt;@import"),
    "markup in a registry value": Case(replace(COUNTRY, "Anti-Trafficking Act 2001",
                                               '"<img src=http://example.com/x.png> Act"'),
                                       shown=("&lt;img src=http://example.com/x.png&gt; Act",),
                                       absent=("<img src=http://example.com",), pdf=True),
    "attribute on a span": shown_as_text('[a span]{onclick="alert(1)" style="color:red"}', "a span",
                                         absent='onclick="'),
    # images and links
    "image file URL": image("![x](file:///etc/passwd)",
                            "'file:///etc/passwd' is not a file inside the content folder"),
    "image on the web": image("![x](http://example.com/a.png)", "'http://example.com/a.png'"),
    "image up and out": image("![x](../../../../etc/passwd)", "'../../../../etc/passwd'"),
    "image absolute path": image("![x](/etc/passwd)", "'/etc/passwd'"),
    "image data URL": image("![x](data:image/png;base64,iVBORw0KGgo=)", "data:image/png"),
    "image by reference": image("![x][pw]\n\n[pw]: file:///etc/passwd", "file:///etc/passwd"),
    "javascript link": error(replace(SESSION, "Greet the group.", "[click](javascript:alert(1))"), f"{SESSION}:16:",
                             "'javascript:'", "https://"),
    "file link": error(replace(SESSION, "Greet the group.", "[passwords](file:///etc/passwd)"), f"{SESSION}:16:",
                       "'file:'"),
    "heading attribute": error(replace(SESSION, "## Background for the facilitator {#background}",
                                       '## Background {#background onclick="alert(1)"}'), f"{SESSION}:30:",
                               "unknown heading attribute 'onclick'"),
    "heading attribute that cannot be read": error(
        replace(SESSION, "## Background for the facilitator {#background}", "## Background {#background onclick=x()}"),
        f"{SESSION}:30:15", "cannot be read", "{#background}"),
    "heading ID in capitals": error(replace(SESSION, "{#background}", "{#Background}"), f"{SESSION}:30:",
                                    "'Background' is not valid", "{#background-for-the-facilitator}"),
    "heading style": error(replace(SESSION, "## Background for the facilitator {#background}",
                                   '## Background {#background style="background:url(http://example.com/x)"}'),
                           f"{SESSION}:30:", "unknown heading attribute 'style'", pdf=True),
    "NUL character": Case(replace(SESSION, "Greet the group.", "Greet\x00 the group."),
                          shown=("Greet\ufffd the group.",), absent=("\x00",)),
    # what must keep working
    "UTF-8 with a byte-order mark": Case(recode(SESSION, "utf-8-sig"), shown=("Greet the group.",)),
    "country file with a byte-order mark": Case(recode(COUNTRY, "utf-8-sig"), shown=("Anti-Trafficking Act 2001",)),
    "link to another content file": Case(
        both(write(SHARED, (Path(__file__).parent / "fixtures/mini" / MORE).read_text()),
             link(MORE, lambda root: root / SHARED)), shown=("More to come.",)),
}


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to reach the network, refused and recorded."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network access in a test: {name}")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def _tree(folder: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under `folder` (links as links, never followed) with its bytes or its target."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for here, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if Path(here, name) != skip]
        for name in (*folders, *files):
            path = Path(here, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_file():
                found[key] = ("file", path.read_bytes())
            else:
                found[key] = ("other", "")
    return found


def _outputs(out: Path) -> Iterator[Path]:
    return (path for path in out.rglob("*") if path.is_file()) if out.is_dir() else iter(())


def _params() -> list[object]:
    return [pytest.param(case, id=name) for name, case in CASES.items()]


@pytest.mark.parametrize("case", _params())
def test_bad_input(mini, cli, network_attempts, tmp_path, monkeypatch, case: Case):
    out = tmp_path / "out"
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # a stray relative write would land in the snapshot
    case.change(mini)
    before = _tree(tmp_path)
    runs = [cli("check", "--root", mini)]
    for output_format in ("html", "pdf") if case.pdf else ("html",):
        runs.append(cli("build", "--country", "testland", "--lang", "en", "--edition", "facilitator-guide",
                        "--format", output_format, "--jobs", "1", "--out", out, "--root", mini))
    for result in runs:
        assert "Traceback" not in result.stdout + result.stderr
        if case.is_error:
            _assert_one_error(result, case)
        else:
            assert result.exit_code == 0, result.stderr
    assert _tree(tmp_path, skip=out) == before, "content/ or a file outside the output folder changed"
    assert network_attempts == []
    outputs = list(_outputs(out))
    assert not any(PASSWD_TEXT in path.read_bytes() for path in outputs)
    if case.is_error:
        assert not [path for path in outputs if path.suffix in (".html", ".pdf")]
    else:
        _assert_shown(out, case)


def _assert_one_error(result, case: Case) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if ERROR_LINE.match(line)]
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith(case.where), result.stderr
    for word in case.words:
        assert word in line, line
    assert line.count(" — ") == 1 and line.split(" — ")[1].strip(), "what is wrong, then what to do"


def _assert_shown(out: Path, case: Case) -> None:
    page = (out / "testland/en/atlas-etp-testland-en-facilitator-guide.html").read_text(encoding="utf-8")
    for text in case.shown:
        assert text in page
    for text in case.absent:
        assert text not in page


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop the block with TimeoutError after `seconds`: a slow case fails now, not in hours."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


HANG = 300  # seconds: these checks take about 20 s here; the quadratic version took hours


def _check_without_hanging(cli, root: Path):
    """`check`, stopped if it hangs. A guard, not a speed figure: it fails only on something
    orders of magnitude slower than now (the time is printed with pytest -s)."""
    started = time.perf_counter()
    with deadline(HANG):
        result = cli("check", "--root", root)
    print(f"check took {time.perf_counter() - started:.1f} s")  # the measure, shown with pytest -s
    return result


def test_a_file_of_many_facts_just_under_the_limit_is_checked(mini, cli):
    """Tens of thousands of registry entries are read, checked and rendered."""
    facts = "".join(f"    a{index:05d}: {{value: {index}, source: Labour Act, checked: 2026-11-01}}\n"
                    for index in range(MAX_FILE_BYTES // 70))
    edit(mini / COUNTRY, "  ages:\n", f"  ages:\n{facts}")
    assert MAX_FILE_BYTES - 200_000 < (mini / COUNTRY).stat().st_size < MAX_FILE_BYTES
    result = _check_without_hanging(cli, mini)
    assert result.exit_code == 0, result.stderr


def test_a_file_of_many_bad_keys_just_under_the_limit_is_checked(mini, cli):
    """Tens of thousands of keys, each an error, are read, checked and reported."""
    text = many_keys(175_000)
    assert MAX_FILE_BYTES - 200_000 < len(text.encode()) < MAX_FILE_BYTES
    (mini / COUNTRY).write_text(text, encoding="utf-8")
    result = _check_without_hanging(cli, mini)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    shown = [line for line in result.stderr.splitlines() if line.startswith(f"{COUNTRY}:")]
    assert len(shown) == 50 and "unknown key 'k000000'" in result.stderr, "the first 50 problems of the file"
    total = int(re.search(r"^(\d+) problems found\.$", result.stderr, re.MULTILINE).group(1))
    assert total >= 175_000 and f"… and {total - 50} more in {COUNTRY}: fix the ones above first" in result.stderr
