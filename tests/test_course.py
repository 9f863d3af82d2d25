"""Course material built from the sessions: agendas laid out in days, the pre/post test, chapters."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from atlas_etp import agenda
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project

from conftest import document, edit, require_complete_translations

GUIDE = Path("content/global/guide.yaml")


def _minutes(start: datetime.time, end: datetime.time) -> int:
    return (end.hour - start.hour) * 60 + end.minute - start.minute


@pytest.mark.parametrize("durations", [[90] * 12, [120, 90, 180, 90, 120, 120, 90], [30], [300, 300, 60]])
def test_agenda_keeps_order_and_fits_each_day(durations):
    sessions = [(f"m1.s{i:02d}", minutes) for i, minutes in enumerate(durations, start=1)]
    days = agenda.lay_out(sessions)
    slots = [slot for day in days for slot in day.slots]
    assert [s.session_id for s in slots if s.kind == "session"] == [i for i, _ in sessions]
    assert slots[0].kind == "opening" and slots[-1].kind == "closing"
    assert all(day.slots[0].kind == "review" for day in days[1:])
    for day in days:
        assert day.slots[0].start == agenda.DAY_START
        assert all(a.end == b.start for a, b in zip(day.slots, day.slots[1:], strict=False))  # no gaps or overlaps
        lengths = dict(sessions)
        assert all(_minutes(s.start, s.end) == lengths[s.session_id] for s in day.slots if s.kind == "session")
        sessions_today = sum(1 for s in day.slots if s.kind == "session")
        assert day.learning_minutes <= agenda.DAY_CAPACITY or sessions_today == 1
        assert sum(1 for s in day.slots if s.kind == "lunch") <= 1


def test_a_full_day_has_lunch_near_midday():
    day = agenda.lay_out([("m1.s01", 90), ("m1.s02", 90), ("m1.s03", 90)])[0]
    lunch = next(slot for slot in day.slots if slot.kind == "lunch")
    assert datetime.time(11, 0) <= lunch.start <= datetime.time(14, 0)


def test_guide_has_the_full_programme_and_the_shorter_courses(mini):
    guide = prepare_edition(Project(mini), "testland", "en")
    assert [course.id for course in guide.courses] == ["full", "one-day"]
    full = guide.courses[0]
    assert full.session_count == 2 and full.session_minutes == 50 and len(full.days) == 1


def test_course_that_needs_more_days_is_an_error(mini, cli):
    edit(mini / "content/global/en/m1-basics/s02-more.md", "duration: 20", "duration: 400")
    edit(mini / GUIDE, "sessions: [m1.s01]", "sessions: [m1.s01, m1.s02]")
    result = cli("check", "--root", mini)
    assert result.exit_code == 1
    assert "guide.yaml:" in result.stderr and "course 'one-day' needs 3 days, not 1" in result.stderr


def test_pre_and_post_test_hold_first_questions_and_no_answers(mini):
    for edition in ("pre-test", "post-test"):
        sheet = document(mini, "testland", "en", edition)
        assert '<span class="test-number">1.</span> Name the three elements of trafficking.' in sheet
        assert "Is consent relevant" not in sheet  # only the first question of a session
        assert "Act, means and purpose." not in sheet  # no answers on a participant sheet
    for key in (document(mini, "testland", "en", "facilitator-guide").split('id="test-bank"')[1],
                document(mini, "testland", "en", "answer-key")):  # the guide's annex and the facilitators' sheet
        assert '<span class="test-number">1.</span> Name the three elements of trafficking.' in key  # same number
        assert "Act, means and purpose." in key


def test_agenda_in_the_guide_names_sessions_and_times(mini, cli):
    cli("build", "--country", "testland", "--format", "html", "--edition", "facilitator-guide",
        "--out", mini / "build", "--root", mini)
    guide = (mini / "build/testland/en/atlas-etp-testland-en-facilitator-guide.html").read_text(encoding="utf-8")
    agendas = guide.split('id="agendas"')[1].split("</section>\n</section>")[0]
    assert "Session 1.1: Introduction" in agendas and "9:00" in agendas and "Opening" in agendas


def test_untranslated_chapter_falls_back_to_english_and_fails_release(mini, cli):
    (mini / "content/global/th/front/01-how-to-use.md").unlink()
    require_complete_translations(mini)
    chapter = prepare_edition(Project(mini), "testland", "th").front[0]
    assert chapter.translation == "missing" and "Choose sessions" in chapter.html
    result = cli("check", "--release", "--root", mini)
    assert "content/global/th/front/01-how-to-use.md:1:1: error: not yet translated into 'th': front-matter" \
        in result.stderr


def test_translated_chapter_must_keep_section_ids(mini, cli):
    edit(mini / "content/global/th/annexes/01-glossary.md", "{#terms}", "{#words}")
    result = cli("check", "--root", mini)
    assert result.exit_code == 1 and "error: the section 'words' is not in the English text" in result.stderr


def test_stats_reports_sessions_hours_and_words(mini, cli):
    result = cli("stats", "--root", mini)
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("m1"))
    assert row.split()[-4:] == ["2", "1", "0.8", row.split()[-1]] and int(row.split()[-1].replace(",", "")) > 50
