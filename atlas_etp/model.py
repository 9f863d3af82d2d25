"""The content model: plain data passed from stage to stage (Guide → Module → Session → Section).

Text stays raw Markdown (with Jinja variables) until the render stage, and every piece remembers
the file and line it came from, so any later stage can still point a writer at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .schema import ChapterMeta, GuideMeta, ModuleMeta, SessionMeta

GLOBAL_ORIGIN = "global"


@dataclass(frozen=True)
class Section:
    """A `##` section of a session (id "" for the text before the first `##` heading)."""

    id: str
    source: str
    path: Path
    line: int
    origin: str = GLOBAL_ORIGIN
    stale: bool = False  # national text whose global counterpart changed since it was reviewed
    untranslated: bool = False  # national text in English, standing in for a translation not made yet


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

    @property
    def id(self) -> str:
        return self.meta.id

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
    """A chapter around the modules: front matter (how to use the guide) or an annex.

    `fallback` is set when a translation lacks the chapter and the English text stands in for it;
    the edition then says so on the page.
    """

    meta: ChapterMeta
    fallback: bool = False


@dataclass(frozen=True)
class Module:
    meta: ModuleMeta
    intro: Section
    sessions: tuple[Session, ...]
    path: Path

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
