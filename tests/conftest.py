"""Shared fixtures: a small throw-away project, and a way to run the CLI as a user would."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atlas_etp.cli import app
from atlas_etp.editions import editions, select
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import html_document

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small test project (one country, 'testland', in en and th) with the real templates."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `atlas-etp ARGS…`; returns exit code and the two output streams."""

    def run(*args: str | Path) -> Result:
        result = CliRunner().invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


def require_complete_translations(project: Path) -> None:
    """Make the test country's release need every translation complete (the default is 80 %)."""
    with (project / "content/testland/country.yaml").open("a", encoding="utf-8") as handle:
        handle.write("release:\n  translated_percent: 100\n")


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in a file, failing loudly if `old` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def document(root: Path, country: str, lang: str, edition: str, medium: str = "print") -> str:
    """The HTML of one document of an edition (`edition` as on the command line, e.g. "pre-test"),
    without laying out a PDF: what WeasyPrint would be given, or the screen HTML."""
    guide = prepare_edition(Project(root), country, lang)
    [chosen] = select(editions([module.number for module in guide.modules]), edition)
    return html_document(Project(root), guide, medium, chosen)


EDITIONS = [("thailand", "th"), ("paraguay", "es"), ("liberia", "en")]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three guides, and one of each other kind of document, built from the real content."""
    out = tmp_path_factory.mktemp("build")
    builds = [*(["--country", country, "--lang", lang, "--edition", "facilitator-guide"] for country, lang in EDITIONS),
              ["--country", "thailand", "--lang", "th", "--edition", "participant-workbook"],
              ["--country", "liberia", "--edition", "module-2"],
              ["--country", "liberia", "--edition", "pre-test"],
              ["--country", "paraguay", "--edition", "answer-key"],
              ["--country", "thailand", "--lang", "en", "--format", "html"]]
    for arguments in builds:
        result = CliRunner().invoke(app, ["build", *arguments, "--out", str(out), "--root", str(REPO)])
        assert result.exit_code == 0, result.output
    return out


def built_file(out: Path, country: str, lang: str, ext: str, edition: str = "facilitator-guide") -> Path:
    return out / country / lang / f"atlas-etp-{country}-{lang}-{edition}.{ext}"


def pdf_text(path: Path, last_page: int | None = None) -> str:
    """The text of a PDF as poppler's pdftotext reads it (pypdf 7 misreads WeasyPrint's two-byte
    font encodings in long documents, and ignores /ActualText, see pdf_text.py)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed: .ci/run installs it")
    pages = ["-l", str(last_page)] if last_page else []
    return subprocess.run(["pdftotext", *pages, path, "-"], capture_output=True, text=True, check=True).stdout
