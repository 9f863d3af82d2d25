"""`atlas-etp new-country`: a country folder that builds at once, with every gap visible.

The registry of the new country gets exactly the keys the global text asks for (found by reading
the global Markdown, so a key added to the global text later is scaffolded too). Each entry says
"to be completed" and is marked unconfirmed: the draft guide prints every one of them with the
"awaiting legal review" marker and lists them in its review annex, and a release is refused until
each is replaced by a sourced fact. Nothing here pretends to be national content.
"""

from __future__ import annotations

import re
from pathlib import Path

from .atomicfile import atomic_write
from .editor_schema import COUNTRY_MODELINE
from .errors import UsageError, did_you_mean
from .project import Project

USES = re.compile(r"""\b(law|agency|hotline)\(\s*["']([a-z0-9-]+)["']\s*\)|\bage\.([a-z0-9_]+)""")
COUNTRY_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
TODO = "To be completed"


def registry_keys(project: Project) -> dict[str, list[str]]:
    """The registry keys the global text uses, per table, in a stable order."""
    found: dict[str, set[str]] = {"laws": set(), "agencies": set(), "hotlines": set(), "ages": set()}
    tables = {"law": "laws", "agency": "agencies", "hotline": "hotlines"}
    for path in sorted(project.global_dir.rglob("*.md")):
        for match in USES.finditer(path.read_text(encoding="utf-8")):
            if match.group(3):
                found["ages"].add(match.group(3))
            else:
                found[tables[match.group(1)]].add(match.group(2))
    return {table: sorted(keys) for table, keys in found.items()}


def country_yaml(name: str, lang: str, keys: dict[str, list[str]]) -> str:
    """The text of a new country.yaml: every registry entry a visible "to be completed"."""
    title = name.replace("-", " ").title()
    todo = f'{{{lang}: "{TODO}"}}'
    pending = ('      source: "to be completed: the title or address of the source"\n'
               "      status: unconfirmed\n"
               f'      note: {{{lang}: "Scaffolded by atlas-etp new-country: replace with the national fact and '
               'its source, then write checked: YYYY-MM-DD instead of status: unconfirmed."}\n')
    fields = {
        "laws": f"      title: {todo}\n      provisions: {todo}\n      penalties: {todo}\n",
        "agencies": f"      name: {todo}\n      role: {todo}\n",
        "hotlines": f'      number: "—"\n      name: {todo}\n',
        "ages": '      value: "—"\n',
    }
    lines = [
        COUNTRY_MODELINE,  # editors with a YAML language server check and complete the file against the schema
        f"# {title} country overlay, scaffolded by `atlas-etp new-country`.",
        "# Every registry entry below is a gap to fill: give the national fact, its source, and the date",
        "# it was checked (checked: YYYY-MM-DD) instead of 'status: unconfirmed'. See docs/authoring.md.",
        f"name: {{{lang}: {title}}}",
        f"languages: [{lang}]",
        "paper: A4",
        "release:",
        "  require_confirmed_facts: true",
        "",
        "registry:",
    ]
    for table, table_keys in keys.items():
        if not table_keys:
            continue
        lines.append(f"  {table}:")
        for key in table_keys:
            lines.append(f"    {key}:\n{fields[table]}{pending}".rstrip("\n"))
    lines += ["", "overrides: []", ""]
    return "\n".join(lines)


def new_country(project: Project, name: str, lang: str) -> Path:
    """Create content/<name>/country.yaml and content/<name>/<lang>/; refuse to overwrite anything."""
    if not COUNTRY_KEY.match(name):
        raise UsageError(f"'{name}' cannot be a country folder name — use lower-case letters, digits and hyphens, "
                         "e.g. 'argentina'")
    if lang not in project.languages():
        known = did_you_mean(lang, project.languages(), "languages")
        raise UsageError(f"the global ETP has no '{lang}' text — {known}")
    folder = project.country_dir(name)
    if folder.exists():
        raise UsageError(f"{folder} already exists — choose another name, or edit that country's files")
    text = country_yaml(name, lang, registry_keys(project))
    (folder / lang).mkdir(parents=True)
    path = folder / "country.yaml"
    atomic_write(path, text.encode("utf-8"))
    return path
