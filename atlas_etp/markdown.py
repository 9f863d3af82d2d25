"""Markdown → HTML with markdown-it-py, configured for ETP content.

- raw HTML is off: `<script>` in a session prints as text, it never runs;
- `## Title {#id key=value}` gives a heading its stable ID (parsed with the attrs plugin's own
  parser; the plugin itself only handles inline elements);
- `::: type Title` typed blocks (containers) render as labelled, styled boxes;
- links and images are checked here, so a bad URL is an error at file:line, not a surprise in
  the PDF.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import did_you_mean
from .sourcefile import split_lines

BLOCK_TYPES = ("facilitator-note", "activity", "case-study", "handout", "key-messages", "answer-key", "audience",
               "pathway")
PARTICIPANT_BLOCKS = ("case-study", "activity", "handout", "key-messages")  # what the participant workbook prints
HEADING_KEYS = ("id", "minutes")
LINK_SCHEMES = ("http", "https", "mailto", "tel")


@dataclass
class Problem:
    """A problem found while parsing, at a line of the parsed text (0-based)."""

    line: int
    message: str
    hint: str


@dataclass
class RenderEnv:
    """What the renderer needs from the edition: labels in its language and where files are."""

    labels: dict[str, str]
    audience_labels: dict[str, str]
    minutes_label: Callable[[int], str]
    id_prefix: str = ""
    heading_shift: int = 1  # in a module, h1 is the module and h2 the session: a content `##` becomes h3
    base_dir: Path = Path(".")
    pathway: Callable[[str], str] = lambda title: ""  # the country's referral pathway figure, by title
    allowed_dirs: Sequence[Path] = ()
    problems: list[Problem] = field(default_factory=list)


def heading_attrs_rule(state: StateCore) -> None:
    """Move a trailing `{#id minutes=N}` of a heading into the heading token's attributes."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = inline.content.rstrip()
        start = text.rfind("{")
        if start < 0 or not text.endswith("}"):
            continue
        try:
            end, attrs = parse_attrs(text[start:])
        except ParseError:
            continue
        if start + end + 1 != len(text):
            continue
        inline.content = text[:start].rstrip()
        for key, value in attrs.items():
            token.attrSet(key, value)


def _render_block(self, tokens: Sequence[Token], idx: int, options, env: dict) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "" if token.type == "container_pathway_close" else "</div>\n"
    kind = token.info.strip().split(" ", 1)
    name, title = kind[0], (kind[1].strip() if len(kind) > 1 else "")
    render_env: RenderEnv = env["etp"]
    if name == "pathway":
        return _render_pathway(render_env, title, token.map[0] if token.map else 0)
    if name == "audience":
        label = render_env.audience_labels.get(title, title)
        return f'<div class="block block-audience" data-audience="{html.escape(title)}">' \
               f'<p class="block-label">{html.escape(label)}</p>\n'
    label = html.escape(render_env.labels[name])
    heading = f'<span class="block-title">{html.escape(title)}</span>' if title else ""
    return f'<div class="block block-{name}"><p class="block-label">{label}</p>{heading}\n'


def _render_pathway(env: RenderEnv, title: str, line: int) -> str:
    """`::: pathway Title` draws the country's referral pathway; text inside the block follows it."""
    figure = env.pathway(title)
    if not figure:
        env.problems.append(Problem(line, "the registry has no referral links to draw",
                                    "add 'refers_to: [agency-key, …]' to the agencies in the country's registry"))
    return figure


def build_parser() -> MarkdownIt:
    """The one Markdown configuration every stage uses (splitting, checking, rendering)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(attrs_plugin, spans=True, allowed=["class"])
    for name in BLOCK_TYPES:
        md.use(container_plugin, name, render=_render_block)
    md.core.ruler.before("inline", "heading_attrs", heading_attrs_rule)
    md.validateLink = lambda url: True  # links are checked by _check_links, with a clear error
    return md


PARSER = build_parser()


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> tuple[Token, ...]:
    """Tokens of `text` (no rendering): used to find sections and steps in raw content.

    Loading an edition asks for the same texts many times (a section is split, checked and timed;
    a translation is read beside its English), and a live preview asks again on every save: parsing
    is most of an edition's load time, so each text is parsed once per process. The tokens are
    shared between callers and must not be changed; `render` parses its own copy, which it changes.
    """
    return tuple(PARSER.parse(text, {"etp": None}))


def block_problems(tokens: Sequence[Token], text: str) -> list[Problem]:
    """Blocks opened and closed wrongly, unknown block types and malformed heading attributes."""
    problems = block_mark_problems(text)
    for token in tokens:
        if token.type == "inline" and token.map and token.content.startswith(":::"):
            word = token.content[3:].strip().split(" ")[0].split("\n")[0]
            if word:
                problems.append(Problem(token.map[0], f"unknown block type '{word}'",
                                        did_you_mean(word, BLOCK_TYPES, "block types")))
        elif token.type == "heading_open" and token.map:
            for key in token.attrs:
                if key not in HEADING_KEYS:
                    problems.append(Problem(token.map[0], f"unknown heading attribute '{key}'",
                                            "a heading takes {#id} and, for a step, minutes=N"))
    return problems


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_MARK = re.compile(r"^ {0,3}:{3,}[ \t]*(\S*)")


def block_mark_problems(text: str) -> list[Problem]:
    """Each `::: type` line needs its `:::` line before the next block starts (blocks cannot be
    inside each other), and a `:::` line must close a block.

    Read from the lines, not from markdown-it's tokens: markdown-it nests a block that starts
    inside an unclosed one, and the inner block's `:::` then closes it, so the tokens look right
    while the guide prints the rest of the section inside the first block. Lines inside fenced
    code are skipped.
    """
    problems: list[Problem] = []
    opened: tuple[int, str] | None = None
    fence = ""
    for number, line in enumerate(split_lines(text)):
        fenced = _FENCE.match(line)
        if fence:  # inside fenced code until a fence of the same kind, at least as long
            if fenced and fenced.group(1).startswith(fence):
                fence = ""
            continue
        if fenced:
            fence = fenced.group(1)
            continue
        mark = _BLOCK_MARK.match(line)
        if mark is None:
            continue
        name = mark.group(1)
        if not name and opened is None:
            problems.append(Problem(number, "this ':::' line closes no block",
                                    "delete it, or add the '::: type Title' line that opens the block above it"))
        elif name and opened is not None:
            problems.append(Problem(number, f"the '{name}' block starts inside the '{opened[1]}' block above, "
                                    "which has no ':::' line yet",
                                    f"end the '{opened[1]}' block with a ':::' line before this one (blocks cannot "
                                    "be inside each other)"))
        opened = (number, name) if name else None
    if opened is not None:
        problems.append(Problem(opened[0], f"the '{opened[1]}' block is never closed",
                                "add a line with ':::' where the block ends"))
    return problems


@dataclass(frozen=True)
class RenderedText:
    """A Markdown text as HTML: whole, and as only its typed blocks of the kinds asked for."""

    html: str
    blocks_html: str
    block_kinds: frozenset[str]  # the kinds of typed block the text has


def render(text: str, env: RenderEnv, doc_id: str, only_blocks: Sequence[str] = ()) -> RenderedText:
    """HTML for `text`; problems (bad links, images) are added to `env.problems`. With `only_blocks`,
    also the HTML of just those blocks, in order (the participant workbook's view of a session).

    `doc_id` keeps footnote anchors unique when many pieces end up in one document.
    """
    md_env = {"etp": env, "docId": doc_id}
    tokens = PARSER.parse(text, md_env)
    env.problems.extend(block_problems(tokens, text))
    _prefix_heading_ids(tokens, env)
    _check_links(tokens, env)
    kinds = frozenset(filter(None, map(_block_kind, tokens)))
    blocks = _blocks_of(tokens, only_blocks) if kinds & set(only_blocks) else []
    return RenderedText(PARSER.renderer.render(tokens, PARSER.options, md_env),
                        PARSER.renderer.render(blocks, PARSER.options, md_env) if blocks else "", kinds)


def _block_kind(token: Token) -> str:
    """The kind of typed block `token` opens ("handout"), or ""."""
    if token.nesting != 1 or not token.type.startswith("container_"):
        return ""
    return token.type.removeprefix("container_").removesuffix("_open")


def _blocks_of(tokens: Sequence[Token], kinds: Sequence[str]) -> list[Token]:
    """The tokens of each typed block of `kinds`, from its opening to its closing mark."""
    selected: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = _block_kind(token)
        if kind not in kinds:
            index += 1
            continue
        end = next(j for j in range(index + 1, len(tokens))
                   if tokens[j].type == f"container_{kind}_close" and tokens[j].level == token.level)
        selected.extend(tokens[index:end + 1])
        index = end + 1
    return selected


def render_tokens(tokens: Sequence[Token]) -> str:
    """HTML for a slice of parsed tokens, such as one item of a list (no blocks inside)."""
    return PARSER.renderer.render(list(tokens), PARSER.options, {"etp": None})


def _prefix_heading_ids(tokens: list[Token], env: RenderEnv) -> None:
    """Make heading IDs unique in the whole guide, show a step's minutes, and move headings down
    by `env.heading_shift` levels to fit under the guide's own headings."""
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + env.heading_shift, 6)}"
        if token.type != "heading_open":
            continue
        if "id" in token.attrs:
            token.attrSet("id", f"{env.id_prefix}--{token.attrs['id']}")
        minutes = token.attrs.pop("minutes", None)
        if minutes is not None and str(minutes).isdecimal():  # int() reads it (Thai digits too; not '²')
            token.attrSet("data-minutes", str(minutes))
            badge = Token("html_inline", "", 0)
            badge.content = f' <span class="minutes">{html.escape(env.minutes_label(int(minutes)))}</span>'
            children = tokens[index + 1].children
            if children is not None:
                children.append(badge)


def _check_links(tokens: list[Token], env: RenderEnv) -> None:
    line = 0
    for token in tokens:
        if token.map:
            line = token.map[0]
        for child in token.children or ():
            if child.type == "image":
                src = str(child.attrs.get("src", ""))
                resolved = _local_file(src, env)
                if resolved is None:
                    env.problems.append(Problem(line, f"the image '{src}' is not a file inside the content folder",
                                                "put the image next to the Markdown file and link it by name"))
                    child.attrSet("src", "")
                else:
                    child.attrSet("src", resolved.as_uri())
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                scheme = urlsplit(href).scheme.lower()
                if scheme and scheme not in LINK_SCHEMES:
                    env.problems.append(Problem(line, f"the link '{href}' uses '{scheme}:', which is not allowed",
                                                "use an https:// address or a #section link"))
                    child.attrSet("href", "#")


def _local_file(src: str, env: RenderEnv) -> Path | None:
    """The image file `src` names, if it is a relative path to an existing file in an allowed folder."""
    if not src or urlsplit(src).scheme or src.startswith(("/", "\\")):
        return None
    candidate = (env.base_dir / src).resolve()
    if not candidate.is_file():
        return None
    inside = any(candidate.is_relative_to(folder.resolve()) for folder in env.allowed_dirs)
    return candidate if inside else None
