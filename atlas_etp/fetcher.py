"""The only way WeasyPrint may load a file: from inside the project's own folders.

A Markdown image or a CSS url() pointing at `file:///etc/passwd`, `http://…` or `../../` stops the
render with a clear error instead of leaking a file into a PDF or reaching the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import FatalURLFetchingError


class RefusedURL(FatalURLFetchingError):
    """WeasyPrint asked for something outside the project; the render stops."""


class ProjectFetcher(URLFetcher):
    """Allows `data:` URLs and `file:` URLs that resolve inside `allowed` folders; nothing else."""

    def __init__(self, allowed: Sequence[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)
        self.allowed = tuple(folder.resolve() for folder in allowed)

    def fetch(self, url: str, headers: dict | None = None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise RefusedURL(_refusal(url, f"'{parts.scheme}:' addresses are never loaded"))
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise RefusedURL(_refusal(url, "it is outside the project's content/ and templates/ folders"))
        return super().fetch(url, headers)


def _refusal(url: str, why: str) -> str:
    """What the writer reads when the layout stopped: the address (shortened), why, and what to do.
    WeasyPrint does not say which line of the content asked for it; `check` finds images itself."""
    shown = url if len(url) <= 100 else url[:100] + "…"
    return (f"the PDF was not made: it asked for '{shown}', and {why} — a guide may only use images and fonts "
            "inside the project: put the file in content/ (or templates/) and name it from there")
