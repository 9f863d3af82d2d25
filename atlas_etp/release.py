"""The release matrix and the release folder.

A release is every country, language, document and format. `targets` lists it (for CI runners
to share out), `build --all` builds it, and `release` copies it into dist/ with a manifest and a
SHA256SUMS file, so that whoever receives the files can tell what they are, where they come from
and that they arrived whole.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from . import buildcache
from .atomicfile import atomic_write
from .batch import Result
from .editions import Target, editions, select, targets
from .errors import UsageError
from .load import load_country, module_numbers
from .project import Project
from .provenance import source_date, source_revision
from .publish import write_index

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Selection:
    """Which part of the matrix to build: None means every value."""

    country: str | None = None
    lang: str | None = None
    edition: str = "all"  # as `--edition` takes it: all, modules, or a document's key
    extension: str | None = None


def release_targets(project: Project) -> list[Target]:
    """Every file of a release, country by country in the order `list --editions` shows them."""
    languages = {country: load_country(project, country).model.languages for country in project.countries()}
    return targets(languages, module_numbers(project))


def select_targets(project: Project, selection: Selection) -> list[Target]:
    """The targets a selection names; a usage error for a country, language or document that does
    not exist, or for a combination that has no file."""
    everything = release_targets(project)
    if selection.country is not None:
        project.require_country(selection.country)
    if selection.lang is not None:
        languages = sorted({t.lang for t in everything if selection.country in (None, t.country)})
        if selection.lang not in languages:
            where = selection.country or "the project"
            raise UsageError(f"{where} has no '{selection.lang}' edition — its languages are: {', '.join(languages)}")
    documents = {edition.key for edition in select(editions(module_numbers(project)), selection.edition)}
    chosen = [target for target in everything
              if selection.country in (None, target.country) and selection.lang in (None, target.lang)
              and target.edition.key in documents and selection.extension in (None, target.extension)]
    if not chosen:
        raise UsageError(f"'{selection.edition}' is printed, not read on screen: it has no "
                         f"{selection.extension} file — use --format pdf")
    return chosen


def target_json(target: Target) -> dict[str, str]:
    """A target as `targets --json` prints it and the manifest records it."""
    return {"country": target.country, "lang": target.lang, "edition": target.edition.key,
            "format": target.extension, "file": target.path.as_posix()}


def assemble(project: Project, out_dir: Path, dist: Path, results: Sequence[Result],
             release_problems: int) -> Path:
    """Copy the built files into `dist` with index.html, manifest.json and SHA256SUMS. The folder
    is made beside `dist` and swapped in at the end: `dist` holds the old release or the new one,
    never a mixture."""
    partial = dist.with_name(f".{dist.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    files = []
    for result in results:
        copy = partial / result.target.path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out_dir / result.target.path, copy)
        files.append({**target_json(result.target), "bytes": copy.stat().st_size, "pages": result.pages,
                      "sha256": buildcache.file_sha256(copy)})
    write_index(project, partial)
    manifest = {
        "tool": f"atlas-etp {version('atlas-etp')}",
        "libraries": buildcache.dependency_versions(),
        "source_revision": source_revision(project.root),
        "source_date": source_date(project.root).isoformat(),
        "draft": release_problems > 0,
        "release_problems": release_problems,
        "files": files,
    }
    atomic_write(partial / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    _write_checksums(partial)
    _swap(partial, dist)
    return dist


def _write_checksums(folder: Path) -> None:
    """SHA256SUMS in the format `sha256sum -c` reads, for every file of the release."""
    lines = [f"{buildcache.file_sha256(path)}  {path.relative_to(folder).as_posix()}\n"
             for path in sorted(folder.rglob("*")) if path.is_file()]
    atomic_write(folder / CHECKSUMS, "".join(lines).encode("utf-8"))


def _swap(partial: Path, dist: Path) -> None:
    old = dist.with_name(f".{dist.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if dist.exists():
        dist.rename(old)
    partial.rename(dist)
    shutil.rmtree(old, ignore_errors=True)
