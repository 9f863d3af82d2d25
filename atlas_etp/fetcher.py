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
            raise RefusedURL(f"refused to load '{url}': a guide may only use files inside the project")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise RefusedURL(f"refused to load '{url}': it is outside the project's content and templates folders")
        return super().fetch(url, headers)
