"""The command line as a user meets it: help, version, listing, usage errors with exit code 2."""

from __future__ import annotations


def test_version_and_help(cli):
    assert cli("--version").stdout.startswith("atlas-etp ")
    help_text = cli("--help").stdout
    for command in ("build", "check", "list"):
        assert command in help_text


def test_unknown_country_lists_the_valid_ones(mini, cli):
    result = cli("build", "--country", "testlnd", "--root", mini)
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown country 'testlnd' — did you mean 'testland'?"


def test_unknown_language_lists_the_country_languages(mini, cli):
    result = cli("build", "--country", "testland", "--lang", "fr", "--root", mini)
    assert result.exit_code == 2
    assert "testland has no 'fr' edition — its languages are: en, th" in result.stderr


def test_bad_format_is_a_usage_error(mini, cli):
    result = cli("build", "--country", "testland", "--format", "docx", "--root", mini)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_outside_a_project_is_a_usage_error(tmp_path, cli):
    result = cli("check", "--root", tmp_path)
    assert result.exit_code == 2
    assert "no ETP project found" in result.stderr


def test_list_shows_countries_modules_and_sessions(mini, cli):
    result = cli("list", "--root", mini)
    assert result.exit_code == 0
    assert "testland" in result.stdout and "languages: en, th" in result.stdout
    assert "m1.s01" in result.stdout and "outline" in result.stdout


def test_check_passes_but_release_check_fails_on_outlines(mini, cli):
    assert cli("check", "--root", mini).exit_code == 0
    result = cli("check", "--release", "--root", mini)
    assert result.exit_code == 1
    assert "s02-more.md:2:1: error: session m1.s02 is still an outline" in result.stderr
    for lang in ("en", "th"):  # write the outline in full: the written s01 with another ID
        folder = mini / f"content/global/{lang}/m1-basics"
        text = (folder / "s01-intro.md").read_text(encoding="utf-8")
        (folder / "s02-more.md").write_text(text.replace("id: m1.s01", "id: m1.s02"), encoding="utf-8")
    result = cli("check", "--release", "--root", mini)
    assert result.exit_code == 1 and "does not record which global text it was reviewed against" in result.stderr
    assert "the translation of m1.s02 > front-matter is stale" in result.stderr  # its English front matter changed
    assert cli("review", "--country", "testland", "--all", "--root", mini).exit_code == 0
    assert cli("review-translation", "--all", "--lang", "th", "--root", mini).exit_code == 0
    assert cli("check", "--release", "--root", mini).exit_code == 0
