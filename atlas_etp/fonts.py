"""The fonts shipped in templates/fonts and the @font-face rules that load them.

Full Noto TTF files (OFL), not unicode-range web subsets: subsets rendered wrong glyphs in
WeasyPrint (see the project's weasyprint notes). The PDF uses only these fonts; the HTML edition
embeds the Thai faces when the edition is Thai, since few machines have a Thai font.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import NamedTuple


class FontFace(NamedTuple):
    family: str
    weight: str
    style: str
    file: str
    script: str


FONT_FACES = (
    FontFace("Noto Sans", "normal", "normal", "NotoSans-Regular.ttf", "latin"),
    FontFace("Noto Sans", "bold", "normal", "NotoSans-Bold.ttf", "latin"),
    FontFace("Noto Sans", "normal", "italic", "NotoSans-Italic.ttf", "latin"),
    FontFace("Noto Sans", "bold", "italic", "NotoSans-BoldItalic.ttf", "latin"),
    FontFace("Noto Sans Thai", "normal", "normal", "NotoSansThai-Regular.ttf", "thai"),
    FontFace("Noto Sans Thai", "bold", "normal", "NotoSansThai-Bold.ttf", "thai"),
    # Characters Noto Sans lacks, which would print as empty boxes: arrows and the minus sign
    # (U+2192, U+2212) from Noto Sans Math; the markers of nested lists (U+25E6, U+25AA) from Symbols 2.
    FontFace("Noto Sans Math", "normal", "normal", "NotoSansMath-Regular.ttf", "symbols"),
    FontFace("Noto Sans Symbols 2", "normal", "normal", "NotoSansSymbols2-Regular.ttf", "symbols"),
)


def _rule(face: FontFace, url: str) -> str:
    return (f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'font-style: {face.style}; src: url("{url}") format("truetype"); }}\n')


FONTS_URL = "fonts/"  # templates/fonts, relative to the print HTML's base URL (the templates folder)


def print_font_css() -> str:
    """@font-face rules for WeasyPrint, pointing at the shipped files by a relative URL: the print
    HTML then does not depend on where the project lies, and neither does its cache key."""
    return "".join(_rule(face, FONTS_URL + face.file) for face in FONT_FACES)


def screen_font_css(fonts_dir: Path, lang: str) -> str:
    """@font-face rules for the self-contained HTML: Thai faces embedded for Thai editions only."""
    wanted = [face for face in FONT_FACES if face.script == "thai"] if lang == "th" else []
    return "".join(
        _rule(face, "data:font/ttf;base64," + base64.b64encode((fonts_dir / face.file).read_bytes()).decode())
        for face in wanted
    )


def use_only_project_fonts(fonts_dir: Path) -> None:
    """Point fontconfig at the shipped fonts only (before WeasyPrint first loads fontconfig).

    WeasyPrint always reads the machine's fontconfig set-up; with this, a machine's own fonts can
    neither fill in missing glyphs nor change the output.
    """
    os.environ["FONTCONFIG_FILE"] = str(fonts_dir / "fonts.conf")
