"""Load stage: Markdown files, front matter and YAML → the typed content model.

Errors are collected in an ErrorReport so that one run names every broken file; a file that
cannot be read is skipped and the rest is still checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import markdown
from .agenda import lay_out
from .errors import ContentError, ContentErrors, ErrorReport, did_you_mean
from .model import GLOBAL_ORIGIN, Chapter, Guide, Module, Section, Session, Step
from .project import SOURCE_LANGUAGE, Project
from .schema import (
    ChapterMeta,
    Country,
    GuideMeta,
    ModuleMeta,
    SectionFileMeta,
    SessionMeta,
    missing_translations,
    validate,
)
from .session_parts import session_part_problems
from .sourcefile import (
    MarkdownFile,
    front_matter_fingerprint,
    load_yaml,
    position_of,
    read_markdown,
    read_text,
    split_lines,
)
from .translation import merged_by_id, translated_module, translated_part

PLAN_SECTION = "plan"
MODULE_DIR = re.compile(r"^m[1-9]-[a-z0-9-]+$")
FRONT_DIR = "front"  # chapters before the modules: how to use the guide
ANNEX_DIR = "annexes"  # chapters after the modules: standards, glossary
CHAPTER_DIRS = (FRONT_DIR, ANNEX_DIR)


def load_guide_meta(project: Project, languages: list[str]) -> GuideMeta:
    path = project.global_dir / "guide.yaml"
    data = _yaml_file(path, "'title:', 'subtitle:', 'version:', 'publisher:', 'funding:' and 'disclaimer:' lines")
    meta = validate(GuideMeta, data, path)
    _require_languages(meta, data, path, languages)
    return meta


def _yaml_file(path: Path, needs: str) -> Any:
    """The data of a YAML file; an empty file is one clear error rather than one per missing key."""
    data = load_yaml(read_text(path), path)
    if data is None:
        raise ContentErrors([ContentError(path, 1, "the file is empty", f"it needs at least {needs} "
                                          "(see docs/authoring.md)")])
    return data


@dataclass(frozen=True)
class CountryFile:
    """A validated country overlay with the raw data kept for line numbers."""

    key: str
    model: Country
    data: Any
    folder: Path


def load_country(project: Project, country: str) -> CountryFile:
    """The country's overlay file, validated; every text must exist in each of its languages."""
    path = project.country_dir(country) / "country.yaml"
    data = _yaml_file(path, "'name:' and 'languages:' lines")
    model = validate(Country, data, path)
    known = project.languages()
    errors = [
        ContentError(path, line, f"there is no global text in '{lang}' (no folder content/global/{lang})",
                     did_you_mean(lang, known, "languages"), column)
        for i, lang in enumerate(model.languages) if lang not in known
        for line, column in [position_of(data, ("languages", i), (1, 1))]
    ]
    errors.extend(_registry_link_problems(model, data, path))
    if errors:
        raise ContentErrors(errors)
    _require_languages(model, data, path, model.languages)
    return CountryFile(country, model, data, path.parent)


def _registry_link_problems(model: Country, data: object, path: Path) -> list[ContentError]:
    """`refers_to` names agencies of the registry, and `amends` names one of its laws."""
    registry = model.registry
    links = [(("registry", "agencies", key, "refers_to", i), target, registry.agencies, "agency")
             for key, agency in registry.agencies.items() for i, target in enumerate(agency.refers_to)]
    links += [(("registry", "laws", key, "amends"), law.amends, registry.laws, "law")
              for key, law in registry.laws.items() if law.amends]
    errors = []
    for loc, target, table, kind in links:
        if target not in table:
            line, column = position_of(data, loc, (1, 1))
            errors.append(ContentError(path, line, f"there is no {kind} '{target}' in this registry",
                                       did_you_mean(target, table, f"{kind} keys"), column))
    return errors


def _require_languages(model: Country | GuideMeta, data: object, path: Path, languages: list[str]) -> None:
    errors = []
    for loc, missing in missing_translations(model, languages):
        line, column = position_of(data, loc, (1, 1))
        where = ".".join(str(step) for step in loc)
        errors.append(ContentError(path, line, f"'{where}' has no text in {', '.join(missing)}",
                                   f"add a line '{missing[0]}: …' to it", column))
    if errors:
        raise ContentErrors(errors)


def load_guide(project: Project, lang: str, meta: GuideMeta, english: Guide | None = None) -> Guide:
    """The global body in `lang`. A translation is merged with the English body (`english`, loaded
    here when not given; see translation.py): what it does not translate yet is the English text,
    marked, so every edition has the whole guide."""
    report = ErrorReport()
    folder = project.global_dir / lang
    modules = _load_modules(folder, report, translation=lang != SOURCE_LANGUAGE)
    front, annexes = (_load_chapters(folder / name, report) for name in CHAPTER_DIRS)
    if lang == SOURCE_LANGUAGE:
        if not report:  # a session that failed to load is not missing from the courses that name it
            report.extend(_course_problems(project, meta, modules))
    else:
        english = english or load_source_guide(project)
        modules = report.take(merged_by_id(english.modules, modules, translated_module, "module"))
        front, annexes = (report.take(merged_by_id(source, chapters, translated_part, "chapter"))
                          for source, chapters in ((english.front, front), (english.annexes, annexes)))
    report.raise_if_any()
    return Guide(lang=lang, meta=meta, modules=tuple(modules), front=tuple(front), annexes=tuple(annexes))


def module_numbers(project: Project) -> list[int]:
    """The numbers of the global modules (m3-referral is 3), from their folder names alone: enough
    to name a release's module documents without reading the body."""
    folder = project.global_dir / SOURCE_LANGUAGE
    return sorted(int(path.name[1]) for path in folder.iterdir() if path.is_dir() and MODULE_DIR.match(path.name))


def load_source_guide(project: Project) -> Guide:
    """The global English body, the reference for translations and for drift."""
    return load_guide(project, SOURCE_LANGUAGE, load_guide_meta(project, [SOURCE_LANGUAGE]))


def load_edition_body(project: Project, lang: str) -> tuple[Guide, Guide]:
    """The global body in `lang` and the English body it was merged with (the same guide when
    `lang` is English): one load of the English serves the merge and the drift check."""
    source = load_source_guide(project)
    if lang == SOURCE_LANGUAGE:
        return source, source
    return load_guide(project, lang, load_guide_meta(project, [lang]), source), source


def _course_problems(project: Project, meta: GuideMeta, modules: list[Module]) -> list[ContentError]:
    """Each shorter course in guide.yaml names real sessions, in order, and fits its days."""
    minutes = {session.id: session.meta.duration for module in modules for session in module.sessions}
    path = project.global_dir / "guide.yaml"
    problems = []
    for key, course in meta.courses.items():
        unknown = [(i, s) for i, s in enumerate(course.sessions) if s not in minutes]
        for index, session_id in unknown:
            problems.append(_guide_yaml_error(path, ("courses", key, "sessions", index), f"no session '{session_id}'",
                                              did_you_mean(session_id, sorted(minutes), "sessions")))
        if unknown:
            continue
        if course.sessions != sorted(course.sessions) or len(set(course.sessions)) != len(course.sessions):
            problems.append(_guide_yaml_error(path, ("courses", key, "sessions"),
                                              f"the sessions of course '{key}' repeat or are out of order",
                                              "list each session once, in programme order"))
        needed = len(lay_out([(s, minutes[s]) for s in course.sessions]))
        if needed > course.days:
            problems.append(_guide_yaml_error(path, ("courses", key, "days"),
                                              f"course '{key}' needs {needed} days, not {course.days}",
                                              f"remove sessions or set days: {needed}"))
    return problems


def _guide_yaml_error(path: Path, loc: tuple[object, ...], message: str, hint: str) -> ContentError:
    """An error at the line of `loc` in guide.yaml (read again only when there is a problem)."""
    line, column = position_of(load_yaml(read_text(path), path), loc, (1, 1))
    return ContentError(path, line, message, hint, column)


def _load_chapters(folder: Path, report: ErrorReport) -> list[Chapter]:
    """The chapters in `folder`, in file-name order (so `01-…`, `02-…` sets the order)."""
    chapters = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        read = _read_part(path, ChapterMeta, GLOBAL_ORIGIN, report)
        if read is None:
            continue
        file, meta, sections = read
        report.extend(section_problems(sections))
        chapters.append(Chapter(meta=meta, sections=tuple(sections), path=path, meta_line=file.front_matter_line,
                                front_fingerprint=front_matter_fingerprint(file.front_matter)))
    _check_unique(chapters, "chapter", report)
    return chapters


def _load_modules(folder: Path, report: ErrorReport, translation: bool = False) -> list[Module]:
    modules = []
    for module_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in CHAPTER_DIRS) \
            if folder.is_dir() else []:
        if not MODULE_DIR.match(module_dir.name):
            report.add(ContentError(module_dir, 1, f"'{module_dir.name}' is not a module folder name",
                                    "name module folders like 'm2-investigation'"))
            continue
        module = _load_module(module_dir, report, translation)
        if module is not None:
            modules.append(module)
    _check_unique(modules, "module", report)
    return sorted(modules, key=lambda m: m.id)


def _load_module(folder: Path, report: ErrorReport, translation: bool) -> Module | None:
    path = folder / "module.md"
    if not path.is_file():
        report.add(ContentError(path, 1, "the module folder has no module.md",
                                "add it with the module's id, title and objectives (see docs/authoring.md)"))
        return None
    try:
        file = read_markdown(path, need_front_matter=True)
        meta = validate(ModuleMeta, file.front_matter, path, file.front_matter_line)
    except ContentErrors as exc:
        report.extend(exc.errors)
        return None
    if not folder.name.startswith(meta.id + "-"):
        line, column = _id_position(file)
        report.add(ContentError(path, line, f"the module ID '{meta.id}' does not match its folder '{folder.name}'",
                                f"write 'id: {folder.name.split('-')[0]}', or rename the folder", column))
    sessions = []
    for session_path in sorted(folder.glob("s*.md")):
        session = load_session(session_path, report, translation=translation)
        if session is None:
            continue
        if not session.id.startswith(meta.id + "."):
            report.add(ContentError(session_path, session.meta_line,
                                    f"the session ID '{session.id}' does not belong in the folder of module {meta.id}",
                                    f"give it an ID starting with '{meta.id}.', or move the file"))
        sessions.append(session)
    _check_unique(sessions, "session", report)
    intro = Section("", file.body, path, file.body_line)
    return Module(meta=meta, intro=intro, sessions=tuple(sorted(sessions, key=lambda s: s.id)), path=path,
                  meta_line=file.front_matter_line, front_fingerprint=front_matter_fingerprint(file.front_matter))


def _id_position(file: MarkdownFile) -> tuple[int, int]:
    """Where the front matter's `id:` line is."""
    return position_of(file.front_matter, ("id",), (file.front_matter_line, 1))


def load_session(path: Path, report: ErrorReport, origin: str = GLOBAL_ORIGIN,
                 translation: bool = False) -> Session | None:
    """A session file, or None (with the problems in `report`). A translation is not checked for
    the parts a session needs: the English has them, and stands in for any it lacks."""
    read = _read_part(path, SessionMeta, origin, report)
    if read is None:
        return None
    file, meta, sections = read
    session = Session(meta=meta, sections=tuple(sections), path=path, meta_line=file.front_matter_line, origin=origin,
                      front_fingerprint=front_matter_fingerprint(file.front_matter))
    report.extend(session_problems(session, file, translation))
    return session


MetaModel = TypeVar("MetaModel", SessionMeta, ChapterMeta)


def _read_part(path: Path, model: type[MetaModel], origin: str,
               report: ErrorReport) -> tuple[MarkdownFile, MetaModel, list[Section]] | None:
    """A session or chapter file: its front matter validated and its body cut into sections."""
    try:
        file = read_markdown(path, need_front_matter=True)
        meta = validate(model, file.front_matter, path, file.front_matter_line)
        return file, meta, split_sections(file, origin)
    except ContentErrors as exc:
        report.extend(exc.errors)
        return None


def load_sections(path: Path, origin: str) -> tuple[list[Section], dict[str, str]]:
    """A file of `##` sections (an overlay body that replaces or adds sections), and the record of
    the English it was translated from (its only front matter, if any: see translation.py)."""
    file = read_markdown(path, need_front_matter=False)
    meta = validate(SectionFileMeta, file.front_matter, path, file.front_matter_line)
    sections = split_sections(file, origin)
    if not sections or not sections[0].id:
        raise ContentErrors([ContentError(path, file.body_line, "the file must start with a '## Title {#id}' heading",
                                          "a section overlay holds one or more ## sections, each with its ID")])
    return sections, meta.translated_from


_HEADING_ATTRIBUTES = re.compile(r"\s*\{[^{}]*\}\s*$")


def _heading_id_error(file: MarkdownFile, index: int, heading: str, section_id: str) -> ContentError:
    """A `##` heading without a usable ID: an ID that is not valid, a `{…}` that cannot be read, or
    none. The suggested ID is made from the title alone, never from the `{…}`."""
    title = heading.strip().lstrip("#").strip()
    attributes = _HEADING_ATTRIBUTES.search(title)
    slug = re.sub(r"[^a-z0-9]+", "-", _HEADING_ATTRIBUTES.sub("", title).lower()).strip("-") or "section"
    line, column = file.body_line + index, heading.rfind("{") + 1
    if section_id:
        return ContentError(file.path, line, f"the section ID '{section_id}' is not valid",
                            f"use lower-case letters, digits and hyphens, such as {{#{slug}}}", column)
    if attributes and "#" in attributes.group():
        return ContentError(file.path, line, "the {…} at the end of this ## heading cannot be read",
                            f"write it as {{#{slug}}}; a value with spaces or brackets needs double quotes", column)
    return ContentError(file.path, line, "this ## heading has no valid ID",
                        f"end the heading with {{#{slug}}} (lower-case letters, digits, hyphens)")


def split_sections(file: MarkdownFile, origin: str) -> list[Section]:
    """Cut the body at its `##` headings; each heading must carry a stable `{#id}`."""
    lines = split_lines(file.body)
    starts: list[tuple[int, str]] = []
    errors = []
    for token in markdown.parse(file.body):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            section_id = str(token.attrs.get("id", ""))
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", section_id):
                errors.append(_heading_id_error(file, token.map[0], lines[token.map[0]], section_id))
            starts.append((token.map[0], section_id))
    if errors:
        raise ContentErrors(errors)
    sections = []
    if not starts or starts[0][0] > 0:
        head = "".join(lines[: starts[0][0] if starts else len(lines)])
        if head.strip():
            sections.append(Section("", head, file.path, file.body_line, origin))
    for index, (start, section_id) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        sections.append(Section(section_id, "".join(lines[start:end]), file.path, file.body_line + start, origin))
    return sections


def session_problems(session: Session, file: MarkdownFile, translation: bool = False) -> list[ContentError]:
    """Duplicate section IDs, block syntax, step minutes that do not add up, missing parts."""
    problems = section_problems(session.sections)
    if session.is_outline:
        return problems
    has_plan = any(section.id == PLAN_SECTION for section in session.sections)
    if has_plan or not translation:
        problems.extend(_timing_problems(session, file))
    if not translation:
        problems.extend(session_part_problems(session))
    return problems


def section_problems(sections: Sequence[Section]) -> list[ContentError]:
    """Duplicate section IDs and block syntax."""
    problems: list[ContentError] = []
    seen: dict[str, int] = {}
    for section in sections:
        if section.id and section.id in seen:
            problems.append(ContentError(section.path, section.line, f"the section ID '{section.id}' is used twice",
                                         f"it is already used on line {seen[section.id]}; give one a new ID"))
        seen.setdefault(section.id, section.line)
        tokens = markdown.parse(section.source)
        problems.extend(ContentError(section.path, section.line + p.line, p.message, p.hint)
                        for p in markdown.block_problems(tokens, section.source))
    return problems


def steps(section: Section) -> list[Step]:
    """The timed steps (`### … {#id minutes=N}`) of a session-plan section."""
    found = []
    tokens = markdown.parse(section.source)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h3" and token.map:
            minutes = str(token.attrs.get("minutes", ""))
            found.append(Step(str(token.attrs.get("id", "")), tokens[index + 1].content,
                              int(minutes) if minutes.isdecimal() else -1, section.line + token.map[0]))
    return found


def _timing_problems(session: Session, file: MarkdownFile) -> list[ContentError]:
    plan = next((s for s in session.sections if s.id == PLAN_SECTION), None)
    if plan is None:
        return [ContentError(session.path, file.body_line, "the session has no '## Session plan {#plan}' section",
                             "add it, with one '### Step {#id minutes=N}' heading per step")]
    plan_steps = steps(plan)
    problems = [ContentError(plan.path, step.line, f"the step '{step.title}' has no minutes",
                             "end its heading with {#step-id minutes=N}")
                for step in plan_steps if step.minutes < 0]
    total = sum(step.minutes for step in plan_steps if step.minutes > 0)
    if not problems and total != session.meta.duration:
        line = position_of(file.front_matter, ("duration",), (session.meta_line, 1))[0]
        problems.append(ContentError(session.path, line,
                                     f"the steps add up to {total} minutes but the duration is {session.meta.duration}",
                                     "change the duration or the steps' minutes so they match"))
    return problems


def _check_unique(parts: Sequence[Module | Session | Chapter], what: str, report: ErrorReport) -> None:
    """Each ID once; the second file is named at its front matter, and the first by its folder and
    name (the hint cannot know the project root, and a full path would hide the name)."""
    first: dict[str, Path] = {}
    for part in parts:
        if part.id in first:
            earlier = first[part.id]
            report.add(ContentError(part.path, part.meta_line, f"the {what} ID '{part.id}' is used twice",
                                    f"{earlier.parent.name}/{earlier.name} has it too; give one a new ID"))
        first.setdefault(part.id, part.path)
