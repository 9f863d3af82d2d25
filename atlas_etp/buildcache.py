"""Incremental builds: which files of a release are already up to date, judged by content hashes.

A target is skipped when the hashes of everything it is made from (the edition's content files,
the country overlay, translations, templates, fonts, the tool's own code, the versions of the
libraries it runs on, the date it is stamped with) are those recorded when it was last built, and
the file on disk is still the one that build wrote. Timestamps play no part: a checkout, a copy or
an artefact downloaded from another CI runner is as good as a local build.

When those inputs did change, the HTML of the target is made and hashed: a target whose HTML is
the same as last time (a Thai session edit does not change Module 1's HTML) is not laid out again.

The records live in <out>/.cache/, one small JSON file per target, so that parallel workers and
CI runners never write the same file and their folders can simply be merged.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

from .atomicfile import atomic_write
from .editions import Target
from .project import PACKAGE_DIR, SOURCE_LANGUAGE, Project
from .provenance import source_date

CACHE_DIR = ".cache"
TEXT_SUFFIXES = {".md", ".yaml", ".yml"}  # content read as text; anything else (images) is an asset
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9._-]+")
Files = Literal["all", "text", "assets"]


@dataclass(frozen=True)
class Record:
    """What the last build of a target was made from and what it wrote."""

    inputs: str  # hash of the files and settings the target is made from
    html: str  # hash of the HTML it was laid out from (with the engine)
    sha256: str  # of the file written
    bytes: int
    pages: int | None  # of a PDF


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _content_hash(path: Path) -> str:
    """A file's sha256; for a link, where it points. The file a link points to is hashed where it
    lies, or refused by the loader if that is outside content/: a link out of the project must not
    make the build read (or hang on, or fail to read) something outside it before `check` says so."""
    if path.is_symlink():
        return "link:" + os.readlink(path)
    try:
        return file_sha256(path)
    except OSError as exc:
        return f"unreadable:{exc.errno}"  # the loader reports it at its file


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


class InputHashes:
    """Hashes of a project's inputs; each folder is read once however many targets use it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.date = source_date(project.root).isoformat()
        self._folders: dict[tuple[Path, Files], str] = {}
        self._engine: str | None = None

    def folder(self, folder: Path, files: Files = "all") -> str:
        """One hash of the names and bytes of the files under `folder`: all of them, only the
        text content, or only the assets; a missing folder hashes as empty."""
        if (folder, files) not in self._folders:
            digest = hashlib.sha256()
            for path in sorted(folder.rglob("*")):
                if (path.is_symlink() or path.is_file()) and "__pycache__" not in path.parts and _wanted(path, files):
                    digest.update(f"{path.relative_to(folder).as_posix()}\0{_content_hash(path)}\0".encode())
            self._folders[folder, files] = digest.hexdigest()
        return self._folders[folder, files]

    def engine(self) -> str:
        """What turns any HTML into a file: the tool's code and catalogs, the templates and fonts,
        content assets such as images, and the versions of Python and of every library."""
        if self._engine is None:
            self._engine = _hash(self.folder(PACKAGE_DIR), self.folder(self.project.templates),
                                 self.folder(self.project.content, "assets"),
                                 platform.python_version(), *dependency_versions())
        return self._engine

    def edition(self, country: str, lang: str) -> str:
        """Everything a country-and-language edition is made from; a translation falls back to
        the English source, so that is read too."""
        languages = sorted({SOURCE_LANGUAGE, lang})
        return _hash(self.engine(), self.date, file_sha256(self.project.global_dir / "guide.yaml"),
                     self.folder(self.project.country_dir(country), "text"),
                     *(self.folder(self.project.global_dir / language, "text") for language in languages))

    def target(self, target: Target) -> str:
        return _hash(self.edition(target.country, target.lang), target.path.as_posix())


def html_key(engine: str, html: str) -> str:
    """The key of a target's HTML with the engine that lays it out: when both are as they were,
    the file is as it was, whatever else changed."""
    return _hash(engine, sha256_of(html.encode("utf-8")))


def _wanted(path: Path, files: Files) -> bool:
    return files == "all" or (path.suffix in TEXT_SUFFIXES) == (files == "text")


def _hash(*parts: str) -> str:
    return sha256_of("\0".join(parts).encode("utf-8"))


def dependency_versions() -> list[str]:
    """name==version of atlas-etp's installed dependencies, all the way down (the PDF engine's
    version shows in its output)."""
    seen: dict[str, str] = {}
    waiting = ["atlas-etp"]
    while waiting:
        name = waiting.pop()
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        canonical = distribution.metadata["Name"].lower().replace("_", "-")
        if canonical in seen:
            continue
        seen[canonical] = distribution.version
        for requirement in distribution.requires or []:
            match = _REQUIREMENT_NAME.match(requirement)
            if match and "extra ==" not in requirement:
                waiting.append(match.group())
    return [f"{name}=={version}" for name, version in sorted(seen.items())]


def record_path(out_dir: Path, target: Target) -> Path:
    """out/.cache/<country>/<lang>/<file>.json"""
    return out_dir / CACHE_DIR / target.path.with_name(target.path.name + ".json")


def read_record(out_dir: Path, target: Target) -> Record | None:
    """The target's record, or None when there is none or it cannot be read (then it is rebuilt)."""
    try:
        return Record(**json.loads(record_path(out_dir, target).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_record(out_dir: Path, target: Target, record: Record) -> None:
    atomic_write(record_path(out_dir, target), json.dumps(asdict(record), indent=1).encode("utf-8"))


def file_is(path: Path, record: Record) -> bool:
    """The file on disk is the one the record describes (not deleted, truncated or edited since)."""
    return path.is_file() and path.stat().st_size == record.bytes and file_sha256(path) == record.sha256
