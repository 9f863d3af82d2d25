"""JSON Schema files for editors, generated from the pydantic models that `check` validates with.

An editor with a YAML language server (VS Code with Red Hat's YAML extension, Neovim, Zed, …)
reads a `# yaml-language-server: $schema=…` comment and then underlines a misspelt key, offers the
valid keys and shows each key's description on hover. Because the files are generated from
schema.py, the editor and `atlas-etp check` cannot drift apart: `atlas-etp schema --check` fails
when the committed files are not what the models generate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .atomicfile import atomic_write
from .errors import ContentError
from .schema import ChapterMeta, Country, GuideMeta, ModuleMeta, SessionMeta

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = "schemas"


@dataclass(frozen=True)
class EditorSchema:
    """One schema file: what it describes and the model it is generated from."""

    name: str  # the file is <name>.schema.json
    model: type[BaseModel]
    title: str

    @property
    def filename(self) -> str:
        return f"{self.name}.schema.json"


SCHEMAS = (
    EditorSchema("country", Country, "ATLAS ETP country overlay (content/<country>/country.yaml)"),
    EditorSchema("session", SessionMeta, "ATLAS ETP session front matter (content/…/mN-…/sNN-….md)"),
    EditorSchema("module", ModuleMeta, "ATLAS ETP module front matter (content/global/<lang>/mN-…/module.md)"),
    EditorSchema("chapter", ChapterMeta, "ATLAS ETP chapter front matter (content/global/<lang>/front, annexes)"),
    EditorSchema("guide", GuideMeta, "ATLAS ETP guide metadata and courses (content/global/guide.yaml)"),
)

# The first line of every country.yaml: content/<country>/country.yaml → <project>/schemas/.
COUNTRY_MODELINE = f"# yaml-language-server: $schema=../../{SCHEMA_DIR}/country.schema.json"


def json_schema(schema: EditorSchema) -> dict[str, Any]:
    """The JSON Schema of one file kind: the keys as written in the files (`with`, not `with_`),
    as accepted on input (mode="validation")."""
    generated = schema.model.model_json_schema(by_alias=True, mode="validation")
    generated.pop("title", None)  # the class name (e.g. "SessionMeta") means nothing to a writer
    return {"$schema": DRAFT, "$id": schema.filename, "title": schema.title, **generated}


def schema_text(schema: EditorSchema) -> str:
    """The file's text: the same bytes every time for the same models, so regenerating is a no-op
    and a stale committed file shows as a difference."""
    return json.dumps(json_schema(schema), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[tuple[Path, bool]]:
    """Write every schema file into `folder`; returns each path and whether it changed."""
    written = []
    for schema in SCHEMAS:
        path = folder / schema.filename
        text = schema_text(schema)
        changed = _read(path) != text
        if changed:
            atomic_write(path, text.encode("utf-8"))
        written.append((path, changed))
    return written


def stale_schemas(folder: Path) -> list[ContentError]:
    """One error for each schema file in `folder` that is missing or differs from what the models generate."""
    errors = []
    for schema in SCHEMAS:
        path = folder / schema.filename
        text = _read(path)
        if text != schema_text(schema):
            problem = "is missing" if text is None else "differs from what the schema in atlas-etp generates"
            errors.append(ContentError(path, 1, f"{schema.filename} {problem}",
                                       "regenerate the files with: atlas-etp schema"))
    return errors


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
