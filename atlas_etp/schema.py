"""The typed schema of country overlays, guide metadata and Markdown front matter.

Pydantic does the validation; this module turns its errors into `ContentError`s that name the
file, line and column of the offending key and suggest the valid key (did-you-mean). The same
models export the JSON Schema that editors use (editor_schema.py): the descriptions given here are
what a writer sees when hovering a key, and each `json_schema_extra` states, for editors, a rule
that a model validator enforces in Python (a validator cannot be exported by itself).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ContentError, ContentErrors, did_you_mean
from .sourcefile import position_of


class _LocalizedMarker:
    """Marks a field as text that must exist in every language of an edition."""


Localized = Annotated[dict[str, str], _LocalizedMarker(),
                      Field(description="A text in each language of the edition: one 'code: text' line per "
                            "language, e.g. 'en: Labour Protection Act' (or {en: …, th: …} on one line).")]

STAGES = ("identification", "investigation", "referral", "victim-services", "prosecution", "adjudication",
          "coordination")
Stage = Literal["identification", "investigation", "referral", "victim-services", "prosecution", "adjudication",
                "coordination"]
AUDIENCES = ("labour-inspectors", "police", "prosecutors", "judges", "social-workers", "ngos")
Audience = Literal["labour-inspectors", "police", "prosecutors", "judges", "social-workers", "ngos"]
ID_PART = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _present(key: str, value_schema: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema for "`key` is given and not empty (null)": how the validators below test `is not None`."""
    return {"required": [key], "properties": {key: value_schema}}


NOT_NULL: dict[str, Any] = {"not": {"type": "null"}}


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


FACT_RULE: dict[str, Any] = {
    "oneOf": [_present("checked", NOT_NULL), _present("status", NOT_NULL)],
    "$comment": "Fact._checked_or_unconfirmed: exactly one of 'checked' and 'status'",
}


class Fact(Strict):
    """A national fact: it has a source and either a checked date or an unconfirmed status."""

    model_config = ConfigDict(json_schema_extra=FACT_RULE)

    source: str = Field(min_length=3, description="Where the fact comes from: the title, number or address of "
                        "the official source a reviewer can look up.")
    checked: datetime.date | None = Field(None, description="The day the fact was checked against its source, "
                                          "as YYYY-MM-DD. Give this or 'status: unconfirmed', not both.")
    status: Literal["unconfirmed"] | None = Field(None, description="'unconfirmed' while the fact awaits legal "
                                                  "review: the guide marks it and lists it in the review annex. "
                                                  "Give this or 'checked', not both.")
    note: Localized | None = Field(None, description="A note for the legal reviewer, per language.")

    @model_validator(mode="after")
    def _checked_or_unconfirmed(self) -> Fact:
        if (self.checked is None) == (self.status is None):
            raise ValueError("give either 'checked: YYYY-MM-DD' or 'status: unconfirmed' (one of the two)")
        return self

    @property
    def unconfirmed(self) -> bool:
        return self.status == "unconfirmed"


class Law(Fact):
    """A law, an amendment (its own entry, `amends:` the law it changes) or a policy instrument."""

    title: Localized = Field(description="The full title of the law, per language.")
    short: Localized | None = Field(None, description="A short title used in running text, per language.")
    number: str | None = None
    year: int | None = Field(default=None, ge=1800, le=2100)
    amends: str | None = Field(None, description="The registry key of the law this amendment changes.")
    provisions: Localized | None = Field(None, description="What the law provides, per language.")
    penalties: Localized | None = Field(None, description="The penalties it sets, per language.")


class Agency(Fact):
    """An agency or coordination body. `stages` place it in the enforcement chain and
    `refers_to` names the agencies it hands cases to: together they draw the referral pathway."""

    name: Localized
    short: Localized | None = None
    role: Localized | None = None
    stages: list[Stage] = Field([], description="Where the agency works in the enforcement chain "
                                "(identification, investigation, referral, …): places it in the referral pathway.")
    refers_to: list[str] = Field([], description="The registry keys of the agencies it hands cases to.")


class Hotline(Fact):
    """A hotline victims or officials can call."""

    number: str = Field(description="The number as it is dialled, in quotes (e.g. \"1300\").")
    name: Localized
    hours: Localized | None = None


class Age(Fact):
    """An age; `value` is a number, or a text (per language where it needs words: "14 or 15")."""

    value: int | str | dict[str, str] = Field(description="The age: a number, a text, or a text per language.")
    instrument: Localized | None = None

    def text(self, lang: str) -> str:
        return self.value.get(lang, "") if isinstance(self.value, dict) else str(self.value)


class Ratification(Fact):
    """A country's ratification of an international instrument (`ratified`: a date, or a year
    where only the year is known); `party: false` records that it has not ratified. An unconfirmed
    entry may leave the date out: the review annex then asks for it."""

    model_config = ConfigDict(json_schema_extra={
        **FACT_RULE,
        "if": _present("party", {"const": False}),
        "then": {"properties": {"ratified": {"type": "null"}}},
        "else": {"anyOf": [_present("ratified", NOT_NULL), _present("status", {"const": "unconfirmed"})]},
        "$comment": "Fact._checked_or_unconfirmed (oneOf) and Ratification._date_if_party (if/then/else)",
    })

    instrument: Localized
    ratified: datetime.date | int | None = Field(None, description="The date of ratification (YYYY-MM-DD), or the "
                                                 "year where only the year is known.")
    party: bool = Field(True, description="false records that the country has not ratified the instrument.")

    @model_validator(mode="after")
    def _date_if_party(self) -> Ratification:
        if self.party and self.ratified is None and not self.unconfirmed:
            raise ValueError("give 'ratified: YYYY-MM-DD' (or the year), or 'party: false' (or, while it is not "
                             "known, 'status: unconfirmed')")
        if not self.party and self.ratified is not None:
            raise ValueError("a country that is not a party has no 'ratified' date")
        return self


class Registry(Strict):
    """The national facts the guide quotes, each under a key the Markdown uses: law("trafficking")."""

    laws: dict[str, Law] = {}
    agencies: dict[str, Agency] = {}
    hotlines: dict[str, Hotline] = {}
    ages: dict[str, Age] = Field({}, description="Ages the text uses as age.KEY, e.g. age.minimum_employment.")
    ratifications: dict[str, Ratification] = {}

    def facts(self) -> list[tuple[str, str, Fact]]:
        """Every fact as (kind, key, fact), in the order of the country file."""
        tables: list[tuple[str, dict[str, Any]]] = [
            ("laws", self.laws), ("agencies", self.agencies), ("hotlines", self.hotlines), ("ages", self.ages),
            ("ratifications", self.ratifications)]
        return [(kind, key, fact) for kind, table in tables for key, fact in table.items()]


OPERATIONS = ("replace", "insert_before", "insert_after", "remove")
OVERRIDE_RULE: dict[str, Any] = {
    "oneOf": [_present(op, {"type": "string"}) for op in OPERATIONS],
    "if": _present("remove", {"type": "string"}),
    "then": {"properties": {"with": {"type": "null"}}},
    "else": _present("with", {"type": "string"}),
    "$comment": "Override._one_operation: exactly one operation; 'remove' takes no 'with', the others need one",
}
_TARGET = "a session (m1.s02) or a section (m1.s02/national-law)"


class Override(Strict):
    """One overlay operation on a session (`m1.s02`) or a section (`m1.s02/national-law`).

    `against` is the fingerprint of the global text the override was last reviewed against
    (written by `atlas-etp review`); when the global text changes, the override may be stale.
    """

    model_config = ConfigDict(json_schema_extra=OVERRIDE_RULE)

    replace: str | None = Field(None, description=f"Replace {_TARGET} by the file named in 'with'.")
    insert_before: str | None = Field(None, description=f"Insert the file named in 'with' before {_TARGET}.")
    insert_after: str | None = Field(None, description=f"Insert the file named in 'with' after {_TARGET}.")
    remove: str | None = Field(None, description=f"Leave out {_TARGET}; takes no 'with'.")
    with_: str | None = Field(default=None, alias="with", description="The Markdown file with the national text, "
                              "relative to content/<country>/<language>/, e.g. national-law.md.")
    against: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$",
                                description="Written by 'atlas-etp review': the fingerprint of the global text "
                                "this override was last checked against. Do not edit by hand.")

    @model_validator(mode="after")
    def _one_operation(self) -> Override:
        given = [op for op in OPERATIONS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError("an override has exactly one of: " + ", ".join(OPERATIONS))
        if given[0] == "remove" and self.with_ is not None:
            raise ValueError("'remove' takes no 'with' file")
        if given[0] != "remove" and self.with_ is None:
            raise ValueError(f"'{given[0]}' needs a 'with: <file>.md' line")
        return self

    @property
    def operation(self) -> str:
        return next(op for op in OPERATIONS if getattr(self, op) is not None)

    @property
    def target(self) -> str:
        return str(getattr(self, self.operation))


class Release(Strict):
    """What a country asks of a release beyond what every release needs."""

    require_confirmed_facts: bool = False
    # Share of the text of each translated edition that must be translated and up to date (the
    # English stands in for the rest), and whether a translation may lag behind a changed English.
    translated_percent: int = Field(80, ge=0, le=100)
    allow_stale_translations: bool = False


class Country(Strict):
    """content/<country>/country.yaml: a country's languages, paper, national facts and the changes
    it makes to the global programme."""

    name: Localized = Field(description="The country's name, per language.")
    languages: list[str] = Field(min_length=1, description="The languages of the country's editions, e.g. "
                                 "[th, en]; each must exist under content/global/.")
    paper: Literal["A4", "Letter"] = "A4"
    # the Thai edition prints Thai digits (๑๒๓), as many Thai official documents do
    thai_digits: bool = Field(False, description="true: the Thai edition prints Thai digits (๑๒๓).")
    release: Release = Release()
    registry: Registry = Registry()
    overrides: list[Override] = Field([], description="National changes to the global text, each replacing, "
                                      "inserting or removing a session or a section by its ID.")


class Course(Strict):
    """A shorter course for some audiences: a chosen list of sessions that must fit in `days`."""

    days: int = Field(gt=0, le=20)
    audiences: list[Audience] = Field(min_length=1)
    sessions: list[Annotated[str, Field(pattern=r"^m[1-9]\.s[0-9][0-9]$")]] = Field(min_length=1)


class GuideMeta(Strict):
    """content/global/guide.yaml: the words on every cover and back page, and the shorter courses.
    The funding statement and the disclaimer are configuration, kept out of the templates, because
    a funder's required wording changes with each agreement."""

    title: Localized
    subtitle: Localized
    version: str
    date: datetime.date | None = None
    publisher: Localized
    funding: Localized
    disclaimer: Localized
    courses: dict[Annotated[str, Field(pattern=ID_PART.pattern)], Course] = {}


# The fingerprints of the English units a translation was made from, per unit: "front-matter",
# "intro" (text before the first ## heading) and each section ID. Written by
# `atlas-etp review-translation`; see translation.py.
TranslatedFrom = dict[Annotated[str, Field(pattern=ID_PART.pattern)], Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]]


class SectionFileMeta(Strict):
    """Front matter of a file of national ## sections: only the translation record, if any."""

    translated_from: TranslatedFrom = {}


class ChapterMeta(Strict):
    """Front matter of a chapter around the modules (how to use the guide, glossary, an annex)."""

    id: str = Field(pattern=ID_PART.pattern)
    title: str
    status: Literal["outline"] | None = None
    translated_from: TranslatedFrom = {}


class ModuleMeta(Strict):
    """Front matter of a module.md file."""

    id: str = Field(pattern=r"^m[1-9]$")
    title: str
    objectives: list[str] = []
    status: Literal["outline"] | None = None
    translated_from: TranslatedFrom = {}


class SessionMeta(Strict):
    """Front matter of a session file (between the two '---' lines at its top)."""

    id: str = Field(pattern=r"^m[1-9]\.s[0-9][0-9]$", description="The session's stable ID: module and session "
                    "number, e.g. m1.s02. Overrides and translations refer to it: do not change it.")
    # The pattern is what _title_not_blank checks, for editors.
    title: str = Field(json_schema_extra={"pattern": r"\S"})
    duration: int = Field(gt=0, le=600, description="Minutes the session takes (1 to 600).")
    audiences: list[Audience] = Field(min_length=1)
    objectives: list[str] = Field(min_length=1)
    materials: list[str] = []
    methods: list[str] = []
    status: Literal["outline"] | None = None
    translated_from: TranslatedFrom = {}

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the title is empty")
        return value


Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], data: Any, path: Path, first_line: int = 1) -> Model:
    """Validate `data` (read by sourcefile.load_yaml) or raise errors that point into the file."""
    if not isinstance(data, dict):
        found = "a list ('- …' lines)" if isinstance(data, list) else "a single value"
        raise ContentErrors([ContentError(path, first_line, f"the file holds {found} where 'key: value' lines are "
                                          "needed", "see docs/authoring.md for the layout")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentErrors(
            _content_error(model, data, path, (first_line, 1), err) for err in exc.errors()
        ) from None


def _content_error(model: type[BaseModel], data: Any, path: Path, default: tuple[int, int],
                   err: Any) -> ContentError:
    loc = tuple(step for step in err["loc"] if not isinstance(step, str) or not step.startswith("function-"))
    line, column = position_of(data, loc, default)
    where = ".".join(str(step) for step in loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        fields = _fields_at(model, loc[:-1])
        return ContentError(path, line, f"unknown key '{key}'", did_you_mean(key, fields, "keys"), column)
    if kind == "missing":
        return ContentError(path, line, f"'{where}' is missing", f"add a '{loc[-1]}:' line", column)
    plain = _PLAIN.get(kind)
    if plain and where:
        return ContentError(path, line, f"'{where}' {plain}", _hint(kind), column)
    message = err["msg"].removeprefix("Value error, ")
    return ContentError(path, line, f"'{where}': {message}" if where else message, _hint(kind), column)


# What a value of the wrong kind should be, in a writer's words (pydantic says "Input should be a
# valid integer, unable to parse string as an integer").
_PLAIN = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "list_type": "must be a list",
    "dict_type": "must be 'key: value' lines",
    "model_type": "must be 'key: value' lines",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "must be a date",
    "date_parsing": "must be a date",
    "date_from_datetime_parsing": "must be a date",
    "string_pattern_mismatch": "is not written as this ID must be",
}


def _hint(kind: str) -> str:
    return {
        "date_from_datetime_parsing": "write dates as YYYY-MM-DD",
        "date_parsing": "write dates as YYYY-MM-DD",
        "date_type": "write dates as YYYY-MM-DD",
        "int_parsing": "write a whole number",
        "string_type": "write text (put it in quotes if it starts with a special character)",
        "dict_type": "this needs 'key: value' lines (for a text: one line per language, e.g. 'en: …')",
        "list_type": "this needs a list: '- item' lines or [a, b]",
        "string_pattern_mismatch": "see docs/authoring.md for the ID format (a session is m1.s02, a module m1)",
    }.get(kind, "see docs/authoring.md")


def _fields_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at `loc`, for did-you-mean suggestions."""
    current: Any = model
    for step in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(step)) or next(
                (f for f in current.model_fields.values() if f.alias == step), None)
            if field is None:
                return []
            current = field.annotation
        elif get_origin(current) in (dict, list):
            current = get_args(current)[-1]
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X; Annotated[X, …] → X."""
    while get_origin(annotation) in (Union, Annotated) or type(annotation).__name__ == "UnionType":
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0]
    return annotation


def missing_translations(model: BaseModel, languages: list[str]) -> list[tuple[tuple[Any, ...], list[str]]]:
    """Every localized text in `model` that lacks one of `languages`, with its location."""
    found: list[tuple[tuple[Any, ...], list[str]]] = []

    def walk(value: Any, loc: tuple[Any, ...], localized: bool) -> None:
        if localized and isinstance(value, dict):
            missing = [lang for lang in languages if not value.get(lang, "").strip()]
            if missing:
                found.append((loc, missing))
        elif isinstance(value, BaseModel):
            for name, field in type(value).model_fields.items():
                is_text = any(isinstance(m, _LocalizedMarker) for m in field.metadata)
                walk(getattr(value, name), (*loc, field.alias or name), is_text)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key), False)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index), False)

    walk(model, (), False)
    return found
