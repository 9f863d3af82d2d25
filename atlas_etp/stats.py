"""The size of the programme at a glance: sessions, training time and words per module.

Words are counted in the text a reader sees (Markdown markup and registry variables left out),
so the figures track the writing, not the syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .markdown import parse
from .model import Chapter, Guide, Module, Section

WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")  # don't, well-being: one word each
VARIABLE = re.compile(r"\{\{.*?\}\}|\{##.*?##\}", re.DOTALL)


@dataclass(frozen=True)
class PartStats:
    """One row of the table: a module, or the chapters around the modules."""

    id: str
    title: str
    sessions: int
    outlines: int
    minutes: int
    words: int


def programme_stats(guide: Guide) -> list[PartStats]:
    """A row per module, then one for the front matter and annexes."""
    rows = [_module_row(module) for module in guide.modules]
    chapters: list[Chapter] = [*guide.front, *guide.annexes]
    rows.append(PartStats("-", "Front matter and annexes", 0, 0, 0,
                          sum(_words(chapter.sections) for chapter in chapters)))
    return rows


def _module_row(module: Module) -> PartStats:
    sessions = module.sessions
    words = _words([module.intro]) + sum(_words(session.sections) for session in sessions)
    return PartStats(module.id, module.meta.title, len(sessions), sum(s.is_outline for s in sessions),
                     sum(s.meta.duration for s in sessions), words)


def _words(sections: Iterable[Section]) -> int:
    return sum(count_words(section.source) for section in sections)


def count_words(markdown_text: str) -> int:
    """Words in the readable text of a Markdown source."""
    total = 0
    for token in parse(VARIABLE.sub(" x ", markdown_text)):
        if token.type == "inline":
            total += sum(len(WORD.findall(child.content)) for child in token.children or ()
                         if child.type in ("text", "code_inline"))
        elif token.type.startswith("container_") and token.nesting == 1:
            total += len(WORD.findall(token.info.partition(" ")[2]))  # the block's title
    return total
