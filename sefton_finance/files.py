"""Atomic file writes: a crash or Ctrl-C never leaves a half-written file or clobbers a good one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through a temporary file in the same directory, then rename it into place.

    Parameters
    ----------
    path : str or Path
        The target file; its directory is created if needed.
    write : callable
        Writes the content to the temporary path it is given.

    Returns
    -------
    Path
        The written file. On any error the temporary file is removed and ``path``
        is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix + ".partial", dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        # mkstemp makes the file private (0600); give it the permissions a plain write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
