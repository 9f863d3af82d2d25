"""Searchable Thai PDFs: give each line of Thai text its real Unicode text as /ActualText.

WeasyPrint maps each glyph of a font to one Unicode string, taken from the first cluster the glyph
is drawn in (see weasyprint/draw/text.py and docs/architecture.md). Thai shaping breaks that
one-to-one view: HarfBuzz splits SARA AM (ำ) into two glyphs, stacks tone marks on vowels and uses
the same glyph in clusters of different text. Text extracted from the PDF then loses or moves
tone marks: "น้ำ หนี้ ลิ้น" came out as "น้ำ หนี ลิน" and "งาน" as "ง้ำน". Searching the
guide, copying a law's title, or a screen reader reading it would all get wrong Thai.

No glyph-to-text table can be right for Thai, because the same glyph stands for different text in
different clusters. PDF has the answer for this case (ISO 32000-1, 14.9.4, "Replacement Text"): a
marked-content span `/Span <</ActualText (…)>> BDC … EMC` around the drawn glyphs, whose text
replaces theirs for extraction, search and assistive technology. We wrap each drawn text box
(one line, or one styled run of a line) that contains Thai letters in such a span; all other text
is drawn exactly as WeasyPrint draws it, and Thai is still laid out and drawn by WeasyPrint.

This wraps one WeasyPrint function instead of copying it. tests/test_editions.py extracts
Thai from a built PDF with pdftotext and compares it with the source, so a WeasyPrint change
that breaks the wrap fails the tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

THAI = re.compile("[\u0e00-\u0e7f]")


def install() -> None:
    """Make WeasyPrint draw Thai text boxes inside ActualText spans (idempotent)."""
    from weasyprint import draw

    if not getattr(draw.draw_text, "with_actual_text", False):
        draw.draw_text = _with_actual_text(draw.draw_text)


def _with_actual_text(draw_text: Callable[..., Any]) -> Callable[..., Any]:
    import pydyf

    @wraps(draw_text)
    def draw(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        if textbox.style["visibility"] != "visible" or not THAI.search(textbox.text):
            return draw_text(stream, textbox, *args, **kwargs)
        # pydyf.Stream's own method: WeasyPrint's stream adds structure-tag bookkeeping to its
        # `marked()` helper, which replacement text must not take part in.
        pydyf.Stream.begin_marked_content(stream, "Span", pydyf.Dictionary({"ActualText": pydyf.String(textbox.text)}))
        try:
            return draw_text(stream, textbox, *args, **kwargs)
        finally:
            pydyf.Stream.end_marked_content(stream)

    draw.with_actual_text = True  # type: ignore[attr-defined]
    return draw
