"""End to end: the real content of all three countries builds, and the outputs read back right."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from conftest import EDITIONS, REPO, built_file, pdf_text


class _Page(html.parser.HTMLParser):
    """Collects ids, in-page links, external references and text of an HTML edition."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        href = values.get("href") or ""
        if href.startswith("#"):
            self.links.append(href[1:])
        for attribute in ("src", "href"):
            value = values.get(attribute) or ""
            if value and not value.startswith(("#", "data:")) and not (tag == "a" and attribute == "href"):
                self.external.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize(("country", "lang"), EDITIONS)
def test_pdf_has_bookmarks_for_modules_and_sessions(built, country, lang):
    reader = PdfReader(built_file(built, country, lang, "pdf"))
    assert len(reader.pages) > 40
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    modules = [title for title in top if title.split(" ")[0] in ("Module", "โมดูล", "Módulo")]
    assert len(modules) == 5 and len(top) > 5, top  # the modules, and the chapters around them
    sessions = [item for item in reader.outline if isinstance(item, list)]
    assert sum(len(children) for children in sessions) >= 31


@pytest.mark.parametrize(("country", "lang"), EDITIONS)
def test_pdf_embeds_only_the_shipped_fonts(built, country, lang):
    reader = PdfReader(built_file(built, country, lang, "pdf"))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("Noto") for name in fonts), fonts
    if lang == "th":
        assert any("Thai" in name for name in fonts)


def test_pdf_text_is_in_the_edition_language(built):
    spanish = pdf_text(built_file(built, "paraguay", "es", "pdf"), last_page=4)
    assert "Índice" in spanish and "Identificación" in spanish


def test_pdf_paper_size_follows_the_country(built):
    a4 = PdfReader(built_file(built, "thailand", "th", "pdf")).pages[0].mediabox
    letter = PdfReader(built_file(built, "liberia", "en", "pdf")).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


@pytest.mark.parametrize(("country", "lang"), [*EDITIONS, ("thailand", "en")])
def test_html_is_self_contained_and_its_contents_links_resolve(built, country, lang):
    page = _parse(built_file(built, country, lang, "html"))
    assert page.external == []
    assert page.tags.count("script") == 1  # our own, inline (screen.js)
    assert page.links and all(target in page.ids for target in page.links)


@pytest.mark.parametrize(("country", "lang", "words"), [
    ("thailand", "th", ["พระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์ พ.ศ. 2551", "1300"]),
    ("thailand", "en", ["Anti-Trafficking in Persons Act B.E. 2551 (2008)", "1300"]),
    ("paraguay", "es", ["4788", "Integral contra la Trata de Personas"]),
    ("liberia", "en", ["Act to Ban Trafficking in Persons", "2883"]),
])
def test_module_1_shows_the_national_law_from_the_registry(built, country, lang, words):
    text = " ".join(_parse(built_file(built, country, lang, "html")).text)
    for word in words:
        assert word in text


@pytest.mark.parametrize(("country", "lang"), [("liberia", "en"), ("thailand", "en")])
def test_english_editions_are_written_in_full(built, country, lang):
    html = built_file(built, country, lang, "html").read_text(encoding="utf-8")
    assert "Outline — not yet written" not in html and 'class="outline-banner"' not in html


def test_pre_test_is_a_short_separate_sheet_without_answers(built):
    reader = PdfReader(built_file(built, "liberia", "en", "pdf", "pre-test"))
    text = pdf_text(built_file(built, "liberia", "en", "pdf", "pre-test"))
    assert 2 <= len(reader.pages) <= 12 and "Pre-test" in text and "Module 5" in text
    assert "Model answer" not in text and "Answer key" not in text


@pytest.mark.parametrize(("country", "lang"), EDITIONS)
def test_pdf_metadata_names_title_author_and_language(built, country, lang):
    reader = PdfReader(built_file(built, country, lang, "pdf"))
    assert reader.metadata.title and reader.metadata.author
    assert str(reader.trailer["/Root"]["/Lang"]) == lang


def _source_paragraphs(path: Path) -> list[str]:
    """Plain paragraphs of a Markdown file: no markup, no registry variables, one line each."""
    text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return [block for block in text.split("\n\n")
            if "\n" not in block and len(block) > 120 and not any(mark in block for mark in "#*{}|:[]_>`“\"")
            and not block.startswith(("-", "1."))]


def test_thai_text_extracted_from_the_pdf_matches_the_source(built):
    """Tone marks and vowels survive extraction (pdf_text.py): search, copy and screen readers."""
    extracted = pdf_text(built_file(built, "thailand", "th", "pdf"))
    compact = re.sub(r"\s+", "", extracted)
    paragraphs = _source_paragraphs(REPO / "content/global/th/m1-identification/s03-child-labour.md")
    assert len(paragraphs) >= 5
    for paragraph in paragraphs:
        assert re.sub(r"\s+", "", paragraph) in compact, paragraph
    assert "สารบัญ" in extracted and "ประเทศไทย" in extracted


@pytest.mark.parametrize(("country", "lang"), [("thailand", "th"), ("paraguay", "es")])
def test_translated_editions_have_no_english_furniture(built, country, lang):
    """No template word is left in English: every catalog entry is translated, and no English
    msgid shows in the edition's text."""
    catalog = read_po((REPO / f"atlas_etp/locale/{lang}/LC_MESSAGES/messages.po").open("rb"))
    entries = [message for message in catalog if message.id]
    assert entries and all(message.string for message in entries), [m.id for m in entries if not m.string]
    english = {message.id for message in entries
               if message.string != message.id and len(message.id) > 3 and "%(" not in message.id}
    page = _Furniture()
    page.feed(built_file(built, country, lang, "html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert [phrase for phrase in english if re.search(rf"\b{re.escape(phrase)}\b", text)] == []


class _Furniture(html.parser.HTMLParser):
    """The text the templates write around the content: without the content itself (which may
    gloss a term in English), the sources of national facts (cited in their own language), style
    sheets and scripts, and text marked lang="en" (not yet translated)."""

    SKIPPED_CLASSES: ClassVar[set[str]] = {"content", "registry-source"}

    VOID: ClassVar[set[str]] = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.depth = 0
        self.skip_from: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self.depth += 1
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        skipped = values.get("lang") == "en" or tag in ("style", "script") or classes & self.SKIPPED_CLASSES
        if self.skip_from is None and skipped:
            self.skip_from = self.depth

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.skip_from == self.depth:
            self.skip_from = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.skip_from is None:
            self.text.append(data)
