"""What a country edition changes in the global ETP: the `diff` command's data.

For each override of the country file: what it does, where (file and line), whether it was
reviewed against the current global text (drift.py), and both texts rendered with the country's
registry, so a ministry reviewer can read the global and the national text side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .drift import DriftState, OverrideDrift, override_drift
from .errors import ErrorReport
from .load import CountryFile, load_country, load_edition_body, load_sections
from .model import Guide, Section
from .overlay import load_override_session, overlay_files
from .project import Project
from .render import SectionRenderer
from .schema import Override


@dataclass(frozen=True)
class Change:
    """One override, with the global text it acts on and the national text it brings."""

    number: int
    operation: str
    target: str
    file: str  # the national file, relative to the project ("" for a removal)
    line: int  # of the override in country.yaml
    state: DriftState
    global_html: str
    national_html: str


def country_changes(project: Project, country_key: str, lang: str) -> tuple[CountryFile, list[Change], ErrorReport]:
    """Every override of the country in `lang`, in the order the country file lists them."""
    country = load_country(project, country_key)
    guide, source = load_edition_body(project, lang)
    renderer = SectionRenderer(project, country.model, country_key, lang)
    changes = [_change(project, country, guide, drift, renderer) for drift in override_drift(country, source)]
    return country, changes, renderer.report


def _change(project: Project, country: CountryFile, guide: Guide, drift: OverrideDrift,
            renderer: SectionRenderer) -> Change:
    override = drift.override
    anchor = f"change-{drift.index + 1}"
    national: list[Section] = []
    file = ""
    if override.operation != "remove":
        translated, english = overlay_files(country.folder / guide.lang, override,
                                            (country.folder / "country.yaml", drift.line))
        path = translated or english
        file = str(path.relative_to(project.root))
        national = _national_sections(path, country.key, "/" in override.target)
    return Change(
        number=drift.index + 1, operation=override.operation, target=override.target, file=file, line=drift.line,
        state=drift.state, global_html=renderer.sections(_global_sections(guide, override), anchor + "-global"),
        national_html=renderer.sections(national, anchor + "-national"),
    )


def _national_sections(path: Path, origin: str, is_section: bool) -> list[Section]:
    return load_sections(path, origin)[0] if is_section else list(load_override_session(path, origin).sections)


def _global_sections(guide: Guide, override: Override) -> list[Section]:
    """The global text a replacement or removal acts on, in this language: a section or a whole
    session. An insertion changes no global text, so it has none."""
    if override.operation.startswith("insert"):
        return []
    session_id, _, section_id = override.target.partition("/")
    session = next((s for s in guide.sessions() if s.id == session_id), None)
    if session is None:
        return []
    return [s for s in session.sections if not section_id or s.id == section_id]
