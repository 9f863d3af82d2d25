"""`check`: validate every country and language without laying out a page.

`release` runs the same check with `release=True` before it publishes: a release may not hold
outlines, unreviewed overrides, stale or missing translations beyond the country's threshold, or
(where the country asks) facts awaiting legal review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .drift import drift_problems, override_drift
from .errors import ContentError, ContentErrors, ErrorReport
from .limits import LimitExceeded, Limits, bounded
from .load import CountryFile, load_country, load_guide, load_guide_meta
from .model import Chapter, Guide, TranslationState
from .pipeline import check_edition
from .project import SOURCE_LANGUAGE, Project
from .registry_report import unconfirmed_fact_errors
from .translation_status import edition_units, release_problems


@dataclass
class CheckResult:
    """What `check` found: errors fail it, warnings are shown."""

    editions: list[str] = field(default_factory=list)  # "thailand/th", …
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)


def check_project(project: Project, release: bool = False, limits: Limits | None = None) -> CheckResult:
    """Every problem of every language body and country edition; with `release`, warnings are
    errors and release-only rules apply. Each edition is checked within `limits` (by default from
    the environment)."""
    limits = limits or Limits.from_environment()
    report = ErrorReport()
    bodies: dict[str, Guide] = {}
    for language in sorted(project.languages(), key=lambda lang: lang != SOURCE_LANGUAGE):  # English first
        try:
            bodies[language] = load_guide(project, language, load_guide_meta(project, [language]),
                                          bodies.get(SOURCE_LANGUAGE))
        except ContentErrors as exc:
            report.extend(exc.errors)
            continue
        if release:
            report.extend(_outline_errors(bodies[language]))
    source = bodies.get(SOURCE_LANGUAGE)  # None when the English does not load: reported above
    result = CheckResult()
    for country in project.countries():
        try:
            country_file = load_country(project, country)
        except ContentErrors as exc:
            report.extend(exc.errors)
            continue
        if source is not None:
            report.extend(drift_problems(country_file, override_drift(country_file, source)))
        if release:
            report.extend(unconfirmed_fact_errors(country_file.model, country_file.data,
                                                  country_file.folder / "country.yaml"))
        for language in country_file.model.languages:
            guide = _bounded_check(project, country_file, language, report, limits)
            result.editions.append(f"{country}/{language}")
            if guide is not None:
                report.extend(_translation_problems(project, country_file, guide, release))
    result.errors = [e for e in report.errors if e.severity == "error" or release]
    result.warnings = [e for e in report.errors if e.severity != "error" and not release]
    return result


def _bounded_check(project: Project, country: CountryFile, lang: str, report: ErrorReport,
                   limits: Limits) -> Guide | None:
    """check_edition within the render bounds; an edition that goes past one is reported against
    its country file, and the other editions are checked."""
    try:
        with bounded(f"checking {country.key}/{lang} (load, overlay, render)", limits):
            return check_edition(project, country.key, lang, report)
    except LimitExceeded as exc:
        report.add(ContentError(country.folder / "country.yaml", 1, exc.problem, exc.HINT))
        return None


def _outline_errors(guide: Guide) -> list[ContentError]:
    """A release may not contain outlines: one error for each."""
    return [ContentError(part.path, part.meta_line,
                         f"{'chapter' if isinstance(part, Chapter) else 'session'} {part.id} is still an outline",
                         "write it in full and remove 'status: outline' before a release")
            for part in (*guide.front, *guide.sessions(), *guide.annexes) if part.is_outline]


def _translation_problems(project: Project, country: CountryFile, guide: Guide, release: bool) -> list[ContentError]:
    """For a release, what the country's translation rules refuse; otherwise one warning per
    edition that has stale translations (`status --list` names them)."""
    units = edition_units(project, guide)
    if release:
        return release_problems(country, guide.lang, units)
    stale = [unit for unit in units if unit.state is TranslationState.stale]
    if not stale:
        return []
    return [ContentError(stale[0].path, stale[0].line,
                         f"{len(stale)} translated sections of {country.key}/{guide.lang} are stale: the English "
                         "changed after they were translated",
                         f"see them with: atlas-etp status --country {country.key} --lang {guide.lang} --list",
                         severity="warning")]
