"""Shared fixtures: a small throw-away project, and a way to run the CLI as a user would."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atlas_etp.cli import app

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
