"""`atlas-etp serve`: a real server process and a real browser page, as a writer uses them.

The writer saves a file, the page in Chromium shows the change; breaks a file, the page shows where
and how to fix it and the server keeps running; fixes it, the note goes. Ctrl-C stops the server
with one line. Without Chromium or Playwright the browser tests skip, with the reason.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from atlas_etp.project import Project
from atlas_etp.serve import Preview

from conftest import edit

SESSION = Path("content/global/en/m1-basics/s01-intro.md")
ATLAS_ETP = Path(sys.executable).with_name("atlas-etp")
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@dataclass
class Server:
    """A running `atlas-etp serve` and what it has printed so far."""

    process: subprocess.Popen[str]
    url: str  # of the guide page
    lines: list[str]

    @property
    def base(self) -> str:
        return self.url.split("/testland/")[0]

    def printed(self, pattern: str, timeout: float = 20.0) -> str:
        """The first line printed that matches `pattern`, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if re.search(pattern, line)), None)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the server never printed {pattern!r}:\n" + "\n".join(self.lines))


@pytest.fixture
def server(mini: Path) -> Iterator[Server]:
    """`atlas-etp serve` of the test project on a free port."""
    process = subprocess.Popen([ATLAS_ETP, "serve", "--root", mini, "--country", "testland", "--lang", "en",
                                "--port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True).start()
    try:
        started = Server(process, "", lines)
        started.url = started.printed(r"^serving http").split()[1]
        yield started
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_preview_keeps_the_last_good_edition_while_a_file_is_broken(mini):
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    assert preview.version == 1 and not preview.problems
    guide = preview.documents(preview.guide)[0][0]
    assert "Introduction" in preview.page(guide)

    edit(mini / SESSION, "{{ country }}", "{{ countryname }}")
    preview.rebuild([mini / SESSION])
    assert preview.version == 1, "a broken file does not replace the last good edition"
    [problem] = preview.problems
    assert problem.where.startswith(f"{SESSION}:36:") and "countryname" in problem.text and " — " in problem.text
    assert "Introduction" in preview.page(guide)

    edit(mini / SESSION, "{{ countryname }}", "{{ country }}")
    edit(mini / SESSION, "title: Introduction", "title: Opening the course")
    preview.rebuild([mini / SESSION])
    assert preview.version == 2 and not preview.problems
    assert "Opening the course" in preview.page(guide)


def test_a_rebuild_renders_again_only_what_changed_and_gives_the_same_page(mini):
    """The memo of rendered sections must not change a single byte of the page."""
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    edit(mini / SESSION, "Greet the group.", "Greet the group warmly.")
    preview.rebuild([mini / SESSION])
    fresh = Preview(Project(mini), "testland", "en")
    fresh.rebuild()
    path = preview.documents(preview.guide)[0][0]
    page, again = preview.page(path), fresh.page(path)
    assert "Greet the group warmly." in page
    assert page.replace(preview.shown, "") == again.replace(fresh.shown, "")


def test_a_broken_template_is_shown_not_fatal(mini):
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    edit(mini / "templates/guide.html.j2", "</body>", "{% if %}</body>")
    preview.rebuild([mini / "templates/guide.html.j2"])
    [problem] = preview.problems
    assert problem.where.startswith("templates/guide.html.j2:") and "template syntax" in problem.text

    edit(mini / "templates/guide.html.j2", "{% if %}</body>", "{{ no_such_name }}</body>")
    preview.rebuild([mini / "templates/guide.html.j2"])
    [problem] = preview.problems
    assert problem.where.startswith("templates/guide.html.j2:") and "no_such_name" in problem.text
    assert preview.version == 1, "the last good pages stay"


def test_serve_answers_only_for_its_own_pages_and_host(server):
    assert fetch(server.url)[0] == 200
    assert fetch(server.base + "/")[0] == 200
    assert fetch(server.base + "/../../../etc/passwd")[0] == 404
    assert fetch(server.base + "/content/testland/country.yaml")[0] == 404
    assert fetch(server.base + "/testland/th/atlas-etp-testland-th-facilitator-guide.html")[0] == 404
    assert fetch(server.url, host="evil.example:80")[0] == 403, "a DNS-rebinding page must not read the preview"


def test_ctrl_c_stops_the_server_with_one_line(server):
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    server.printed("^stopped$")
    assert not any("Traceback" in line for line in server.lines), "\n".join(server.lines)


def test_a_busy_port_is_a_usage_error(mini, server):
    port = server.base.rsplit(":", 1)[1]
    result = subprocess.run([ATLAS_ETP, "serve", "--root", mini, "--country", "testland", "--port", port],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "choose another port" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def page(server):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as missing:
        pytest.skip(f"needs playwright ({missing}): pip install -e '.[test]'")
    if CHROMIUM is None:
        pytest.skip("needs the machine's Chromium on PATH (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = browser.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.goto(server.url)
        yield opened
        assert not errors, errors
        browser.close()


def test_saving_a_file_updates_the_open_page(mini, server, page):
    page.locator("h2", has_text="Introduction").first.wait_for()
    top = "document.getElementById('m1-s01--welcome').getBoundingClientRect().top"
    page.evaluate("document.getElementById('m1-s01--welcome').scrollIntoView(); window.scrollBy(0, 50)")
    before = page.evaluate(top)
    edit(mini / SESSION, "title: Introduction", "title: Opening the course")
    page.locator("h2", has_text="Opening the course").first.wait_for(timeout=15_000)
    page.wait_for_load_state("load")
    assert abs(page.evaluate(top) - before) < 2, "the page reloads where the writer was reading"


def test_a_problem_shows_over_the_page_until_it_is_fixed(mini, server, page):
    panel = page.locator("#atlas-etp-preview .panel")
    edit(mini / SESSION, "{{ country }}", "{{ countryname }}")
    problem = panel.locator("pre")
    problem.wait_for(timeout=15_000)
    assert problem.get_attribute("data-where").startswith(f"{SESSION}:36:")
    assert "undefined variable" in problem.inner_text() and "countryname" in problem.inner_text()
    assert page.locator("h2", has_text="Introduction").count() > 0, "the last good text stays under the note"
    assert server.process.poll() is None, "the server keeps running"

    edit(mini / SESSION, "{{ countryname }}", "{{ country }}")
    edit(mini / SESSION, "title: Introduction", "title: Fixed and saved")
    page.locator("h2", has_text="Fixed and saved").first.wait_for(timeout=15_000)
    assert panel.is_hidden()


def test_the_edition_can_start_broken_and_recover(mini):
    edit(mini / SESSION, "{{ country }}", "{{ countryname }}")
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    assert preview.guide is None and preview.problems
    assert "could not be prepared yet" in preview.page("/anything")
    edit(mini / SESSION, "{{ countryname }}", "{{ country }}")
    preview.rebuild([mini / SESSION])
    assert preview.guide is not None and not preview.problems



def test_a_loop_that_never_ends_does_not_hang_the_preview(mini, monkeypatch):
    monkeypatch.setenv("ATLAS_ETP_TIME_LIMIT", "2")
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    edit(mini / SESSION, "Greet the group.",
         "Greet the group.\n{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
    preview.rebuild([mini / SESSION])
    [problem] = preview.problems
    assert problem.where.startswith(f"{SESSION}:17:") and "took longer than 2 s" in problem.text
    assert preview.version == 1 and preview.seconds < 10


def test_a_preview_left_running_does_not_keep_every_old_text(mini):
    preview = Preview(Project(mini), "testland", "en")
    preview.rebuild()
    before = {name: len(table) for name, table in preview.memo.tables.items()}
    text = "Greet the group."
    for word in ("warmly", "kindly", "by name", "in turn"):
        edit(mini / SESSION, text, f"Greet the group {word}.")
        text = f"Greet the group {word}."
        preview.rebuild([mini / SESSION])
    after = {name: len(table) for name, table in preview.memo.tables.items()}
    assert before and all(after[name] <= count + 1 for name, count in before.items()), (before, after)
