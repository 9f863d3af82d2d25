"""Every render has time and memory bounds (limits.py): past one it fails with a message that
names what, the bound and what to do, and the other targets still build."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from atlas_etp.errors import UsageError
from atlas_etp.limits import MIB, Limits, MemoryLimitExceeded, TimeLimitExceeded, bounded
from atlas_etp.project import Project
from atlas_etp.validation import check_project

from conftest import edit

ATLAS_ETP = Path(sys.executable).parent / "atlas-etp"
SESSION = "content/global/en/m1-basics/s01-intro.md"
BACKGROUND = "Trafficking has three elements: act, means and purpose."  # in the guide and module 1 only


def spin() -> None:
    while True:
        pass


def time_bound(seconds: float, what: str):
    return bounded(what, Limits(seconds=seconds, memory_mib=0))


def memory_bound(mib: int, what: str):
    return bounded(what, Limits(seconds=0, memory_mib=mib))


def test_a_loop_that_never_ends_is_stopped_with_what_the_bound_and_what_to_do():
    previous = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as raised, time_bound(0.3, "building the guide"):
        spin()
    assert 0.3 <= time.monotonic() - started < 2
    message = str(raised.value)
    assert message.startswith("building the guide took longer than 0.3 s — ")
    assert "loop in the content that never ends" in message and "ATLAS_ETP_TIME_LIMIT=SECONDS" in message
    assert signal.getsignal(signal.SIGALRM) is previous and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_code_that_swallows_every_exception_cannot_escape_the_bound():
    swallowed = []
    with pytest.raises(TimeLimitExceeded), time_bound(0.2, "rendering"):
        try:
            spin()
        except Exception as exc:  # as some libraries do around optional features, then go on
            swallowed.append(exc)
        spin()
    assert len(swallowed) == 1  # the first ring was swallowed; the next one ended it


def test_an_enclosing_timer_is_restored_with_the_time_it_has_left():
    rang = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: rang.append(time.monotonic()))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        started = time.monotonic()
        with time_bound(5, "a quick render"):
            time.sleep(0.2)
        assert 0.2 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.4
        time.sleep(0.6)
        assert len(rang) == 1 and rang[0] - started == pytest.approx(0.6, abs=0.15)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_time_bound_outside_the_main_thread_is_refused():
    errors = []

    def run() -> None:
        try:
            with time_bound(1, "a render"):
                pass
        except RuntimeError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert errors == ["bounds ring with SIGALRM, which only the main thread receives"]


def test_memory_past_the_bound_fails_clearly_and_is_freed_at_once():
    with pytest.raises(MemoryLimitExceeded) as raised, memory_bound(64, "building the guide"):
        held = bytearray(256 * MIB)
        spin()
    message = str(raised.value)
    assert message.startswith("building the guide needed more than 64 MiB of memory — ")
    assert "ATLAS_ETP_MEMORY_LIMIT=MiB" in message
    with memory_bound(64, "a small render"):
        held = bytearray(16 * MIB)  # the 256 MiB were freed: within the bound, nothing in the way
        time.sleep(0.6)
    assert len(held) == 16 * MIB


def test_memory_the_system_refuses_is_reported_as_the_bound():
    with pytest.raises(MemoryLimitExceeded, match="building the guide needed more than 64 MiB"), \
            memory_bound(64, "building the guide"):
        bytearray(2**62)  # one allocation no system grants: MemoryError


def test_bounds_come_from_the_environment_and_zero_means_none():
    assert Limits.from_environment({}) == Limits(300.0, 2048)
    assert Limits.from_environment({"ATLAS_ETP_TIME_LIMIT": "20", "ATLAS_ETP_MEMORY_LIMIT": "512"}) == Limits(20, 512)
    with bounded("unbounded", Limits.from_environment({"ATLAS_ETP_TIME_LIMIT": "0", "ATLAS_ETP_MEMORY_LIMIT": "0"})):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    for wrong in ("ten", "-1", "nan", "inf"):
        with pytest.raises(UsageError, match=f"ATLAS_ETP_TIME_LIMIT={wrong} is not a number of seconds"):
            Limits.from_environment({"ATLAS_ETP_TIME_LIMIT": wrong})


def big_table(root: Path, rows: int) -> None:
    """A legal but huge Markdown table in the facilitator background of the English session: the
    guide and module 1 print it, every other file is as small as before."""
    table = "\n".join(f"| row {number} | a few words in a cell | more words |" for number in range(rows))
    edit(root / SESSION, BACKGROUND, f"{BACKGROUND}\n\n| A | B | C |\n|---|---|---|\n{table}\n")


def test_a_target_past_its_time_bound_fails_with_the_reason_and_the_others_build(mini):
    big_table(mini, 3000)  # about 30 s of layout for the guide on this machine
    started = time.monotonic()
    result = subprocess.run([ATLAS_ETP, "build", "--all", "--lang", "en", "--jobs", "2", "--out", mini / "out",
                             "--root", mini], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "ATLAS_ETP_TIME_LIMIT": "5"})
    assert time.monotonic() - started < 25
    assert result.returncode == 1
    rows = dict(re.findall(r"^(testland/en/\S+)\s+(built|FAILED)\s", result.stdout, re.MULTILINE))
    failed = {path for path, status in rows.items() if status == "FAILED"}
    assert failed == {"testland/en/atlas-etp-testland-en-facilitator-guide.pdf",
                      "testland/en/atlas-etp-testland-en-module-1.pdf"}
    assert len(rows) == 8 and "6 built, 2 FAILED" in result.stdout
    assert "testland/en/atlas-etp-testland-en-facilitator-guide.pdf took longer than 5 s — is there a loop in the " \
           "content that never ends" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (mini / "out/testland/en/atlas-etp-testland-en-facilitator-guide.pdf").exists()


def test_a_target_past_its_memory_bound_fails_and_the_next_ones_in_its_process_build(mini):
    big_table(mini, 3000)  # laying the guide out needs far more than 150 MiB; the test sheets much less
    result = subprocess.run([ATLAS_ETP, "build", "--lang", "en", "--country", "testland", "--jobs", "1",
                             "--out", mini / "out", "--root", mini], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "ATLAS_ETP_MEMORY_LIMIT": "150", "ATLAS_ETP_TIME_LIMIT": "0"})
    assert result.returncode == 1
    rows = dict(re.findall(r"^(testland/en/\S+)\s+(built|FAILED)\s", result.stdout, re.MULTILINE))
    assert rows.pop("testland/en/atlas-etp-testland-en-facilitator-guide.pdf") == "FAILED"
    rows.pop("testland/en/atlas-etp-testland-en-module-1.pdf")  # prints the table too: either way
    assert set(rows.values()) == {"built"} and len(rows) == 6  # built after the guide, in the same process
    assert "atlas-etp-testland-en-facilitator-guide.pdf needed more than 150 MiB of memory — " in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_an_edition_past_its_bound_against_its_country_file(mini, monkeypatch):
    import atlas_etp.validation as validation

    def slow_check(project, country, lang, report):
        if lang == "th":
            spin()
        return real_check(project, country, lang, report)

    real_check = validation.check_edition
    monkeypatch.setattr(validation, "check_edition", slow_check)
    result = check_project(Project(mini), limits=Limits(seconds=0.5, memory_mib=0))
    assert result.editions == ["testland/en", "testland/th"]
    [error] = [error for error in result.errors if "took longer" in error.message]
    assert error.path == mini / "content/testland/country.yaml"
    assert error.message == "checking testland/th (load, overlay, render) took longer than 0.5 s"
    assert "ATLAS_ETP_TIME_LIMIT" in error.hint
