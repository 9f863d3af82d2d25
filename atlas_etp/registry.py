"""The country registry as Jinja sees it: `law("trafficking")`, `hotline("labour")`, `age.…`.

Each helper returns a small view that prints as the fact's main text in the edition's language
and exposes the other fields as attributes (`law("trafficking").penalties`). Unconfirmed facts
print wrapped in `[…]{.unconfirmed}`, which renders as a visibly marked span. An unknown key or
an absent field raises RegistryError, which the render stage reports at the writer's file:line.
"""

from __future__ import annotations

from typing import Any

from .errors import did_you_mean
from .schema import Age, Agency, Country, Fact, Hotline, Law

MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|{}"})


class RegistryError(Exception):
    """A registry look-up that content asked for but the country does not have."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


def markdown_text(text: str, fact: Fact) -> str:
    """Registry text made safe for Markdown, marked when the fact awaits legal review."""
    return _mark(text.translate(MARKDOWN_SPECIALS), fact)


def _mark(markdown: str, fact: Fact) -> str:
    return f"[{markdown}]{{.unconfirmed}}" if fact.unconfirmed else markdown


class FactView:
    """A registry entry in one language: prints its main field, other fields by attribute."""

    def __init__(self, kind: str, key: str, fact: Fact, lang: str, country: str, main: str):
        self._kind, self._key, self._fact, self._lang, self._country, self._main = kind, key, fact, lang, country, main

    def __str__(self) -> str:
        return self._field(self._main)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._field(name)

    def _field(self, name: str) -> str:
        return _mark(self._text(name), self._fact)

    def _text(self, name: str) -> str:
        """The field's text in the edition's language, escaped for Markdown but not yet marked."""
        fields = [f for f in type(self._fact).model_fields if f not in ("source", "checked", "status", "note")]
        if name not in fields:
            raise RegistryError(f"a {self._kind} has no field '{name}'", did_you_mean(name, fields, "fields"))
        value: Any = getattr(self._fact, name)
        if value is None:
            raise RegistryError(
                f"the {self._kind} '{self._key}' in the {self._country} registry has no '{name}'",
                f"add '{name}:' to it in content/{self._country.lower()}/country.yaml, or do not use it here",
            )
        text = value.get(self._lang, "") if isinstance(value, dict) else str(value)
        return text.translate(MARKDOWN_SPECIALS)


class HotlineView(FactView):
    """A hotline prints as its number followed by who answers: "1300 (Prachabodi Centre)"."""

    def __str__(self) -> str:
        return _mark(f"{self._text('number')} ({self._text('name')})", self._fact)


class AgeTable:
    """`age.minimum_employment` → the age, marked if unconfirmed."""

    def __init__(self, ages: dict[str, Age], country: str, lang: str):
        self._ages, self._country, self._lang = ages, country, lang

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        age = self._ages.get(name)
        if age is None:
            raise RegistryError(f"the age '{name}' is not in the {self._country} registry",
                                did_you_mean(name, self._ages, "ages"))
        return markdown_text(age.text(self._lang), age)


def registry_globals(country: Country, country_key: str, lang: str) -> dict[str, Any]:
    """The names content Markdown can use, bound to one country and language."""
    registry = country.registry
    display = country.name.get("en", country_key)

    def lookup(kind: str, table: dict[str, Law] | dict[str, Agency] | dict[str, Hotline], main: str,
               view: type[FactView] = FactView):
        def helper(key: str) -> FactView:
            fact = table.get(key)
            if fact is None:
                raise RegistryError(f"{kind} '{key}' is not in the {display} registry",
                                    did_you_mean(key, table, f"{kind} keys"))
            return view(kind, key, fact, lang, display, main)
        return helper

    return {
        "country": country.name.get(lang, display),
        "law": lookup("law", registry.laws, "title"),
        "agency": lookup("agency", registry.agencies, "name"),
        "hotline": lookup("hotline", registry.hotlines, "number", HotlineView),
        "age": AgeTable(registry.ages, display, lang),
    }
