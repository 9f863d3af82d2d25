"""Translation state: is each piece of a translation up to date with the English it came from?

A translated file records, in its front matter, the fingerprint of each English *unit* it was
translated from. A unit is a file's front matter (title, objectives, materials…), its text before
the first `##` heading ("intro"), or one `##` section (by its ID):

    translated_from:
      front-matter: 3f2a9c1b4d5e
      plan: 9c1b4d5e6f70
      national-law: 0a1b2c3d4e5f

`atlas-etp review-translation` writes this record after a translator has checked the text
(translation_status.py). When the English unit changes later its fingerprint no longer matches and
the translated unit is *stale*: the build marks it and `check --release` refuses it. A unit the
translation lacks is *missing*: the English text stands in for it, marked as untranslated, so a
trainer still has the whole guide. English is the reference of every text, national text included.

The functions here only compare and merge parts that are already loaded; they read no file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from .errors import ContentError
from .model import Module, Part, Section, TranslationState
from .sourcefile import fingerprint

if TYPE_CHECKING:
    from pathlib import Path

FRONT_MATTER = "front-matter"
INTRO = "intro"

AnyPart = TypeVar("AnyPart", bound=Part)


class Identified(Protocol):
    """A module, session or chapter: what merging finds by ID and reports by file and line."""

    @property
    def id(self) -> str: ...

    path: Path
    meta_line: int


Item = TypeVar("Item", bound=Identified)


def unit_key(section: Section) -> str:
    return section.id or INTRO


def state_of(record: Mapping[str, str], key: str, english_fingerprint: str) -> TranslationState:
    """Current when the translation records the English unit as it is now; stale otherwise (also
    when it records nothing, for nobody has said which English it follows)."""
    return TranslationState.current if record.get(key) == english_fingerprint else TranslationState.stale


def untranslated(sections: Sequence[Section]) -> list[Section]:
    """English sections standing in for a translation not made yet."""
    return [replace(section, translation=TranslationState.missing) for section in sections]


def translated_sections(english: Sequence[Section], translated: Sequence[Section],
                        record: Mapping[str, str]) -> tuple[list[Section], list[ContentError]]:
    """The English run of sections, each replaced by its translation where there is one.

    The translation may lack sections (the English stands in) but may not add or reorder them:
    overlays and the English find sections by ID, in order.
    """
    problems = _order_problems(english, translated)
    have = {unit_key(section): section for section in translated}
    merged = []
    for section in english:
        key = unit_key(section)
        twin = have.get(key)
        if twin is None:
            merged.append(replace(section, translation=TranslationState.missing))
        else:
            merged.append(replace(twin, translation=state_of(record, key, fingerprint(section.source))))
    return merged, problems


def translated_part(english: AnyPart, translated: AnyPart | None) -> tuple[AnyPart, list[ContentError]]:
    """A session or chapter of a translation, merged with its English (see translated_sections).

    A translation still in outline while the English is written counts as not translated: the
    written English serves a trainer better than a translated outline.
    """
    if translated is None or (translated.is_outline and not english.is_outline):
        return replace(english, sections=tuple(untranslated(english.sections)),
                       translation=TranslationState.missing), []
    record = translated.meta.translated_from
    sections, problems = translated_sections(english.sections, translated.sections, record)
    front = state_of(record, FRONT_MATTER, english.front_fingerprint)
    return replace(translated, sections=tuple(sections), translation=front), problems


def translated_module(english: Module, translated: Module | None) -> tuple[Module, list[ContentError]]:
    """A module of a translation: its title and intro, and each session merged with its English."""
    if translated is None:
        sessions = [translated_part(session, None)[0] for session in english.sessions]
        return replace(english, intro=replace(english.intro, translation=TranslationState.missing),
                       sessions=tuple(sessions), translation=TranslationState.missing), []
    sessions, problems = merged_by_id(english.sessions, translated.sessions, translated_part, "session")
    record = translated.meta.translated_from
    if translated.intro.source.strip() or not english.intro.source.strip():
        intro = replace(translated.intro, translation=state_of(record, INTRO, fingerprint(english.intro.source)))
    else:
        intro = replace(english.intro, translation=TranslationState.missing)
    return replace(translated, intro=intro, sessions=tuple(sessions),
                   translation=state_of(record, FRONT_MATTER, english.front_fingerprint)), problems


def merged_by_id(english: Sequence[Item], translated: Sequence[Item],
                 merge: Callable[[Item, Item | None], tuple[Item, list[ContentError]]],
                 kind: str) -> tuple[list[Item], list[ContentError]]:
    """Each English item merged with the translated item of the same ID (or None). A translation
    has the English items only: any other is an error."""
    known = {item.id for item in english}
    problems = [ContentError(item.path, item.meta_line, f"there is no English {kind} '{item.id}'",
                             f"a translation has the English {kind}s only: rename or remove this file")
                for item in translated if item.id not in known]
    have = {item.id: item for item in translated}
    result = []
    for item in english:
        merged, found = merge(item, have.get(item.id))
        result.append(merged)
        problems.extend(found)
    return result, problems


def _order_problems(english: Sequence[Section], translated: Sequence[Section]) -> list[ContentError]:
    """Each translated section exists in the English, and they come in the English order."""
    order = {unit_key(section): index for index, section in enumerate(english)}
    problems = [ContentError(section.path, section.line, f"the section '{section.id}' is not in the English text",
                             "use the English section IDs (they are never translated): "
                             + ", ".join(section.id for section in english if section.id))
                for section in translated if unit_key(section) not in order]
    positions = [order[unit_key(section)] for section in translated if unit_key(section) in order]
    if not problems and positions != sorted(positions):
        first = translated[0]
        problems.append(ContentError(first.path, first.line, "the sections are not in the English order",
                                     "put them in this order: "
                                     + ", ".join(section.id for section in english if section.id)))
    return problems
