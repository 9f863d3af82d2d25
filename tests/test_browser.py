"""The screen HTML in a real browser: contents sidebar, in-page search, keyboard use, print
stylesheet and accessibility (axe-core), for one edition in each language.

An HTML parser cannot tell whether a script runs, a search finds "persecución" for "persecucion"
or a colour passes contrast; a browser can. The machine's Chromium (Debian's /usr/bin/chromium)
runs headless through Playwright: nothing here downloads a browser. Without Chromium or Playwright
the module is skipped, with the reason.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from atlas_etp.cli import app

from conftest import REPO

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError as missing:
    pytest.skip(f"browser tests need playwright and axe-playwright-python ({missing}): pip install -e '.[test]'",
                allow_module_level=True)

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("browser tests need the machine's Chromium on PATH (Debian: apt-get install chromium)",
                allow_module_level=True)

# No sandbox (containers, CI), and none of Chromium's own traffic (updates, sync, field trials),
# so that every request the page makes is the page's own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 600, "height": 900}


@dataclass(frozen=True)
class Edition:
    country: str
    lang: str
    words: tuple[str, ...]  # searched for; each is in the edition's text
    document: str = "facilitator-guide"

    def __str__(self) -> str:
        return f"{self.country}-{self.lang}-{self.document}"


EDITIONS = [
    Edition("thailand", "th", ("แรงงานบังคับ",)),
    Edition("paraguay", "es", ("trabajo forzoso", "persecucion")),  # no accent: finds "persecución"
    Edition("liberia", "en", ("forced labour",)),
    Edition("thailand", "th", ("แรงงานบังคับ",), "participant-workbook"),
]
each_edition = pytest.mark.parametrize("edition", EDITIONS, ids=str)


@dataclass
class Visit:
    """One edition open in its page, with everything the page logged or asked the network for."""

    path: Path
    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.path.as_uri()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> dict[Edition, Visit]:
    """Each edition built once and opened in one page that the tests share (a guide of some 450
    pages takes a second or two to open); each test starts from `ready`."""
    out = tmp_path_factory.mktemp("html")
    opened = {}
    for edition in EDITIONS:
        result = CliRunner().invoke(app, ["build", "--country", edition.country, "--lang", edition.lang, "--edition",
                                          edition.document, "--format", "html", "--out", str(out),
                                          "--root", str(REPO)])
        assert result.exit_code == 0, result.output
        name = f"atlas-etp-{edition.country}-{edition.lang}-{edition.document}.html"
        visit = Visit(out / edition.country / edition.lang / name, browser.new_context(viewport=WIDE).new_page())
        visit.page.on("console", lambda message, v=visit: v.errors.append(f"console: {message.text}")
                      if message.type == "error" else None)
        visit.page.on("pageerror", lambda error, v=visit: v.errors.append(f"page error: {error}"))
        visit.page.on("request", lambda request, v=visit: v.requests.append(request.url))
        visit.page.goto(visit.url)
        opened[edition] = visit
    return opened


def ready(visit: Visit) -> Page:
    """The page as opened: wide, on screen, at the top, no search, focus at the start."""
    page = visit.page
    page.emulate_media(media="screen")
    page.set_viewport_size(WIDE)
    page.fill("#search", "")
    page.locator("#search-status").wait_for(state="hidden")
    # Focus on the body (made focusable for a moment) puts the start of Tab navigation at the top,
    # also in a page no test has touched yet.
    page.evaluate("""document.activeElement.blur(); CSS.highlights?.clear();
        document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex');
        location.hash = ''; history.replaceState(null, '', location.pathname)""")
    return page


def fold(text: str) -> str:
    """What the search compares: no case, no Latin accents (Thai marks kept), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text)
    return re.sub(r"\s+", " ", re.sub("[\u0300-\u036f]", "", decomposed).lower())


class _MainText(html.parser.HTMLParser):
    """The text inside <main>, as the browser's text nodes hold it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "main"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "main"

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.chunks.append(data)


def main_text(path: Path) -> str:
    """The text of <main>, read without the browser: what the search's count is checked against."""
    parser = _MainText()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.chunks)


def search(page: Page, word: str) -> int:
    """Type `word` in the search box; the total count of matches it reports."""
    status = page.locator("#search-status")
    page.fill("#search", "")
    status.wait_for(state="hidden")  # the count of an earlier search is gone
    page.fill("#search", word)
    status.wait_for()
    digits = re.sub(r"\D", "", status.inner_text().translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    return int(digits or 0)


@each_edition
def test_search_counts_every_match_and_enter_jumps_to_the_first_result(visits, edition, tmp_path):
    page = ready(visits[edition])
    text = main_text(visits[edition].path)
    for word in edition.words:
        expected = fold(text).count(fold(word))
        assert expected > 0, f"{word!r} is not in the {edition} text: pick another word"
        assert search(page, word) == expected, word
        target = page.locator(".search-results a").first.get_attribute("href")
        page.locator("#search").press("Enter")
        page.wait_for_function("hash => location.hash === hash", arg=target)
        top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", target[1:])
        assert top < WIDE["height"], f"{target} is not on screen after Enter"
        if page.evaluate("Boolean(CSS.highlights)"):
            page.wait_for_function("CSS.highlights.get('search')?.size > 0")
    if edition.lang == "es":
        assert "persecucion" not in text, "the test needs the word only with its accent in the text"
    page.screenshot(path=tmp_path / f"{edition}-search.png")


@each_edition
def test_clicking_a_result_moves_there_and_escape_clears(visits, edition):
    page = ready(visits[edition])
    search(page, edition.words[0])
    second = page.locator(".search-results a").nth(1)
    target = second.get_attribute("href")
    second.click()
    page.wait_for_function("hash => location.hash === hash", arg=target)
    page.locator("#search").press("Escape")
    assert page.input_value("#search") == ""
    assert page.locator(".search-results li").count() == 0


@each_edition
def test_keyboard_skip_link_then_main_and_search_box_reachable(visits, edition):
    page = ready(visits[edition])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link", "the first Tab reaches the skip link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0, "the focused skip link is on screen"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "focus is visible"

    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search":
            break
    else:
        pytest.fail("the search box is not among the first five Tab stops")
    page.keyboard.type(edition.words[0])
    page.locator(".search-results a").first.wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.search-results a')"), "results are Tab stops"

    page.focus(".skip-link")
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'")
    assert abs(page.evaluate("document.querySelector('main').getBoundingClientRect().top")) < 40
    if page.evaluate("Boolean(document.querySelector('main a[href]'))"):  # the workbook's text may have no link
        page.keyboard.press("Tab")
        assert page.evaluate("Boolean(document.activeElement.closest('main'))"), \
            "after the skip link, Tab goes on in main"


@each_edition
def test_sidebar_on_wide_screens_inline_on_narrow_ones(visits, edition, tmp_path):
    page = ready(visits[edition])
    toc, main = page.locator("nav.toc").bounding_box(), page.locator("main").bounding_box()
    assert toc["x"] == 0 and toc["x"] + toc["width"] <= main["x"], "contents on the left, the text to their right"
    page.evaluate("document.getElementById('m2-s01').scrollIntoView()")
    assert page.locator("nav.toc").bounding_box()["y"] == 0, "the sidebar stays in view"
    current = page.locator('nav.toc a[aria-current="location"]')
    current.wait_for()
    assert current.get_attribute("href") == "#m2-s01", "the part on screen is marked in the contents"
    page.screenshot(path=tmp_path / f"{edition}-wide.png")

    page.set_viewport_size(NARROW)
    page.evaluate("scrollTo(0, 0)")
    toc, main = page.locator("nav.toc").bounding_box(), page.locator("main").bounding_box()
    assert toc["y"] + toc["height"] <= main["y"], "on a narrow screen the contents come before the text"
    page.screenshot(path=tmp_path / f"{edition}-narrow.png")


@each_edition
def test_print_hides_search_and_puts_contents_in_the_flow(visits, edition):
    page = ready(visits[edition])
    search(page, edition.words[0])
    page.emulate_media(media="print")
    assert page.locator(".search").is_hidden()
    assert page.locator(".skip-link").is_hidden()
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position") == "static"
    assert page.evaluate("getComputedStyle(document.querySelector('.session')).breakBefore") == "page"


# Colour contrast depends on the text's colour, size and weight and on what lies beneath it. A
# guide repeats some sixty such combinations over 12,000 elements, and axe takes 15 s per edition
# to check every element; it checks the first visible element of each combination in under two.
# All other rules run on the whole document.
AUDIT = """async () => {
  const seen = new Map();
  for (const element of document.body.querySelectorAll("*")) {
    if (!element.getClientRects().length) continue;
    if (!Array.from(element.childNodes).some(node => node.nodeType === Node.TEXT_NODE && node.data.trim())) continue;
    const style = getComputedStyle(element);
    let beneath = "";
    for (let node = element; node; node = node.parentElement) {
      const own = getComputedStyle(node);
      beneath += `${own.opacity} ${own.backgroundImage} `;
      if (own.backgroundColor !== "rgba(0, 0, 0, 0)") { beneath += own.backgroundColor; break; }
    }
    const key = [style.color, style.fontSize, style.fontWeight, style.textShadow, style.visibility, beneath].join("|");
    if (!seen.has(key)) seen.set(key, element);
  }
  const options = {resultTypes: ["violations"]};
  const rest = await axe.run(document, {...options, rules: {"color-contrast": {enabled: false}}});
  const contrast = await axe.run({include: Array.from(seen.values())},
                                 {...options, runOnly: {type: "rule", values: ["color-contrast"]}});
  return {sampled: seen.size, rest, contrast};
}"""


def report(violations: list[dict[str, Any]]) -> str:
    """One line per violation: rule, impact, number of elements, what to do, the first element."""
    return "\n".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']} — "
                     f"first: {v['nodes'][0]['target']}" for v in violations)


@each_edition
def test_axe_finds_no_serious_or_critical_violations(visits, edition):
    page = ready(visits[edition])
    # What the script adds is audited too: results, a highlighted jump, the current contents entry.
    search(page, edition.words[0])
    page.locator("#search").press("Enter")
    page.focus(".skip-link")
    page.evaluate(Axe().axe_script)
    audit = page.evaluate(AUDIT)
    contrast = audit["contrast"]
    assert audit["sampled"] > 20 and any(rule["id"] == "color-contrast" for kind in ("passes", "violations")
                                         for rule in contrast[kind]), "axe did not check colour contrast"
    violations = audit["rest"]["violations"] + contrast["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, report(serious)


@each_edition
def test_no_errors_and_no_requests_but_the_file(visits, edition):
    """Runs last: by now the page has been searched, scrolled, resized, printed and audited."""
    visit = visits[edition]
    page = ready(visit)
    search(page, edition.words[0])
    page.locator("#search").press("Enter")
    assert visit.errors == []
    assert [url for url in visit.requests if not url.startswith("data:")] == [visit.url]
