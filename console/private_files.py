"""Files and folders only the user can read, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path


def make_private_dir(directory: Path) -> None:
    """Create *directory* and its missing parents with mode 0700 (mkdir's mode obeys the umask,
    so under umask 000 a plain mkdir would make them world-writable)."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)
        os.chmod(d, 0o700)
