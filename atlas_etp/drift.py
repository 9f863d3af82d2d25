"""Drift: has the global text an override was written against changed since?

Each override in a country file may record `against: <fingerprint>`, the fingerprint of the
global English text it targets (a section, or a whole session) as it was when someone last
reviewed the override. If the global text changes afterwards, the national text may no longer fit:
`check` reports it, the draft build marks it on the page, and `atlas-etp review` records that the
override was read again against the new global text. Without this, three national editions fall
silently behind the global one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .atomicfile import atomic_write
from .errors import ContentError, UsageError
from .load import CountryFile
from .model import Guide
from .schema import Override
from .sourcefile import fingerprint, position_of, read_text, split_lines


class DriftState(StrEnum):
    current = "current"  # reviewed against the global text as it is now
    stale = "stale"  # the global text changed since the override was reviewed
    unrecorded = "unrecorded"  # never reviewed: no `against` yet
    national = "national"  # the target is national text an earlier override added: nothing to drift from


@dataclass(frozen=True)
class OverrideDrift:
    """One override of a country file, and how it stands against the global text."""

    index: int
    override: Override
    line: int  # in country.yaml
    state: DriftState
    fingerprint: str  # of the global target as it is now ("" for national targets)
    target_path: Path | None
    target_line: int


def override_drift(country: CountryFile, source: Guide) -> list[OverrideDrift]:
    """Each override of `country` compared with the global English body `source`."""
    found = []
    for index, override in enumerate(country.model.overrides):
        line = position_of(country.data, ("overrides", index), (1, 1))[0]
        target = _global_target(source, override.target)
        if target is None:
            found.append(OverrideDrift(index, override, line, DriftState.national, "", None, 0))
            continue
        text, path, target_line = target
        current = fingerprint(text)
        if override.against is None:
            state = DriftState.unrecorded
        else:
            state = DriftState.current if override.against == current else DriftState.stale
        found.append(OverrideDrift(index, override, line, state, current, path, target_line))
    return found


def _global_target(source: Guide, target: str) -> tuple[str, Path, int] | None:
    """The text, file and line of a global session or section, or None if it is not global."""
    session_id, _, section_id = target.partition("/")
    session = next((s for s in source.sessions() if s.id == session_id), None)
    if session is None:
        return None
    if not section_id:
        return read_text(session.path), session.path, 1
    section = next((s for s in session.sections if s.id == section_id), None)
    return (section.source, section.path, section.line) if section else None


def drift_problems(country: CountryFile, drifts: list[OverrideDrift]) -> list[ContentError]:
    """Warnings for `check` (errors for `check --release`): stale and never-reviewed overrides."""
    path = country.folder / "country.yaml"
    root = country.folder.parent.parent
    problems = []
    for drift in drifts:
        target = drift.override.target
        where = f"{_relative(drift.target_path, root)}:{drift.target_line}"
        review = f"atlas-etp review --country {country.key} {target}"
        if drift.state is DriftState.stale:
            problems.append(ContentError(
                path, drift.line,
                f"the override of {target} may be stale: the global text changed after it was reviewed "
                f"({where})",
                f"compare it with {drift.override.with_ or 'the removal'}, update the national text if needed, "
                f"then run: {review}", severity="warning"))
        elif drift.state is DriftState.unrecorded:
            problems.append(ContentError(
                path, drift.line, f"the override of {target} does not record which global text it was reviewed against",
                f"read it beside {where}, then run: {review}", severity="warning"))
    return problems


def _relative(path: Path | None, root: Path) -> Path | None:
    return path.relative_to(root) if path is not None and path.is_relative_to(root) else path


def stale_targets(drifts: list[OverrideDrift]) -> set[str]:
    return {drift.override.target for drift in drifts if drift.state is DriftState.stale}


def record_review(country: CountryFile, drifts: list[OverrideDrift], targets: list[str]) -> list[OverrideDrift]:
    """Write `against: <fingerprint>` for the overrides of `targets` into the country file.

    Only those lines change: comments, order and quoting of the rest of the file stay as written.
    """
    chosen = [d for d in drifts if d.override.target in targets and d.state is not DriftState.national]
    unknown = sorted(set(targets) - {d.override.target for d in drifts})
    if unknown:
        known = ", ".join(d.override.target for d in drifts) or "none"
        raise UsageError(f"{country.key} has no override of {', '.join(unknown)} — its overrides: {known}")
    path = country.folder / "country.yaml"
    lines = split_lines(read_text(path))
    for drift in sorted(chosen, key=lambda d: d.index, reverse=True):
        _set_against(lines, country, drift)
    atomic_write(path, "".join(lines).encode("utf-8"))
    return chosen


def _set_against(lines: list[str], country: CountryFile, drift: OverrideDrift) -> None:
    """Replace the override's `against:` line, or add one under its last key, lined up with it."""
    item = country.data["overrides"][drift.index]
    keys = [position_of(country.data, ("overrides", drift.index, key), (drift.line, 1)) for key in item]
    if "against" in item:
        line = position_of(country.data, ("overrides", drift.index, "against"), (drift.line, 1))[0]
        lines[line - 1] = re.sub(r"against:\s*\S+", f"against: \"{drift.fingerprint}\"", lines[line - 1])
        return
    last_line, column = max(keys)
    if "{" in lines[last_line - 1]:
        raise UsageError(f"{country.folder / 'country.yaml'}:{last_line}: write this override on separate lines "
                         "('- replace: …' then 'with: …'), so that 'against:' can be added under it")
    lines.insert(last_line, " " * (column - 1) + f"against: \"{drift.fingerprint}\"\n")
