"""Interrupted builds leave nothing broken: `atlas-etp build` of the mini project run as a real
process, stopped by Ctrl-C (SIGINT to the whole process group, as a terminal sends it), by SIGTERM
(CI cancelling a job) and by SIGKILL of every process at several moments. After each, every file
is the complete file a build writes, no process is left, and the next build finishes the work."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from atlas_etp.atomicfile import partial_files
from atlas_etp.buildcache import read_record
from atlas_etp.editions import Target
from atlas_etp.project import Project
from atlas_etp.publish import write_index
from atlas_etp.release import release_targets

from conftest import FIXTURE, REPO, edit

ATLAS_ETP = Path(sys.executable).parent / "atlas-etp"  # the console script of this environment
SLOW_SESSION = "content/global/en/m1-basics/s01-intro.md"
BACKGROUND = "Trafficking has three elements: act, means and purpose."  # in the guide and module 1 only
EN_GUIDE = "testland/en/atlas-etp-testland-en-facilitator-guide.pdf"
PROGRESS = re.compile(r"^\[\s*\d+/16\] ")


class Build:
    """`atlas-etp build --all` of `root` as its own process group, its stderr read as it comes."""

    def __init__(self, root: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [ATLAS_ETP, "build", "--all", "--jobs", "2", "--out", root / "out", "--root", root, *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def wait_for_progress(self) -> str:
        """The first progress line (`[ 1/16] built …`)."""
        while True:
            line = self.lines.get(timeout=120)
            if PROGRESS.match(line):
                return line

    def signal_group(self, number: int) -> None:
        os.killpg(self.process.pid, number)

    def finish(self) -> tuple[int, str, str]:
        """Exit code, stdout and stderr, once the process has ended."""
        self.process.wait(timeout=180)
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        return self.process.returncode, self.process.stdout.read(), "".join(self.stderr)


def build(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ATLAS_ETP, "build", "--all", "--jobs", "2", "--out", root / "out", "--root", root,
                           *options], capture_output=True, text=True, timeout=300)


def statuses(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^(testland/\S+)\s+(up to date|unchanged|built|FAILED)\s", stdout, re.MULTILINE))


def live_processes(group: int) -> list[str]:
    """The processes of a process group that are still running (an exited one waiting to be
    reaped by init, a zombie, is not)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _, members_group = fields.split()[:3]
        if int(members_group) == group and state != "Z":
            alive.append(f"{stat.parent.name} {name.split('(', 1)[1]} ({state})")
    return alive


def assert_no_process_left(group: int) -> None:
    deadline = time.monotonic() + 10
    while live_processes(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_processes(group) == [], "processes of the build are still running"


def incomplete_files(root: Path, first_build: dict[str, bytes]) -> list[str]:
    """The files of the out folder that are not whole: a PDF pypdf cannot read or whose pages are
    not those its record says, an HTML that does not end its document, or bytes that are not those
    of the first build (the build is reproducible: a complete rebuild writes the same bytes)."""
    out = root / "out"
    problems = []
    for target in release_targets(Project(root)):
        path = out / target.path
        data = path.read_bytes() if path.is_file() else b""
        if data != first_build[target.path.as_posix()]:
            problems.append(f"{target.path}: not the bytes of a complete build")
        if target.extension == "html" and not data.rstrip().endswith(b"</html>"):
            problems.append(f"{target.path}: the HTML does not end with </html>")
        if target.extension == "pdf" and _pdf_pages(path) != _recorded_pages(out, target):
            problems.append(f"{target.path}: not the pages its record says")
    return problems


def _pdf_pages(path: Path) -> int | None:
    try:
        return len(PdfReader(path, strict=True).pages)
    except Exception:  # any way pypdf fails to read it: a truncated file fails this way
        return None


def _recorded_pages(out: Path, target: Target) -> int | None:
    record = read_record(out, target)
    return record.pages if record else -1


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project whose English facilitator guide (and module 1) holds a 1,500-row table, so
    that laying it out takes seconds: an interrupt finds it under way. Built once, complete."""
    root = tmp_path_factory.mktemp("interrupts") / "project"
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    rows = "\n".join(f"| row {number} | a few words in a cell | more words |" for number in range(1500))
    edit(root / SLOW_SESSION, BACKGROUND, f"{BACKGROUND}\n\n| A | B | C |\n|---|---|---|\n{rows}\n")
    first = build(root)
    assert first.returncode == 0, first.stderr
    assert set(statuses(first.stdout).values()) == {"built"} and len(statuses(first.stdout)) == 16
    return root


@pytest.fixture(scope="module")
def first_build(project: Path) -> dict[str, bytes]:
    """The bytes of each file of the complete first build."""
    return {target.path.as_posix(): (project / "out" / target.path).read_bytes()
            for target in release_targets(Project(project))}


@pytest.fixture(scope="module")
def guide_seconds(project: Path) -> float:
    """How long a build lays the slow English guide out, from the seconds `build` reports."""
    result = build(project, "--force", "--edition", "facilitator-guide", "--lang", "en", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    return float(re.search(rf"^{re.escape(EN_GUIDE)}\s+built\s.*\s([\d.]+)$", result.stdout, re.MULTILINE)[1])


def assert_next_build_completes(project: Path, first_build: dict[str, bytes]) -> None:
    """A plain build after the interrupt: nothing to do (every file is whole and recorded), the
    leftovers of killed writes removed."""
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert set(statuses(result.stdout).values()) == {"up to date"}
    assert partial_files(project / "out") == []
    assert incomplete_files(project, first_build) == []


def test_the_first_build_is_complete_and_the_check_sees_a_truncated_file(project, first_build):
    assert incomplete_files(project, first_build) == []
    path = project / "out" / EN_GUIDE
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # what a write cut short would leave
    try:
        assert incomplete_files(project, first_build) == [f"{EN_GUIDE}: not the bytes of a complete build",
                                                          f"{EN_GUIDE}: not the pages its record says"]
        result = build(project)
        assert result.returncode == 0, result.stderr
        rows = statuses(result.stdout)
        assert rows.pop(EN_GUIDE) == "built" and set(rows.values()) == {"up to date"}
    finally:
        path.write_bytes(whole)
    assert incomplete_files(project, first_build) == []


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_build_stops_at_once_with_one_line_and_leaves_every_file_whole(
        project, first_build, guide_seconds, how):
    assert guide_seconds > 3, "the English guide must be slow enough to be under way when the build is stopped"
    running = Build(project, "--force")
    first = running.wait_for_progress()
    assert EN_GUIDE not in first  # the other worker finished first: the English guide is being laid out
    sent = time.monotonic()
    if how == "ctrl-c":
        running.signal_group(signal.SIGINT)  # what a terminal does: every process of the build gets it
    else:
        running.process.send_signal(signal.SIGTERM)  # CI cancelling a job: the main process only
    code, _, stderr = running.finish()
    waited = time.monotonic() - sent
    assert code == 130, stderr
    assert waited < min(3.0, guide_seconds / 2), "the build waited for the guide's layout to end"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert [line for line in stderr.splitlines() if "interrupted" in line] == [
        "interrupted: every file written before the stop is complete; the others are as they were"]
    assert_no_process_left(running.process.pid)
    assert partial_files(project / "out") == []
    assert incomplete_files(project, first_build) == []
    assert_next_build_completes(project, first_build)


def _at_start(running: Build, project: Path) -> None:
    time.sleep(0.5)  # the workers are starting


def _at_first_file(running: Build, project: Path) -> None:
    running.wait_for_progress()  # the English guide is being laid out


def _mid_write(running: Build, project: Path) -> None:
    """As soon as a temporary file of a PDF exists: a write is under way (if the build ends before
    one is seen, the kill finds it finished)."""
    while running.process.poll() is None and not any(
            path.name.endswith(".pdf") for path in (project / "out").rglob("*.pdf.*.part")):
        time.sleep(0.001)


@pytest.mark.parametrize("moment", [_at_start, _at_first_file, _mid_write])
def test_a_killed_build_leaves_no_truncated_file_and_the_next_build_removes_its_leftovers(
        project, first_build, moment: Callable[[Build, Path], None]):
    running = Build(project, "--force")
    moment(running, project)
    running.signal_group(signal.SIGKILL)
    running.finish()
    assert_no_process_left(running.process.pid)
    assert incomplete_files(project, first_build) == []
    # what a kill in the middle of a write leaves, whether or not this one did
    leftover = project / "out" / "testland/en/.atlas-etp-testland-en-facilitator-guide.pdf.k1lled_0.part"
    leftover.write_bytes(first_build[EN_GUIDE][:1000])
    assert_next_build_completes(project, first_build)


def test_leftovers_of_killed_writes_are_never_listed_nor_released(project, first_build):
    out = project / "out"
    leftover = out / "testland/th/.atlas-etp-testland-th-module-1.pdf.a1b2c3d4.part"
    leftover.write_bytes(b"%PDF-1.7 cut short")
    assert partial_files(out) == [leftover]
    assert ".part" not in write_index(Project(project), out).read_text(encoding="utf-8")
    leftover.write_bytes(b"%PDF-1.7 cut short")
    release = subprocess.run([ATLAS_ETP, "release", "--draft", "--jobs", "2", "--out", out, "--dist",
                              project / "dist", "--root", project], capture_output=True, text=True, timeout=300)
    assert release.returncode == 0, release.stderr
    assert not leftover.exists()
    assert not [path for path in (project / "dist").rglob("*") if ".part" in path.name]
    assert ".part" not in (project / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
