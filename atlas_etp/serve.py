"""`atlas-etp serve`: a live preview of one edition's HTML for the writer editing it.

The server keeps the edition in memory and watches content/ and templates/. On each save it
prepares the edition again in the same process: files are read again, but only changed texts are
parsed and only changed sections rendered (markdown.parse and render.RenderMemo remember the rest),
so a save shows in the browser in well under a second. Open pages hear of it over Server-Sent
Events (preview.js) and reload, keeping their scroll position. When the content has an error the
pages keep the last good text and show an overlay with the file, line and fix; fixing the file
clears it. The server never stops for a content error.

It listens on 127.0.0.1 only, answers only to that host name (a web page elsewhere cannot reach it
through DNS tricks), serves only the pages it made (never a file from disk) and writes nothing.
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles
from jinja2 import TemplateError, TemplateSyntaxError

from .buildcache import TEXT_SUFFIXES
from .editions import Edition, Kind, editions, file_name
from .errors import ContentError, ContentErrors, UsageError
from .limits import LimitExceeded, bounded
from .pipeline import prepare_edition
from .project import PACKAGE_DIR, Project
from .publish import document_html
from .render import RenderedGuide, RenderMemo

EVENTS = "/__atlas-etp/events"  # the Server-Sent Events stream pages listen to
STATE = "/__atlas-etp/state"  # the same state as JSON, once (tests, scripts)
HEARTBEAT_SECONDS = 15.0  # an idle event stream says so this often, so a closed tab frees its thread
CLIENT_SCRIPT = (PACKAGE_DIR / "preview.js").read_text(encoding="utf-8")
EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".tmp", ".part")  # files editors and builds write beside the real ones


@dataclass(frozen=True)
class Problem:
    """One problem as the overlay shows it: where (file:line:col) and the full text to read."""

    where: str
    text: str


@dataclass
class Preview:
    """The edition as last prepared, its pages, and the problems of the last rebuild.

    `version` counts successful rebuilds: a page made at an older version reloads. While `problems`
    is not empty the pages stay as they were and show the problems instead.
    """

    project: Project
    country: str
    lang: str
    memo: RenderMemo = field(default_factory=RenderMemo)
    guide: RenderedGuide | None = None
    version: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0  # of the last rebuild
    changed: threading.Condition = field(default_factory=threading.Condition)
    pages: dict[str, str] = field(default_factory=dict)  # path → HTML of this version, made when first asked for
    session: str = field(default_factory=lambda: secrets.token_hex(4))  # pages of an earlier server reload too

    @property
    def shown(self) -> str:
        """The version as pages know it."""
        return f"{self.session}-{self.version}"

    def rebuild(self, changed_files: Iterable[Path] = ()) -> None:
        """Prepare the edition again; on a problem keep the last good one and record the problem."""
        images = [path for path in changed_files if path.suffix not in TEXT_SUFFIXES]
        if any(path.is_relative_to(self.project.content) for path in images):
            self.memo.clear()  # sections that show an image are rendered again
        started = time.perf_counter()
        prepared, problems = self._prepared(self.version + 1)
        with self.changed:
            self.seconds = time.perf_counter() - started
            self.problems = problems
            if prepared is not None:
                self.guide, pages = prepared
                self.version, self.pages = self.version + 1, pages
            self.changed.notify_all()

    def _prepared(self, version: int) -> tuple[tuple[RenderedGuide, dict[str, str]] | None, list[Problem]]:
        """The edition and its guide page (made now, so that a broken template shows at once), or
        the problems that stopped it; within the time and memory bounds of every render (limits.py),
        so that a loop that never ends in the content cannot hang the preview."""
        try:
            with bounded(f"preparing {self.country}/{self.lang}"):
                guide = prepare_edition(self.project, self.country, self.lang, self.memo)
                path, edition = self.documents(guide)[0]
                return (guide, {path: self.page_html(guide, version, edition)}), []
        except ContentErrors as exc:
            return None, [self._problem(error) for error in exc.errors]
        except LimitExceeded as exc:
            return None, [Problem("atlas-etp", f"error: {exc}")]
        except Exception as exc:  # a template or tool error must not stop the server: show it instead
            return None, [template_problem(self.project, exc)]

    def _problem(self, error: ContentError) -> Problem:
        return Problem(error.where(self.project.root), error.format(self.project.root))

    def documents(self, guide: RenderedGuide) -> list[tuple[str, Edition]]:
        """(URL path, document) of every HTML document of the edition, the guide first."""
        found = []
        for edition in editions([module.number for module in guide.modules]):
            if "html" in edition.formats:
                name = file_name(self.country, self.lang, edition, "html")
                found.append((f"/{self.country}/{self.lang}/{name}", edition))
        return sorted(found, key=lambda item: item[1].kind is not Kind.guide)

    def page(self, path: str) -> str | None:
        """The HTML of the page at `path` (None if there is no such page); before the first good
        build, an empty page that shows the problems and reloads when they are fixed."""
        with self.changed:
            guide, version = self.guide, self.version
            if guide is None:
                return _waiting_page(self.shown)
            if path in self.pages:
                return self.pages[path]
        edition = dict(self.documents(guide)).get(path)
        if edition is None:
            return None
        html = self.page_html(guide, version, edition)
        with self.changed:
            if self.version == version:
                self.pages[path] = html
        return html

    def page_html(self, guide: RenderedGuide, version: int, edition: Edition) -> str:
        return with_client_script(document_html(self.project, guide, edition, "html"), f"{self.session}-{version}")

    def state(self) -> dict[str, object]:
        """What pages need to know: the version to show, and the problems to show over it."""
        with self.changed:
            return {"version": self.shown, "seconds": round(self.seconds, 3),
                    "problems": [{"where": p.where, "text": p.text} for p in self.problems]}

    def states(self, stop: threading.Event) -> Iterator[dict[str, object] | None]:
        """The state now, then each time it changes (None when nothing changed for a while)."""
        seen = None
        while not stop.is_set():
            with self.changed:
                if self._mark() == seen:
                    self.changed.wait(HEARTBEAT_SECONDS)
                fresh = self._mark() != seen
                seen = self._mark()
            yield self.state() if fresh else None  # outside the lock: a slow page must not hold up a rebuild

    def _mark(self) -> tuple[int, tuple[Problem, ...]]:
        """Changes whenever the version or the problems change."""
        return self.version, tuple(self.problems)


def with_client_script(html: str, version: str) -> str:
    """The page with the live-reload script, which knows the version it shows."""
    settings = json.dumps({"version": version, "events": EVENTS})
    script = f"<script>window.ATLAS_ETP_PREVIEW = {settings};\n" \
             f"{CLIENT_SCRIPT}</script>\n"
    head, found, tail = html.rpartition("</body>")
    return f"{head}{script}{found}{tail}" if found else html + script


def _waiting_page(version: str) -> str:
    return with_client_script("<!doctype html><html><head><meta charset=\"utf-8\"><title>atlas-etp preview</title>"
                              "</head><body><p>The edition could not be prepared yet.</p></body></html>", version)


def template_problem(project: Project, exc: Exception) -> Problem:
    """A problem of the publishing templates (a template author's mistake) or of atlas-etp itself,
    pointing at the template line where Jinja knows it."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        path, line, message = Path(exc.filename), exc.lineno, f"template syntax: {exc.message}"
    elif isinstance(exc, TemplateError):
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
                  if Path(frame.filename).parent == project.templates]
        if not frames:
            return Problem("templates/", f"templates/: error: {exc} — fix the template")
        path, line, message = Path(frames[-1].filename), frames[-1].lineno or 1, str(exc)
    else:
        return Problem("atlas-etp", f"error: {type(exc).__name__}: {exc} — an error in atlas-etp itself: "
                                    "please report it")
    error = ContentError(path, line, message, "fix the template: check its {{ … }} and {% … %} marks and names")
    return Problem(error.where(project.root), error.format(project.root))


def _relevant(change: watchfiles.Change, path: str) -> bool:
    """Changes worth a rebuild: not an editor's swap or backup file, nor a hidden file."""
    name = Path(path).name
    return not name.startswith(".") and not name.endswith(EDITOR_LEFTOVERS) and name != "4913"


def watch(project: Project, stop: threading.Event, changes: queue.Queue[set[Path]]) -> None:
    """Put each batch of saved files in `changes` (runs in a thread until `stop` is set).
    A batch closes 30 ms after its last change: an editor's save is often several writes."""
    folders = [folder for folder in (project.content, project.templates) if folder.is_dir()]
    for batch in watchfiles.watch(*folders, watch_filter=_relevant, stop_event=stop, step=30,
                                  raise_interrupt=False):
        changes.put({Path(path) for _, path in batch})


class _Handler(BaseHTTPRequestHandler):
    """The preview's pages, its event stream and its state; nothing else."""

    preview: Preview
    stop: threading.Event
    hosts: frozenset[str]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.headers.get("Host", "") not in self.hosts:
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"the preview answers only to 127.0.0.1 and localhost\n")
            return
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            self._events()
        elif path == STATE:
            self._send(HTTPStatus.OK, "application/json", json.dumps(self.preview.state()).encode())
        elif path == "/":
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._contents().encode())
        else:
            page = self.preview.page(path)
            if page is None:
                self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._contents(missing=path).encode())
            else:
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode())

    def _contents(self, missing: str = "") -> str:
        """The list of the edition's documents (and why `missing` is not one of them)."""
        guide = self.preview.guide
        links = "".join(f'<li><a href="{escape(path)}">{escape(path.rsplit("/", 1)[-1])}</a></li>'
                        for path, _ in (self.preview.documents(guide) if guide else []))
        note = (f"<p>{escape(missing)} is not a document of this preview: it shows "
                f"{escape(self.preview.country)}/{escape(self.preview.lang)} only.</p>") if missing else ""
        return with_client_script(f'<!doctype html><html><head><meta charset="utf-8"><title>atlas-etp preview'
                                  f"</title></head><body>{note}<ul>{links}</ul></body></html>", self.preview.shown)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            for state in self.preview.states(self.stop):
                message = ": idle\n\n" if state is None else f"data: {json.dumps(state)}\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded
        self.close_connection = True

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows rebuilds and problems, not every request."""


def listen(preview: Preview, port: int, stop: threading.Event) -> ThreadingHTTPServer:
    """The HTTP server on 127.0.0.1:`port` (0: any free port), not yet serving."""
    handler = type("Handler", (_Handler,), {"preview": preview, "stop": stop, "hosts": frozenset()})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}) — choose another port with "
                         "--port, or 0 for any free one") from None
    server.daemon_threads = True
    bound = server.server_address[1]
    handler.hosts = frozenset({f"127.0.0.1:{bound}", f"localhost:{bound}"})
    return server


def serve(project: Project, country: str, lang: str, port: int, say: Callable[[str], None]) -> None:
    """Serve the edition until Ctrl-C, rebuilding it whenever a watched file is saved."""
    preview = Preview(project, country, lang)
    stop = threading.Event()
    server = listen(preview, port, stop)
    say(f"preparing {country}/{lang} …")
    preview.rebuild()
    _report(preview, say)
    guide_path = preview.documents(preview.guide)[0][0] if preview.guide else "/"
    say(f"serving http://127.0.0.1:{server.server_address[1]}{guide_path} — Ctrl-C stops")
    changes: queue.Queue[set[Path]] = queue.Queue()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=watch, args=(project, stop, changes), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        while True:
            try:
                changed = changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while not changes.empty():
                changed |= changes.get_nowait()
            preview.rebuild(changed)
            _report(preview, say, changed)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _report(preview: Preview, say: Callable[[str], None], changed: Iterable[Path] = ()) -> None:
    names = ", ".join(sorted(path.name for path in changed))
    saved = f"{names}: " if names else ""
    if preview.problems:
        say(f"{saved}{len(preview.problems)} problem(s) — the page shows them; fix and save")
        for problem in preview.problems:
            say(problem.text)
    else:
        say(f"{saved}prepared in {preview.seconds:.2f} s" + (" — open pages reload" if saved else ""))
