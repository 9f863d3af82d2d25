"""Content errors a curriculum writer can meet: one line each, file:line, a fix, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_etp.errors import QUOTE_WIDTH, ContentError

from conftest import edit

COUNTRY = Path("content/testland/country.yaml")
SESSION = Path("content/global/en/m1-basics/s01-intro.md")
GUIDE = Path("content/global/guide.yaml")


def _one_error(result, where: str, *words: str) -> str:
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    matching = [line for line in lines if line.startswith(where)]
    assert matching, result.stderr
    for word in words:
        assert word in matching[0], matching[0]
    return matching[0]


# (what the writer broke: file, old text, new text) → (where the error points, words it must contain)
CASES = {
    "unknown key": (COUNTRY, "      source: Testland Gazette\n      checked",
                    "      sorce: Testland Gazette\n      checked",
                    f"{COUNTRY}:8:7", ["unknown key 'sorce'", "did you mean 'source'"]),
    "malformed YAML": (COUNTRY, "paper: A4", "paper: [A4", f"{COUNTRY}:", ["malformed YAML"]),
    "tab indentation": (COUNTRY, "  laws:", "\tlaws:", f"{COUNTRY}:5:", ["indent with spaces"]),
    "duplicate key": (COUNTRY, "paper: A4", "paper: A4\npaper: Letter", f"{COUNTRY}:4:", ["appears twice"]),
    "fact without checked date": (COUNTRY, "      checked: 2026-11-01\n  hotlines", "  hotlines",
                                  f"{COUNTRY}:", ["checked", "unconfirmed"]),
    "text missing in a language": (COUNTRY, "name: {en: Testland, th: เทสต์แลนด์}", "name: {en: Testland}",
                                   f"{COUNTRY}:1:", ["'name' has no text in th"]),
    "unknown law key": (SESSION, 'law("trafficking")', 'law("trafficing")',
                        f"{SESSION}:36:", ["law 'trafficing'", "did you mean 'trafficking'"]),
    "undefined variable": (SESSION, "{{ country }}", "{{ countryname }}",
                           f"{SESSION}:36:", ["undefined variable", "countryname"]),
    "missing registry field": (SESSION, 'law("trafficking") }}', 'law("trafficking").penalties }}',
                               f"{SESSION}:36:", ["has no 'penalties'"]),
    "python internals": (SESSION, "{{ country }}", "{{ country.__class__.__mro__ }}",
                         f"{SESSION}:36:", ["not allowed"]),
    "steps do not add up": (SESSION, "minutes=20", "minutes=25",
                            f"{SESSION}:4:", ["add up to 35 minutes", "duration is 30"]),
    "heading without ID": (SESSION, "## Key messages {#key-messages}", "## Key messages",
                           f"{SESSION}:", ["no valid ID", "{#key-messages}"]),
    "duplicate section ID": (SESSION, "## Key messages {#key-messages}", "## Key messages {#national-law}",
                             f"{SESSION}:", ["'national-law' is used twice"]),
    "too few questions": (SESSION, "3. Who can be a victim?\n", "", f"{SESSION}:45:",
                          ["2 assessment question(s)", "at least 3"]),
    "answer missing": (SESSION, "3. Anyone, adult or child.\n", "", f"{SESSION}:45:",
                       ["3 questions but 2 numbered answers"]),
    "no activity": (SESSION, "::: activity Pairs", "::: facilitator-note Pairs", f"{SESSION}:2:",
                    ["no activity or case-study block"]),
    "no materials": (SESSION, "materials: [Flipchart]\n", "", f"{SESSION}:2:", ["lists no materials"]),
    "course names an unknown session": (GUIDE, "sessions: [m1.s01]", "sessions: [m1.s01, m1.s03]",
                                        f"{GUIDE}:", ["no session 'm1.s03'"]),
    "duplicate session ID": (Path("content/global/en/m1-basics/s02-more.md"), "id: m1.s02", "id: m1.s01",
                             "content/global/en/m1-basics/s", ["'m1.s01' is used twice"]),
}


@pytest.mark.parametrize("case", CASES)
def test_content_error_names_file_line_and_fix(mini, cli, case):
    path, old, new, where, words = CASES[case]
    edit(mini / path, old, new)
    line = _one_error(cli("check", "--root", mini), where, *words)
    assert line.count(" — ") == 1, "one sentence of what is wrong, one of what to do"


def test_unknown_block_type_and_unclosed_block(mini, cli):
    edit(mini / SESSION, "::: facilitator-note Watch for", "::: facilitator-note Watch for\n:::\n::: casestudy")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "unknown block type 'casestudy'")
    edit(mini / SESSION, ":::\n::: casestudy\n", "")
    edit(mini / SESSION, "- Victims rarely self-identify.\n:::", "- Victims rarely self-identify.")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "never closed")


def test_unreadable_encoding(mini, cli):
    (mini / SESSION).write_bytes((mini / SESSION).read_bytes().replace(b"Greet", b"Gr\xe9et"))
    result = cli("check", "--root", mini)
    _one_error(result, f"{SESSION}:16:3:", "not valid UTF-8", "save the file as UTF-8")
    assert "  16 | Gr\ufffdet the group.\n     |   ^" in result.stderr


def test_check_reports_every_problem_in_one_run(mini, cli):
    edit(mini / COUNTRY, "paper: A4", "papr: A4")
    edit(mini / SESSION, "minutes=20", "minutes=25")
    result = cli("check", "--root", mini)
    assert result.exit_code == 1
    assert "papr" in result.stderr and "add up to 35" in result.stderr


def test_raw_html_is_shown_as_text_never_run(mini, cli):
    edit(mini / SESSION, "Greet the group.", "Greet the group. <script>alert(1)</script>")
    assert cli("build", "--country", "testland", "--lang", "en", "--format", "html",
               "--out", mini / "out", "--root", mini).exit_code == 0
    page = (mini / "out/testland/en/atlas-etp-testland-en-facilitator-guide.html").read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_bad_output_is_not_written_and_content_is_untouched(mini, cli):
    before = {p: p.read_bytes() for p in (mini / "content").rglob("*") if p.is_file()}
    edit(mini / SESSION, "{{ country }}", "{{ nope }}")
    before[mini / SESSION] = (mini / SESSION).read_bytes()
    result = cli("build", "--country", "testland", "--lang", "en", "--out", mini / "out", "--root", mini)
    assert result.exit_code == 1
    assert not (mini / "out").exists()
    after = {p: p.read_bytes() for p in (mini / "content").rglob("*") if p.is_file()}
    assert after == before


def test_every_printed_error_quotes_its_line_with_a_caret(mini, cli):
    edit(mini / COUNTRY, "paper: A4", "paper: A5")
    lines = cli("check", "--root", mini).stderr.splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith(f"{COUNTRY}:"))
    assert lines[first].startswith(f"{COUNTRY}:3:1: error: 'paper'")
    assert lines[first + 1:first + 3] == ["  3 | paper: A5", "    | ^"]


def _error_at(path: Path, line: int, column: int = 1) -> ContentError:
    return ContentError(path, line, "something is wrong", "fix it", column)


def test_caret_counts_thai_marks_as_no_width_and_wide_characters_as_two(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("ที่นี่ x\n東京 y\n", encoding="utf-8")
    thai = _error_at(path, 1, "ที่นี่ x".index("x") + 1).excerpt()
    assert thai is not None and thai.format().splitlines()[1] == "    | " + " " * 3 + "^"  # ที่นี่: two letters, four marks
    wide = _error_at(path, 2, 4).format(tmp_path)
    assert wide.splitlines()[1:] == ["  2 | 東京 y", "    | " + " " * 5 + "^"]


def test_a_long_line_is_cut_around_the_column(tmp_path):
    path = tmp_path / "long.md"
    path.write_text("a" * 5000 + "X" + "b" * 5000 + "\n", encoding="utf-8")
    excerpt = _error_at(path, 1, 5001).excerpt()
    assert excerpt is not None
    assert excerpt.text.startswith("…a") and excerpt.text.endswith("b…") and len(excerpt.text) == QUOTE_WIDTH + 2
    assert excerpt.text[excerpt.column - 1] == "X"


def test_nothing_is_quoted_where_no_line_can_be_read(tmp_path):
    binary = tmp_path / "utf16.md"
    binary.write_bytes("---\nid: x\n".encode("utf-16"))
    (tmp_path / "short.md").write_text("one line\n", encoding="utf-8")
    for error in (_error_at(tmp_path / "gone.md", 1), _error_at(binary, 1), _error_at(tmp_path / "short.md", 2),
                  _error_at(tmp_path, 1)):
        assert error.excerpt() is None
        assert "\n" not in error.format(tmp_path)


def test_a_wrong_byte_is_quoted_safely_and_control_characters_are_shown(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(b"caf\xe9 \x1b[31mred\n")
    excerpt = _error_at(path, 1, 4).excerpt()
    assert excerpt is not None and excerpt.text == "caf\ufffd \u241b[31mred" and excerpt.column == 4
    shown = ContentError(path, 1, "unknown key '\x1b[2J'", "fix it").format()
    assert "\x1b" not in shown and "\u241b[2J" in shown


def test_the_quote_follows_the_file_as_it_changes(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("before\n", encoding="utf-8")
    error = _error_at(path, 1)
    assert error.excerpt() is not None and error.excerpt().text == "before"
    path.write_text("after, longer\n", encoding="utf-8")
    assert error.excerpt().text == "after, longer"
