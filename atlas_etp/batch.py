"""Build many files at once: the release matrix, on every core, skipping what is up to date.

The main process decides from content hashes alone which targets are up to date (buildcache.py):
that loads no content and lays out no page, so a rebuild with nothing to do takes well under a
second. The rest goes to a pool of worker processes, the longest first so that the cores finish
together. Each worker prepares an edition (load, overlay, render) once and builds all the targets
of it that it is given. A failing target is reported and the others go on.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from multiprocessing import get_context
from pathlib import Path

from . import buildcache
from .atomicfile import atomic_write, remove_partial_files
from .editions import Kind, Target
from .errors import ContentErrors, PublishError
from .limits import LimitExceeded, Limits, bounded
from .pipeline import prepare_edition
from .project import Project
from .publish import PRODUCERS, document_html
from .render import RenderedGuide

# Rough seconds of layout per kind on one core (thailand/th): the order the pool takes targets in.
_SECONDS = {Kind.guide: 40.0, Kind.workbook: 11.0, Kind.module: 6.0}
_SHEET_SECONDS = 0.5  # a test sheet or an answer key
_HTML_SECONDS = 0.1
# A worker's start (spawn, imports) before its first job, on top of the time bound of a job: the
# longest silence of a healthy pool.
_STARTUP_SECONDS = 60.0
_LOST = ("its build process died (out of memory in the layout engine?) or stopped answering for {:.0f} s — "
         "build the files that failed one at a time (--jobs 1) to see which one does it")


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
    limits: Limits  # the time and memory bounds of the target


def default_jobs() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_targets(project: Project, targets: Sequence[Target], out_dir: Path, jobs: int, force: bool = False,
                  report: Callable[[Result], None] = lambda result: None, limits: Limits | None = None
                  ) -> list[Result]:
    """Build `targets` into `out_dir` with `jobs` processes, each target within `limits` (by default
    from the environment); one Result per target, in their order. `report` is called with each
    result as it comes (the progress display).

    Ctrl-C or SIGTERM raises KeyboardInterrupt once the workers are gone and the temporary files
    of the writes they did not finish are removed: every file is then complete, new or old."""
    limits = limits or Limits.from_environment()
    remove_partial_files(out_dir)  # left by a build that was killed (SIGKILL cannot be caught)
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
            waiting.append(Job(project.root, out_dir, target, inputs, hashes.engine(), force, limits))
    waiting.sort(key=lambda job: expected_seconds(job.target), reverse=True)
    try:
        with _terminate_as_interrupt(), closing(_run(waiting, jobs)) as finished:
            for result in finished:
                results[result.target] = result
                report(result)
    except KeyboardInterrupt:
        remove_partial_files(out_dir)
        raise
    return [results[target] for target in targets]


def expected_seconds(target: Target) -> float:
    if target.extension == "html":
        return _HTML_SECONDS
    return _SECONDS.get(target.edition.kind, _SHEET_SECONDS)


def _run(waiting: list[Job], jobs: int) -> Iterator[Result]:
    """Results as they finish: in this process when there is one job or one target, else in a pool."""
    if jobs <= 1 or len(waiting) <= 1:
        prepared: dict[tuple[Path, str, str], Prepared] = {}  # this build's only
        yield from (build_one(job, prepared) for job in waiting)
        return
    yield from _pooled(waiting, min(jobs, len(waiting)))


def _pooled(waiting: list[Job], size: int) -> Iterator[Result]:
    """Results from a pool of `size` processes. A job whose process died (killed, or aborted in a C
    library out of memory) or hung where the time bound cannot reach (inside C code) sends no
    result: when none has come for longer than any job may take, those left are reported failed."""
    silence = waiting[0].limits.seconds + _STARTUP_SECONDS if waiting[0].limits.seconds else None
    pending = {job.target for job in waiting}
    with _pool(size) as pool:
        results = pool.imap_unordered(build_one, waiting)
        while pending:
            try:
                result = results.next(silence)
            except multiprocessing.TimeoutError:
                pool.terminate()
                yield from (Result(target, Status.failed, error=_LOST.format(silence)) for target in pending)
                return
            pending.discard(result.target)
            yield result


@contextmanager
def _pool(size: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of "spawn" workers (they start clean, without the parent's state: fontconfig is set
    up per process) that leave Ctrl-C to this process. Left by an exception (Ctrl-C, SIGTERM), it
    terminates the workers at once, whatever they are laying out, and waits until they are gone."""
    pool = None
    try:
        with _signals_held():
            pool = get_context("spawn").Pool(size, initializer=_start_worker)
        yield pool
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    else:
        pool.close()
    finally:
        if pool is not None:
            pool.join()


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while the pool starts: a pool half started is never left behind,
    and the workers inherit the held signals, so none sees a Ctrl-C before it ignores it."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start_worker() -> None:
    """A Ctrl-C in the terminal reaches every process of the build: the workers ignore it (no
    traceback from each) and the main process, which decides, terminates them with SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (CI cancelling a job) stops a build as Ctrl-C does: workers ended, partial files
    removed, exit code 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


Prepared = RenderedGuide | ContentErrors | LimitExceeded
# A worker's prepared editions: the pool lives for one build, so they are never out of date.
_PREPARED: dict[tuple[Path, str, str], Prepared] = {}


def build_one(job: Job, prepared: dict[tuple[Path, str, str], Prepared] = _PREPARED) -> Result:
    """Build one target within its time and memory bounds, or say why it could not be built; never
    raises for a content problem or a bound."""
    started = time.perf_counter()
    target = job.target
    project = Project(job.root)
    try:
        with bounded(target.path.as_posix(), job.limits):
            status, output = _build(project, job, prepared)
        return Result(target, status, time.perf_counter() - started, output.bytes, output.pages)
    except ContentErrors as exc:
        problems = "\n".join(error.format(project.root) for error in exc.errors)
        return Result(target, Status.failed, time.perf_counter() - started, error=problems)
    except (PublishError, LimitExceeded) as exc:
        return Result(target, Status.failed, time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # one broken target must not stop the release
        return Result(target, Status.failed, time.perf_counter() - started,
                      error=f"{type(exc).__name__}: {exc} — an error in atlas-etp itself: please report it")


def _build(project: Project, job: Job, prepared: dict[tuple[Path, str, str], Prepared]
           ) -> tuple[Status, buildcache.Record]:
    """Lay the target out and write it with its record, unless its HTML is the one last laid out."""
    target = job.target
    guide = _prepared(prepared, project, target.country, target.lang)
    html = document_html(project, guide, target.edition, target.extension)
    html_key = buildcache.html_key(job.engine, html)
    path = job.out_dir / target.path
    record = buildcache.read_record(job.out_dir, target)
    if not job.force and record and record.html == html_key and buildcache.file_is(path, record):
        buildcache.write_record(job.out_dir, target, replace(record, inputs=job.inputs))
        return Status.unchanged, record
    output = PRODUCERS[target.extension](project, html)
    atomic_write(path, output.data)
    record = buildcache.Record(job.inputs, html_key, buildcache.sha256_of(output.data), len(output.data),
                               output.pages)
    buildcache.write_record(job.out_dir, target, record)
    return Status.built, record


def _prepared(prepared: dict[tuple[Path, str, str], Prepared], project: Project, country: str,
              lang: str) -> RenderedGuide:
    """The edition, prepared once per build and process; its content errors, or the bound it went
    past, are kept and raised again for each of its targets (each would fail the same way)."""
    key = (project.root, country, lang)
    if key not in prepared:
        try:
            prepared[key] = prepare_edition(project, country, lang)
        except ContentErrors as exc:
            prepared[key] = exc
        except LimitExceeded as exc:
            prepared[key] = exc.retold(f"preparing {country}/{lang} (load, overlay, render)")
    edition = prepared[key]
    if isinstance(edition, Exception):
        raise edition
    return edition
