"""Publish stage: lay the rendered edition out with the Jinja templates, write HTML and PDF.

Files are written atomically (atomicfile.py), so an interrupted build never leaves a half-written
guide where a complete one was.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import agenda
from .atomicfile import atomic_write
from .changes import Change
from .drift import DriftState
from .editions import Edition, Kind, file_name, targets
from .errors import PublishError
from .fonts import print_font_css, screen_font_css, use_only_project_fonts
from .i18n import (
    THAI_COUNTER_STYLE,
    format_date,
    format_hours,
    format_minutes,
    format_time,
    language_name,
    translations,
    with_thai_digits,
)
from .load import load_country, module_numbers
from .project import SOURCE_LANGUAGE, Project
from .provenance import source_date
from .registry_report import FactRow
from .render import RenderedGuide, audience_names

if TYPE_CHECKING:
    import weasyprint

THAI_ANNEX_LETTERS = "กขคงจฉชซฌญ"  # Thai documents letter annexes ก, ข, ค… ("ภาคผนวก ก")
PDF_VARIANT = "pdf/ua-1"  # tagged, with title, language and reading order for screen readers


def edition_date(project: Project, guide: RenderedGuide) -> datetime.date:
    """The guide's date: from guide.yaml, else the source's date (provenance.py), so that a
    rebuild of the same source prints the same date."""
    return guide.meta.date or source_date(project.root)


def template_environment(project: Project, lang: str) -> Environment:
    """The Jinja environment of the publishing templates, with gettext in `lang`."""
    env = Environment(
        loader=FileSystemLoader(project.templates),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def stylesheet(project: Project, medium: str, lang: str) -> str:
    """Fonts and styles for `medium` ("print" or "screen")."""
    css = "".join((project.templates / name).read_text(encoding="utf-8") for name in ("style.css", f"{medium}.css"))
    fonts = print_font_css() if medium == "print" else screen_font_css(project.fonts, lang)
    return fonts + css


def screen_script(project: Project, medium: str) -> str:
    """The script of the screen HTML (contents sidebar, in-page search), inlined so that the file
    works alone from a USB stick; the print HTML has none."""
    return (project.templates / "screen.js").read_text(encoding="utf-8") if medium == "screen" else ""


def html_document(project: Project, guide: RenderedGuide, medium: str, edition: Edition) -> str:
    """One document of an edition as one HTML file, for print (WeasyPrint) or for screen."""
    env = template_environment(project, guide.lang)
    gettext = translations(guide.lang)
    date = edition_date(project, guide)
    modules = guide.modules if edition.module is None else (guide.module(edition.module),)
    digits = THAI_COUNTER_STYLE if guide.thai_digits else "decimal"  # of page numbers
    document = env.get_template(edition.template).render(
        guide=guide,
        edition=edition,
        edition_title=edition_title(edition, gettext.gettext),
        modules=modules,
        medium=medium,
        style=stylesheet(project, medium, guide.lang),
        script=screen_script(project, medium),
        page_of=page_of_css(gettext.gettext, digits),
        digits=digits,
        other_languages=language_links(guide, edition),
        date=format_date(date, guide.lang),
        iso_date=date.isoformat(),
        language_name=language_name(guide.lang),
        minutes=lambda value: format_minutes(value, guide.lang),
        hours=lambda value: format_hours(value, guide.lang),
        time=lambda value: format_time(value, guide.lang),
        day_start=agenda.DAY_START,
        day_capacity=agenda.DAY_CAPACITY,
        listing=lambda items, names=None: format_list([names[i] if names else i for i in items], locale=guide.lang),
        audiences=audience_names(gettext.gettext),
        annex_letter=lambda index: annex_letter(index, guide.lang),
        test_numbers={session.id: number for number, session in enumerate(guide.test_items, start=1)},
    )
    return with_thai_digits(document) if guide.thai_digits else document


def edition_title(edition: Edition, gettext: Callable[[str], str]) -> str:
    """What the cover and the title bar call the document, in the edition's language."""
    _ = gettext
    return {
        Kind.guide: _("Facilitator guide"),
        Kind.workbook: _("Participant workbook"),
        Kind.module: _("Facilitator guide"),
        Kind.pre_test: _("Pre-test"),
        Kind.post_test: _("Post-test"),
        Kind.answer_key: _("Pre-test and post-test: answer key"),
    }[edition.kind]


def page_of_css(gettext: Callable[[str], str], counter_style: str) -> str:
    """The CSS `content` of the page footer, "Page 3 of 120" as the edition's language words it
    (the translation may put the numbers in any order)."""
    words = re.split(r"(%\((?:page|pages)\)s)", gettext("Page %(page)s of %(pages)s"))
    counters = {"%(page)s": f"counter(page, {counter_style})", "%(pages)s": f"counter(pages, {counter_style})"}
    return " ".join(counters.get(word) or css_string(word) for word in words if word)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def language_links(guide: RenderedGuide, edition: Edition) -> list[tuple[str, str, str]]:
    """(language code, its name in itself, relative link) of the same document in the country's
    other languages: the files sit side by side in build/<country>/<lang>/."""
    return [(lang, language_name(lang),
             f"../{lang}/{file_name(guide.country_key, lang, edition, 'html')}")
            for lang in guide.languages if lang != guide.lang]


def annex_letter(index: int, lang: str) -> str:
    """The letter of the annex at `index` (0-based): A, B, C…, or ก, ข, ค… in Thai."""
    letters = THAI_ANNEX_LETTERS if lang == "th" else "ABCDEFGHIJ"
    return letters[index]


MEDIA = {"pdf": "print", "html": "screen"}  # which HTML each format is made from
FORMATS = tuple(MEDIA)


@dataclass(frozen=True)
class Output:
    """The bytes of one built file, and its number of pages when it is a PDF."""

    data: bytes
    pages: int | None = None


def document_html(project: Project, guide: RenderedGuide, edition: Edition, extension: str) -> str:
    """The HTML a file of `extension` is made from: for print (PDF) or for screen (HTML)."""
    return html_document(project, guide, MEDIA[extension], edition)


def lay_out(project: Project, html: str) -> weasyprint.Document:
    """Print HTML laid out in pages by WeasyPrint, loading files only from the project's folders."""
    use_only_project_fonts(project.fonts)
    from weasyprint import HTML  # imported here: it is slow to load, and fontconfig must be set first

    from . import pdf_text
    from .fetcher import ProjectFetcher, RefusedURL

    pdf_text.install()
    fetcher = ProjectFetcher([project.content, project.templates])
    document = HTML(string=html, base_url=project.templates.as_uri() + "/", url_fetcher=fetcher)
    try:
        return document.render(pdf_variant=PDF_VARIANT)
    except RefusedURL as exc:
        raise PublishError(str(exc)) from None


def pdf_output(project: Project, html: str) -> Output:
    """The PDF, refused when a character has no glyph in the shipped fonts: it would print as an
    empty box, which nobody notices until a trainer does."""
    watch = _MissingGlyphs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    try:
        document = lay_out(project, html)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    finally:
        logger.removeHandler(watch)
    if watch.characters:
        raise PublishError(f"no shipped font can draw {', '.join(sorted(watch.characters))} — replace it in the "
                           "content, or add a font that has it to templates/fonts and atlas_etp/fonts.py")
    return Output(pdf, len(document.pages))


def html_output(project: Project, html: str) -> Output:
    """The screen HTML is the file itself: one self-contained page."""
    return Output(html.encode("utf-8"))


PRODUCERS = {"pdf": pdf_output, "html": html_output}


class _MissingGlyphs(logging.Handler):
    """Collects WeasyPrint's warnings of text drawn with the empty .notdef glyph."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.characters: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(".notdef glyph"):
            self.characters.add(record.getMessage().split(": ", 1)[-1])


def write_index(project: Project, out_dir: Path) -> Path:
    """out_dir/index.html: every document of every country and language, linked where it has been
    built, so a release on a USB stick opens on one page."""
    countries = {key: load_country(project, key).model for key in project.countries()}
    rows = targets({key: country.languages for key, country in countries.items()}, module_numbers(project))
    gettext = translations(SOURCE_LANGUAGE).gettext
    files = {row.path: (out_dir / row.path).stat().st_size if (out_dir / row.path).is_file() else None
             for row in rows}
    document = template_environment(project, SOURCE_LANGUAGE).get_template("index.html.j2").render(
        countries=countries, rows=rows, files=files,
        title_of=lambda edition: edition_title(edition, gettext),
        language_name=language_name,
        style=stylesheet(project, "screen", SOURCE_LANGUAGE),
    )
    path = out_dir / "index.html"
    atomic_write(path, document.encode("utf-8"))
    return path



def changes_path(out_dir: Path, country_key: str, lang: str) -> Path:
    """build/<country>/<lang>/atlas-etp-<country>-<lang>-changes.html"""
    return out_dir / country_key / lang / f"atlas-etp-{country_key}-{lang}-changes.html"


def write_changes(project: Project, country_key: str, lang: str, country_name: str, changes: Sequence[Change],
                  facts: Sequence[FactRow], out_dir: Path) -> Path:
    """The `diff` report: a country's overrides and registry as one HTML page for reviewers."""
    env = template_environment(project, lang)
    _ = translations(lang).gettext
    document = env.get_template("changes.html.j2").render(
        lang=lang, country_key=country_key, country_name=country_name, changes=changes, facts=facts,
        style=stylesheet(project, "screen", lang), date=format_date(datetime.date.today(), lang),
        operation_names={"replace": _("Replaced"), "insert_before": _("Inserted before"),
                         "insert_after": _("Inserted after"), "remove": _("Removed")},
        state_names={
            DriftState.current: _("Reviewed against the current global text"),
            DriftState.stale: _("May be stale: the global text changed after the last review"),
            DriftState.unrecorded: _("Not yet reviewed against the global text"),
            DriftState.national: _("Acts on national text"),
        },
    )
    path = changes_path(out_dir, country_key, lang)
    atomic_write(path, document.encode("utf-8"))
    return path
