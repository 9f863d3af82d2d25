"""Overlay stage: apply a country's replace / insert / remove operations by stable ID.

Operations run in the order the country file lists them, each on the result of the ones before,
so an operation may target a session or section an earlier one inserted.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path

from .errors import ContentError, ContentErrors, ErrorReport, did_you_mean
from .load import CountryFile, load_sections, load_session
from .model import Guide, Module, Section, Session
from .project import SOURCE_LANGUAGE
from .schema import Override
from .sourcefile import position_of
from .translation import translated_part, translated_sections, untranslated


def apply_overlay(guide: Guide, country: CountryFile, stale: frozenset[str] = frozenset()) -> Guide:
    """The guide with every override of `country` applied, or every problem found.

    National text from an override whose target is in `stale` (see drift.py) is marked as such.
    """
    report = ErrorReport()
    lang_dir = country.folder / guide.lang
    for index, override in enumerate(country.model.overrides):
        line = position_of(country.data, ("overrides", index), (1, 1))[0]
        where = (country.folder / "country.yaml", line)
        try:
            guide = _apply(guide, override, lang_dir, country.key, where, override.target in stale)
        except ContentErrors as exc:
            report.extend(exc.errors)
    report.raise_if_any()
    return guide


def _apply(guide: Guide, override: Override, lang_dir: Path, origin: str, where: tuple[Path, int],
           stale: bool) -> Guide:
    session_id, slash, section_id = override.target.partition("/")
    module = _module_of(guide, session_id, where)
    session = next((s for s in module.sessions if s.id == session_id), None)
    if session is None or (slash and not section_id):  # "m1.s01/" names no section: not the whole session
        raise _not_found(override.target, [s.id for s in guide.sessions()], where)
    if section_id:
        return _replace_module(guide, _apply_to_section(module, session, section_id, override, lang_dir, origin, where,
                                                        stale))
    return _replace_module(guide, _apply_to_session(module, session, override, lang_dir, origin, where, stale))


def _module_of(guide: Guide, session_id: str, where: tuple[Path, int]) -> Module:
    module_id = session_id.split(".")[0]
    for module in guide.modules:
        if module.id == module_id:
            return module
    raise _not_found(session_id, [s.id for s in guide.sessions()], where)


def _apply_to_session(module: Module, session: Session, override: Override, lang_dir: Path,
                      origin: str, where: tuple[Path, int], stale: bool) -> Module:
    sessions = list(module.sessions)
    index = sessions.index(session)
    if override.operation == "remove":
        del sessions[index]
        return module.with_sessions(sessions)
    new = _national_session(overlay_files(lang_dir, override, where), origin)
    if not new.id.startswith(module.id + "."):
        raise ContentErrors([ContentError(new.path, new.meta_line,
                                          f"the session '{new.id}' would be placed in module {module.id}",
                                          f"give it an ID of module {module.id}, such as {module.id}.s51")])
    new = new.with_sections(_marked(list(new.sections), stale))
    if override.operation == "replace":
        sessions[index] = new
    else:
        sessions.insert(index + (override.operation == "insert_after"), new)
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):
        raise ContentErrors([ContentError(new.path, new.meta_line, f"the session ID '{new.id}' is already in the guide",
                                          "give the inserted session an ID no other session has")])
    return module.with_sessions(sessions)


def load_override_session(path: Path, origin: str, translation: bool = False) -> Session:
    """A whole-session override file, or every problem in it raised."""
    report = ErrorReport()
    session = load_session(path, report, origin, translation)
    report.raise_if_any()
    assert session is not None
    return session


def _apply_to_section(module: Module, session: Session, section_id: str, override: Override, lang_dir: Path,
                      origin: str, where: tuple[Path, int], stale: bool) -> Module:
    sections = list(session.sections)
    operation = override.operation
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        raise _not_found(override.target, [f"{session.id}/{s.id}" for s in sections if s.id], where)
    new: list[Section] = []
    if operation != "remove":
        new = _marked(_national_sections(overlay_files(lang_dir, override, where), origin), stale)
    if operation == "remove":
        del sections[index]
    elif operation == "replace":
        sections[index:index + 1] = new
    else:
        position = index + (operation == "insert_after")
        sections[position:position] = new
    taken = [s.id for s in sections if s.id]
    for section in new:
        if taken.count(section.id) > 1:
            raise ContentErrors([ContentError(section.path, section.line,
                                              f"the section ID '{section.id}' is already in session {session.id}",
                                              "give the new section an ID of its own")])
    sessions = [session.with_sections(sections) if s is session else s for s in module.sessions]
    return module.with_sessions(sessions)


def _marked(sections: list[Section], stale: bool) -> list[Section]:
    """The first section carries the drift mark the edition prints above the national text (an
    outline session may have no section, and then nothing to mark)."""
    return [dataclasses.replace(sections[0], stale=stale), *sections[1:]] if sections else []


def _national_session(files: tuple[Path | None, Path], origin: str) -> Session:
    """A whole national session in the edition's language, merged with its English (translation.py)."""
    path, english_path = files
    english = load_override_session(english_path, origin)
    if path == english_path:
        return english
    translated = load_override_session(path, origin, translation=True) if path else None
    if translated is not None and translated.id != english.id:
        raise ContentErrors([ContentError(translated.path, translated.meta_line,
                                          f"this translation has the ID '{translated.id}', its English '{english.id}'",
                                          f"use id: {english.id} (IDs are never translated)")])
    session, problems = translated_part(english, translated)
    if problems:
        raise ContentErrors(problems)
    return session


def _national_sections(files: tuple[Path | None, Path], origin: str) -> list[Section]:
    """National sections in the edition's language, merged with their English (translation.py)."""
    path, english_path = files
    english, _ = load_sections(english_path, origin)
    if path == english_path:
        return english
    if path is None:
        return untranslated(english)
    translated, record = load_sections(path, origin)
    sections, problems = translated_sections(english, translated, record)
    if problems:
        raise ContentErrors(problems)
    return sections


def overlay_files(lang_dir: Path, override: Override, where: tuple[Path, int]) -> tuple[Path | None, Path]:
    """The `with:` file in the edition's language (None if not translated yet) and its English
    original, which every national text has: it is the reference of the translations and stands
    in for them until they exist. Both must be inside the country's language folders.

    The messages name the English folder whatever the edition, so that a mistake is reported once,
    not once per language."""
    name = str(override.with_)
    english_dir = lang_dir.parent / SOURCE_LANGUAGE
    translated, english = (_national_file(folder, name, english_dir, where) for folder in (lang_dir, english_dir))
    if english is None:
        names = sorted(path.name for path in english_dir.glob("*.md"))
        raise ContentErrors([ContentError(where[0], where[1], f"there is no file '{name}' in {_shown(english_dir)}/",
                                          "every national text is written in English first (the reference of its "
                                          "translations): create it there, or check the name ("
                                          + did_you_mean(name, names, "file names") + ")")])
    return translated, english


def _national_file(folder: Path, name: str, english_dir: Path, where: tuple[Path, int]) -> Path | None:
    """The file `name` in `folder`, or None if there is none; an error if the name leads outside
    `folder` (by `..`, an absolute path or a link) or is no name a file can have."""
    def refused(message: str, hint: str) -> ContentErrors:
        return ContentErrors([ContentError(where[0], where[1], message, hint)])

    written = Path(os.path.normpath(folder / name))
    try:
        path = (folder / name).resolve()
        inside = path.is_relative_to(folder.resolve())
        exists = inside and path.is_file()
    except (OSError, ValueError):
        raise refused(f"'with: {name[:60]!r}' is not a file name",
                      f"give the name of a Markdown file in {_shown(english_dir)}/") from None
    if not inside and written.is_relative_to(folder):
        raise refused(f"'with: {name}' is a link to {path}, outside the country's folder",
                      "copy the file into the folder instead of linking to it")
    if not inside:
        raise refused(f"'with: {name}' names a file outside the country's language folders",
                      f"put the file in {_shown(english_dir)}/ (its translations in the other language folders) and "
                      "write its name only, such as 'with: key-messages.md'")
    return path if exists else None


def _shown(folder: Path) -> str:
    """content/<country>/<lang>, as the writer sees it from the project folder."""
    return folder.relative_to(folder.parents[2]).as_posix()


def _not_found(target: str, known: list[str], where: tuple[Path, int]) -> ContentErrors:
    near = difflib.get_close_matches(target, known, n=3, cutoff=0.5)
    hint = ("nearest IDs: " + ", ".join(near)) if near else "run 'atlas-etp list' to see the IDs"
    return ContentErrors([ContentError(where[0], where[1], f"the override target '{target}' does not exist", hint)])


def _replace_module(guide: Guide, module: Module) -> Guide:
    return guide.with_modules([module if m.id == module.id else m for m in guide.modules])
