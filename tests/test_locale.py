"""Locale formatting through Babel, and the Thai-digits option of a country."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
from test_country import build_html

from atlas_etp.i18n import format_date, format_minutes, with_thai_digits

from conftest import REPO, edit


@pytest.mark.parametrize(("lang", "date", "minutes"), [
    ("th", "22 พฤศจิกายน พ.ศ. 2569", "90 นาที"),
    ("es", "22 de noviembre de 2026", "90 min"),
    ("en", "November 22, 2026", "90 min"),
])
def test_dates_and_durations_are_in_the_editions_language(lang, date, minutes):
    assert format_date(datetime.date(2026, 11, 22), lang) == date  # Thai years in the Buddhist Era
    assert format_minutes(90, lang) == minutes


def test_thai_digits_change_text_but_not_markup():
    html = '<p id="m1-s01" style="width: 10px">Session 1.2 &#39;90&#39; — 2569</p><style>.a { margin: 2mm }</style>'
    assert with_thai_digits(html) == ('<p id="m1-s01" style="width: 10px">Session ๑.๒ &#39;๙๐&#39; — ๒๕๖๙</p>'
                                      '<style>.a { margin: 2mm }</style>')


def test_a_country_can_ask_for_thai_digits_in_its_thai_edition(mini, cli):
    edit(mini / "content/testland/country.yaml", "paper: A4\n", "paper: A4\nthai_digits: true\n")
    thai = build_html(cli, mini, "th")
    assert "๓๐ นาที" in thai and 'id="m1-s01"' in thai and "30 นาที" not in thai
    assert (REPO / "templates/screen.js").read_text(encoding="utf-8") in thai  # the page's script is left alone
    assert "30 min" in build_html(cli, mini, "en")  # the English edition keeps its digits
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed: .ci/run installs it")
    result = cli("build", "--root", mini, "--country", "testland", "--lang", "th", "--format", "pdf",
                 "--edition", "facilitator-guide", "--out", mini / "build")
    assert result.exit_code == 0, result.stderr
    pdf = mini / "build/testland/th/atlas-etp-testland-th-facilitator-guide.pdf"
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    # page numbers are CSS counters in the "thai" style
    assert re.search("หน้า [\u0e50-\u0e59]+ จาก [\u0e50-\u0e59]+", text)
