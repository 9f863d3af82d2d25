"""Build many files at once: the release matrix, on every core, skipping what is up to date.

The main process decides from content hashes alone which targets are up to date (buildcache.py):
that loads no content and lays out no page, so a rebuild with nothing to do takes well under a
second. The rest goes to a pool of worker processes, the longest first so that the cores finish
together. Each worker prepares an edition (load, overlay, render) once and builds all the targets
of it that it is given. A failing target is reported and the others go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from enum import StrEnum
from multiprocessing import get_context
from pathlib import Path

from . import buildcache
from .editions import Kind, Target
from .errors import ContentErrors, PublishError
from .pipeline import prepare_edition
from .project import Project
from .publish import PRODUCERS, atomic_write, document_html
from .render import RenderedGuide

# Rough seconds of layout per kind on one core (thailand/th): the order the pool takes targets in.
_SECONDS = {Kind.guide: 40.0, Kind.workbook: 11.0, Kind.module: 6.0}
_SHEET_SECONDS = 0.5  # a test sheet or an answer key
_HTML_SECONDS = 0.1


class Status(StrEnum):
    current = "up to date"  # inputs unchanged: not even loaded
    unchanged = "unchanged"  # inputs changed, but not this file's HTML: not laid out again
    built = "built"
    failed = "FAILED"


@dataclass(frozen=True)
class Result:
    target: Target
    status: Status
    seconds: float = 0.0
    bytes: int | None = None
    pages: int | None = None
    error: str = ""  # why it failed, as the writer should read it


@dataclass(frozen=True)
class Job:
    """One target to build, as sent to a worker process."""

    root: Path
    out_dir: Path
    target: Target
    inputs: str  # the target's input hash (buildcache.InputHashes.target)
    engine: str  # the hash of what lays HTML out (buildcache.InputHashes.engine)
    force: bool  # build even if the HTML is unchanged


def default_jobs() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_targets(project: Project, targets: Sequence[Target], out_dir: Path, jobs: int, force: bool = False,
                  report: Callable[[Result], None] = lambda result: None) -> list[Result]:
    """Build `targets` into `out_dir` with `jobs` processes; one Result per target, in their order.
    `report` is called with each result as it comes (the progress display)."""
    hashes = buildcache.InputHashes(project)
    results: dict[Target, Result] = {}
    waiting: list[Job] = []
    for target in targets:
        inputs = hashes.target(target)
        record = None if force else buildcache.read_record(out_dir, target)
        if record and record.inputs == inputs and buildcache.file_is(out_dir / target.path, record):
            results[target] = Result(target, Status.current, bytes=record.bytes, pages=record.pages)
            report(results[target])
        else:
            waiting.append(Job(project.root, out_dir, target, inputs, hashes.engine(), force))
    waiting.sort(key=lambda job: expected_seconds(job.target), reverse=True)
    for result in _run(waiting, jobs):
        results[result.target] = result
        report(result)
    return [results[target] for target in targets]


def expected_seconds(target: Target) -> float:
    if target.extension == "html":
        return _HTML_SECONDS
    return _SECONDS.get(target.edition.kind, _SHEET_SECONDS)


def _run(waiting: list[Job], jobs: int) -> Iterator[Result]:
    """Results as they finish: in this process when there is one job or one target, else in a pool."""
    if jobs <= 1 or len(waiting) <= 1:
        prepared: dict[tuple[Path, str, str], RenderedGuide | ContentErrors] = {}  # this build's only
        yield from (build_one(job, prepared) for job in waiting)
        return
    # "spawn": workers start clean, without the parent's state (fontconfig is set up per process)
    with ProcessPoolExecutor(max_workers=min(jobs, len(waiting)), mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(build_one, job) for job in waiting]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# A worker's prepared editions: the pool lives for one build, so they are never out of date.
_PREPARED: dict[tuple[Path, str, str], RenderedGuide | ContentErrors] = {}


def build_one(job: Job, prepared: dict[tuple[Path, str, str], RenderedGuide | ContentErrors] = _PREPARED) -> Result:
    """Build one target, or say why it could not be built; never raises for a content problem."""
    started = time.perf_counter()
    target = job.target
    project = Project(job.root)
    try:
        guide = _prepared(prepared, project, target.country, target.lang)
        html = document_html(project, guide, target.edition, target.extension)
        html_key = buildcache.html_key(job.engine, html)
        path = job.out_dir / target.path
        record = buildcache.read_record(job.out_dir, target)
        if not job.force and record and record.html == html_key and buildcache.file_is(path, record):
            buildcache.write_record(job.out_dir, target, replace(record, inputs=job.inputs))
            return Result(target, Status.unchanged, time.perf_counter() - started, record.bytes, record.pages)
        output = PRODUCERS[target.extension](project, html)
        atomic_write(path, output.data)
        buildcache.write_record(job.out_dir, target, buildcache.Record(
            job.inputs, html_key, buildcache.sha256_of(output.data), len(output.data), output.pages))
        return Result(target, Status.built, time.perf_counter() - started, len(output.data), output.pages)
    except ContentErrors as exc:
        problems = "\n".join(error.format(project.root) for error in exc.errors)
        return Result(target, Status.failed, time.perf_counter() - started, error=problems)
    except PublishError as exc:
        return Result(target, Status.failed, time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # one broken target must not stop the release
        return Result(target, Status.failed, time.perf_counter() - started,
                      error=f"{type(exc).__name__}: {exc} — an error in atlas-etp itself: please report it")


def _prepared(prepared: dict[tuple[Path, str, str], RenderedGuide | ContentErrors], project: Project,
              country: str, lang: str) -> RenderedGuide:
    """The edition, prepared once per build and process; its content errors are kept and raised
    again for each of its targets."""
    key = (project.root, country, lang)
    if key not in prepared:
        try:
            prepared[key] = prepare_edition(project, country, lang)
        except ContentErrors as exc:
            prepared[key] = exc
    edition = prepared[key]
    if isinstance(edition, ContentErrors):
        raise edition
    return edition
