"""Benchmark: time each stage of every country and language edition on the real content.

Run from the project root:  .venv/bin/python benchmarks/build_editions.py
Writes benchmarks/results/editions.json and prints a Markdown table (pages, seconds per stage,
file sizes). Not a test: figures depend on the machine; report them, do not assert them.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from atlas_etp.load import load_country
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import Edition, write_html, write_pdf

RESULTS = Path(__file__).resolve().parent / "results"


def measure(project: Project, country: str, lang: str, out: Path) -> dict[str, object]:
    started = time.perf_counter()
    guide = prepare_edition(project, country, lang)
    prepared = time.perf_counter()
    html = write_html(project, guide, out, Edition.facilitator_guide)
    html_done = time.perf_counter()
    pdf = write_pdf(project, guide, out, Edition.facilitator_guide)
    pdf_done = time.perf_counter()
    return {
        "edition": f"{country}/{lang}",
        "pages": len(PdfReader(pdf).pages),
        "load_overlay_render_s": round(prepared - started, 2),
        "html_s": round(html_done - prepared, 2),
        "pdf_s": round(pdf_done - html_done, 2),
        "total_s": round(pdf_done - started, 2),
        "pdf_kib": round(pdf.stat().st_size / 1024),
        "html_kib": round(html.stat().st_size / 1024),
    }


def main() -> None:
    project = Project.find()
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for country in project.countries():
            for lang in load_country(project, country).model.languages:
                rows.append(measure(project, country, lang, Path(out)))
    RESULTS.mkdir(exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    report = {"machine": machine, "rows": rows}
    (RESULTS / "editions.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("| edition | pages | load+overlay+render s | HTML s | PDF s | total s | PDF KiB | HTML KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(str(value) for value in row.values()) + " |")


if __name__ == "__main__":
    main()
