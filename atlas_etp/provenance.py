"""Where a build comes from: the source revision and the date a release is stamped with.

A release must be byte-for-byte reproducible, so nothing in it may depend on the day it was built:
the date printed on covers comes from SOURCE_DATE_EPOCH (the reproducible-builds convention) or
else from the last commit of the project, and only outside a git checkout from today.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

UNKNOWN_REVISION = "unknown"


def source_date(root: Path) -> datetime.date:
    """SOURCE_DATE_EPOCH's day, else the day of the last commit that touched the project, else today."""
    day = _day(os.environ.get("SOURCE_DATE_EPOCH", "")) or _day(_git(root, "log", "-1", "--format=%ct", "--", "."))
    return day or datetime.date.today()


def _day(epoch: str) -> datetime.date | None:
    """The UTC day of a Unix time written in ASCII digits; None for anything else (a CI variable
    set to text or to a time no calendar holds falls back, it does not stop the build)."""
    epoch = epoch.strip()
    if not (epoch.isascii() and epoch.isdigit()):
        return None
    try:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    except (OverflowError, ValueError, OSError):
        return None


def source_revision(root: Path) -> str:
    """The commit the project is at, with "-dirty" when tracked files differ from it."""
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return UNKNOWN_REVISION
    clean = subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--", "."],
                           capture_output=True, check=False).returncode == 0
    return commit if clean else f"{commit}-dirty"


def _git(root: Path, *arguments: str) -> str:
    """What git prints, or "" outside a checkout or without git."""
    try:
        done = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
