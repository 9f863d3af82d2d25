"""Publish stage: lay the rendered edition out with the Jinja templates, write HTML and PDF.

Files are written atomically (a temporary file in the same folder, then a rename), so an
interrupted build never leaves a half-written guide where a complete one was.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .errors import PublishError
from .fonts import print_font_css, screen_font_css, use_only_project_fonts
from .i18n import format_date, format_minutes, translations
from .project import Project
from .render import RenderedGuide, audience_names

EDITION = "facilitator-guide"
FORMATS = ("pdf", "html")


def output_path(out_dir: Path, guide: RenderedGuide, extension: str) -> Path:
    """build/<country>/<lang>/atlas-etp-<country>-<lang>-facilitator-guide.<ext>"""
    name = f"atlas-etp-{guide.country_key}-{guide.lang}-{EDITION}.{extension}"
    return out_dir / guide.country_key / guide.lang / name


def edition_date(guide: RenderedGuide) -> datetime.date:
    """The guide's date: from guide.yaml, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if guide.meta.date:
        return guide.meta.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


def html_document(project: Project, guide: RenderedGuide, medium: str) -> str:
    """The whole edition as one HTML document, for print (WeasyPrint) or for screen."""
    env = Environment(
        loader=FileSystemLoader(project.templates),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    gettext = translations(guide.lang)
    env.install_gettext_translations(gettext, newstyle=True)  # type: ignore[attr-defined]
    stylesheets = ["style.css", f"{medium}.css"]
    css = "".join((project.templates / name).read_text(encoding="utf-8") for name in stylesheets)
    fonts = print_font_css(project.fonts) if medium == "print" else screen_font_css(project.fonts, guide.lang)
    date = edition_date(guide)
    return env.get_template("guide.html.j2").render(
        guide=guide,
        medium=medium,
        style=fonts + css,
        date=format_date(date, guide.lang),
        iso_date=date.isoformat(),
        language_name=Locale.parse(guide.lang).get_display_name(guide.lang),
        minutes=lambda value: format_minutes(value, guide.lang),
        listing=lambda items, names=None: format_list([names[i] if names else i for i in items], locale=guide.lang),
        audiences=audience_names(gettext.gettext),
    )


def write_html(project: Project, guide: RenderedGuide, out_dir: Path) -> Path:
    path = output_path(out_dir, guide, "html")
    atomic_write(path, html_document(project, guide, "screen").encode("utf-8"))
    return path


def write_pdf(project: Project, guide: RenderedGuide, out_dir: Path) -> Path:
    """Lay the print HTML out with WeasyPrint, loading files only from the project's folders."""
    use_only_project_fonts(project.fonts)
    from weasyprint import HTML  # imported here: it is slow to load, and fontconfig must be set first

    from .fetcher import ProjectFetcher, RefusedURL

    document = html_document(project, guide, "print")
    fetcher = ProjectFetcher([project.content, project.templates])
    try:
        pdf = HTML(string=document, base_url=project.templates.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    except RefusedURL as exc:
        raise PublishError(str(exc)) from None
    path = output_path(out_dir, guide, "pdf")
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
