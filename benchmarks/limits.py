"""How much time and memory the largest file takes, to choose and check the render bounds (limits.py).

Builds the Thailand Thai facilitator guide PDF, the largest file of a release, with `atlas-etp
build --jobs 1 --force` (in one process, so that process is the one measured) and samples its
/proc/<pid>/status while it runs: VmPeak (the most address space it mapped: what RLIMIT_AS
bounds), the most VmData (private writable memory: what RLIMIT_DATA bounds) and VmHWM (the most
resident memory). Prints one JSON object.

    .venv/bin/python benchmarks/limits.py [--runs N] [--edition facilitator-guide]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATLAS_ETP = Path(sys.executable).parent / "atlas-etp"
FIELDS = ("VmPeak", "VmHWM", "VmData")


def status(pid: int) -> dict[str, int]:
    """The memory fields of /proc/<pid>/status, in KiB; empty once the process has ended."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    values = dict(line.split(":", 1) for line in lines if ":" in line)
    return {name: int(values[name].split()[0]) for name in FIELDS if name in values}


def measure(edition: str, out: Path) -> dict[str, object]:
    """One build of `edition` (thailand/th, PDF) with its peaks in MiB and its seconds."""
    started = time.perf_counter()
    process = subprocess.Popen([ATLAS_ETP, "build", "--country", "thailand", "--lang", "th", "--edition", edition,
                                "--format", "pdf", "--jobs", "1", "--force", "--out", out, "--root", ROOT],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[str, int] = {}
    while process.poll() is None:
        for name, value in status(process.pid).items():
            peaks[name] = max(peaks.get(name, 0), value)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    _, errors = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"the build failed:\n{errors}")
    return {"seconds": round(seconds, 1), **{f"{name}_mib": round(value / 1024) for name, value in peaks.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--edition", default="facilitator-guide")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        runs = [measure(arguments.edition, Path(scratch)) for _ in range(arguments.runs)]
    print(json.dumps({"edition": f"thailand/th {arguments.edition} pdf", "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
