"""Writing a file so that it is always whole: readers see the old file or the new one, never a part.

Every file the tool writes goes through here: built guides, cache records, the release, the
schemas, and the writers' own country and content files that `review` and `review-translation`
update. A build interrupted by Ctrl-C or killed mid-write must never leave a truncated file where a
complete one was.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

PARTIAL_SUFFIX = ".part"
# What atomic_write names its temporary files: hidden, the final name, mkstemp's 8 characters.
_PARTIAL_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}" + re.escape(PARTIAL_SUFFIX))


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part. A
    process killed mid-write (SIGKILL cannot be caught) leaves a hidden `.<name>.XXXXXXXX.part`
    beside it, which no index or release lists and the next build removes (remove_partial_files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(handle, 0o644)  # mkstemp makes the file private; a release is for everyone to read
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def partial_files(folder: Path) -> list[Path]:
    """The temporary files of writes into `folder` (and below) that never finished."""
    return sorted(path for path in folder.rglob(f".*{PARTIAL_SUFFIX}")
                  if _PARTIAL_NAME.fullmatch(path.name) and path.is_file())


def remove_partial_files(folder: Path) -> None:
    """Remove what killed writes left in `folder`: run by a build before it starts, and after
    its workers were terminated (Ctrl-C), when no write of its own is under way."""
    for path in partial_files(folder):
        path.unlink(missing_ok=True)
