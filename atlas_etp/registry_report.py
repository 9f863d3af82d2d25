"""The country registry as rows a reviewer reads: each fact, what it says, its source and date.

Two annexes of a country edition are made from these rows ("Facts awaiting legal review" and
"National facts and their sources"), and so is the registry part of the `diff` report, so a
ministry reviewer sees the same facts in the same words everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ContentError
from .i18n import format_date
from .schema import Age, Agency, Country, Fact, Hotline, Law, Ratification
from .sourcefile import position_of


@dataclass(frozen=True)
class FactRow:
    """One registry fact in one language."""

    table: str  # the registry table: laws, agencies, hotlines, ages, ratifications
    key: str
    kind: str  # the table's name for one entry, in the edition's language
    name: str
    details: tuple[str, ...]
    source: str
    checked: str  # the date it was checked, formatted; "" while it awaits legal review
    unconfirmed: bool
    note: str


def fact_rows(country: Country, lang: str, gettext: Any) -> list[FactRow]:
    """Every fact of the country's registry, in file order."""
    _ = gettext
    kinds = {"laws": _("Law"), "agencies": _("Agency"), "hotlines": _("Hotline"), "ages": _("Age"),
             "ratifications": _("Ratification")}
    rows = []
    for table, key, fact in country.registry.facts():
        name, details = _describe(fact, key, lang, gettext)
        rows.append(FactRow(
            table=table, key=key, kind=kinds[table], name=name, details=tuple(d for d in details if d),
            source=fact.source, checked=format_date(fact.checked, lang) if fact.checked else "",
            unconfirmed=fact.unconfirmed, note=fact.note.get(lang, "") if fact.note else "",
        ))
    return rows


def _describe(fact: Fact, key: str, lang: str, gettext: Any) -> tuple[str, list[str]]:
    """The fact's name and the texts it gives, in `lang`."""
    def text(value: dict[str, str] | None) -> str:
        return value.get(lang, "") if value else ""

    if isinstance(fact, Law):
        return text(fact.title), [text(fact.provisions), text(fact.penalties)]
    if isinstance(fact, Agency):
        return text(fact.name), [text(fact.role)]
    if isinstance(fact, Hotline):
        return f"{fact.number} — {text(fact.name)}", [text(fact.hours)]
    if isinstance(fact, Age):
        return _age_label(key, gettext), [fact.text(lang), text(fact.instrument)]
    if isinstance(fact, Ratification):
        return text(fact.instrument), [_ratified(fact, lang, gettext)]
    raise TypeError(f"unknown fact type {type(fact).__name__}")


def _age_label(key: str, gettext: Any) -> str:
    _ = gettext
    labels = {
        "minimum_employment": _("Minimum age for employment"),
        "light_work": _("Minimum age for light work"),
        "hazardous_work": _("Minimum age for hazardous work"),
    }
    return labels.get(key, key.replace("_", " ").capitalize())


def _ratified(fact: Ratification, lang: str, gettext: Any) -> str:
    if not fact.party:
        return gettext("Not ratified")
    if fact.ratified is None:
        return gettext("Date of ratification not known")
    if isinstance(fact.ratified, datetime.date):
        return gettext("Ratified on %(date)s") % {"date": format_date(fact.ratified, lang)}
    return gettext("Ratified in %(year)s") % {"year": fact.ratified}


def unconfirmed_fact_errors(country: Country, data: Any, path: Path) -> list[ContentError]:
    """For a country that requires confirmed facts in a release: one error per unconfirmed fact."""
    if not country.release.require_confirmed_facts:
        return []
    errors = []
    for table, key, fact in country.registry.facts():
        if fact.unconfirmed:
            line, column = position_of(data, ("registry", table, key, "status"), (1, 1))
            errors.append(ContentError(
                path, line, f"{table}: {key} is awaiting legal review, and this country requires confirmed "
                "facts in a release",
                "confirm it against its source, then replace 'status: unconfirmed' with 'checked: YYYY-MM-DD'",
                column))
    return errors
