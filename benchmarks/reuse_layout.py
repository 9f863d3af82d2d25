"""Experiment: can a module PDF reuse the pages the guide has already laid out?

Run from the project root:  .venv/bin/python benchmarks/reuse_layout.py [COUNTRY/LANG] [MODULE]
Lays out the guide once, then writes module MODULE two ways: as its own document (what `build`
does) and as `Document.copy()` of the guide's pages from that module's first page to the next
module's. Prints the seconds of each and what the copied pages print in their footers. Not kept in
the build (see docs/benchmarks.md): the result is recorded there.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from atlas_etp.editions import Edition, Kind
from atlas_etp.pipeline import prepare_edition
from atlas_etp.project import Project
from atlas_etp.publish import PDF_VARIANT, document_html, lay_out


def main() -> None:
    country, lang = (sys.argv[1] if len(sys.argv) > 1 else "thailand/th").split("/")
    number = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    project = Project.find()
    guide = prepare_edition(project, country, lang)

    started = time.perf_counter()
    whole = lay_out(project, document_html(project, guide, Edition(Kind.guide), "pdf"))
    print(f"guide laid out: {len(whole.pages)} pages in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    alone = lay_out(project, document_html(project, guide, Edition(Kind.module, number), "pdf"))
    alone.write_pdf(pdf_variant=PDF_VARIANT)
    print(f"module {number} as its own document: {len(alone.pages)} pages, laid out and written in "
          f"{time.perf_counter() - started:.1f} s")

    first = next(i for i, page in enumerate(whole.pages) if f"m{number}" in page.anchors)
    after = next((i for i, page in enumerate(whole.pages) if f"m{number + 1}" in page.anchors), len(whole.pages))
    started = time.perf_counter()
    copied = whole.copy(whole.pages[first:after])
    pdf = copied.write_pdf(pdf_variant=PDF_VARIANT)
    print(f"module {number} copied from the guide: {after - first} pages (guide pages {first + 1} to {after}), "
          f"written in {time.perf_counter() - started:.1f} s, {len(pdf) // 1024} KiB")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", file.name, "-"], capture_output=True, text=True)
    footer = [line for line in text.stdout.splitlines() if line.strip()][-1:]
    print(f"the footer of its second page: {footer}")


if __name__ == "__main__":
    main()
