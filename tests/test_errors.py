"""Content errors a curriculum writer can meet: one line each, file:line, a fix, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    edit(mini / SESSION, "::: casestudy", "")
    edit(mini / SESSION, "- Victims rarely self-identify.\n:::", "- Victims rarely self-identify.")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "never closed")


def test_unreadable_encoding(mini, cli):
    (mini / SESSION).write_bytes((mini / SESSION).read_bytes().replace(b"Greet", b"Gr\xe9et"))
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "not valid UTF-8")


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
