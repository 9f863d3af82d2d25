"""What a written session must contain, so a facilitator can run it from the page.

An outline is exempt (it prints as an outline and fails the release check instead). The parts
follow the ETP's session pattern: a timed plan, background for the facilitator, facilitator
notes, a participatory activity, key messages, and assessment questions with model answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from .assessment import ASSESSMENT_SECTION, read_assessment
from .errors import ContentError
from .markdown import parse
from .model import Section, Session

MIN_QUESTIONS = 3

REQUIRED_SECTIONS = {
    "plan": "## Session plan {#plan}",
    "background": "## Background for the facilitator {#background}",
    "key-messages": "## Key messages {#key-messages}",
    ASSESSMENT_SECTION: "## Assessment questions {#assessment}",
}

# Each entry: the block types of which at least one must appear, and the fix to suggest.
REQUIRED_BLOCKS = (
    (("facilitator-note",), "add a '::: facilitator-note' block: what to watch for, misconceptions, disclosures"),
    (("activity", "case-study"), "add a participatory '::: activity' or '::: case-study' block to a step"),
    (("key-messages",), "add a '::: key-messages' block to the key-messages section"),
)


def session_part_problems(session: Session) -> list[ContentError]:
    """Every required part the session lacks, each pointing at where to add it."""
    if session.is_outline:
        return []
    problems = _front_matter_problems(session)
    have = {section.id: section for section in session.sections}
    tokens = {section.id: parse(section.source) for section in session.sections}
    for section_id, heading in REQUIRED_SECTIONS.items():
        if section_id not in have:
            problems.append(ContentError(session.path, session.meta_line, f"the session has no {heading} section",
                                         "see docs/authoring.md for the parts of a session"))
    block_types = {_block_type(token.type) for section_tokens in tokens.values()
                   for token in section_tokens if token.type.startswith("container_")}
    for kinds, hint in REQUIRED_BLOCKS:
        if not block_types.intersection(kinds):
            problems.append(ContentError(session.path, session.meta_line,
                                         f"the session has no {' or '.join(kinds)} block", hint))
    if ASSESSMENT_SECTION in have:
        problems.extend(_assessment_problems(have[ASSESSMENT_SECTION], tokens[ASSESSMENT_SECTION]))
    return problems


def _front_matter_problems(session: Session) -> list[ContentError]:
    return [ContentError(session.path, session.meta_line, f"the session lists no {key}",
                         f"add '{key}:' to the front matter with at least one item")
            for key in ("materials", "methods") if not getattr(session.meta, key)]


def _block_type(token_type: str) -> str:
    return token_type.removeprefix("container_").removesuffix("_open").removesuffix("_close")


def _assessment_problems(section: Section, tokens: Sequence[Token]) -> list[ContentError]:
    assessment = read_assessment(tokens)
    count = len(assessment.questions)
    if count < MIN_QUESTIONS:
        return [ContentError(section.path, section.line, f"the session has {count} assessment question(s)",
                             f"write at least {MIN_QUESTIONS}, as a numbered list")]
    if not assessment.has_answer_block:
        return [ContentError(section.path, section.line, "the assessment questions have no '::: answer-key' block",
                             "add one after the questions, with a numbered model answer for each")]
    if len(assessment.answers) != count:
        return [ContentError(section.path, section.line,
                             f"{count} questions but {len(assessment.answers)} numbered answers in the answer key",
                             "give one numbered model answer per question, in the same order")]
    return []
