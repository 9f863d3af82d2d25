"""Render stage: expand registry variables with sandboxed Jinja, then Markdown → HTML fragments.

Content Markdown is a Jinja template. It runs in a SandboxedEnvironment with StrictUndefined, so a
misspelt variable is an error, not an empty string, and content cannot reach Python internals.
Jinja's comment marker `{#` would swallow heading IDs (`{#indicators}`), so content comments are
`{## … ##}` instead.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, TypeVar

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from . import markdown, pathway
from .agenda import Day, lay_out
from .assessment import ASSESSMENT_SECTION, read_assessment
from .errors import ContentError, ContentErrors, ErrorReport
from .i18n import format_minutes, translations
from .limits import LimitExceeded
from .load import PLAN_SECTION, steps
from .model import GLOBAL_ORIGIN, Chapter, Guide, Module, Section, Session, Step, TranslationState
from .project import SOURCE_LANGUAGE, Project
from .registry import RegistryError, registry_globals
from .registry_report import FactRow, fact_rows
from .schema import AUDIENCES, Country, GuideMeta, SessionMeta
from .sourcefile import split_lines

FULL_COURSE = "full"
UNFINISHED = (TranslationState.stale, TranslationState.missing)  # translation states a release refuses
T = TypeVar("T")
TEMPLATE_NAME = "<template>"  # the file name Jinja gives templates made with from_string


def block_labels(gettext: Any) -> dict[str, str]:
    """The label printed on each typed block, in the edition's language."""
    _ = gettext
    return {
        "facilitator-note": _("Facilitator note"),
        "activity": _("Activity"),
        "case-study": _("Case study"),
        "handout": _("Handout"),
        "key-messages": _("Key messages"),
        "answer-key": _("Answer key"),
        "audience": _("Only for"),
    }


def audience_names(gettext: Any) -> dict[str, str]:
    """Audience keys (front matter, `::: audience …`) as the edition's language names them."""
    _ = gettext
    names = {
        "labour-inspectors": _("Labour inspectors"),
        "police": _("Police"),
        "prosecutors": _("Prosecutors"),
        "judges": _("Judges"),
        "social-workers": _("Social workers"),
        "ngos": _("NGOs"),
    }
    assert set(names) == set(AUDIENCES)
    return names


def audience_block_labels(gettext: Any) -> dict[str, str]:
    """The label of an `::: audience judges` block: "Only for: Judges"."""
    only_for = gettext("Only for")
    return {key: f"{only_for}: {name}" for key, name in audience_names(gettext).items()}


def pathway_labels(gettext: Any) -> pathway.PathwayLabels:
    _ = gettext
    return pathway.PathwayLabels(coordination=_("Coordination"), agency=_("Agency"), role=_("Role"),
                                 refers_to=_("Refers cases to"), unconfirmed=_("Awaiting legal review"),
                                 description=_("The referral pathway: arrows show which agency refers cases to "
                                               "which. The table below lists the same links."))


@dataclass(frozen=True)
class TestItem:
    """A session's first assessment question and its model answer: one item of the pre/post test."""

    question_html: str
    answer_html: str


@dataclass(frozen=True)
class RenderedSession:
    id: str
    anchor: str
    meta: SessionMeta
    html: str
    participant_html: str  # its case studies, activities, handouts and key messages (the workbook's)
    steps: tuple[Step, ...]
    is_outline: bool
    origin: str
    translation: str = TranslationState.original  # of its title and objectives (translation.py)
    number: str = ""  # what a reader sees: session m1.s02 is "1.2" (see session_numbers)
    test_item: TestItem | None = None


@dataclass(frozen=True)
class RenderedModule:
    id: str
    anchor: str
    title: str
    objectives: tuple[str, ...]
    intro_html: str
    sessions: tuple[RenderedSession, ...]
    translation: str = TranslationState.original

    @property
    def number(self) -> int:
        """Module m3 is Module 3."""
        return int(self.id[1:])

    @property
    def is_outline(self) -> bool:
        return all(session.is_outline for session in self.sessions)


@dataclass(frozen=True)
class RenderedChapter:
    id: str
    anchor: str
    title: str
    html: str
    is_outline: bool
    translation: str = TranslationState.original


@dataclass(frozen=True)
class Course:
    """A course laid out in days: the full programme, or a shorter course from guide.yaml."""

    id: str
    audiences: tuple[str, ...]
    planned_days: int | None
    days: tuple[Day, ...]
    session_count: int
    session_minutes: int


@dataclass(frozen=True)
class RenderedGuide:
    """Everything the publish stage needs for one country-and-language edition."""

    lang: str
    country_key: str
    country_name: str
    paper: str
    meta: GuideMeta
    modules: tuple[RenderedModule, ...]
    languages: tuple[str, ...] = ()  # every language of the country, for links between them
    thai_digits: bool = False  # see i18n.with_thai_digits
    front: tuple[RenderedChapter, ...] = ()
    annexes: tuple[RenderedChapter, ...] = ()
    courses: tuple[Course, ...] = ()
    facts: tuple[FactRow, ...] = ()
    marked_texts: int = 0  # sections printed with a "stale" or "not yet translated" note

    def sessions(self) -> list[RenderedSession]:
        return [s for m in self.modules for s in m.sessions]

    def session(self, session_id: str) -> RenderedSession:
        return next(s for s in self.sessions() if s.id == session_id)

    def module(self, number: int) -> RenderedModule:
        return next(m for m in self.modules if m.number == number)

    @property
    def has_outlines(self) -> bool:
        """A guide with outlines, or with text marked as stale or not yet translated, is a draft, and
        its cover says so."""
        parts = (*self.front, *self.annexes, *self.modules, *self.sessions())
        return self.marked_texts > 0 or any(
            part.is_outline or part.translation in UNFINISHED for part in parts)

    @property
    def test_items(self) -> list[RenderedSession]:
        """The sessions that give an item to the pre/post test, in programme order."""
        return [session for session in self.sessions() if session.test_item]


MAX_REPEAT = 10_000  # `"-" * 40` draws a rule; nothing in a guide repeats a text more than this
MAX_EXPONENT = 64  # `2 ** 10` is arithmetic; `9 ** 9 ** 9` would keep a core busy for hours


class ContentSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no Python internals) that also refuses the two operators a single short
    expression can turn into hours of work or gigabytes of text: repeating a text or list (`*`) and
    raising to a power (`**`). Loops are bounded by the sandbox's own range limit and by the
    render's time limit."""

    intercepted_binops = frozenset(("*", "**"))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _is_number(right) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"the power {right!r} is too large (at most {MAX_EXPONENT})")
        if operator == "*":
            count = right if isinstance(left, str | list | tuple) else left
            if _is_number(count) and count > MAX_REPEAT:
                raise SecurityError(f"repeating something {count!r} times is too many (at most {MAX_REPEAT:,})")
        return super().call_binop(context, operator, left, right)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def content_environment() -> SandboxedEnvironment:
    return ContentSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        comment_start_string="{##",
        comment_end_string="##}",
    )


MemoEntry = tuple[Any, list[ContentError], int]  # a value, the problems found making it, the notes it printed


@dataclass
class RenderMemo:
    """Sections rendered by an earlier render of the same edition in this process, with the
    problems found then: a live preview (serve.py) re-renders only the sections a save changed.

    A section's HTML depends on its text and place and on the edition (language, country file);
    `begin` is given the edition's, and a different one empties the memo. What a render did not
    use (the old text of a section since edited) is forgotten at the next, so a preview left
    running all day does not grow. Images are checked on disk while rendering, so whoever keeps a
    memo must `clear` it when an image changes.
    """

    context: tuple[object, ...] = ()
    tables: dict[str, dict[Hashable, MemoEntry]] = field(default_factory=dict)
    used: dict[str, set[Hashable]] = field(default_factory=dict)

    def begin(self, context: tuple[object, ...]) -> None:
        """A render of the edition `context` starts."""
        if context != self.context:
            self.context, self.tables = context, {}
        self.tables = {name: {key: entry for key, entry in table.items() if key in self.used.get(name, ())}
                       for name, table in self.tables.items()}
        self.used = {}

    def table(self, name: str) -> dict[Hashable, MemoEntry]:
        return self.tables.setdefault(name, {})

    def use(self, name: str, key: Hashable) -> None:
        self.used.setdefault(name, set()).add(key)

    def clear(self) -> None:
        self.tables = {}


class SectionRenderer:
    """Renders the content of one edition; collects every problem instead of stopping at the first."""

    def __init__(self, project: Project, country: Country, country_key: str, lang: str,
                 memo: RenderMemo | None = None):
        self.memo = memo
        if memo is not None:
            memo.begin((project.root, country_key, lang, country.model_dump_json()))
        self.jinja = content_environment()
        self.names = registry_globals(country, country_key, lang)
        gettext = translations(lang).gettext
        self.env = markdown.RenderEnv(
            labels=block_labels(gettext),
            audience_labels=audience_block_labels(gettext),
            minutes_label=lambda minutes: format_minutes(minutes, lang),
            allowed_dirs=(project.content,),
            pathway=lambda title: pathway.figure(country.registry, lang, title, pathway_labels(gettext)),
        )
        self.report = ErrorReport()
        self.stale_note = gettext("Awaiting review: the global text this national text was written for has changed "
                                  "since the national text was last reviewed. Check that it still fits.")
        self.translation_notes = {
            TranslationState.stale: gettext("The English text of this section has changed since it was translated: "
                                            "check the translation and bring it up to date."),
            TranslationState.missing: gettext("Not yet translated: the English text is shown."),
        }
        self.drafts = 0  # sections printed with one of those notes

    def section(self, section: Section, anchor: str, text: str | None = None, heading_shift: int = 1,
                whole_part_marked: bool = False) -> str:
        """HTML for a section (`text`: its Markdown with variables already filled in). Its notes
        are left to the part's heading when the whole part is untranslated (`whole_part_marked`)."""
        return self.section_views(section, anchor, text, heading_shift, whole_part_marked)[0]

    def section_views(self, section: Section, anchor: str, text: str | None = None, heading_shift: int = 1,
                      whole_part_marked: bool = False) -> tuple[str, str]:
        """The section for the facilitator, and what of it participants get: its case studies,
        activities, handouts and key messages ("" when it has none)."""
        text = self.expand(section) if text is None else text
        key = (text, section, anchor, heading_shift, whole_part_marked)
        return self._remembered("views", key, lambda: self._views(section, anchor, text, heading_shift,
                                                                  whole_part_marked))

    def _views(self, section: Section, anchor: str, text: str, heading_shift: int,
               whole_part_marked: bool) -> tuple[str, str]:
        try:
            return self._section_html(section, anchor, text, heading_shift, whole_part_marked)
        except LimitExceeded as exc:
            raise _stopped_in(section, exc) from None

    def _section_html(self, section: Section, anchor: str, text: str, heading_shift: int,
                      whole_part_marked: bool) -> tuple[str, str]:
        self.env.id_prefix = anchor
        self.env.heading_shift = heading_shift
        self.env.base_dir = section.path.parent
        self.env.problems = []
        rendered = markdown.render(text, self.env, f"{anchor}-{section.id or 'intro'}", markdown.PARTICIPANT_BLOCKS)
        self.report.extend(ContentError(section.path, section.line + p.line, p.message, p.hint)
                           for p in self.env.problems)
        notes = [self.stale_note] if section.stale else []
        if not whole_part_marked and section.translation in self.translation_notes:
            notes.append(self.translation_notes[section.translation])
        self.drafts += bool(notes)
        handout = "handout" in rendered.block_kinds
        participant = self._framed(section, rendered.blocks_html, notes, handout) if rendered.blocks_html else ""
        return self._framed(section, rendered.html, notes, handout), participant

    def _framed(self, section: Section, html: str, notes: list[str], handout: bool) -> str:
        """The section's HTML with its notes above it, marked as English when it stands in for a
        missing translation, as national text, and as a page of its own when it holds a handout
        (to be photocopied)."""
        if section.translation is TranslationState.missing:
            html = f'<div lang="{SOURCE_LANGUAGE}">\n{html}</div>\n'
        html = "".join(f'<p class="stale-banner">{escape(note)}</p>\n' for note in notes) + html
        if section.origin != GLOBAL_ORIGIN:
            html = f'<div class="national" data-origin="{section.origin}">\n{html}</div>\n'
        return f'<div class="handout-page">\n{html}</div>\n' if handout else html

    def sections(self, sections: Sequence[Section], anchor: str) -> str:
        """HTML for a run of sections outside any session (the `diff` report shows them alone)."""
        return "".join(self.section(section, anchor) for section in sections)

    def _remembered(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`; with a memo, what it gave for `key` before, its problems reported again."""
        if self.memo is None:
            return compute()
        table = self.memo.table(name)
        self.memo.use(name, key)
        if key in table:
            value, problems, marked = table[key]
            self.report.extend(problems)
            self.drafts += marked
            return value
        outer, drafts = self.report, self.drafts
        self.report = ErrorReport()
        try:
            value = compute()
        finally:
            found, self.report = self.report, outer
        table[key] = (value, found.errors, self.drafts - drafts)
        self.report.extend(found.errors)
        return value

    def expand(self, section: Section) -> str:
        """The section's Markdown with variables filled in; on error, the problem goes to the report."""
        return self._remembered("expanded", section, lambda: self._expand(section))

    def _expand(self, section: Section) -> str:
        try:
            return self.jinja.from_string(section.source).render(self.names)
        except LimitExceeded as exc:
            raise _stopped_in(section, exc, _template_line(exc)) from None
        except TemplateSyntaxError as exc:
            self._error(section, exc.lineno, f"template syntax: {exc.message}",
                        "check the {{ … }} and {% … %} marks; a comment is written {## … ##}")
        except RegistryError as exc:
            self._error(section, _template_line(exc), exc.message, exc.hint)
        except (UndefinedError, SecurityError) as exc:
            self._error(section, _template_line(exc), *_refusal(str(exc)))
        except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
            self._error(section, _template_line(exc), *_failure(exc))
        return ""

    def _error(self, section: Section, template_line: int, message: str, hint: str) -> None:
        """An error at its line of the file, and at the column of the first 'quoted' name of the
        message where that line has it (the variable, registry key or attribute at fault)."""
        line = max(template_line, 1)
        lines = split_lines(section.source)
        text = lines[line - 1] if line <= len(lines) else ""
        quoted = re.search(r"'([^']+)'", message)
        column = text.find(quoted.group(1)) + 1 if quoted else 0
        self.report.add(ContentError(section.path, section.line + line - 1, message, hint, max(column, 1)))

    def session(self, session: Session) -> RenderedSession:
        anchor = session.id.replace(".", "-")
        views = []
        test_item = None
        for section in session.sections:
            text = self.expand(section)
            views.append(self.section_views(section, anchor, text, whole_part_marked=session.untranslated))
            if section.id == ASSESSMENT_SECTION and not session.is_outline:
                test_item = _test_item(text)
        plan = next((s for s in session.sections if s.id == PLAN_SECTION), None)
        return RenderedSession(
            id=session.id, anchor=anchor, meta=session.meta, html="".join(view[0] for view in views),
            participant_html="".join(view[1] for view in views),
            steps=tuple(steps(plan)) if plan else (), is_outline=session.is_outline, origin=session.origin,
            translation=session.translation, test_item=test_item,
        )

    def chapter(self, chapter: Chapter) -> RenderedChapter:
        anchor = f"chapter-{chapter.id}"
        html = "".join(self.section(section, anchor, heading_shift=0, whole_part_marked=chapter.untranslated)
                       for section in chapter.sections)
        return RenderedChapter(id=chapter.id, anchor=anchor, title=chapter.meta.title, html=html,
                               is_outline=chapter.is_outline, translation=chapter.translation)

    def module(self, module: Module) -> RenderedModule:
        numbers = session_numbers(module)
        return RenderedModule(
            id=module.id, anchor=module.id, title=module.meta.title, objectives=tuple(module.meta.objectives),
            intro_html=self.section(module.intro, module.id,
                                    whole_part_marked=module.translation is TranslationState.missing),
            sessions=tuple(replace(self.session(session), number=number)
                           for session, number in zip(module.sessions, numbers, strict=True)),
            translation=module.translation,
        )


VARIABLES_HINT = "use country, law(\"…\"), agency(\"…\"), hotline(\"…\") or age.… (see docs/authoring.md)"


def _refusal(text: str) -> tuple[str, str]:
    """What Jinja's sandbox or StrictUndefined said, as a writer can read it: (message, hint)."""
    if undefined := re.fullmatch(r"('[^']+') is undefined", text):
        return f"undefined variable {undefined.group(1)}", VARIABLES_HINT
    hidden = re.match(r"access to attribute ('[^']+')", text) or re.search(r"has no attribute ('_[^']*')", text)
    only_registry = "content may only use the registry variables (see docs/authoring.md)"
    if hidden:
        return f"{hidden.group(1)} is not allowed in content", only_registry
    if "has no attribute" in text:
        return f"undefined: {text}", VARIABLES_HINT
    return f"not allowed in content: {text}", only_registry


def _failure(exc: Exception) -> tuple[str, str]:
    """An expression that ran and failed: (message, hint)."""
    if isinstance(exc, TypeError) and "no loader" in str(exc):
        return ("content cannot include other files ({% include %}, {% import %}, {% extends %})",
                "write the text here, or put a shared fact in the country's registry")
    return f"the expression failed: {exc}", "see docs/authoring.md for how to write registry variables"


def _stopped_in(section: Section, exc: LimitExceeded, line: int = 1) -> ContentErrors:
    """A time or memory bound (limits.py) ran out while this section was rendered (at its `line`,
    where known): the error names it, and the render stops at once (the bound's timer keeps ringing
    until the render is left)."""
    return ContentErrors([ContentError(section.path, section.line + line - 1,
                                       f"{exc.problem}, while this section was being rendered", exc.HINT)])


def session_numbers(module: Module) -> list[str]:
    """The numbers readers see. A global session keeps its number in every edition (m1.s02 is
    "1.2"), so that the global text's cross-references ("Module 1, Session 2") stay true; a national
    session is numbered after the session it follows: "3.4a", "3.4b"."""
    numbers = []
    last, letters = f"{int(module.id[1:])}.0", 0
    for session in module.sessions:
        if session.origin == GLOBAL_ORIGIN:
            last, letters = f"{int(module.id[1:])}.{int(session.id.split('.s')[1])}", 0
            numbers.append(last)
        else:
            numbers.append(last + "abcdefghij"[letters])
            letters += 1
    return numbers


def _test_item(text: str) -> TestItem | None:
    """The first question and first model answer of an assessment section, as HTML."""
    tokens = markdown.parse(text)
    assessment = read_assessment(tokens)
    if not assessment.questions or not assessment.answers:
        return None
    question, answer = assessment.questions[0], assessment.answers[0]
    return TestItem(markdown.render_tokens(tokens[question.start:question.end]),
                    markdown.render_tokens(tokens[answer.start:answer.end]))


def _template_line(exc: BaseException) -> int:
    """The line inside the content template where `exc` was raised (Jinja rewrites tracebacks)."""
    line = 1
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_guide(
    project: Project, guide: Guide, country: Country, country_key: str, memo: RenderMemo | None = None
) -> tuple[RenderedGuide, ErrorReport]:
    """The guide rendered to HTML fragments, with every content problem found on the way (`memo`:
    sections rendered before by this process, see RenderMemo)."""
    renderer = SectionRenderer(project, country, country_key, guide.lang, memo)
    modules = tuple(renderer.module(module) for module in guide.modules)
    rendered = RenderedGuide(
        lang=guide.lang, country_key=country_key, country_name=country.name.get(guide.lang, country_key),
        paper=country.paper, languages=tuple(country.languages),
        thai_digits=country.thai_digits and guide.lang == "th", meta=guide.meta, modules=modules,
        front=tuple(renderer.chapter(chapter) for chapter in guide.front),
        annexes=tuple(renderer.chapter(chapter) for chapter in guide.annexes),
        courses=courses(guide),
        facts=tuple(fact_rows(country, guide.lang, translations(guide.lang).gettext)),
        marked_texts=renderer.drafts,
    )
    return rendered, renderer.report


def courses(guide: Guide) -> tuple[Course, ...]:
    """The full programme as this edition has it (national sessions included), then each shorter
    course of guide.yaml without any session this country's overlay removed."""
    minutes = {session.id: session.meta.duration for session in guide.sessions()}

    def laid_out(key: str, audiences: Sequence[str], planned_days: int | None, ids: Sequence[str]) -> Course:
        present = [session_id for session_id in ids if session_id in minutes]
        days = lay_out([(session_id, minutes[session_id]) for session_id in present])
        return Course(key, tuple(audiences), planned_days, tuple(days), len(present),
                      sum(minutes[session_id] for session_id in present))

    return (laid_out(FULL_COURSE, (), None, list(minutes)),
            *(laid_out(key, course.audiences, course.days, course.sessions)
              for key, course in guide.meta.courses.items()))
