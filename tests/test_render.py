"""Rendering: registry variables, unconfirmed markers, typed blocks, links, images and the URL sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_etp.errors import ContentErrors
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project

from conftest import edit

SESSION = Path("content/global/en/m1-basics/s01-intro.md")


def _html(root: Path, lang: str = "en") -> str:
    return prepare_edition(Project(root), "testland", lang).sessions()[0].html


def test_registry_values_are_filled_in_per_language(mini):
    assert "In Testland the law is Anti-Trafficking Act 2001." in _html(mini)
    assert "พระราชบัญญัติป้องกันการค้ามนุษย์ 2544" in _html(mini, "th")


def test_unconfirmed_facts_are_marked(mini):
    assert '<span class="unconfirmed">1234 (Test hotline)</span>' in _html(mini).replace("\\", "")


def test_registry_text_cannot_inject_markdown(mini):
    edit(mini / "content/testland/country.yaml", "en: Anti-Trafficking Act 2001", 'en: "Act *2001* [x](http://e.vil)"')
    html = _html(mini)
    assert "<em>" not in html and "http://e.vil" in html and "<a href" not in html.split("national-law")[1]


def test_typed_blocks_are_labelled_in_the_edition_language(mini):
    assert '<div class="block block-facilitator-note"><p class="block-label">Facilitator note</p>' in _html(mini)
    assert '<p class="block-label">สาระสำคัญ</p>' in _html(mini, "th")


def test_steps_show_their_minutes_and_ids_are_unique_per_session(mini):
    html = _html(mini)
    assert 'id="m1-s01--welcome"' in html and '<span class="minutes">10 min</span>' in html
    assert 'id="m1-s01--plan"' in html


def test_content_comments_use_the_double_hash_marker(mini):
    edit(mini / SESSION, "Greet the group.", "Greet the group. {## not printed ##}")
    assert "not printed" not in _html(mini)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/x.png", "../../../etc/passwd",
                                 "/etc/passwd"])
def test_images_outside_the_content_are_errors(mini, url):
    edit(mini / SESSION, "Greet the group.", f"Greet the group.\n\n![map]({url})")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    (error,) = caught.value.errors
    assert error.path.name == "s01-intro.md" and error.line == 18
    assert "not a file inside the content folder" in error.message


def test_an_image_next_to_the_markdown_is_used(mini):
    (mini / SESSION).parent.joinpath("map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(mini / SESSION, "Greet the group.", "Greet the group.\n\n![map](map.png)")
    assert (mini / SESSION).parent.joinpath("map.png").resolve().as_uri() in _html(mini)


def test_javascript_links_are_errors(mini):
    edit(mini / SESSION, "Greet the group.", "Greet [the group](javascript:alert(1)).")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    assert "'javascript:'" in caught.value.errors[0].message


@pytest.mark.parametrize("expression, words", [
    ("{{ 'x' * 1000000000 }}", "repeating something 1000000000 times is too many"),
    ("{{ 100000 * ['x'] }}", "repeating something 100000 times is too many"),
    ("{{ 9 ** 99999 }}", "the power 99999 is too large"),
])
def test_expressions_that_would_exhaust_the_machine_are_errors(mini, expression, words):
    """One short expression must not make gigabytes of text or keep a core busy for hours."""
    edit(mini / SESSION, "Greet the group.", f"Greet the group. {expression}")
    with pytest.raises(ContentErrors) as caught:
        prepare_edition(Project(mini), "testland", "en")
    (error,) = caught.value.errors
    assert error.path.name == "s01-intro.md" and error.line == 16 and words in error.message


def test_small_repeats_and_powers_are_still_arithmetic(mini):
    edit(mini / SESSION, "Greet the group.", "Greet the group. {{ '-' * 3 }}{{ 2 ** 10 }}{{ 3 * 4 }}")
    assert "Greet the group. ---102412" in _html(mini)


def test_a_loop_that_never_ends_is_stopped_at_its_line(mini, cli, monkeypatch):
    """The sandbox bounds each range, not loops inside loops: the time bound of the render
    (limits.py) stops them, and the error names the line the loop is on."""
    monkeypatch.setenv("ATLAS_ETP_TIME_LIMIT", "2")
    edit(mini / SESSION, "Greet the group.",
         "Greet the group.\n{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
    result = cli("check", "--root", mini)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{SESSION}:17:1: error: " in result.stderr and "took longer than 2 s" in result.stderr, result.stderr
    assert "while this section was being rendered" in result.stderr
