"""The pipeline, top-down: load → overlay → render for one country-and-language edition.

Reading this file should tell a newcomer the whole path from content files to the HTML fragments
the publish stage lays out. Each stage raises ContentErrors with every problem it found.
"""

from __future__ import annotations

from .drift import override_drift, stale_targets
from .errors import ContentErrors, ErrorReport, UsageError
from .load import load_country, load_guide, load_guide_meta, load_source_guide
from .overlay import apply_overlay
from .project import Project
from .render import RenderedGuide, render_guide


def resolve_language(project: Project, country: str, lang: str | None) -> str:
    """`lang`, or the country's first language; a usage error (exit 2) naming the valid ones."""
    languages = load_country(project, country).model.languages
    if lang is None:
        return languages[0]
    if lang not in languages:
        raise UsageError(f"{country} has no '{lang}' edition — its languages are: {', '.join(languages)}")
    return lang


def prepare_edition(project: Project, country_key: str, lang: str) -> RenderedGuide:
    """Load the global body in `lang`, apply the country overlay, render it to HTML fragments.

    National text whose global counterpart changed since it was reviewed is marked (drift.py)."""
    country = load_country(project, country_key)
    meta = load_guide_meta(project, [lang])
    guide = load_guide(project, lang, meta)
    source = load_source_guide(project, guide)
    stale = frozenset(stale_targets(override_drift(country, source)))
    guide = apply_overlay(guide, country, stale)
    rendered, report = render_guide(project, guide, country.model, country_key)
    report.raise_if_any()
    return rendered


def check_edition(project: Project, country_key: str, lang: str, report: ErrorReport) -> RenderedGuide | None:
    """Like prepare_edition, but the problems go into `report` (for `check`, which lists them all)."""
    try:
        return prepare_edition(project, country_key, lang)
    except ContentErrors as exc:
        report.extend(exc.errors)
        return None
