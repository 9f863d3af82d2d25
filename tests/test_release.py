"""The release pipeline: `build --all` in parallel and incremental, `targets --json`, `release`
with its manifest and checksums, and builds that are byte-for-byte reproducible."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_etp.i18n import format_date
from atlas_etp.provenance import source_date, source_revision

from conftest import edit

THAI_SESSION = "content/global/th/m1-basics/s01-intro.md"
THAI_BACKGROUND = "การค้ามนุษย์มีสามองค์ประกอบ"  # facilitator background: in the guide and module 1 only
GUIDE_PDF = "testland/th/atlas-etp-testland-th-facilitator-guide.pdf"
ATLAS_ETP = Path(sys.executable).parent / "atlas-etp"
EPOCH = "1767225600"  # 2026-01-01


def statuses(stdout: str) -> dict[str, str]:
    """file → status, from the summary table `build` prints."""
    rows = re.findall(r"^(testland/\S+)\s+(up to date|unchanged|built|FAILED)\s", stdout, re.MULTILINE)
    return dict(rows)


def build_all(cli, mini: Path, *options: str):
    return cli("build", "--all", "--out", mini / "out", "--root", mini, *options)


def test_build_all_builds_the_matrix_then_nothing_when_nothing_changed(mini, cli):
    first = build_all(cli, mini)
    assert first.exit_code == 0, first.stderr
    built = statuses(first.stdout)
    assert len(built) == 16 and set(built.values()) == {"built"}  # 2 languages, 8 files each
    assert all((mini / "out" / path).stat().st_size > 0 for path in built)
    assert "16 files in" in first.stdout and "[16/16]" in first.stderr

    again = build_all(cli, mini)
    assert again.exit_code == 0
    assert set(statuses(again.stdout).values()) == {"up to date"}
    assert "[" not in again.stderr  # no progress line: nothing was built


def test_an_edit_rebuilds_only_the_files_it_appears_in(mini, cli):
    assert build_all(cli, mini).exit_code == 0
    edit(mini / THAI_SESSION, THAI_BACKGROUND, THAI_BACKGROUND + " (แก้ไข)")
    result = build_all(cli, mini)
    assert result.exit_code == 0, result.stderr
    rows = statuses(result.stdout)
    assert {status for path, status in rows.items() if path.startswith("testland/en/")} == {"up to date"}
    thai_built = {path.rsplit("-th-", 1)[1] for path, status in rows.items() if status == "built"}
    assert thai_built == {"facilitator-guide.pdf", "facilitator-guide.html", "module-1.pdf"}
    thai_unchanged = {path.rsplit("-th-", 1)[1] for path, status in rows.items() if status == "unchanged"}
    assert thai_unchanged == {"participant-workbook.pdf", "participant-workbook.html", "pre-test.pdf",
                              "post-test.pdf", "answer-key.pdf"}


def test_a_damaged_file_is_built_again(mini, cli):
    assert build_all(cli, mini).exit_code == 0
    (mini / "out" / GUIDE_PDF).write_bytes(b"%PDF-1.7 truncated")
    rows = statuses(build_all(cli, mini).stdout)
    assert rows[GUIDE_PDF] == "built"
    assert sum(status == "built" for status in rows.values()) == 1


def test_a_failing_file_does_not_stop_the_others(mini, cli):
    edit(mini / THAI_SESSION, THAI_BACKGROUND, THAI_BACKGROUND + " ᚠ")  # a rune: no shipped font has it
    result = build_all(cli, mini)
    assert result.exit_code == 1
    rows = statuses(result.stdout)
    failed = {path for path, status in rows.items() if status == "FAILED"}
    assert failed == {GUIDE_PDF, "testland/th/atlas-etp-testland-th-module-1.pdf"}
    assert all(status == "built" for path, status in rows.items() if path not in failed)
    assert "16 files in" in result.stdout and "2 FAILED" in result.stdout
    assert 'no shipped font can draw "ᚠ" (U+16A0)' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (mini / "out" / GUIDE_PDF).exists()


def test_a_content_error_names_its_file_once_and_stops_only_its_edition(mini, cli):
    edit(mini / THAI_SESSION, "{{ country }}", "{{ nope }}")
    result = build_all(cli, mini)
    assert result.exit_code == 1
    rows = statuses(result.stdout)
    assert {status for path, status in rows.items() if "/th/" in path} == {"FAILED"}
    assert {status for path, status in rows.items() if "/en/" in path} == {"built"}
    assert result.stderr.count(f"{THAI_SESSION}:") == 1 and "nope" in result.stderr


def test_build_filters_and_their_usage_errors(mini, cli):
    result = build_all(cli, mini, "--lang", "th", "--edition", "modules", "--jobs", "1")
    assert result.exit_code == 0
    assert list(statuses(result.stdout)) == ["testland/th/atlas-etp-testland-th-module-1.pdf"]
    wrong = build_all(cli, mini, "--lang", "fr")
    assert wrong.exit_code == 2 and "has no 'fr' edition — its languages are: en, th" in wrong.stderr
    assert build_all(cli, mini, "--jobs", "0").exit_code == 2


def test_targets_json_is_the_matrix_list_editions_shows(mini, cli):
    result = cli("targets", "--json", "--root", mini)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 16 and set(rows[0]) == {"country", "lang", "edition", "format", "file"}
    listed = set(re.findall(r"testland/\S+\.(?:pdf|html)", cli("list", "--editions", "--root", mini).stdout))
    assert {row["file"] for row in rows} == listed
    only = json.loads(cli("targets", "--json", "--lang", "en", "--format", "html", "--root", mini).stdout)
    assert [(row["edition"], row["format"]) for row in only] == [("facilitator-guide", "html"),
                                                                  ("participant-workbook", "html")]
    assert cli("targets", "--edition", "pre-test", "--format", "html", "--root", mini).exit_code == 2


def test_release_refuses_content_that_is_not_ready_unless_draft(mini, cli):
    dist = mini / "dist"
    refused = cli("release", "--out", mini / "out", "--dist", dist, "--root", mini)
    assert refused.exit_code == 1
    assert "still an outline" in refused.stderr and "not released" in refused.stderr
    assert not dist.exists() and not (mini / "out").exists()

    result = cli("release", "--draft", "--out", mini / "out", "--dist", dist, "--root", mini)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["draft"] is True and manifest["release_problems"] > 0
    assert manifest["tool"].startswith("atlas-etp ") and manifest["source_revision"] == "unknown"
    assert any(line.startswith("weasyprint==") for line in manifest["libraries"])
    assert len(manifest["files"]) == 16
    for row in manifest["files"]:
        data = (dist / row["file"]).read_bytes()
        assert row["bytes"] == len(data) and row["sha256"] == hashlib.sha256(data).hexdigest()
        assert (row["pages"] > 0) if row["format"] == "pdf" else row["pages"] is None
    sums = dict(line.split("  ", 1)[::-1] for line in (dist / "SHA256SUMS").read_text().splitlines())
    files = {path.relative_to(dist).as_posix() for path in dist.rglob("*") if path.is_file()} - {"SHA256SUMS"}
    assert set(sums) == files and "index.html" in files and "manifest.json" in files
    assert all(hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest for name, digest in sums.items())


def test_a_release_that_fails_leaves_the_last_one_untouched(mini, cli):
    dist = mini / "dist"
    assert cli("release", "--draft", "--out", mini / "out", "--dist", dist, "--root", mini).exit_code == 0
    before = (dist / "SHA256SUMS").read_bytes()
    edit(mini / THAI_SESSION, THAI_BACKGROUND, THAI_BACKGROUND + " ᚠ")
    result = cli("release", "--draft", "--out", mini / "out", "--dist", dist, "--root", mini)
    assert result.exit_code == 1 and f"{dist} is unchanged" in result.stderr
    assert (dist / "SHA256SUMS").read_bytes() == before
    assert sorted(path.name for path in mini.iterdir()) == ["content", "dist", "out", "templates"]


@pytest.mark.skipif(not ATLAS_ETP.is_file(), reason="the atlas-etp command is not installed next to this Python")
def test_two_releases_in_separate_processes_are_byte_identical(mini, tmp_path):
    """Same source, same date, two fresh processes (each with its own pool): the same bytes."""
    edit(mini / "content/global/guide.yaml", "date: 2026-11-22\n", "")  # as the real guide: no fixed date
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    sums = []
    for run in ("one", "two"):
        subprocess.run([ATLAS_ETP, "release", "--draft", "--out", tmp_path / f"out-{run}", "--dist",
                        tmp_path / f"dist-{run}", "--root", mini], env=environment, check=True, capture_output=True)
        sums.append((tmp_path / f"dist-{run}" / "SHA256SUMS").read_text())
    assert sums[0] == sums[1] and sums[0].count("\n") == 18  # 16 files, index.html, manifest.json
    guide = (tmp_path / "dist-one/testland/en/atlas-etp-testland-en-facilitator-guide.html").read_text()
    assert format_date(datetime.date(2026, 1, 1), "en") in guide  # the date is SOURCE_DATE_EPOCH's


def test_the_date_is_the_last_commit_s_without_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "guide.md").write_text("text\n", encoding="utf-8")
    git = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_COMMITTER_DATE": "2024-03-05T12:00:00Z"}
    for command in (["init", "-q"], ["add", "guide.md"], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", "-C", tmp_path, *command], env=git, check=True)
    assert source_date(tmp_path) == datetime.date(2024, 3, 5)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert source_date(tmp_path) == datetime.date(2026, 1, 1)
    commit = source_revision(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    (tmp_path / "guide.md").write_text("changed\n", encoding="utf-8")
    assert source_revision(tmp_path) == f"{commit}-dirty"
