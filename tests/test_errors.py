"""Content errors a curriculum writer can meet: one line each, file:line, a fix, no traceback."""

from __future__ import annotations

from pathlib import Path

from conftest import edit

COUNTRY = Path("content/testland/country.yaml")
SESSION = Path("content/global/en/m1-basics/s01-intro.md")


def _one_error(result, where: str, *words: str) -> str:
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    matching = [line for line in lines if line.startswith(where)]
    assert matching, result.stderr
    for word in words:
        assert word in matching[0], matching[0]
    return matching[0]


def test_unknown_key_names_line_and_suggests(mini, cli):
    edit(mini / COUNTRY,
         "      source: Testland Gazette\n      checked", "      sorce: Testland Gazette\n      checked")
    line = _one_error(cli("check", "--root", mini), f"{COUNTRY}:8:7", "unknown key 'sorce'", "did you mean 'source'")
    assert line.count(" — ") == 1


def test_malformed_yaml_gives_line_and_column(mini, cli):
    edit(mini / COUNTRY, "paper: A4", "paper: [A4")
    _one_error(cli("check", "--root", mini), f"{COUNTRY}:", "malformed YAML")


def test_tab_indentation_is_explained(mini, cli):
    edit(mini / COUNTRY, "  laws:", "\tlaws:")
    _one_error(cli("check", "--root", mini), f"{COUNTRY}:5:", "indent with spaces")


def test_duplicate_yaml_key(mini, cli):
    edit(mini / COUNTRY, "paper: A4", "paper: A4\npaper: Letter")
    _one_error(cli("check", "--root", mini), f"{COUNTRY}:4:", "appears twice")


def test_fact_needs_checked_or_unconfirmed(mini, cli):
    edit(mini / COUNTRY, "      checked: 2026-11-01\n  hotlines", "  hotlines")
    _one_error(cli("check", "--root", mini), f"{COUNTRY}:", "checked", "unconfirmed")


def test_text_missing_in_a_language(mini, cli):
    edit(mini / COUNTRY, "name: {en: Testland, th: เทสต์แลนด์}", "name: {en: Testland}")
    _one_error(cli("check", "--root", mini), f"{COUNTRY}:1:", "'name' has no text in th")


def test_unknown_law_key_points_at_the_markdown_line(mini, cli):
    edit(mini / SESSION, 'law("trafficking")', 'law("trafficing")')
    _one_error(cli("check", "--root", mini), f"{SESSION}:28:", "law 'trafficing'", "did you mean 'trafficking'")


def test_undefined_variable_points_at_the_line(mini, cli):
    edit(mini / SESSION, "{{ country }}", "{{ countryname }}")
    _one_error(cli("check", "--root", mini), f"{SESSION}:28:", "undefined variable", "countryname")


def test_missing_registry_field(mini, cli):
    edit(mini / SESSION, 'law("trafficking") }}', 'law("trafficking").penalties }}')
    _one_error(cli("check", "--root", mini), f"{SESSION}:28:", "has no 'penalties'")


def test_content_cannot_reach_python_internals(mini, cli):
    edit(mini / SESSION, "{{ country }}", "{{ country.__class__.__mro__ }}")
    _one_error(cli("check", "--root", mini), f"{SESSION}:28:", "not allowed")


def test_steps_must_add_up_to_the_duration(mini, cli):
    edit(mini / SESSION, "minutes=20", "minutes=25")
    _one_error(cli("check", "--root", mini), f"{SESSION}:4:", "add up to 35 minutes", "duration is 30")


def test_heading_without_id(mini, cli):
    edit(mini / SESSION, "## Key messages {#key-messages}", "## Key messages")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "no valid ID", "{#key-messages}")


def test_duplicate_section_id(mini, cli):
    edit(mini / SESSION, "## Key messages {#key-messages}", "## Key messages {#national-law}")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "'national-law' is used twice")


def test_duplicate_session_id(mini, cli):
    edit(mini / "content/global/en/m1-basics/s02-more.md", "id: m1.s02", "id: m1.s01")
    _one_error(cli("check", "--root", mini), "content/global/en/m1-basics/s", "'m1.s01' is used twice")


def test_unknown_block_type_and_unclosed_block(mini, cli):
    edit(mini / SESSION, "::: facilitator-note Watch for", "::: facilitator-note Watch for\n:::\n::: casestudy")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "unknown block type 'casestudy'")
    edit(mini / SESSION, "::: casestudy", "")
    edit(mini / SESSION, "- Victims rarely self-identify.\n:::", "- Victims rarely self-identify.")
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "never closed")


def test_unreadable_encoding(mini, cli):
    (mini / SESSION).write_bytes((mini / SESSION).read_bytes().replace(b"Greet", b"Gr\xe9et"))
    _one_error(cli("check", "--root", mini), f"{SESSION}:", "not valid UTF-8")


def test_missing_session_translation(mini, cli):
    (mini / "content/global/th/m1-basics/s02-more.md").unlink()
    _one_error(cli("check", "--root", mini), "content/global/th/m1-basics/s02-more.md:1:", "not translated")


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
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_bad_output_is_not_written_and_content_is_untouched(mini, cli):
    before = {p: p.read_bytes() for p in (mini / "content").rglob("*") if p.is_file()}
    edit(mini / SESSION, "{{ country }}", "{{ nope }}")
    before[mini / SESSION] = (mini / SESSION).read_bytes()
    result = cli("build", "--country", "testland", "--lang", "en", "--out", mini / "out", "--root", mini)
    assert result.exit_code == 1
    assert not (mini / "out").exists()
    after = {p: p.read_bytes() for p in (mini / "content").rglob("*") if p.is_file()}
    assert after == before
