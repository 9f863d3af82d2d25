"""Where things are: the project folders, its countries and languages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError, did_you_mean

SOURCE_LANGUAGE = "en"
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Project:
    """A checkout with `content/` and `templates/` side by side."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above `start` (default: the working folder) with content/global."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if _is_project(folder):
                return cls(folder)
        raise UsageError(
            f"no ETP project found at or above {here} — run atlas-etp inside the project folder "
            "(the one with content/ and templates/), or pass --root"
        )

    @classmethod
    def holding(cls, path: Path) -> Project | None:
        """The project `path` lies in by its name as written, links not followed (so a content file
        that is a link can be compared with where it really points), or None."""
        return next((cls(folder) for folder in path.absolute().parents if _is_project(folder)), None)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def global_dir(self) -> Path:
        return self.content / "global"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def fonts(self) -> Path:
        return self.templates / "fonts"

    @property
    def locale_dir(self) -> Path:
        return PACKAGE_DIR / "locale"

    def countries(self) -> list[str]:
        return sorted(p.parent.name for p in self.content.glob("*/country.yaml"))

    def languages(self) -> list[str]:
        """Languages the global body exists in (a folder under content/global)."""
        return sorted(p.name for p in self.global_dir.iterdir() if p.is_dir())

    def country_dir(self, country: str) -> Path:
        return self.content / country

    def require_country(self, country: str) -> str:
        if country not in self.countries():
            raise UsageError(f"unknown country '{country}' — {did_you_mean(country, self.countries(), 'countries')}")
        return country


def _is_project(folder: Path) -> bool:
    return (folder / "content" / "global").is_dir() and (folder / "templates").is_dir()
