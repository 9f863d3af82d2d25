"""Benchmark: the release pipeline on the real content, against the goals of the release issue.

Run from the project root:  .venv/bin/python benchmarks/release.py [COUNTRY/LANG]
(about 25 minutes for the whole release on 2 cores; name one edition to measure only it). Writes
benchmarks/results/release.json and docs/benchmarks.md. Not a test: figures depend on the machine;
report them, do not assert them. Measures:

1. per PDF file, our pipeline (load, overlay, render HTML) against WeasyPrint's layout and write
   of the same HTML: goal, our part at most 10 % of the total;
2. the release built serially (--jobs 1) and with --jobs 2: goal, a speed-up of 1.7 or more;
3. a rebuild of the whole release when nothing changed: goal, under 1 s;
4. rebuilding one HTML edition after editing one session: goal, under 1 s;
5. peak memory of each PDF file built alone in a fresh process: goal, under 400 MB.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from atlas_etp.editions import Target, editions, select
from atlas_etp.load import module_numbers
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import PRODUCERS, document_html
from atlas_etp.release import release_targets

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "release.json"
DOCS = HERE.parent / "docs" / "benchmarks.md"
ATLAS_ETP = Path(sys.executable).parent / "atlas-etp"
EDITED_SESSION = "content/global/th/m2-investigation/s01-inspection-powers.md"
GOALS = {"our_share_percent": 10, "speedup": 1.7, "noop_s": 1.0, "html_rebuild_s": 1.0, "peak_mib": 400}


def measure_one(root: Path, country: str, lang: str, key: str, extension: str) -> dict[str, object]:
    """In a fresh process: the phases of one file, built alone."""
    project = Project(root)
    started = time.perf_counter()
    guide = prepare_edition(project, country, lang)
    prepared = time.perf_counter()
    [edition] = select(editions(module_numbers(project)), key)
    html = document_html(project, guide, edition, extension)
    rendered = time.perf_counter()
    output = PRODUCERS[extension](project, html)
    done = time.perf_counter()
    return {"prepare_s": prepared - started, "html_s": rendered - prepared, "weasyprint_s": done - rendered,
            "pages": output.pages, "bytes": len(output.data)}


def per_file(root: Path, chosen: list[Target]) -> list[dict[str, object]]:
    """Goals 1 and 5: each PDF file in a process of its own, its peak memory read by wait4."""
    rows = []
    for target in chosen:
        if target.extension != "pdf":
            continue
        command = [sys.executable, __file__, "--one", str(root), target.country, target.lang, target.edition.key,
                   target.extension]
        process = subprocess.Popen(command, stdout=subprocess.PIPE)
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{target.path} failed")
        row = {"file": target.path.name, "edition": f"{target.country}/{target.lang}", **json.loads(output),
               "peak_mib": round(usage.ru_maxrss / 1024)}
        ours = row["prepare_s"] + row["html_s"]
        row["our_share_percent"] = round(100 * ours / (ours + row["weasyprint_s"]), 1)
        rows.append(row)
        print(f"{target.path}: {row}", file=sys.stderr)
    return rows


def timed(*arguments: str | Path) -> float:
    """Seconds one atlas-etp command takes, start to exit, as a user waits for it."""
    started = time.perf_counter()
    subprocess.run([ATLAS_ETP, *map(str, arguments)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def whole_release(root: Path, only: str | None, scratch: Path) -> dict[str, float]:
    """Goals 2 and 3: serial, then two processes, then the same again with nothing to do."""
    filters = ["--country", only.split("/")[0], "--lang", only.split("/")[1]] if only else []
    figures = {}
    for jobs in (1, 2):
        figures[f"jobs{jobs}_s"] = timed("build", "--all", *filters, "--force", "--jobs", jobs, "--out",
                                         scratch / "release", "--root", root)
        print(f"release with --jobs {jobs}: {figures[f'jobs{jobs}_s']:.1f} s", file=sys.stderr)
    figures["speedup"] = figures["jobs1_s"] / figures["jobs2_s"]
    figures["noop_s"] = statistics.median(timed("build", "--all", *filters, "--out", scratch / "release",
                                                "--root", root) for _ in range(5))
    return figures


def html_rebuild(root: Path, scratch: Path) -> dict[str, float]:
    """Goal 4: in a copy of the project, edit one Thai session, rebuild the Thai guide's HTML."""
    copy = scratch / "project"
    for folder in ("content", "templates"):
        shutil.copytree(root / folder, copy / folder)
    build = ("build", "--country", "thailand", "--lang", "th", "--edition", "facilitator-guide", "--format", "html",
             "--out", scratch / "edited", "--root", copy)
    timed(*build)
    times = []
    for attempt in range(3):
        with (copy / EDITED_SESSION).open("a", encoding="utf-8") as handle:
            handle.write(f"\nแก้ไขครั้งที่ {attempt + 1}\n")
        times.append(timed(*build))
    return {"html_rebuild_s": statistics.median(times), "html_rebuild_all_s": times}


def write_docs(result: dict[str, object]) -> None:
    """docs/benchmarks.md: the goals table, then one row per PDF file."""
    rows: list[dict[str, object]] = result["files"]  # type: ignore[assignment]
    release: dict[str, float] = result["release"]  # type: ignore[assignment]
    worst_share = max(row["our_share_percent"] for row in rows)
    prepare = {row["edition"]: row["prepare_s"] for row in rows}  # a build loads each edition once
    ours = sum(prepare.values()) + sum(row["html_s"] for row in rows)
    whole_share = 100 * ours / (ours + sum(row["weasyprint_s"] for row in rows))
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `benchmarks/release.py` on {result['machine']} ({', '.join(result['editions'])}). "
        "Do not edit by hand: run it again.",
        "",
        "| Goal | Measured | Target | Met |",
        "|---|---|---|---|",
        _goal("1. Our part of a PDF file built alone (load, overlay, render HTML), worst file",
              f"{worst_share:.1f} %", "≤ 10 %", worst_share <= GOALS["our_share_percent"]),
        _goal("1. … all PDF files together, each edition loaded once as `build` does",
              f"{whole_share:.1f} %", "≤ 10 %", whole_share <= GOALS["our_share_percent"]),
        _goal("2. Release serial → `--jobs 2`",
              f"{release['jobs1_s']:.0f} s → {release['jobs2_s']:.0f} s = {release['speedup']:.2f} times",
              "≥ 1.7 times", release["speedup"] >= GOALS["speedup"]),
        _goal("3. Rebuild of the release with nothing changed", f"{release['noop_s']:.2f} s", "< 1 s",
              release["noop_s"] < GOALS["noop_s"]),
        _goal("4. Thai guide HTML after editing one session", f"{result['html_rebuild_s']:.2f} s", "< 1 s",
              result["html_rebuild_s"] < GOALS["html_rebuild_s"]),
        _goal("5. Peak memory of a PDF file, worst", f"{max(row['peak_mib'] for row in rows)} MiB", "< 400 MB",
              max(row["peak_mib"] for row in rows) < GOALS["peak_mib"]),
        "",
        "Each PDF file built alone in a fresh process:",
        "",
        "| File | Pages | KiB | Load, overlay, render (s) | HTML (s) | WeasyPrint (s) | Our share | Peak MiB |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {row['file']} | {row['pages']} | {row['bytes'] // 1024:,} | {row['prepare_s']:.2f} | "
          f"{row['html_s']:.2f} | {row['weasyprint_s']:.1f} | {row['our_share_percent']} % | {row['peak_mib']} |"
          for row in rows),
        "",
    ]
    DOCS.write_text("\n".join(lines), encoding="utf-8")


def _goal(what: str, measured: str, target: str, met: bool) -> str:
    return f"| {what} | {measured} | {target} | {'yes' if met else 'no'} |"


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        root, country, lang, key, extension = sys.argv[2:7]
        print(json.dumps(measure_one(Path(root), country, lang, key, extension)))
        return
    project = Project.find()
    only = sys.argv[1] if len(sys.argv) > 1 else None
    targets = [t for t in release_targets(project) if only in (None, f"{t.country}/{t.lang}")]
    with tempfile.TemporaryDirectory() as scratch:
        result = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "editions": list(dict.fromkeys(f"{t.country}/{t.lang}" for t in targets)),
            "files": per_file(project.root, targets),
            "release": whole_release(project.root, only, Path(scratch)),
            **html_rebuild(project.root, Path(scratch)),
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_docs(result)
    print(DOCS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
