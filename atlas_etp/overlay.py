"""Overlay stage: apply a country's replace / insert / remove operations by stable ID.

Operations run in the order the country file lists them, each on the result of the ones before,
so an operation may target a session or section an earlier one inserted.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .errors import ContentError, ContentErrors, ErrorReport
from .load import CountryFile, load_sections, load_session
from .model import Guide, Module, Section, Session
from .schema import Override
from .sourcefile import position_of


def apply_overlay(guide: Guide, country: CountryFile) -> Guide:
    """The guide with every override of `country` applied, or every problem found."""
    report = ErrorReport()
    lang_dir = country.folder / guide.lang
    for index, override in enumerate(country.model.overrides):
        line = position_of(country.data, ("overrides", index), (1, 1))[0]
        where = (country.folder / "country.yaml", line)
        try:
            guide = _apply(guide, override, lang_dir, country.key, where)
        except ContentErrors as exc:
            report.extend(exc.errors)
    report.raise_if_any()
    return guide


def _apply(guide: Guide, override: Override, lang_dir: Path, origin: str, where: tuple[Path, int]) -> Guide:
    session_id, _, section_id = override.target.partition("/")
    module = _module_of(guide, session_id, where)
    session = next((s for s in module.sessions if s.id == session_id), None)
    if session is None:
        raise _not_found(override.target, [s.id for s in guide.sessions()], where)
    if section_id:
        return _replace_module(guide, _apply_to_section(module, session, section_id, override, lang_dir, origin, where))
    return _replace_module(guide, _apply_to_session(module, session, override, lang_dir, origin, where))


def _module_of(guide: Guide, session_id: str, where: tuple[Path, int]) -> Module:
    module_id = session_id.split(".")[0]
    for module in guide.modules:
        if module.id == module_id:
            return module
    raise _not_found(session_id, [s.id for s in guide.sessions()], where)


def _apply_to_session(module: Module, session: Session, override: Override, lang_dir: Path,
                      origin: str, where: tuple[Path, int]) -> Module:
    sessions = list(module.sessions)
    index = sessions.index(session)
    if override.operation == "remove":
        del sessions[index]
        return module.with_sessions(sessions)
    report = ErrorReport()
    new = load_session(_overlay_file(lang_dir, override, where), report, origin)
    report.raise_if_any()
    assert new is not None
    if override.operation == "replace":
        sessions[index] = new
    else:
        sessions.insert(index + (override.operation == "insert_after"), new)
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):
        raise ContentErrors([ContentError(new.path, new.meta_line, f"the session ID '{new.id}' is already in the guide",
                                          "give the inserted session an ID no other session has")])
    return module.with_sessions(sessions)


def _apply_to_section(module: Module, session: Session, section_id: str, override: Override, lang_dir: Path,
                      origin: str, where: tuple[Path, int]) -> Module:
    sections = list(session.sections)
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        raise _not_found(override.target, [f"{session.id}/{s.id}" for s in sections if s.id], where)
    new: list[Section] = []
    if override.operation != "remove":
        new = load_sections(_overlay_file(lang_dir, override, where), origin)
    if override.operation == "remove":
        del sections[index]
    elif override.operation == "replace":
        sections[index:index + 1] = new
    else:
        position = index + (override.operation == "insert_after")
        sections[position:position] = new
    taken = [s.id for s in sections if s.id]
    for section in new:
        if taken.count(section.id) > 1:
            raise ContentErrors([ContentError(section.path, section.line,
                                              f"the section ID '{section.id}' is already in session {session.id}",
                                              "give the new section an ID of its own")])
    sessions = [session.with_sections(sections) if s is session else s for s in module.sessions]
    return module.with_sessions(sessions)


def _overlay_file(lang_dir: Path, override: Override, where: tuple[Path, int]) -> Path:
    """The `with:` file, which must be inside the country's language folder."""
    name = str(override.with_)
    path = (lang_dir / name).resolve()
    if not path.is_relative_to(lang_dir.resolve()):
        raise ContentErrors([ContentError(where[0], where[1], f"'with: {name}' points outside {lang_dir}",
                                          f"put the file in {lang_dir} and give its name only")])
    if not path.is_file():
        raise ContentErrors([ContentError(where[0], where[1], f"'with: {name}' — there is no file {lang_dir / name}",
                                          "create it, or check the name; each language needs its own copy")])
    return path


def _not_found(target: str, known: list[str], where: tuple[Path, int]) -> ContentErrors:
    near = difflib.get_close_matches(target, known, n=3, cutoff=0.5)
    hint = ("nearest IDs: " + ", ".join(near)) if near else "run 'atlas-etp list' to see the IDs"
    return ContentErrors([ContentError(where[0], where[1], f"the override target '{target}' does not exist", hint)])


def _replace_module(guide: Guide, module: Module) -> Guide:
    return guide.with_modules([module if m.id == module.id else m for m in guide.modules])
