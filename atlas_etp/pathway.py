"""The national referral pathway, drawn as SVG from the registry: who refers cases to whom.

Facilitators would rather look at the pathway than read it, and a drawing generated from the
registry cannot fall behind it. Each agency with `refers_to` links (or one that receives them) is
a box; boxes stand in rows by how far down the chain they are (the longest chain of referrals that
reaches them), so arrows mostly run downwards; a referral that goes back up the chain is drawn as
an arc on the right. Coordination bodies without links are named in a band on top.
The same drawing goes into the HTML and the PDF, with a table of the same facts under it.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, replace
from graphlib import TopologicalSorter

from .schema import Agency, Registry

BOX_WIDTH = 170
BOX_GAP = 26
ROW_GAP = 30
SIDE_ROOM = 40  # to the right of the boxes, for arcs that go back up the chain
FONT_SIZE = 10.5
LINE_HEIGHT = 13.5
PADDING = 7
BAND_HEIGHT_PER_LINE = 14
MARGIN = 6
CHARS_PER_LINE = int((BOX_WIDTH - 2 * PADDING) / (FONT_SIZE * 0.56))


@dataclass(frozen=True)
class Box:
    key: str
    row: int
    lines: tuple[str, ...]
    x: float
    y: float
    height: float
    unconfirmed: bool

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def linked_agencies(registry: Registry) -> list[str]:
    """The agencies the picture shows: those that refer cases or receive them, in file order."""
    receivers = {target for agency in registry.agencies.values() for target in agency.refers_to}
    return [key for key, agency in registry.agencies.items() if agency.refers_to or key in receivers]


def chain_rows(registry: Registry) -> list[list[str]]:
    """Agencies grouped in rows: row n holds those at the end of a chain of n referrals.

    Referrals that close a loop (B refers back to A) are left out of the layering, found by a
    depth-first walk in file order, so the result does not depend on anything but the file.
    """
    nodes = linked_agencies(registry)
    edges = {key: [t for t in registry.agencies[key].refers_to if t in nodes] for key in nodes}
    forward = _without_back_edges(nodes, edges)
    depth = dict.fromkeys(nodes, 0)
    referrers = {key: [source for source in nodes if key in forward[source]] for key in nodes}
    for key in TopologicalSorter(referrers).static_order():
        for target in forward[key]:
            depth[target] = max(depth[target], depth[key] + 1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for key in nodes:
        layers[depth[key]].append(key)
    return _ordered(layers, edges)


def _without_back_edges(nodes: list[str], edges: dict[str, list[str]]) -> dict[str, list[str]]:
    state: dict[str, str] = {}
    forward: dict[str, list[str]] = {key: [] for key in nodes}

    def visit(key: str) -> None:
        state[key] = "open"
        for target in edges[key]:
            if state.get(target) == "open":
                continue  # a back edge: it closes a loop
            forward[key].append(target)
            if target not in state:
                visit(target)
        state[key] = "done"

    for key in nodes:
        if key not in state:
            visit(key)
    return forward


def _ordered(layers: list[list[str]], edges: dict[str, list[str]]) -> list[list[str]]:
    """Within a column, put each box near the boxes that refer to it (fewer crossing arrows)."""
    row: dict[str, float] = {}
    result = []
    for layer in layers:
        ordered = sorted(layer, key=lambda key, layer=layer: _pull(key, layer, edges, row))
        row.update((key, float(index)) for index, key in enumerate(ordered))
        result.append(ordered)
    return result


def _pull(key: str, layer: list[str], edges: dict[str, list[str]], row: dict[str, float]) -> float:
    """The mean row of the boxes that refer to `key` (its own place when nothing above refers to it)."""
    sources = [row[source] for source, targets in edges.items() if key in targets and source in row]
    return sum(sources) / len(sources) if sources else float(layer.index(key))


def wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Break a label at spaces into lines of about `width` letters (combining marks take no room)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _letters(lines[-1]) + 1 + _letters(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _letters(text: str) -> int:
    return sum(1 for char in text if not unicodedata.combining(char))


def label(agency: Agency, lang: str) -> str:
    """The short name where the registry gives one: boxes are small."""
    text = agency.short or agency.name
    return text.get(lang, "")


def layout(registry: Registry, lang: str) -> tuple[list[Box], float, float]:
    """Boxes with their positions, and the drawing's width and height (before the band).

    The chain runs top to bottom, one row per step, which fits a portrait page."""
    rows = chain_rows(registry)
    heights = {key: len(wrap(label(registry.agencies[key], lang))) * LINE_HEIGHT + 2 * PADDING
               for row in rows for key in row}
    widest = max((len(row) for row in rows), default=0)
    width = 2 * MARGIN + widest * BOX_WIDTH + max(widest - 1, 0) * BOX_GAP + 2 * SIDE_ROOM
    boxes = []
    y = MARGIN
    for index, row in enumerate(rows):
        row_width = len(row) * BOX_WIDTH + (len(row) - 1) * BOX_GAP
        x = (width - row_width) / 2
        tallest = max(heights[key] for key in row)
        for key in row:
            agency = registry.agencies[key]
            boxes.append(Box(key, index, tuple(wrap(label(agency, lang))), x, y + (tallest - heights[key]) / 2,
                             heights[key], agency.unconfirmed))
            x += BOX_WIDTH + BOX_GAP
        y += tallest + ROW_GAP
    return boxes, width, y - ROW_GAP + MARGIN


def drawing(registry: Registry, lang: str, coordination_label: str, description: str) -> str:
    """The pathway as HTML: an SVG of boxes and arrows, with the labels as HTML text on top.

    The labels are not SVG text: WeasyPrint lays out SVG text glyph by glyph, which breaks Thai
    (vowel and tone marks come out as dotted circles), while HTML text is shaped properly, stays
    searchable in the PDF and is read by screen readers. Empty when no agency has referral links.
    `description` is the SVG's <title>: the alternative text of the PDF's Figure tag (PDF/UA).
    """
    boxes, width, height = layout(registry, lang)
    if not boxes:
        return ""
    band = _band_lines(registry, lang, coordination_label, width)
    top = len(band) * BAND_HEIGHT_PER_LINE + (10 if band else 0)
    placed = [replace(box, y=box.y + top) for box in boxes]
    total = height + top
    shapes = [
        f'<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="{width:.0f}" height="{total:.0f}" '
        f'viewBox="0 0 {width:.0f} {total:.0f}">',
        f"<title>{html.escape(description)}</title>",
        '<defs><marker id="pathway-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>',
        *_arrows(registry, {box.key: box for box in placed}),
        *(_rect(box) for box in placed),
        "</svg>",
    ]
    labels = [_place("pathway-band", MARGIN, MARGIN, width - 2 * MARGIN, len(band) * BAND_HEIGHT_PER_LINE,
                     "<br>".join(html.escape(line) for line in band))] if band else []
    labels += [_place("pathway-label", box.x, box.y, BOX_WIDTH, box.height,
                      "<br>".join(html.escape(line) for line in box.lines)) for box in placed]
    return (f'<div class="pathway-canvas" style="width: {width:.0f}px; height: {total:.0f}px">'
            + "".join(shapes) + "".join(labels) + "</div>")


def _place(css_class: str, x: float, y: float, width: float, height: float, content: str) -> str:
    return (f'<div class="{css_class}" style="left: {x:.1f}px; top: {y:.1f}px; width: {width:.1f}px; '
            f'height: {height:.1f}px"><span>{content}</span></div>')


def _band_lines(registry: Registry, lang: str, coordination_label: str, width: float) -> list[str]:
    shown = set(linked_agencies(registry))
    names = [agency.name.get(lang, "") for key, agency in registry.agencies.items()
             if "coordination" in agency.stages and key not in shown]
    if not names:
        return []
    return wrap(f"{coordination_label}: " + " · ".join(names), int(width / (FONT_SIZE * 0.58)))


def _arrows(registry: Registry, boxes: dict[str, Box]) -> list[str]:
    """Arrows between boxes: between neighbouring rows, edge to edge; further down, around the
    left of the boxes; further back up the chain, around the right."""
    left = min(box.x for box in boxes.values()) - SIDE_ROOM * 0.8
    right = max(box.x for box in boxes.values()) + BOX_WIDTH + SIDE_ROOM * 0.8
    paths = []
    for key, box in boxes.items():
        for target in registry.agencies[key].refers_to:
            end = boxes.get(target)
            if end is not None:
                paths.append(_arrow(box, end, left, right))
    return paths


def _arrow(box: Box, end: Box, left: float, right: float) -> str:
    step = end.row - box.row
    if step == 0:  # side by side
        x1, x2 = (box.x + BOX_WIDTH, end.x - 2) if end.x > box.x else (box.x, end.x + BOX_WIDTH + 2)
        d = f"M{x1:.1f},{box.middle:.1f} L{x2:.1f},{end.middle:.1f}"
    elif abs(step) == 1:  # neighbouring rows: edge to edge (off-centre when going back up)
        share = 0.5 if step > 0 else 0.8
        x1, x2 = box.x + BOX_WIDTH * share, end.x + BOX_WIDTH * share
        y1, y2 = (box.y + box.height, end.y - 2) if step > 0 else (box.y, end.y + end.height + 2)
        bend = (y2 - y1) / 2
        d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}"
    else:  # further down around the left, further back up around the right
        side, x1, x2 = (left, box.x, end.x - 2) if step > 0 else (right, box.x + BOX_WIDTH, end.x + BOX_WIDTH + 2)
        d = f"M{x1:.1f},{box.middle:.1f} C{side:.1f},{box.middle:.1f} {side:.1f},{end.middle:.1f} " \
            f"{x2:.1f},{end.middle:.1f}"
    return f'<path d="{d}" fill="none" stroke="#1f4e79" stroke-width="1.3" marker-end="url(#pathway-arrow)"/>'


def _rect(box: Box) -> str:
    fill, stroke = ("#fff4d6", "#a05a00") if box.unconfirmed else ("#eaf1f8", "#1f4e79")
    dash = ' stroke-dasharray="4 2"' if box.unconfirmed else ""
    return (f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_WIDTH}" height="{box.height:.1f}" rx="5" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>')


@dataclass(frozen=True)
class PathwayLabels:
    """The words around the drawing, in the edition's language."""

    coordination: str
    agency: str
    role: str
    refers_to: str
    unconfirmed: str
    description: str  # the drawing's text alternative


def figure(registry: Registry, lang: str, title: str, labels: PathwayLabels) -> str:
    """The drawing with its caption and, as its text alternative, a table of the same links."""
    picture = drawing(registry, lang, labels.coordination, labels.description)
    if not picture:
        return ""
    rows = []
    for key in linked_agencies(registry):
        agency = registry.agencies[key]
        name = html.escape(agency.name.get(lang, ""))
        if agency.unconfirmed:
            name = f'<span class="unconfirmed" title="{html.escape(labels.unconfirmed)}">{name}</span>'
        role = html.escape(agency.role.get(lang, "")) if agency.role else ""
        targets = ", ".join(html.escape(label(registry.agencies[t], lang)) for t in agency.refers_to)
        rows.append(f"<tr><td>{name}</td><td>{role}</td><td>{targets}</td></tr>")
    head = "".join(f"<th>{html.escape(text)}</th>" for text in (labels.agency, labels.role, labels.refers_to))
    return (f'<figure class="pathway">\n{picture}\n<figcaption>{html.escape(title)}</figcaption>\n</figure>\n'
            f'<table class="pathway-legend"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n')
