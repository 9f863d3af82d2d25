"""Publication quality: every document a training team needs, tagged PDFs that validate, fonts that
draw every character, and pages that break where a typesetter would break them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache

import pytest
import yaml
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from atlas_etp.editions import Edition, Kind, editions, targets
from atlas_etp.load import load_country, module_numbers
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import html_document, lay_out

from conftest import EDITIONS, REPO, built_file, edit, pdf_text

GUIDE_YAML = yaml.safe_load((REPO / "content/global/guide.yaml").read_text(encoding="utf-8"))
PARTICIPANT_BLOCKS = ("case-study", "activity", "handout", "key-messages")


def test_list_editions_names_every_document_and_its_files(cli):
    result = cli("list", "--editions", "--root", REPO)
    assert result.exit_code == 0, result.stderr
    thai = re.search(r"^thailand/th:\n((?:  .*\n)+)", result.stdout, re.MULTILINE).group(1)
    for key in ("facilitator-guide", "participant-workbook", "module-1", "module-5", "pre-test", "post-test",
                "answer-key"):
        assert f"  {key} " in thai
    assert "thailand/th/atlas-etp-thailand-th-participant-workbook.html" in thai
    assert "atlas-etp-thailand-th-module-3.pdf" in thai and "module-3.html" not in thai  # modules are for print


def test_unknown_edition_and_missing_format_are_usage_errors(mini, cli):
    result = cli("build", "--country", "testland", "--edition", "module-9", "--out", mini / "out", "--root", mini)
    assert result.exit_code == 2 and "no edition 'module-9'" in result.stderr and "module-1" in result.stderr
    result = cli("build", "--country", "testland", "--edition", "pre-test", "--format", "html",
                 "--out", mini / "out", "--root", mini)
    assert result.exit_code == 2 and "use --format pdf" in result.stderr
    assert not (mini / "out").exists()


def _blocks(html: str, kind: str) -> int:
    return html.count(f'class="block block-{kind}"')


def test_workbook_has_the_participant_material_and_nothing_for_facilitators_only(built):
    guide = built_file(built, "thailand", "th", "html").read_text(encoding="utf-8")
    workbook = built_file(built, "thailand", "th", "html", "participant-workbook").read_text(encoding="utf-8")
    for kind in PARTICIPANT_BLOCKS:
        assert _blocks(workbook, kind) == _blocks(guide, kind) > 0, kind
    assert _blocks(guide, "facilitator-note") > 0 and _blocks(guide, "answer-key") > 0
    assert _blocks(workbook, "facilitator-note") == _blocks(workbook, "answer-key") == 0
    assert 'id="m1-s01--plan"' in guide and "--plan" not in workbook  # no session plans (Say, Do, Ask)
    assert 'id="test-bank"' not in workbook and 'id="agendas"' not in workbook


def test_module_document_holds_its_module_and_nothing_else(built):
    def sessions(reader: PdfReader, module: str) -> list[str]:
        outline = reader.outline
        index = next(i for i, item in enumerate(outline)
                     if not isinstance(item, list) and item.title.startswith(module))
        return [item.title for item in outline[index + 1]]

    guide = PdfReader(built_file(built, "liberia", "en", "pdf"))
    module = PdfReader(built_file(built, "liberia", "en", "pdf", "module-2"))
    top = [item.title for item in module.outline if not isinstance(item, list)]
    assert [title for title in top if title.startswith("Module")] == ["Module 2: Investigation"], top
    assert sessions(module, "Module 2") == sessions(guide, "Module 2")
    assert 20 < len(module.pages) < len(guide.pages) / 3


def test_answer_key_is_a_sheet_for_facilitators(built):
    path = built_file(built, "paraguay", "es", "pdf", "answer-key")
    text = pdf_text(path)
    assert "Solo para facilitadores" in text and "RESPUESTA MODELO" in text  # the label is in capitals
    assert len(PdfReader(path).pages) < 15


def test_covers_name_the_document_and_the_back_page_carries_funding_and_disclaimer(built):
    cover = pdf_text(built_file(built, "liberia", "en", "pdf"), last_page=1)
    for fact in ("Facilitator guide", "Liberia", "English", f"Version\n\n{GUIDE_YAML['version']}", "Date"):
        assert fact in cover, fact
    module_cover = pdf_text(built_file(built, "liberia", "en", "pdf", "module-2"), last_page=1)
    assert "Module 2: Investigation" in module_cover
    reader = PdfReader(built_file(built, "paraguay", "es", "pdf"))
    last = pdf_text(built_file(built, "paraguay", "es", "pdf")).split("\f")[len(reader.pages) - 1]
    for key in ("funding", "disclaimer"):
        assert " ".join(GUIDE_YAML[key]["es"].split()[:8]) in " ".join(last.split())


def test_pages_say_page_x_of_y_in_the_edition_language_under_running_headers(built):
    pages = pdf_text(built_file(built, "paraguay", "es", "pdf")).split("\f")
    total = len(pages) - 1
    assert f"Página 40 de {total}" in pages[39]
    session_pages = [page for page in pages if page.lstrip().startswith("Módulo 2")]
    assert len(session_pages) > 20  # the module's name heads its pages…
    assert sum("Sesión 2.3" in page.split("\n\n")[1] for page in session_pages) > 1  # …and the session's too


def test_every_pdf_is_tagged_pdf_ua_with_title_language_and_author(built):
    for pdf in sorted(built.rglob("*.pdf")):
        reader = PdfReader(pdf)
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], pdf.name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"], pdf.name  # viewers show the title, not the file name
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r"pdfuaid:part[^0-9]{0,3}1", xmp), (pdf.name, xmp[:500])
        assert reader.metadata.title and reader.metadata.author and str(root["/Lang"]), pdf.name


def test_every_pdf_passes_qpdf_check(built):
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf (Debian qpdf) is not installed: .ci/run installs it")
    pdfs = sorted(built.rglob("*.pdf"))
    assert len(pdfs) >= 7
    for pdf in pdfs:
        result = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
        assert result.returncode == 0 and "No syntax or stream encoding errors" in result.stdout, \
            f"{pdf.name}: {result.stdout[-800:]}{result.stderr[-800:]}"


def test_release_index_links_every_built_document(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert links and all((built / link).is_file() for link in links)
    assert all((built / link).stat().st_mode & 0o044 == 0o044 for link in links)  # readable by all, to publish
    assert "thailand/th/atlas-etp-thailand-th-participant-workbook.pdf" in links
    project = Project(REPO)
    matrix = targets({key: load_country(project, key).model.languages for key in project.countries()},
                     module_numbers(project))
    assert len(links) + index.count("not built") == len(matrix)  # the rest is listed, marked as not built


def test_html_links_to_the_other_languages_of_the_country(built):
    thai = built_file(built, "thailand", "th", "html").read_text(encoding="utf-8")
    link = "../en/atlas-etp-thailand-en-facilitator-guide.html"
    assert f'href="{link}"' in thai and (built / "thailand/th" / link).resolve().is_file()


# Layout: nothing stranded at the foot of a page, no at-a-glance box cut in two.

def _boxes(box: object) -> Iterator[object]:
    """The boxes of a page in document order, without the page margins (running headers, footer)."""
    yield box
    for child in getattr(box, "children", ()) or ():
        if type(child).__name__ != "MarginBox":
            yield from _boxes(child)


def _classes(box: object) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _last_text_block(page: object) -> object | None:
    """The last block on the page that holds lines of text: what a reader sees at its foot."""
    blocks = [box for box in _boxes(page._page_box)  # type: ignore[attr-defined]  (paragraphs, table cells…)
              if any(type(child).__name__ == "LineBox" for child in getattr(box, "children", ()) or ())]
    return blocks[-1] if blocks else None


def test_no_heading_is_stranded_and_no_glance_box_is_split():
    project = Project(REPO)
    guide = prepare_edition(project, "thailand", "en")
    document = lay_out(project, html_document(project, guide, "print", Edition(Kind.module, 3)))
    stranded, glance_pages = [], {}
    for number, page in enumerate(document.pages, start=1):
        last = _last_text_block(page)
        heading = last is not None and re.fullmatch(r"h[1-6]", last.element_tag)
        if last is not None and (heading or _classes(last) & {"label", "block-label"}):
            stranded.append((number, last.element_tag, _classes(last)))
        for box in _boxes(page._page_box):
            if "at-a-glance" in _classes(box):
                glance_pages.setdefault(id(box.element), set()).add(number)
    assert len(document.pages) > 40
    assert stranded == []
    assert glance_pages and all(len(pages) == 1 for pages in glance_pages.values()), glance_pages


# Glyphs: every character of every document can be drawn by a shipped font.

@cache
def _covered() -> frozenset[int]:
    covered: set[int] = set()
    for font in (REPO / "templates/fonts").glob("*.ttf"):
        covered |= set(TTFont(font).getBestCmap())
    return frozenset(covered)


LIST_MARKERS = "\u2022\u25e6\u25aa"  # the default markers of lists nested 1, 2 and 3 deep: • ◦ ▪


def _drawn_text(document: str) -> str:
    """The text WeasyPrint draws: the elements' text, the strings of CSS `content` (labels, page
    footers) and the list markers, without markup, scripts or the rest of the style sheet."""
    generated = " ".join(re.findall(r'"((?:[^"\\]|\\.)*)"', " ".join(re.findall(r"content:([^;}]*)", document))))
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", document, flags=re.DOTALL)
    return re.sub(r"&#?\w+;", " ", text) + generated + LIST_MARKERS


@pytest.mark.parametrize(("country", "lang"), [*EDITIONS, ("thailand", "en"), ("paraguay", "en")])
def test_every_character_of_every_document_has_a_glyph(country, lang):
    project = Project(REPO)
    guide = prepare_edition(project, country, lang)
    covered = _covered()
    kinds = [edition for edition in editions([]) if edition.kind is not Kind.post_test]  # post = pre
    for edition in kinds:
        document = html_document(project, guide, "print", edition)
        missing = {f"U+{ord(c):04X} {c!r}" for c in _drawn_text(document) if ord(c) not in covered and not c.isspace()}
        assert missing == set(), f"{country}/{lang} {edition.key}: no shipped font draws {sorted(missing)}"


def test_a_character_no_shipped_font_can_draw_fails_the_pdf_and_writes_nothing(mini, cli):
    # A runic letter, which no shipped font has, and an arrow and a minus sign, which the symbol fonts draw.
    edit(mini / "content/global/en/m1-basics/s01-intro.md", "Greet the group.", "Greet the group. ᚠ \u2192 \u2212")
    result = cli("build", "--country", "testland", "--lang", "en", "--edition", "facilitator-guide",
                 "--format", "pdf", "--out", mini / "out", "--root", mini)
    assert result.exit_code == 1
    assert 'no shipped font can draw "ᚠ" (U+16A0)' in result.stderr and "U+2192" not in result.stderr
    assert not list((mini / "out").rglob("*.pdf"))
