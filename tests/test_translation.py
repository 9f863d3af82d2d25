"""The translation workflow, end to end on the small project: stale and missing translations are
counted by `status`, marked in the build, refused by `check --release`, and cleared by
`review-translation`."""

from __future__ import annotations

import json
from pathlib import Path

from test_country import build_html

from conftest import edit, require_complete_translations

EN_SESSION = "content/global/en/m1-basics/s01-intro.md"
TH_SESSION = "content/global/th/m1-basics/s01-intro.md"
STALE_NOTE = 'class="stale-banner"'


def _status(cli, mini: Path) -> dict[str, dict]:
    result = cli("status", "--country", "testland", "--lang", "th", "--json", "--root", mini)
    assert result.exit_code == 0, result.stderr
    return {row["part"]: row for row in json.loads(result.stdout)}


def test_the_recorded_fixture_is_complete_and_up_to_date(mini, cli):
    total = _status(cli, mini)["total"]
    assert (total["stale"], total["missing"], total["percent"]) == (0, 0, 100.0) and total["total"] > 10
    assert STALE_NOTE not in build_html(cli, mini, "th")


def test_editing_the_english_makes_the_translation_stale_until_reviewed(mini, cli):
    edit(mini / EN_SESSION, "Greet the group.", "Greet the group and agree the ground rules.")
    rows = _status(cli, mini)
    assert (rows["m1"]["stale"], rows["m1"]["missing"]) == (1, 0) and rows["total"]["percent"] < 100
    listed = cli("status", "--country", "testland", "--lang", "th", "--list", "--root", mini).stdout
    assert f"stale    {TH_SESSION}:" in listed and "m1.s01 > plan" in listed

    page = build_html(cli, mini, "th")
    assert page.count(STALE_NOTE) == 1
    assert "ข้อความภาษาอังกฤษของส่วนนี้เปลี่ยนไปหลังจากแปล" in page  # the note, in the edition's language
    result = cli("check", "--root", mini)
    assert result.exit_code == 0 and "1 translated sections of testland/th are stale" in result.stderr
    result = cli("check", "--release", "--root", mini)
    assert result.exit_code == 1
    assert f"{TH_SESSION}:19:1: error: the translation of m1.s01 > plan is stale" in result.stderr

    result = cli("review-translation", mini / f"{TH_SESSION}#plan", "--root", mini)
    assert result.exit_code == 0, result.stderr
    assert _status(cli, mini)["total"]["stale"] == 0
    assert STALE_NOTE not in build_html(cli, mini, "th")
    assert "is stale" not in cli("check", "--release", "--root", mini).stderr


def test_changing_english_front_matter_makes_the_title_stale(mini, cli):
    edit(mini / EN_SESSION, "  - Say what trafficking is.", "  - Say what trafficking is and is not.")
    assert _status(cli, mini)["m1"]["stale"] == 1
    page = build_html(cli, mini, "th")
    assert "ชื่อหรือวัตถุประสงค์ภาษาอังกฤษเปลี่ยนไปหลังจากแปล" in page


def test_a_missing_section_shows_the_english_marked_and_counts_as_missing(mini, cli):
    require_complete_translations(mini)
    text = (mini / TH_SESSION).read_text("utf-8")
    start, end = text.index("## ", text.index("{#background}") - 60), text.index("## ", text.index("{#background}"))
    (mini / TH_SESSION).write_text(text[:start] + text[end:], encoding="utf-8")
    assert _status(cli, mini)["m1"]["missing"] == 1
    page = build_html(cli, mini, "th")
    assert "ยังไม่ได้แปล: แสดงข้อความภาษาอังกฤษ" in page
    assert '<div lang="en">' in page and "Trafficking has three elements" in page
    result = cli("check", "--release", "--root", mini)
    assert f"{TH_SESSION}:1:1: error: not yet translated into 'th': background" in result.stderr
    assert "% translated and up to date; testland requires 100 %" in result.stderr


def test_reviewing_a_whole_file_records_the_units_it_has(mini, cli):
    text = (mini / TH_SESSION).read_text("utf-8")
    start, end = text.index("## ", text.index("{#background}") - 60), text.index("## ", text.index("{#background}"))
    (mini / TH_SESSION).write_text(text[:start] + text[end:], encoding="utf-8")
    edit(mini / EN_SESSION, "Greet the group.", "Greet everyone.")
    result = cli("review-translation", mini / TH_SESSION, "--root", mini)
    assert result.exit_code == 0, result.stderr
    rows = _status(cli, mini)
    assert (rows["m1"]["stale"], rows["m1"]["missing"]) == (0, 1)


def test_a_missing_session_file_falls_back_to_the_whole_english_session(mini, cli):
    require_complete_translations(mini)
    (mini / "content/global/th/m1-basics/s02-more.md").unlink()
    assert cli("check", "--root", mini).exit_code == 0  # a draft still builds
    page = build_html(cli, mini, "th")
    assert 'id="m1-s02" lang="en"' in page
    result = cli("check", "--release", "--root", mini)
    assert "content/global/th/m1-basics/s02-more.md:1:1: error: not yet translated into 'th': front-matter" \
        in result.stderr


def test_the_release_threshold_is_the_countrys(mini, cli):
    (mini / "content/global/th/m1-basics/s02-more.md").unlink()
    result = cli("check", "--release", "--root", mini)  # the default: 80 %
    assert "not yet translated" not in result.stderr and "% translated" not in result.stderr
    require_complete_translations(mini)
    assert "not yet translated into 'th'" in cli("check", "--release", "--root", mini).stderr


def test_stale_translations_can_be_allowed_by_the_country(mini, cli):
    edit(mini / EN_SESSION, "Greet the group.", "Greet everyone.")
    assert "is stale" in cli("check", "--release", "--root", mini).stderr
    with (mini / "content/testland/country.yaml").open("a", encoding="utf-8") as handle:
        handle.write("release:\n  allow_stale_translations: true\n")
    assert "is stale" not in cli("check", "--release", "--root", mini).stderr


def test_a_national_translation_is_tracked_like_the_global_text(mini, cli):
    edit(mini / "content/testland/en/key-messages.md", "call the hotline", "call the hotline at once")
    assert _status(cli, mini)["m1"]["stale"] == 1


def test_review_translation_refuses_what_it_cannot_record(mini, cli):
    result = cli("review-translation", mini / f"{TH_SESSION}#nowhere", "--root", mini)
    assert result.exit_code == 2 and "has no unit nowhere" in result.stderr and "plan" in result.stderr
    result = cli("review-translation", mini / EN_SESSION, "--root", mini)
    assert result.exit_code == 2 and "is not a translation" in result.stderr
    result = cli("review-translation", "--all", "--root", mini)
    assert result.exit_code == 2 and "--all needs --lang" in result.stderr


def test_a_translation_may_not_add_or_reorder_sections(mini, cli):
    edit(mini / TH_SESSION, "{#background}", "{#extra}")
    result = cli("check", "--root", mini)
    assert result.exit_code == 1 and "the section 'extra' is not in the English text" in result.stderr
