"""The content model: plain data passed from stage to stage (Guide → Module → Session → Section).

Text stays raw Markdown (with Jinja variables) until the render stage, and every piece remembers
the file and line it came from, so any later stage can still point a writer at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from .schema import ChapterMeta, GuideMeta, ModuleMeta, SessionMeta

GLOBAL_ORIGIN = "global"


class TranslationState(StrEnum):
    """How a piece of text stands against the English it was translated from (translation.py)."""

    original = "original"  # written in this language: the English source, or national text without an English twin
    current = "current"  # translated from the English as it is now
    stale = "stale"  # the English changed after the translation was last reviewed
    missing = "missing"  # not translated: the English text stands in for it


@dataclass(frozen=True)
class Section:
    """A `##` section of a session (id "" for the text before the first `##` heading)."""

    id: str
    source: str
    path: Path
    line: int
    origin: str = GLOBAL_ORIGIN
    stale: bool = False  # national text whose global counterpart changed since it was reviewed
    translation: TranslationState = TranslationState.original


@dataclass(frozen=True)
class Step:
    """A timed step of a session plan: a `###` heading with `minutes=N`."""

    id: str
    title: str
    minutes: int
    line: int


@dataclass(frozen=True)
class Part:
    """A file of `##` sections with front matter: a session, or a chapter around the modules."""

    meta: SessionMeta | ChapterMeta
    sections: tuple[Section, ...]
    path: Path
    meta_line: int
    front_fingerprint: str = ""  # of the front matter as written (see sourcefile.front_matter_fingerprint)
    translation: TranslationState = TranslationState.original  # of the front matter: title, objectives, …

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def untranslated(self) -> bool:
        """The whole part is the English text, standing in for a translation not made yet."""
        return self.translation is TranslationState.missing

    @property
    def is_outline(self) -> bool:
        return self.meta.status == "outline"


@dataclass(frozen=True)
class Session(Part):
    meta: SessionMeta
    origin: str = GLOBAL_ORIGIN

    def with_sections(self, sections: list[Section]) -> Session:
        return replace(self, sections=tuple(sections))


@dataclass(frozen=True)
class Chapter(Part):
    """A chapter around the modules: front matter (how to use the guide) or an annex."""

    meta: ChapterMeta


@dataclass(frozen=True)
class Module:
    meta: ModuleMeta
    intro: Section
    sessions: tuple[Session, ...]
    path: Path
    meta_line: int = 1
    front_fingerprint: str = ""
    translation: TranslationState = TranslationState.original  # of its title and objectives

    @property
    def id(self) -> str:
        return self.meta.id

    def with_sessions(self, sessions: list[Session]) -> Module:
        return replace(self, sessions=tuple(sessions))


@dataclass(frozen=True)
class Guide:
    """The global body in one language, before or after a country's overlay."""

    lang: str
    meta: GuideMeta
    modules: tuple[Module, ...] = field(default_factory=tuple)
    front: tuple[Chapter, ...] = field(default_factory=tuple)
    annexes: tuple[Chapter, ...] = field(default_factory=tuple)

    def sessions(self) -> list[Session]:
        return [session for module in self.modules for session in module.sessions]

    def with_modules(self, modules: list[Module]) -> Guide:
        return replace(self, modules=tuple(modules))
