"""Overlay operations: replace, insert before/after and remove, on sessions and sections, by ID."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_etp.errors import ContentErrors
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project

from conftest import edit

COUNTRY = Path("content/testland/country.yaml")
OVERRIDE = "overrides:\n  - replace: m1.s01/key-messages\n    with: key-messages.md\n"


def _overrides(root: Path, text: str) -> None:
    edit(root / COUNTRY, OVERRIDE, "overrides:\n" + text)


def _section_ids(root: Path, lang: str = "en") -> list[str]:
    guide = prepare_edition(Project(root), "testland", lang)
    return [s.id for s in guide.modules[0].sessions]


def _session_html(root: Path, session: str = "m1.s01", lang: str = "en") -> str:
    guide = prepare_edition(Project(root), "testland", lang)
    return next(s.html for s in guide.sessions() if s.id == session)


def test_replace_section_uses_the_country_text_in_each_language(mini):
    assert "In Testland, call the hotline." in _session_html(mini, lang="en")
    assert "Victims rarely self-identify" not in _session_html(mini, lang="en")
    assert "ในเทสต์แลนด์ โทรสายด่วน" in _session_html(mini, lang="th")
    assert 'class="national" data-origin="testland"' in _session_html(mini)


def test_insert_section_before_and_after(mini):
    (mini / "content/testland/en/extra.md").write_text("## Extra {#extra}\n\nExtra text.\n")
    (mini / "content/testland/en/extra2.md").write_text("## Extra two {#extra-two}\n\nMore.\n")
    _overrides(mini, "  - insert_before: m1.s01/national-law\n    with: extra.md\n"
                     "  - insert_after: m1.s01/national-law\n    with: extra2.md\n")
    html = _session_html(mini)
    assert html.index("Extra text.") < html.index("In Testland the law") < html.index("More.")


def test_remove_section_and_session(mini):
    _overrides(mini, "  - remove: m1.s01/national-law\n  - remove: m1.s02\n")
    assert "In Testland the law" not in _session_html(mini)
    assert _section_ids(mini) == ["m1.s01"]


def test_replace_and_insert_sessions(mini):
    session = (mini / "content/global/en/m1-basics/s02-more.md").read_text()
    national = session.replace("m1.s02", "m1.s09").replace("More", "National")
    (mini / "content/testland/en/national.md").write_text(national)
    (mini / "content/testland/en/swap.md").write_text(session.replace("More", "Swapped"))
    _overrides(mini, "  - insert_before: m1.s01\n    with: national.md\n  - replace: m1.s02\n    with: swap.md\n")
    assert _section_ids(mini) == ["m1.s09", "m1.s01", "m1.s02"]
    guide = prepare_edition(Project(mini), "testland", "en")
    assert [s.meta.title for s in guide.sessions()] == ["National", "Introduction", "Swapped"]
    assert guide.sessions()[0].origin == "testland"


def test_operations_apply_in_order_and_can_target_inserted_ids(mini):
    (mini / "content/testland/en/extra.md").write_text("## Extra {#extra}\n\nExtra text.\n")
    _overrides(mini, "  - insert_after: m1.s01/plan\n    with: extra.md\n  - remove: m1.s01/extra\n")
    assert "Extra text." not in _session_html(mini)


def test_unknown_target_names_the_nearest_ids(mini):
    _overrides(mini, "  - remove: m1.s01/nationl-law\n")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    (error,) = caught.value.errors
    assert error.path.name == "country.yaml" and error.line == 19
    assert "'m1.s01/nationl-law' does not exist" in error.message
    assert "m1.s01/national-law" in error.hint


def test_unknown_session_target(mini):
    _overrides(mini, "  - remove: m1.s07\n")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    assert "m1.s01" in caught.value.errors[0].hint or "m1.s02" in caught.value.errors[0].hint


def _outline_session(session_id: str, body: str = "") -> str:
    return (f"---\nid: {session_id}\ntitle: National\nduration: 20\naudiences: [police]\nobjectives: [Know the law.]\n"
            f"status: outline\n---\n\n{body}")


@pytest.mark.parametrize(("override", "extra_file", "message"), [
    ("replace: m1.s01/plan\n    with: ../../global/en/m1-basics/module.md", None, "names a file outside"),
    ("replace: m1.s01/plan\n    with: nothere.md", None, "nothere.md"),
    ("insert_after: m1.s01/plan\n    with: dup.md", "## Dup {#national-law}\n\nx\n", "already in session m1.s01"),
    ("replace: m1.s01/plan", None, "needs a 'with: <file>.md' line"),
    ("remove: m1.s01/", None, "'m1.s01/' does not exist"),
    ('replace: m1.s01\n    with: "dup\\0.md"', None, "is not a file name"),
    ("replace: m1.s01\n    with: " + "x" * 300 + ".md", None, "is not a file name"),
    ("insert_after: m1.s01\n    with: dup.md", _outline_session("m2.s51"), "'m2.s51' would be placed in module m1"),
])
def test_bad_operations_are_refused_with_a_reason(mini, override, extra_file, message):
    if extra_file:
        (mini / "content/testland/en/dup.md").write_text(extra_file)
    _overrides(mini, f"  - {override}\n")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    assert message in caught.value.errors[0].message




def test_a_session_without_sections_can_replace_one(mini):
    (mini / "content/testland/en/national.md").write_text(_outline_session("m1.s51"))
    _overrides(mini, "  - replace: m1.s02\n    with: national.md\n")
    assert _section_ids(mini) == ["m1.s01", "m1.s51"]


def test_a_translated_national_session_keeps_the_id_of_its_english(mini):
    (mini / "content/testland/en/national.md").write_text(_outline_session("m1.s51", "## Law {#law}\n\nText.\n"))
    (mini / "content/testland/th/national.md").write_text(_outline_session("m1.s52", "## กฎหมาย {#law}\n\nข้อความ\n"))
    _overrides(mini, "  - insert_after: m1.s01\n    with: national.md\n")
    assert _section_ids(mini, "en") == ["m1.s01", "m1.s51", "m1.s02"]
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "th")
    (error,) = caught.value.errors
    assert error.path.parts[-2:] == ("th", "national.md") and error.line == 2
    assert "the ID 'm1.s52', its English 'm1.s51'" in error.message and "id: m1.s51" in error.hint
