"""The `atlas-etp` command line: build, check and list the ETP editions.

Exit codes: 0 ok, 1 content errors (each printed as file:line:col: error: … — fix), 2 usage errors.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from .batch import Result, Status, build_targets, default_jobs
from .changes import country_changes
from .drift import override_drift, record_review
from .editions import ALL, Target, editions
from .editor_schema import SCHEMA_DIR, stale_schemas, write_schemas
from .errors import ContentError, ContentErrors, PublishError, UsageError, shown_path
from .i18n import translations
from .load import load_country, load_source_guide, module_numbers
from .model import TranslationState
from .pipeline import edition_guide, resolve_language
from .project import SOURCE_LANGUAGE, Project
from .publish import write_changes, write_index
from .registry_report import fact_rows
from .release import CHECKSUMS, MANIFEST, Selection, assemble, release_targets, select_targets, target_json
from .scaffold import new_country
from .serve import serve as serve_preview
from .stats import PartStats, programme_stats
from .translation_status import (
    StatusRow,
    Unit,
    edition_units,
    record_translation_review,
    status_rows,
    total_row,
)
from .validation import check_project

DEFAULT_COUNTRY = "thailand"

app = typer.Typer(
    help="Publish the ATLAS Enforcement Training Program: facilitator guides as PDF and HTML, "
    "per country and language, from the Markdown and YAML under content/.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

T = TypeVar("T")


class Format(StrEnum):
    all = "all"
    pdf = "pdf"
    html = "html"


RootOption = Annotated[Path | None, typer.Option("--root", help="The project folder (default: found from here).",
                                                  show_default=False)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"atlas-etp {version('atlas-etp')}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Publish the ATLAS Enforcement Training Program."""


def _run(action: Callable[[], T], root: Path | None = None) -> T:
    """Run a command; content and usage problems, and Ctrl-C, become clear lines and exit codes, not tracebacks."""
    try:
        return action()
    except ContentErrors as exc:
        _print_errors(exc.errors, root)
        raise typer.Exit(1) from None
    except PublishError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: every file written before the stop is complete; the others are as they were",
                   err=True)
        raise typer.Exit(130) from None


MAX_SHOWN_PER_FILE = 50  # more problems in one file are nearly always one mistake repeated


def _print_errors(errors: list[ContentError], root: Path | None, what: str = "problem") -> None:
    """Each problem with its quoted line; past MAX_SHOWN_PER_FILE in one file, how many more."""
    if not errors:
        return
    base = root or _project_root()
    per_file = Counter(error.path for error in errors)
    shown: Counter[Path] = Counter()
    for error in errors:
        shown[error.path] += 1
        if shown[error.path] <= MAX_SHOWN_PER_FILE:
            typer.echo(error.format(base), err=True)
        elif shown[error.path] == per_file[error.path]:
            hidden = per_file[error.path] - MAX_SHOWN_PER_FILE
            shown_file = shown_path(error.path, base) if base else error.path
            typer.echo(f"… and {hidden} more in {shown_file}: fix the ones above first, the rest are often the "
                       "same mistake", err=True)
    typer.echo(f"{len(errors)} {what}{'s' if len(errors) != 1 else ''} found.", err=True)


def _project_root() -> Path | None:
    try:
        return Project.find().root
    except UsageError:
        return None


def _project(root: Path | None) -> Project:
    return Project.find(root)


CountryFilter = Annotated[str | None, typer.Option("--country", help="Only this country.", show_default=False)]
LangFilter = Annotated[str | None, typer.Option("--lang", help="Only this language.", show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", help="pdf, html or all.")]
EditionOption = Annotated[str, typer.Option(
    "--edition", help="all; facilitator-guide, participant-workbook, module-N (or modules for every module), "
                      "pre-test, post-test or answer-key. `atlas-etp list --editions` lists them.")]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder (its .cache/ makes rebuilds incremental).")]
JobsOption = Annotated[int | None, typer.Option("--jobs", min=1, help="Processes to build with (default: the cores).",
                                         show_default=False)]


def _selection(country: str | None, lang: str | None, edition: str, output_format: Format) -> Selection:
    return Selection(country, lang, edition, None if output_format is Format.all else output_format.value)


@app.command()
def build(
    country: Annotated[str | None, typer.Option(
        help=f"Which country edition (default: {DEFAULT_COUNTRY}; with --all, every country).",
        show_default=False)] = None,
    lang: Annotated[str | None, typer.Option(
        help="Language (default: the country's first language; with --all, every language).",
        show_default=False)] = None,
    build_all: Annotated[bool, typer.Option("--all", help="The whole release matrix: every country, language, "
                                            "document and format (narrowed by the other options).")] = False,
    output_format: FormatOption = Format.all,
    edition: EditionOption = ALL,
    out: OutOption = Path("build"),
    jobs: JobsOption = None,
    force: Annotated[bool, typer.Option("--force", help="Build again even what is up to date.")] = False,
    root: RootOption = None,
) -> None:
    """Build the documents of one country and language (by default all of them: guide, workbook,
    module documents, test sheets and answer key), or with --all of every edition, then the release
    index of the output folder. Files whose inputs have not changed are not built again."""

    def action() -> None:
        project = _project(root)
        chosen_country = country if build_all else country or DEFAULT_COUNTRY
        if chosen_country is not None:
            project.require_country(chosen_country)
        chosen_lang = lang if build_all else resolve_language(project, chosen_country or DEFAULT_COUNTRY, lang)
        selected = select_targets(project, _selection(chosen_country, chosen_lang, edition, output_format))
        results = _build(project, selected, out, jobs or default_jobs(), force)
        if any(result.status is Status.failed for result in results):
            raise typer.Exit(1)

    _run(action, root)


def _build(project: Project, selected: list[Target], out: Path, jobs: int, force: bool) -> list[Result]:
    """Build with a progress line per file, then the summary table and the release index."""
    started = time.perf_counter()
    names = sorted({f"{target.country}/{target.lang}" for target in selected})
    typer.echo(f"{len(selected)} files of {', '.join(names)}, with {jobs} process{'es' if jobs > 1 else ''}",
               err=True)
    progress = _Progress(len(selected))
    results = build_targets(project, selected, out, jobs, force, progress.show)
    if _index_is_due(results, out):
        write_index(project, out)
    _print_summary(results, out, time.perf_counter() - started)
    return results


def _index_is_due(results: list[Result], out: Path) -> bool:
    """The index lists what the output folder holds: rewrite it when a file was written, or when it
    is missing; a build that wrote nothing writes nothing."""
    wrote = any(result.status is Status.built for result in results)
    complete = all(result.status is not Status.failed for result in results)
    return wrote or (complete and not (out / "index.html").is_file())


class _Progress:
    """One line per file as it is done: `[ 3/12] built   thailand/th/….pdf  41.2 s`."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def show(self, result: Result) -> None:
        self.done += 1
        if result.status is Status.current:
            return  # counted in the summary; a no-op build prints no line per file
        width = len(str(self.total))
        typer.echo(f"[{self.done:>{width}}/{self.total}] {result.status:<10} {result.target.path.as_posix()}"
                   f"  {result.seconds:.1f} s", err=True)


def _print_summary(results: list[Result], out: Path, seconds: float) -> None:
    """A table of every file (status, pages, size, seconds), then why each failure failed."""
    width = max(len(result.target.path.as_posix()) for result in results)
    typer.echo(f"{'file':<{width}}  {'status':<10} {'pages':>5} {'size':>9} {'seconds':>8}")
    for result in results:
        size = f"{result.bytes / 1024:,.0f} KiB" if result.bytes is not None else "—"
        pages = result.pages if result.pages is not None else "—"
        typer.echo(f"{result.target.path.as_posix():<{width}}  {result.status:<10} {pages:>5} {size:>9} "
                   f"{result.seconds:>8.1f}")
    counts = Counter(result.status for result in results)
    tally = ", ".join(f"{counts[status]} {status}" for status in Status if counts[status])
    typer.echo(f"{len(results)} files in {out}: {tally} — {seconds:.1f} s")
    _print_failures([result for result in results if result.status is Status.failed])


def _print_failures(failed: list[Result]) -> None:
    """Why files failed, each reason once with the files it stopped (a content error stops every
    file of its edition)."""
    by_reason: dict[str, list[str]] = {}
    for result in failed:
        by_reason.setdefault(result.error, []).append(result.target.path.as_posix())
    for reason, files in by_reason.items():
        typer.echo(f"not built: {', '.join(files)}", err=True)
        typer.echo(reason, err=True)


@app.command()
def targets(
    country: CountryFilter = None,
    lang: LangFilter = None,
    edition: EditionOption = ALL,
    output_format: FormatOption = Format.all,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON, for a CI system to share out.")]
    = False,
    root: RootOption = None,
) -> None:
    """List the files of the release matrix (every country, language, document and format), or the
    part of it the options name: what `build --all` with the same options builds."""

    def action() -> None:
        selected = select_targets(_project(root), _selection(country, lang, edition, output_format))
        if as_json:
            typer.echo(json.dumps([target_json(target) for target in selected], indent=2))
            return
        for target in selected:
            typer.echo(target.path.as_posix())

    _run(action, root)


@app.command()
def serve(
    country: Annotated[str, typer.Option(help="Which country edition.")] = DEFAULT_COUNTRY,
    lang: Annotated[str | None, typer.Option(help="Language (default: the country's first language).",
                                             show_default=False)] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 8000,
    root: RootOption = None,
) -> None:
    """Preview an edition's HTML in the browser while you edit: every save in content/ or templates/
    reloads the open page, and a problem shows over the page (file, line, fix) until it is fixed.
    Serves on 127.0.0.1 only and writes nothing. Ctrl-C stops it."""

    def action() -> None:
        project = _project(root)
        project.require_country(country)
        chosen = resolve_language(project, country, lang)
        try:
            serve_preview(project, country, chosen, port, lambda line: typer.echo(line, err=True))
        except KeyboardInterrupt:
            typer.echo("stopped", err=True)

    _run(action, root)


@app.command()
def release(
    out: OutOption = Path("build"),
    dist: Annotated[Path, typer.Option("--dist", help="Release folder (replaced as a whole).")] = Path("dist"),
    jobs: JobsOption = None,
    draft: Annotated[bool, typer.Option("--draft", help="Release even if `check --release` finds problems; the "
                                        "manifest then says draft and how many.")] = False,
    root: RootOption = None,
) -> None:
    """Build the whole release matrix (only what is not up to date) and write the release folder:
    every file, index.html, manifest.json (file, bytes, pages, sha256, source revision, tool and
    library versions) and SHA256SUMS. Refuses when `check --release` finds problems, unless --draft."""

    def action() -> None:
        project = _project(root)
        checked = check_project(project, release=True)
        if checked.errors and not draft:
            _print_errors(checked.errors, root)
            typer.echo(f"not released: fix these (`atlas-etp check --release` lists them), or pass --draft for "
                       f"a draft release; {dist} is unchanged", err=True)
            raise typer.Exit(1)
        _print_errors(checked.errors, root, "release problem")
        results = _build(project, release_targets(project), out, jobs or default_jobs(), force=False)
        failed = [result for result in results if result.status is Status.failed]
        if failed:
            raise PublishError(f"not released: {len(failed)} files failed to build (see above); {dist} is unchanged")
        typer.echo(f"wrote {assemble(project, out, dist, results, len(checked.errors))} "
                   f"({len(results)} files, {MANIFEST}, {CHECKSUMS})")

    _run(action, root)


@app.command()
def check(
    release: Annotated[bool, typer.Option("--release", help="Also fail on outlines, overrides not reviewed "
                                          "against the current global text, translations that are stale or "
                                          "below the country's threshold, and (where the country requires "
                                          "it) facts awaiting legal review.")] = False,
    root: RootOption = None,
) -> None:
    """Validate all content for every country and language; lays out no page, writes nothing."""

    def action() -> None:
        result = check_project(_project(root), release)
        _print_errors(result.warnings, root, "warning")
        if result.errors:
            raise ContentErrors(result.errors)
        typer.echo(f"checked {len(result.editions)} editions ({', '.join(result.editions)}): no errors"
                   + (" — ready for release" if release else ""))

    _run(action, root)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the files (default: schemas/ in the "
                                             "project folder, where country.yaml's first line points).",
                                             show_default=False)] = None,
    check_only: Annotated[bool, typer.Option("--check", help="Write nothing; fail if the files there are not "
                                             "what this version of atlas-etp generates (for CI).")] = False,
    root: RootOption = None,
) -> None:
    """Write the JSON Schema files editors use to check and complete country.yaml, guide.yaml and
    front matter (country.schema.json, session.schema.json, …); see docs/authoring.md."""
    def action() -> None:
        project = _project(root)
        folder = (out or project.root / SCHEMA_DIR).resolve()
        if folder.is_relative_to(project.content.resolve()):
            raise UsageError(f"{folder} is inside content/ — write the schemas elsewhere, e.g. --out {SCHEMA_DIR}")
        shown = folder.relative_to(project.root.resolve()) if folder.is_relative_to(project.root.resolve()) else folder
        if check_only:
            if errors := stale_schemas(folder):
                raise ContentErrors(errors)
            typer.echo(f"{shown}/: the schema files are up to date")
            return
        for path, changed in write_schemas(folder):
            typer.echo(f"{'wrote' if changed else 'up to date:'} {shown / path.name}")

    _run(action, root)


@app.command()
def review(
    targets: Annotated[list[str] | None, typer.Argument(help="The override targets reviewed, e.g. m1.s01/national-law.",
                                                         show_default=False)] = None,
    country: Annotated[str, typer.Option(help="Which country's overrides.")] = DEFAULT_COUNTRY,
    review_all: Annotated[bool, typer.Option("--all", help="Every override of the country.")] = False,
    root: RootOption = None,
) -> None:
    """Record that overrides were reviewed against the current global text (writes 'against:' into
    the country file), which clears the "may be stale" warning."""

    def action() -> None:
        project = _project(root)
        project.require_country(country)
        if not targets and not review_all:
            raise UsageError("name the overrides you reviewed (e.g. m1.s01/national-law), or pass --all")
        country_file = load_country(project, country)
        source = load_source_guide(project)
        drifts = override_drift(country_file, source)
        chosen = [d.override.target for d in drifts] if review_all else list(targets or [])
        for drift in record_review(country_file, drifts, chosen):
            typer.echo(f"{drift.override.target}: reviewed against {drift.fingerprint}")

    _run(action, root)


@app.command()
def status(
    country: Annotated[str | None, typer.Option(help="Only this country (default: all).", show_default=False)] = None,
    lang: Annotated[str | None, typer.Option(help="Only this language (default: every translated language).",
                                             show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON (for CI).")] = False,
    show_list: Annotated[bool, typer.Option("--list", help="Also list each stale or missing unit with its file.")]
    = False,
    root: RootOption = None,
) -> None:
    """Show how complete each translated edition is: per module, the sections translated and up to
    date, stale (the English changed since), and missing (shown in English)."""

    def action() -> None:
        project = _project(root)
        if country:
            project.require_country(country)
        tables = []
        for key in [country] if country else project.countries():
            for language in load_country(project, key).model.languages:
                if language == SOURCE_LANGUAGE or (lang and language != lang):
                    continue
                guide = edition_guide(project, key, language)
                units = edition_units(project, guide)
                tables.append((status_rows(key, guide, units), units))
        if as_json:
            typer.echo(json.dumps([_row_json(row) for rows, _ in tables for row in (*rows, total_row(rows))],
                                  ensure_ascii=False, indent=2))
            return
        for rows, units in tables:
            _print_status(project, rows, units if show_list else [])

    _run(action, root)


def _row_json(row: StatusRow) -> dict[str, object]:
    return {"country": row.country, "lang": row.lang, "part": row.group, "up_to_date": row.current,
            "stale": row.stale, "missing": row.missing, "total": row.total, "percent": round(row.percent, 1)}


def _print_status(project: Project, rows: list[StatusRow], units: list[Unit]) -> None:
    first = rows[0]
    typer.echo(f"{first.country}/{first.lang}{'':22}{'up to date':>11}{'stale':>7}{'missing':>9}{'total':>7}"
               f"{'complete':>10}")
    for row in (*rows, total_row(rows)):
        typer.echo(f"  {row.group:<8}{row.title[:24]:<25}{row.current:>11}{row.stale:>7}{row.missing:>9}"
                   f"{row.total:>7}{row.percent:>9.1f}%")
    for unit in units:
        if unit.state is not TranslationState.current:
            where = f"{unit.path.relative_to(project.root)}:{unit.line}"
            typer.echo(f"    {unit.state:<8} {where}  {unit.part} > {unit.key}")


@app.command("review-translation")
def review_translation(
    files: Annotated[list[Path] | None, typer.Argument(
        help="Translated files reviewed, e.g. content/global/th/m2-investigation/s01-inspection-powers.md; "
             "add #SECTION-ID to record one section only.", show_default=False)] = None,
    review_all: Annotated[bool, typer.Option("--all", help="Every translated file of --lang.")] = False,
    lang: Annotated[str | None, typer.Option(help="The language, with --all.", show_default=False)] = None,
    root: RootOption = None,
) -> None:
    """Record that translations were checked against the English as it is now (writes
    'translated_from:' into each file), which clears their "stale" state."""

    def action() -> None:
        project = _project(root)
        if review_all:
            if not lang or lang == SOURCE_LANGUAGE:
                raise UsageError("--all needs --lang with a translated language, e.g. --lang th")
            targets = [(path, None) for path in sorted(project.content.glob(f"*/{lang}/**/*.md"))]
        elif files:
            targets = [_review_target(project, str(file)) for file in files]
        else:
            raise UsageError("name the translated files you reviewed, or pass --all --lang LANG")
        for path, key in targets:
            recorded = record_translation_review(project, path, [key] if key else None)
            typer.echo(f"{path.relative_to(project.root)}: {len(recorded)} units recorded as reviewed")

    _run(action, root)


def _review_target(project: Project, target: str) -> tuple[Path, str | None]:
    name, _, key = target.partition("#")
    path = Path(name).resolve()
    if not path.is_file():
        raise UsageError(f"there is no file {name}")
    if not path.is_relative_to(project.content.resolve()):
        raise UsageError(f"{name} is not under {project.content}")
    return path, key or None


@app.command("diff")
def diff(
    country: Annotated[str, typer.Option(help="Which country edition.")] = DEFAULT_COUNTRY,
    lang: Annotated[str | None, typer.Option(help="Language (default: the country's first language).",
                                             show_default=False)] = None,
    out: Annotated[Path, typer.Option(help="Output folder of the HTML report.")] = Path("build"),
    root: RootOption = None,
) -> None:
    """List what a country edition changes in the global ETP (overrides and national facts), and
    write the same as an HTML report that shows the global and national texts side by side."""

    def action() -> None:
        project = _project(root)
        project.require_country(country)
        language = resolve_language(project, country, lang)
        country_file, changes, report = country_changes(project, country, language)
        report.raise_if_any()
        facts = fact_rows(country_file.model, language, translations(language).gettext)
        typer.echo(f"{country}/{language}: {len(changes)} changes to the global text "
                   f"(content/{country}/country.yaml)")
        for change in changes:
            where = change.file or "—"
            typer.echo(f"  {change.number:>2}. line {change.line:<4} {change.operation:<13} {change.target:<24} "
                       f"{where}  [{change.state}]")
        unconfirmed = sum(fact.unconfirmed for fact in facts)
        tables = Counter(fact.table for fact in facts)
        typer.echo(f"national facts: {len(facts)} ({len(facts) - unconfirmed} checked, {unconfirmed} awaiting legal "
                   f"review) — " + ", ".join(f"{table} {count}" for table, count in tables.items()))
        name = country_file.model.name.get(language, country)
        path = write_changes(project, country, language, name, changes, facts, out)
        typer.echo(f"wrote {path}")

    _run(action, root)


@app.command("new-country")
def new_country_command(
    name: Annotated[str, typer.Argument(help="The country folder name, e.g. argentina.")],
    lang: Annotated[str, typer.Option(help="Its first language (the global ETP must exist in it).")] = SOURCE_LANGUAGE,
    root: RootOption = None,
) -> None:
    """Create a country folder that builds at once: a registry with every key the global text uses,
    each marked "to be completed" and awaiting legal review."""

    def action() -> None:
        project = _project(root)
        path = new_country(project, name, lang)
        typer.echo(f"wrote {path.relative_to(project.root)}")
        typer.echo(f"next: fill in its registry, then run: atlas-etp build --country {name} --lang {lang}")
        if not (project.root / SCHEMA_DIR / "country.schema.json").is_file():
            typer.echo("and run `atlas-etp schema` once, so that editors can check the file (its first line points "
                       f"at {SCHEMA_DIR}/country.schema.json)")

    _run(action, root)


@app.command("list")
def list_content(
    show_editions: Annotated[bool, typer.Option("--editions", help="List the documents each country and language "
                                                "gets, and their file names, instead.")] = False,
    root: RootOption = None,
) -> None:
    """List countries, their languages, and the modules and sessions of the programme."""

    def action() -> None:
        project = _project(root)
        if show_editions:
            _list_editions(project)
            return
        typer.echo("Countries:")
        for country in project.countries():
            model = load_country(project, country).model
            typer.echo(f"  {country:<10} {model.name.get('en', country):<10} languages: {', '.join(model.languages)}"
                       f"  paper: {model.paper}  overrides: {len(model.overrides)}")
        guide = load_source_guide(project)
        typer.echo("Modules and sessions (global body):")
        for module in guide.modules:
            typer.echo(f"  {module.id}  {module.meta.title}")
            for session in module.sessions:
                state = "outline" if session.is_outline else "written"
                typer.echo(f"    {session.id}  {session.meta.duration:>3} min  {state:<7}  {session.meta.title}")

    _run(action, root)


def _list_editions(project: Project) -> None:
    """Each country and language, then one line per document: its key (for --edition), who it is
    for, and the files `build` writes."""
    documents = editions(module_numbers(project))
    for country in project.countries():
        for lang in load_country(project, country).model.languages:
            typer.echo(f"{country}/{lang}:")
            for document in documents:
                files = [Target(country, lang, document, extension).path.as_posix() for extension in document.formats]
                reader = "participants" if document.for_participants else "facilitators"
                typer.echo(f"  {document.key:<22}{reader:<14}{'  '.join(files)}")


@app.command()
def stats(root: RootOption = None) -> None:
    """Show the size of the programme (English source): sessions, hours and words per module."""

    def action() -> None:
        project = _project(root)
        guide = load_source_guide(project)
        rows = programme_stats(guide)
        rows.append(PartStats("", "Total", *(sum(getattr(r, key) for r in rows)
                                             for key in ("sessions", "outlines", "minutes", "words"))))
        typer.echo(f"{'':4}{'':32}{'sessions':>9}{'outlines':>9}{'hours':>7}{'words':>8}")
        for row in rows:
            typer.echo(f"{row.id:<4}{row.title[:31]:<32}{row.sessions:>9}{row.outlines:>9}"
                       f"{row.minutes / 60:>7.1f}{row.words:>8,}")

    _run(action, root)
