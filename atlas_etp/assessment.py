"""Assessment questions and their model answers, found in a session's `## Assessment` section.

A session lists its questions as a numbered list and answers them in one `::: answer-key` block
with a numbered list in the same order. The check counts both lists; the test bank takes the
first question of every session (with its answer) for the course pre-test and post-test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

ASSESSMENT_SECTION = "assessment"
ANSWER_BLOCK = "container_answer-key_open"


@dataclass(frozen=True)
class ItemSpan:
    """The tokens of one list item: tokens[start:end] renders it."""

    start: int
    end: int
    line: int  # 0-based line of the item in the parsed text


@dataclass(frozen=True)
class Assessment:
    questions: tuple[ItemSpan, ...]
    answers: tuple[ItemSpan, ...]
    has_answer_block: bool


def read_assessment(tokens: Sequence[Token]) -> Assessment:
    """The questions (the first numbered list outside any block) and the answers (the first
    numbered list inside the answer-key block)."""
    questions: tuple[ItemSpan, ...] = ()
    answers: tuple[ItemSpan, ...] = ()
    container: str | None = None
    has_answer_block = False
    for index, token in enumerate(tokens):
        if token.type.startswith("container_"):
            container = token.type if token.nesting == 1 else None
            has_answer_block = has_answer_block or token.type == ANSWER_BLOCK
        elif token.type == "ordered_list_open":
            if container is None and not questions:
                questions = _items(tokens, index)
            elif container == ANSWER_BLOCK and not answers:
                answers = _items(tokens, index)
    return Assessment(questions, answers, has_answer_block)


def _items(tokens: Sequence[Token], list_index: int) -> tuple[ItemSpan, ...]:
    """The direct items of the list that opens at `list_index`."""
    level = tokens[list_index].level
    items = []
    start = None
    for index in range(list_index + 1, len(tokens)):
        token = tokens[index]
        if token.type == "ordered_list_close" and token.level == level:
            break
        if token.level != level + 1:
            continue
        if token.type == "list_item_open":
            start = index
        elif token.type == "list_item_close" and start is not None:
            line = tokens[start].map[0] if tokens[start].map else 0
            items.append(ItemSpan(start + 1, index, line))
            start = None
    return tuple(items)
