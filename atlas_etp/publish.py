"""Publish stage: lay the rendered edition out with the Jinja templates, write HTML and PDF.

Files are written atomically (a temporary file in the same folder, then a rename), so an
interrupted build never leaves a half-written guide where a complete one was.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from babel import Locale
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import agenda
from .changes import Change
from .drift import DriftState
from .errors import PublishError
from .fonts import print_font_css, screen_font_css, use_only_project_fonts
from .i18n import (
    THAI_COUNTER_STYLE,
    format_date,
    format_hours,
    format_minutes,
    format_time,
    translations,
    with_thai_digits,
)
from .project import Project
from .registry_report import FactRow
from .render import RenderedGuide, audience_names

FORMATS = ("pdf", "html")
THAI_ANNEX_LETTERS = "กขคงจฉชซฌญ"  # Thai documents letter annexes ก, ข, ค… ("ภาคผนวก ก")


class Edition(StrEnum):
    """The documents built for each country and language."""

    facilitator_guide = "facilitator-guide"
    pre_test = "pre-test"
    post_test = "post-test"


def output_path(out_dir: Path, guide: RenderedGuide, edition: Edition, extension: str) -> Path:
    """build/<country>/<lang>/atlas-etp-<country>-<lang>-<edition>.<ext>"""
    name = f"atlas-etp-{guide.country_key}-{guide.lang}-{edition}.{extension}"
    return out_dir / guide.country_key / guide.lang / name


def edition_date(guide: RenderedGuide) -> datetime.date:
    """The guide's date: from guide.yaml, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if guide.meta.date:
        return guide.meta.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


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
    fonts = print_font_css(project.fonts) if medium == "print" else screen_font_css(project.fonts, lang)
    return fonts + css


def screen_script(project: Project, medium: str) -> str:
    """The script of the screen HTML (contents sidebar, in-page search), inlined so that the file
    works alone from a USB stick; the print HTML has none."""
    return (project.templates / "screen.js").read_text(encoding="utf-8") if medium == "screen" else ""


def html_document(project: Project, guide: RenderedGuide, medium: str, edition: Edition) -> str:
    """One edition as one HTML document, for print (WeasyPrint) or for screen."""
    env = template_environment(project, guide.lang)
    gettext = translations(guide.lang)
    date = edition_date(guide)
    _ = gettext.gettext
    test_titles = {Edition.pre_test: _("Pre-test"), Edition.post_test: _("Post-test")}
    template = "guide.html.j2" if edition is Edition.facilitator_guide else "test.html.j2"
    document = env.get_template(template).render(
        guide=guide,
        counter_style=THAI_COUNTER_STYLE,
        medium=medium,
        style=stylesheet(project, medium, guide.lang),
        script=screen_script(project, medium),
        date=format_date(date, guide.lang),
        iso_date=date.isoformat(),
        language_name=Locale.parse(guide.lang).get_display_name(guide.lang),
        minutes=lambda value: format_minutes(value, guide.lang),
        hours=lambda value: format_hours(value, guide.lang),
        time=lambda value: format_time(value, guide.lang),
        day_start=agenda.DAY_START,
        day_capacity=agenda.DAY_CAPACITY,
        listing=lambda items, names=None: format_list([names[i] if names else i for i in items], locale=guide.lang),
        audiences=audience_names(gettext.gettext),
        annex_letter=lambda index: annex_letter(index, guide.lang),
        test_title=test_titles.get(edition, ""),
        test_numbers={session.id: number for number, session in enumerate(guide.test_items, start=1)},
    )
    return with_thai_digits(document) if guide.thai_digits else document


def annex_letter(index: int, lang: str) -> str:
    """The letter of the annex at `index` (0-based): A, B, C…, or ก, ข, ค… in Thai."""
    letters = THAI_ANNEX_LETTERS if lang == "th" else "ABCDEFGHIJ"
    return letters[index]


def write_html(project: Project, guide: RenderedGuide, out_dir: Path, edition: Edition) -> Path:
    path = output_path(out_dir, guide, edition, "html")
    atomic_write(path, html_document(project, guide, "screen", edition).encode("utf-8"))
    return path


def write_pdf(project: Project, guide: RenderedGuide, out_dir: Path, edition: Edition) -> Path:
    """Lay the print HTML out with WeasyPrint, loading files only from the project's folders."""
    use_only_project_fonts(project.fonts)
    from weasyprint import HTML  # imported here: it is slow to load, and fontconfig must be set first

    from . import pdf_text
    from .fetcher import ProjectFetcher, RefusedURL

    pdf_text.install()

    document = html_document(project, guide, "print", edition)
    fetcher = ProjectFetcher([project.content, project.templates])
    try:
        pdf = HTML(string=document, base_url=project.templates.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    except RefusedURL as exc:
        raise PublishError(str(exc)) from None
    path = output_path(out_dir, guide, edition, "pdf")
    atomic_write(path, pdf)
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
