"""Benchmark: build every document of every country and language from the real content.

Run from the project root:  .venv/bin/python benchmarks/build_editions.py [COUNTRY/LANG ...]
Writes benchmarks/results/editions.json and prints a Markdown table: per document its pages, its
file sizes and the seconds to write it, after the edition's load, overlay and render. Not a test:
figures depend on the machine; report them, do not assert them.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from atlas_etp.editions import editions
from atlas_etp.load import load_country
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import WRITERS

RESULTS = Path(__file__).resolve().parent / "results"


def measure(project: Project, country: str, lang: str, out: Path) -> list[dict[str, object]]:
    """One row per document of the edition."""
    started = time.perf_counter()
    guide = prepare_edition(project, country, lang)
    prepared = round(time.perf_counter() - started, 2)
    rows = []
    for document in editions([module.number for module in guide.modules]):
        row: dict[str, object] = {"edition": f"{country}/{lang}", "document": document.key,
                                  "prepare_s": prepared}
        for extension in document.formats:
            began = time.perf_counter()
            path = WRITERS[extension](project, guide, out, document)
            row[f"{extension}_s"] = round(time.perf_counter() - began, 2)
            row[f"{extension}_kib"] = round(path.stat().st_size / 1024)
            if extension == "pdf":
                row["pages"] = len(PdfReader(path).pages)
        rows.append(row)
        print(f"{country}/{lang} {document.key}: {row}", file=sys.stderr)
    return rows


def main() -> None:
    project = Project.find()
    chosen = sys.argv[1:] or [f"{country}/{lang}" for country in project.countries()
                              for lang in load_country(project, country).model.languages]
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for edition in chosen:
            country, lang = edition.split("/")
            rows.extend(measure(project, country, lang, Path(out)))
    RESULTS.mkdir(exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    (RESULTS / "editions.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n",
                                           encoding="utf-8")
    columns = ("edition", "document", "pages", "pdf_kib", "pdf_s", "html_kib", "html_s")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(column, "—")) for column in columns) + " |")


if __name__ == "__main__":
    main()
