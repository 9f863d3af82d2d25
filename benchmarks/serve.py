"""Save-to-reload time of `atlas-etp serve`: a writer saves a session file, how long until the page
in the browser shows the change?

Runs the real server on a copy of the project (content/ and templates/ in a temporary folder, so
the checkout is never touched) and the machine's Chromium through Playwright, saves a session file
N times, and times each save until the new words are on the page. Also records what the server
says each rebuild took. Writes benchmarks/results/serve.json and docs/benchmarks-serve.md.
Not a test: figures depend on the machine.

    .venv/bin/python benchmarks/serve.py [COUNTRY/LANG] [--saves N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results" / "serve.json"
DOCS = REPO / "docs" / "benchmarks-serve.md"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", nargs="?", default="thailand/th")
    parser.add_argument("--saves", type=int, default=7)
    args = parser.parse_args()
    country, lang = args.edition.split("/")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for part in ("content", "templates"):
            shutil.copytree(REPO / part, root / part)
        session = sorted((root / "content/global" / lang).glob("m2-*/s02-*.md"))[0]
        result = measure(root, country, lang, session, args.saves)
    result.update(edition=args.edition, machine=f"{platform.machine()}, {os.cpu_count()} cores, "
                  f"Python {platform.python_version()}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    DOCS.write_text(report(result), encoding="utf-8")
    print(report(result))


def measure(root: Path, country: str, lang: str, session: Path, saves: int) -> dict[str, object]:
    """Start the server, open the guide, save `session` `saves` times; seconds per save."""
    command = [Path(sys.executable).with_name("atlas-etp"), "serve", "--root", root, "--country", country,
               "--lang", lang, "--port", "0"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(server.stderr.readline, "")), daemon=True).start()
    try:
        url = wait_for(lines, r"^serving (\S+)").group(1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(url, wait_until="load")
            first_load = time.perf_counter() - started
            reloads = []
            text = session.read_text(encoding="utf-8")
            for number in range(1, saves + 1):
                marker = f"BENCHMARK{number:03d}"
                time.sleep(0.5)  # the page settles, as between a writer's saves
                started = time.perf_counter()
                titled = re.sub(r"^title: ([\"']?)(.*?)\1$", rf"title: \1\2 {marker}\1", text, count=1, flags=re.M)
                session.write_text(titled, encoding="utf-8")
                page.wait_for_function(f"document.body && document.body.textContent.includes('{marker}')",
                                       polling="raf", timeout=30_000)
                reloads.append(time.perf_counter() - started)
            browser.close()
        size = page_bytes(url)
    except Exception:
        print("\n".join(lines), file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait()
    prepared = [float(m.group(1)) for line in lines if (m := re.search(r"prepared in ([\d.]+) s — open", line))]
    return {"saves": saves, "save_to_reload_s": [round(s, 3) for s in reloads],
            "median_save_to_reload_s": round(statistics.median(reloads), 3),
            "worst_save_to_reload_s": round(max(reloads), 3),
            "rebuild_s": prepared, "median_rebuild_s": round(statistics.median(prepared), 3) if prepared else None,
            "first_load_s": round(first_load, 3), "page_bytes": size}


def page_bytes(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(response.read())


def wait_for(lines: list[str], pattern: str, timeout: float = 120.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(lines):
            if found := re.search(pattern, line):
                return found
        time.sleep(0.05)
    raise SystemExit("the server did not start:\n" + "\n".join(lines))


def report(result: dict[str, object]) -> str:
    return (f"# Live preview benchmark\n\nGenerated by `benchmarks/serve.py` on {result['machine']} for "
            f"{result['edition']}. Do not edit by hand: run it again.\n\n"
            "| Measure | Seconds |\n|---|---|\n"
            f"| Save → page shows the change, median of {result['saves']} saves "
            f"| {result['median_save_to_reload_s']} |\n"
            f"| … worst | {result['worst_save_to_reload_s']} |\n"
            f"| of which the server's rebuild (load, overlay, render, page), median "
            f"| {result['median_rebuild_s']} |\n"
            f"| First opening of the guide page ({result['page_bytes']:,} bytes) | {result['first_load_s']} |\n\n"
            "Each save changes the title of one session (module 2, session 2) in the edition's language. The "
            "time runs from the write until the new words are in the page's text, so it includes the watcher's "
            "30 ms wait for more writes, the rebuild, the event to the page, and the browser's reload and "
            "parsing of the whole guide.\n")


if __name__ == "__main__":
    main()
