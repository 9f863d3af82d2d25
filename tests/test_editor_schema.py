"""Editor support: the JSON Schema files (schemas/) and the pre-commit hook (.pre-commit-hooks.yaml).

The schemas must accept the real content, reject what `atlas-etp check` rejects, and never go stale;
the hook must be a manifest pre-commit accepts and, run for real, stop a commit with a file:line error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pre_commit.clientlib import load_manifest

from atlas_etp.editor_schema import COUNTRY_MODELINE, SCHEMAS, EditorSchema, schema_text
from atlas_etp.sourcefile import read_markdown

from conftest import REPO, edit

BY_NAME = {schema.name: schema for schema in SCHEMAS}
COUNTRY = "content/testland/country.yaml"
SESSION = "content/global/en/m1-basics/s01-intro.md"


def validator(root: Path, name: str) -> Draft202012Validator:
    """A validator for the schema file `name` as committed (or written) under root/schemas."""
    return Draft202012Validator(json.loads((root / "schemas" / BY_NAME[name].filename).read_text("utf-8")))


def as_editor_sees(data: Any) -> Any:
    """YAML data as JSON: an editor's YAML 1.2 parser reads an unquoted date as text, PyYAML as a date."""
    return json.loads(json.dumps(data, default=str))


def document(path: Path) -> Any:
    """What a schema validates: a YAML file's data, or a Markdown file's front matter."""
    if path.suffix == ".md":
        return as_editor_sees(dict(read_markdown(path, need_front_matter=True).front_matter))
    return as_editor_sees(yaml.safe_load(path.read_text("utf-8")))


def schema_errors(root: Path, name: str, path: Path) -> list[str]:
    return [error.message for error in validator(root, name).iter_errors(document(path))]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_the_committed_schemas_are_what_the_models_generate(schema: EditorSchema):
    committed = REPO / "schemas" / schema.filename
    assert committed.read_text("utf-8") == schema_text(schema), "stale: run `atlas-etp schema` and commit schemas/"
    Draft202012Validator.check_schema(json.loads(schema_text(schema)))


@pytest.mark.parametrize("country", ["thailand", "paraguay", "liberia"])
def test_the_real_country_files_name_their_schema_and_validate(country: str):
    path = REPO / "content" / country / "country.yaml"
    first_line = path.read_text("utf-8").splitlines()[0]
    assert first_line == COUNTRY_MODELINE
    assert (path.parent / first_line.split("$schema=")[1]).resolve() == REPO / "schemas/country.schema.json"
    assert schema_errors(REPO, "country", path) == []


def test_all_real_front_matter_and_guide_yaml_validate():
    global_dir = REPO / "content/global"
    kinds = {"session": sorted(global_dir.glob("*/m[1-9]-*/s[0-9][0-9]-*.md")),
             "module": sorted(global_dir.glob("*/m[1-9]-*/module.md")),
             "chapter": sorted([*global_dir.glob("*/front/*.md"), *global_dir.glob("*/annexes/*.md")]),
             "guide": [global_dir / "guide.yaml"]}
    assert len(kinds["session"]) >= 3 * 25 and len(kinds["module"]) == 3 * 5  # every session of en, es, th
    problems = {str(path.relative_to(REPO)): errors for name, paths in kinds.items() for path in paths
                if (errors := schema_errors(REPO, name, path))}
    assert problems == {}


# Each: the file, the edit that breaks it, its schema, and what `atlas-etp check` says about it.
BROKEN = {
    "wrong type (text for a list)": (COUNTRY, "languages: [en, th]", "languages: en", "country",
                                     "'languages' must be a list"),
    "wrong type (text for a number)": (SESSION, "duration: 30", "duration: half an hour", "session",
                                       "'duration' must be a whole number"),
    "unknown key (typo)": (COUNTRY, "      source: Testland Gazette\n      status", "      sorce: Testland Gazette\n"
                           "      status", "country", "unknown key 'sorce' — did you mean 'source'?"),
    "missing required key": (SESSION, "duration: 30\n", "", "session", "'duration' is missing"),
    "override with two operations": (COUNTRY, "  - replace: m1.s01/key-messages\n",
                                     "  - replace: m1.s01/key-messages\n    remove: m1.s02\n", "country",
                                     "an override has exactly one of"),
    "remove with a 'with' file": (COUNTRY, "  - replace: m1.s01/key-messages", "  - remove: m1.s01/key-messages",
                                  "country", "'remove' takes no 'with' file"),
    "fact with neither checked nor status": (COUNTRY, "      status: unconfirmed\n", "", "country",
                                             "give either 'checked: YYYY-MM-DD' or 'status: unconfirmed'"),
    "fact with both checked and status": (COUNTRY, "      status: unconfirmed\n",
                                          "      status: unconfirmed\n      checked: 2026-11-01\n", "country",
                                          "give either 'checked: YYYY-MM-DD' or 'status: unconfirmed'"),
    "ratified although not a party": (COUNTRY, "overrides:", "  ratifications:\n    palermo:\n      instrument: "
                                      "{en: Palermo Protocol, th: พิธีสารปาแลร์โม}\n      party: false\n      "
                                      "ratified: 2013-10-17\n      source: UN Treaty Collection\n      checked: "
                                      "2026-11-01\noverrides:", "country", "not a party has no 'ratified' date"),
    "a duration of 0": (SESSION, "duration: 30", "duration: 0", "session",
                        "'duration': Input should be greater than 0"),
    "a bad session id": (SESSION, "id: m1.s01", "id: m1.s1", "session", "'id' is not written as this ID must be"),
    "a blank title": (SESSION, "title: Introduction", 'title: "  "', "session", "'title': the title is empty"),
    "a session id in Thai digits": (SESSION, "id: m1.s01", "id: m1.s\u0e50\u0e51", "session",
                                    "'id' is not written as this ID"),
    "the Python name of 'with'": (COUNTRY, "    with: ", "    with_: ", "country", "unknown key 'with_'"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_what_check_rejects_the_schema_rejects_too(case: str, mini: Path, cli):
    file, old, new, schema, message = BROKEN[case]
    edit(mini / file, old, new)
    result = cli("check", "--root", mini)
    assert result.exit_code == 1 and f"{file}:" in result.stderr and message in result.stderr, result.stderr
    assert schema_errors(REPO, schema, mini / file), f"the {schema} schema accepts what check rejects: {case}"


def test_the_unbroken_fixture_passes_both(mini: Path, cli):
    """The control for the cases above: both accept the files before they are broken."""
    assert cli("check", "--root", mini).exit_code == 0
    assert schema_errors(REPO, "country", mini / COUNTRY) == [] and schema_errors(REPO, "session", mini / SESSION) == []


def test_a_scaffolded_country_names_a_schema_that_exists_and_validates_it(mini: Path, cli):
    assert "run `atlas-etp schema` once" in cli("new-country", "elsewhere", "--root", mini).stdout
    assert cli("schema", "--root", mini).exit_code == 0
    scaffolded = cli("new-country", "atlantis", "--lang", "th", "--root", mini)
    assert scaffolded.exit_code == 0 and "atlas-etp schema" not in scaffolded.stdout
    path = mini / "content/atlantis/country.yaml"
    first_line = path.read_text("utf-8").splitlines()[0]
    assert first_line == COUNTRY_MODELINE
    target = path.parent / first_line.split("$schema=")[1]
    assert target.resolve() == (mini / "schemas/country.schema.json").resolve() and target.is_file()
    assert schema_errors(mini, "country", path) == []


def test_schema_writes_identical_bytes_and_check_fails_on_a_stale_file(mini: Path, cli):
    written = cli("schema", "--root", mini)
    assert written.exit_code == 0 and "wrote schemas/session.schema.json" in written.stdout
    before = {path.name: path.read_bytes() for path in (mini / "schemas").iterdir()}
    assert sorted(before) == sorted(schema.filename for schema in SCHEMAS)
    again = cli("schema", "--root", mini)
    assert "up to date: schemas/session.schema.json" in again.stdout
    assert {path.name: path.read_bytes() for path in (mini / "schemas").iterdir()} == before
    assert cli("schema", "--check", "--root", mini).exit_code == 0

    edit(mini / "schemas/session.schema.json", '"maximum": 600', '"maximum": 900')
    (mini / "schemas/guide.schema.json").unlink()
    stale = cli("schema", "--check", "--root", mini)
    assert stale.exit_code == 1
    assert ("schemas/session.schema.json:1:1: error: session.schema.json differs from what the schema in atlas-etp "
            "generates — regenerate the files with: atlas-etp schema") in stale.stderr
    assert "schemas/guide.schema.json:1:1: error: guide.schema.json is missing" in stale.stderr


def test_schema_refuses_to_write_into_content(mini: Path, cli):
    result = cli("schema", "--root", mini, "--out", mini / "content/schemas")
    assert result.exit_code == 2 and "is inside content/" in result.stderr
    assert not (mini / "content/schemas").exists()


def test_the_hook_manifest_is_valid():
    [hook] = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "atlas-etp-check" and hook["entry"] == "atlas-etp check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/thailand/country.yaml") and files.search("templates/print.css")
    assert not files.search("README.md") and not files.search("docs/content/x.md")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_hook_stops_a_commit_with_a_content_error(mini: Path):
    """A content repository that uses the hook, as docs/authoring.md shows: a commit with an error is
    refused with the file:line message, the fixed commit goes through. It installs the hook from this
    checkout's HEAD (pre-commit clones a commit), so commit a change to the hook before testing it here."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False)
    if head.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    env = {**os.environ, "PRE_COMMIT_HOME": str(mini.parent / "pre-commit-home"), "GIT_AUTHOR_NAME": "Writer",
           "GIT_AUTHOR_EMAIL": "writer@example.org", "GIT_COMMITTER_NAME": "Writer",
           "GIT_COMMITTER_EMAIL": "writer@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    (mini / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: atlas-etp-check\n",
        encoding="utf-8")
    pre_commit = [sys.executable, "-m", "pre_commit"]
    for step in (["git", "init", "-q"], ["git", "add", "-A"], [*pre_commit, "install"]):
        assert _run(step, mini, env).returncode == 0

    edit(mini / COUNTRY, "      source: Testland Gazette\n      status", "      sorce: Testland Gazette\n      status")
    assert _run(["git", "add", COUNTRY], mini, env).returncode == 0
    started = time.monotonic()
    refused = _run(["git", "commit", "-qm", "a typo"], mini, env)
    print(f"first commit (installs the hook's environment): {time.monotonic() - started:.1f} s")
    output = refused.stdout + refused.stderr  # git hands the hook's output to stderr
    assert refused.returncode != 0, output
    assert f"{COUNTRY}:14:7: error: unknown key 'sorce' — did you mean 'source'?" in output

    edit(mini / COUNTRY, "sorce:", "source:")
    assert _run(["git", "add", COUNTRY], mini, env).returncode == 0
    started = time.monotonic()
    accepted = _run(["git", "commit", "-qm", "content"], mini, env)
    print(f"second commit (the environment reused): {time.monotonic() - started:.1f} s")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert re.search(r"atlas-etp check\.+Passed", output), output
