"""The translation workflow over whole editions: what is translated, stale or missing, what a
release allows, and recording that a translator reviewed a file against the current English.

translation.py marks each unit of an edition (front matter, intro, section) while loading; this
module counts the marks per module, turns them into release errors, and writes the
`translated_from:` record into translated files (`atlas-etp review-translation`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .atomicfile import atomic_write
from .errors import ContentError, UsageError
from .load import CountryFile, split_sections
from .model import GLOBAL_ORIGIN, Guide, Part, Section, TranslationState
from .project import SOURCE_LANGUAGE, Project
from .sourcefile import (
    TRANSLATION_RECORD,
    MarkdownFile,
    fingerprint,
    front_matter_fingerprint,
    position_of,
    read_markdown,
    read_text,
    split_lines,
)
from .translation import FRONT_MATTER, unit_key

FRONT_GROUP, ANNEX_GROUP = "front", "annexes"


@dataclass(frozen=True)
class Unit:
    """One translatable piece of an edition and its state."""

    group: str  # module ID, or "front" / "annexes"
    part: str  # session, chapter or module ID
    key: str  # unit key: "front-matter", "intro" or a section ID
    state: TranslationState
    path: Path  # the translation's file (where it is, or where it should be written)
    line: int


@dataclass(frozen=True)
class StatusRow:
    country: str
    lang: str
    group: str
    title: str
    current: int
    stale: int
    missing: int

    @property
    def total(self) -> int:
        return self.current + self.stale + self.missing

    @property
    def percent(self) -> float:
        """Translated and up to date, as po4a counts: stale text is not complete."""
        return 100.0 * self.current / self.total if self.total else 100.0


def edition_units(project: Project, guide: Guide) -> list[Unit]:
    """Every translatable unit of an edition (after its overlay), in reading order. Text written in
    the edition's language (English, or national text without an English original) has none."""
    lang = guide.lang
    units: list[Unit] = []
    for group, chapters in ((FRONT_GROUP, guide.front), (ANNEX_GROUP, guide.annexes)):
        for chapter in chapters:
            units.extend(_part_units(project, lang, group, chapter))
    for module in guide.modules:
        path = translation_path(project, module.path, lang)
        units.append(Unit(module.id, module.id, FRONT_MATTER, module.translation, path, 1))
        if module.intro.source.strip():
            units.extend(_section_units(project, lang, module.id, module.id, [module.intro]))
        for session in module.sessions:
            units.extend(_part_units(project, lang, module.id, session))
    return [unit for unit in units if unit.state is not TranslationState.original]


def _part_units(project: Project, lang: str, group: str, part: Part) -> Iterator[Unit]:
    yield Unit(group, part.id, FRONT_MATTER, part.translation, translation_path(project, part.path, lang),
               part.meta_line)
    yield from _section_units(project, lang, group, part.id, part.sections)


def _section_units(project: Project, lang: str, group: str, part_id: str,
                   sections: tuple[Section, ...] | list[Section]) -> Iterator[Unit]:
    for section in sections:
        path = translation_path(project, section.path, lang)
        line = section.line if path == section.path else 1
        yield Unit(group, part_id, unit_key(section), section.translation, path, line)


def translation_path(project: Project, path: Path, lang: str) -> Path:
    """content/<area>/en/<rest> → content/<area>/<lang>/<rest>: where a file's translation lives
    (the path itself when it is not an English file)."""
    relative = path.relative_to(project.content)
    if len(relative.parts) < 3 or relative.parts[1] != SOURCE_LANGUAGE:
        return path
    return project.content / relative.parts[0] / lang / Path(*relative.parts[2:])


def english_path(project: Project, path: Path) -> Path:
    """content/<area>/<lang>/<rest> → content/<area>/en/<rest>: the original of a translation."""
    relative = path.resolve().relative_to(project.content.resolve())
    if len(relative.parts) < 3 or relative.parts[1] == SOURCE_LANGUAGE:
        raise UsageError(f"{path} is not a translation: translations are under content/<global or country>/<lang>/")
    return project.content / relative.parts[0] / SOURCE_LANGUAGE / Path(*relative.parts[2:])


def status_rows(country: str, guide: Guide, units: list[Unit]) -> list[StatusRow]:
    """One row per group (front matter, each module, annexes) in reading order."""
    titles = {module.id: module.meta.title for module in guide.modules}
    return _rows(country, guide.lang, titles, units)


def _rows(country: str, lang: str, titles: dict[str, str], units: list[Unit]) -> list[StatusRow]:
    counts: dict[str, Counter[TranslationState]] = {}
    for unit in units:
        counts.setdefault(unit.group, Counter())[unit.state] += 1
    return [StatusRow(country, lang, group, titles.get(group, ""), count[TranslationState.current],
                      count[TranslationState.stale], count[TranslationState.missing])
            for group, count in counts.items()]


def total_row(rows: list[StatusRow]) -> StatusRow:
    first = rows[0]
    return StatusRow(first.country, first.lang, "total", "", sum(r.current for r in rows),
                     sum(r.stale for r in rows), sum(r.missing for r in rows))


def release_problems(country: CountryFile, lang: str, units: list[Unit]) -> list[ContentError]:
    """What the country's release rules refuse in the `lang` edition: stale units (unless allowed),
    and too little translated (then each file with something missing is named)."""
    release = country.model.release
    root = country.folder.parent.parent
    problems = []
    if not release.allow_stale_translations:
        problems.extend(ContentError(unit.path, unit.line, f"the translation of {unit.part} > {unit.key} is stale: the "
                                     "English changed after it was translated",
                                     "compare it with the English, update it, then run: atlas-etp "
                                     f"review-translation {unit.path.relative_to(root)}#{unit.key}")
                        for unit in units if unit.state is TranslationState.stale)
    row = total_row(_rows(country.key, lang, {}, units)) if units else None
    if row is None or row.percent >= release.translated_percent:
        return problems
    path = country.folder / "country.yaml"
    line = position_of(country.data, ("release",), (1, 1))[0]
    problems.append(ContentError(path, line, f"the '{lang}' edition is {row.percent:.1f} % translated and up to date; "
                                 f"{country.key} requires {release.translated_percent} %",
                                 f"translate what 'atlas-etp status --country {country.key} --lang {lang} --list' "
                                 "shows as missing"))
    missing: dict[Path, list[str]] = {}
    for unit in units:
        if unit.state is TranslationState.missing:
            missing.setdefault(unit.path, []).append(unit.key)
    problems.extend(ContentError(file, 1, f"not yet translated into '{lang}': {', '.join(keys)}",
                                 "translate it from the English file of the same name")
                    for file, keys in missing.items())
    return problems


def _units(file: MarkdownFile) -> dict[str, str]:
    """The fingerprint of each unit of a content file, as translation.py computes them."""
    units = {FRONT_MATTER: front_matter_fingerprint(file.front_matter)} if file.front_matter else {}
    units.update((unit_key(section), fingerprint(section.source)) for section in split_sections(file, GLOBAL_ORIGIN))
    return units


def record_translation_review(project: Project, path: Path, keys: list[str] | None = None) -> dict[str, str]:
    """Record in the translated file `path` that its units (or only `keys`) were reviewed against
    the English as it is now. Returns what was recorded. Units the translation lacks are not."""
    source = english_path(project, path)
    if not source.is_file():
        raise UsageError(f"{path} has no English original at {source}")
    english = _units(read_markdown(source, need_front_matter=False))
    file = read_markdown(path, need_front_matter=False)
    present = [key for key in english if key in _units(file)]
    wanted = present if keys is None else keys
    unknown = [key for key in wanted if key not in present]
    if unknown:
        raise UsageError(f"{path.name} has no unit {', '.join(unknown)} that is also in the English — its units: "
                         + ", ".join(present))
    record = dict(file.front_matter.get(TRANSLATION_RECORD) or {})
    record.update((key, english[key]) for key in wanted)
    _write_record(path, {key: record[key] for key in english if key in record})
    return {key: english[key] for key in wanted}


def _write_record(path: Path, record: dict[str, str]) -> None:
    """Put the `translated_from:` block at the end of the front matter (adding front matter to a
    file of sections that has none); every other line stays as written."""
    lines = split_lines(read_text(path))
    block = [f"{TRANSLATION_RECORD}:\n", *(f'  {key}: "{value}"\n' for key, value in record.items())]
    if lines and lines[0].rstrip() == "---":
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
        kept = _without_record(lines[1:end])
        lines = [lines[0], *kept, *block, *lines[end:]]
    else:
        lines = ["---\n", *block, "---\n", *lines]
    atomic_write(path, "".join(lines).encode("utf-8"))


def _without_record(front: list[str]) -> list[str]:
    kept, inside = [], False
    for line in front:
        if line.startswith(f"{TRANSLATION_RECORD}:"):
            inside = True
            continue
        if inside and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        inside = False
        kept.append(line)
    return kept
