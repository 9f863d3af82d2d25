"""WeasyPrint may load files from the project's folders only."""

from __future__ import annotations

import pytest

from atlas_etp.fetcher import ProjectFetcher, RefusedURL

from conftest import REPO


@pytest.fixture
def fetcher() -> ProjectFetcher:
    return ProjectFetcher([REPO / "templates", REPO / "content"])


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.org/logo.png",
    (REPO / "templates" / ".." / ".." / "etc" / "passwd").as_uri(),
    "ftp://example.org/x",
])
def test_outside_urls_are_refused(fetcher, url):
    with pytest.raises(RefusedURL) as refused:
        fetcher.fetch(url)
    message = str(refused.value)
    assert f"'{url}'" in message and message.count(" — ") == 1 and "put the file in content/" in message


def test_shipped_fonts_and_data_urls_load(fetcher):
    response = fetcher.fetch((REPO / "templates" / "fonts" / "NotoSansThai-Regular.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
