"""The documents a training team gets for each country and language, and their file names.

A team runs a course with a facilitator guide, hands each participant a workbook, prints the
pre-test and post-test sheets, and keeps the answer key for the facilitators. The country editions
were also sent out one module per document, so each module is a PDF of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .errors import UsageError, did_you_mean

ALL = "all"
ALL_MODULES = "modules"  # every module document, for `--edition modules`


class Kind(StrEnum):
    guide = "facilitator-guide"
    workbook = "participant-workbook"
    module = "module"
    pre_test = "pre-test"
    post_test = "post-test"
    answer_key = "answer-key"


# Which template lays each kind out (templates/…); a module document is the guide cut to one module.
TEMPLATES = {
    Kind.guide: "guide.html.j2",
    Kind.module: "guide.html.j2",
    Kind.workbook: "workbook.html.j2",
    Kind.pre_test: "test.html.j2",
    Kind.post_test: "test.html.j2",
    Kind.answer_key: "answer-key.html.j2",
}
READING_KINDS = (Kind.guide, Kind.workbook)  # read on screen too; the others are printed
PARTICIPANT_KINDS = (Kind.workbook, Kind.pre_test, Kind.post_test)


@dataclass(frozen=True)
class Edition:
    """One document of a country-and-language edition."""

    kind: Kind
    module: int | None = None  # the module's number, for a module document

    @property
    def key(self) -> str:
        """The name used on the command line and in file names: "module-3", "participant-workbook"."""
        return f"{Kind.module}-{self.module}" if self.kind is Kind.module else self.kind.value

    @property
    def formats(self) -> tuple[str, ...]:
        """The guide and the workbook are also read on screen, as one HTML file each; the module
        documents and the test sheets are for print."""
        return ("pdf", "html") if self.kind in READING_KINDS else ("pdf",)

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]

    @property
    def for_participants(self) -> bool:
        """Participants get it: it must hold no facilitator notes and no answers."""
        return self.kind in PARTICIPANT_KINDS


def editions(module_numbers: Sequence[int]) -> list[Edition]:
    """Every document of an edition whose programme has these modules, in the order a team uses them."""
    return [
        Edition(Kind.guide),
        Edition(Kind.workbook),
        *(Edition(Kind.module, number) for number in module_numbers),
        Edition(Kind.pre_test),
        Edition(Kind.post_test),
        Edition(Kind.answer_key),
    ]


def select(available: Sequence[Edition], choice: str) -> list[Edition]:
    """The editions `--edition` names: all, modules, or one key; a usage error names the valid ones."""
    if choice == ALL:
        return list(available)
    if choice == ALL_MODULES:
        return [edition for edition in available if edition.kind is Kind.module]
    chosen = [edition for edition in available if edition.key == choice]
    if not chosen:
        keys = [ALL, ALL_MODULES, *(edition.key for edition in available)]
        raise UsageError(f"there is no edition '{choice}' — {did_you_mean(choice, keys, 'editions')}")
    return chosen


def file_name(country: str, lang: str, edition: Edition, extension: str) -> str:
    """atlas-etp-<country>-<lang>-<edition>.<ext>: every file of a release has a distinct name, so
    files copied out of their folders onto one USB stick do not overwrite each other."""
    return f"atlas-etp-{country}-{lang}-{edition.key}.{extension}"


def output_path(out_dir: Path, country: str, lang: str, edition: Edition, extension: str) -> Path:
    """build/<country>/<lang>/<file name>"""
    return out_dir / country / lang / file_name(country, lang, edition, extension)


@dataclass(frozen=True)
class Target:
    """One file of a release: a document of a country-and-language edition in one format."""

    country: str
    lang: str
    edition: Edition
    extension: str

    @property
    def path(self) -> Path:
        """Where it is written, relative to the output folder."""
        return output_path(Path(), self.country, self.lang, self.edition, self.extension)


def targets(countries: dict[str, Sequence[str]], module_numbers: Sequence[int]) -> list[Target]:
    """Every file of a release, for these countries and their languages."""
    return [Target(country, lang, edition, extension)
            for country, languages in countries.items() for lang in languages
            for edition in editions(module_numbers) for extension in edition.formats]
