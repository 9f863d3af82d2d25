"""The pipeline, top-down: load → overlay → render for one country-and-language edition.

Reading this file should tell a newcomer the whole path from content files to the HTML fragments
the publish stage lays out. Each stage raises ContentErrors with every problem it found.
"""

from __future__ import annotations

from .drift import override_drift, stale_targets
from .errors import ContentErrors, ErrorReport, UsageError
from .load import CountryFile, load_country, load_edition_body
from .model import Guide
from .overlay import apply_overlay
from .project import Project
from .render import RenderedGuide, RenderMemo, render_guide


def resolve_language(project: Project, country: str, lang: str | None) -> str:
    """`lang`, or the country's first language; a usage error (exit 2) naming the valid ones."""
    languages = load_country(project, country).model.languages
    if lang is None:
        return languages[0]
    if lang not in languages:
        raise UsageError(f"{country} has no '{lang}' edition — its languages are: {', '.join(languages)}")
    return lang


def edition_guide(project: Project, country_key: str, lang: str) -> Guide:
    """The global body in `lang` (merged with the English where it is not translated) with the
    country overlay applied."""
    return _overlaid(project, load_country(project, country_key), lang)


def _overlaid(project: Project, country: CountryFile, lang: str) -> Guide:
    """National text whose global counterpart changed since it was reviewed is marked (drift.py)."""
    guide, source = load_edition_body(project, lang)
    stale = frozenset(stale_targets(override_drift(country, source)))
    return apply_overlay(guide, country, stale)


def _rendered(project: Project, country_key: str, lang: str,
              memo: RenderMemo | None = None) -> tuple[Guide, RenderedGuide, ErrorReport]:
    """The overlaid edition and its rendering, with the problems rendering found."""
    country = load_country(project, country_key)
    guide = _overlaid(project, country, lang)
    rendered, report = render_guide(project, guide, country.model, country_key, memo)
    return guide, rendered, report


def prepare_edition(project: Project, country_key: str, lang: str, memo: RenderMemo | None = None) -> RenderedGuide:
    """The edition rendered to HTML fragments, ready for the publish stage. A process that renders
    the same edition again and again (the live preview) passes a `memo` of the sections it rendered."""
    _, rendered, report = _rendered(project, country_key, lang, memo)
    report.raise_if_any()
    return rendered


def check_edition(project: Project, country_key: str, lang: str, report: ErrorReport) -> Guide | None:
    """Load, overlay and render an edition, with every problem in `report` (for `check`, which lists
    them all); the overlaid guide, or None if it did not load."""
    try:
        guide, _, render_report = _rendered(project, country_key, lang)
    except ContentErrors as exc:
        report.extend(exc.errors)
        return None
    report.extend(render_report.errors)
    return guide
