"""Localization: gettext catalogs for template words, Babel for dates and durations.

Catalogs are the `.po` files under atlas_etp/locale/ (kept with `pybabel extract/update`). They
are compiled in memory when loaded, so there is no binary `.mo` file to forget to rebuild.
"""

from __future__ import annotations

import datetime
import gettext
import io
import re
import unicodedata
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from babel.units import format_unit

from .project import PACKAGE_DIR

LOCALE_DIR = PACKAGE_DIR / "locale"
# Babel knows that Thai's native numbering system is "thai" but formats with Latin digits only.
_THAI_DIGITS = str.maketrans("0123456789", "".join(unicodedata.lookup(f"THAI DIGIT {name}") for name in (
    "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")))
# What must keep its ASCII digits in an HTML document: tags (attributes, IDs, links), style
# sheets and character references such as &#39;.
_NOT_TEXT = re.compile(r"(<style[\s\S]*?</style>|<script[\s\S]*?</script>|<[^>]*>|&#?\w+;)", re.IGNORECASE)
THAI_COUNTER_STYLE = "thai"  # CSS's predefined counter style for page numbers in Thai digits
BUDDHIST_ERA_OFFSET = 543


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The template-word catalog of `lang` (English has none: the msgids are English)."""
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def format_date(date: datetime.date, lang: str) -> str:
    """A long date in the edition's language; Thai editions count years in the Buddhist Era.

    CLDR (and so Babel) has no Buddhist calendar, so the Thai year is written out here:
    a 2026 date shows as "22 พฤศจิกายน พ.ศ. 2569", as Thai official documents do.
    """
    if lang == "th":
        return f"{babel_format_date(date, 'd MMMM', locale='th')} พ.ศ. {date.year + BUDDHIST_ERA_OFFSET}"
    return babel_format_date(date, "long", locale=lang)


def with_thai_digits(html: str) -> str:
    """The document with every digit of its text in Thai digits (๒๕๖๙), markup left alone.

    A whole document is converted at once, so that body text, registry facts and the template's
    own numbers (dates, durations, session numbers) all agree; page numbers are CSS counters and
    take the "thai" counter style instead."""
    parts = _NOT_TEXT.split(html)
    return "".join(part if index % 2 else part.translate(_THAI_DIGITS) for index, part in enumerate(parts))


def format_minutes(minutes: int, lang: str) -> str:
    """"90 min", "90 นาที", "90 min": the short unit, which CLDR has for every language we use."""
    return format_unit(minutes, "duration-minute", length="short", locale=lang)


def format_hours(minutes: int, lang: str) -> str:
    """A total of training time in hours, to one decimal: "52.5 hr", "52.5 ชม."."""
    return format_unit(round(minutes / 60, 1), "duration-hour", length="short", locale=lang, format="#,##0.#")


def format_time(time: datetime.time, lang: str) -> str:
    """A clock time as the language writes it in a timetable."""
    return babel_format_time(time, "short", locale=lang)


def language_name(lang: str) -> str:
    """The language's name in itself ("ไทย", "español"): how a reader looks for their language."""
    return Locale.parse(lang).get_display_name(lang)
