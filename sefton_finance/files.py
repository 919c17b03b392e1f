"""Atomic file writes: a crash or Ctrl-C never leaves a half-written file or clobbers a good one.

A write that fails (a full disk, a read-only folder) raises
:class:`~sefton_finance.errors.OutputError` naming the target and the reason, and
leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sefton_finance.errors import OutputError


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

    Raises
    ------
    OutputError
        If the folder cannot be made or written (``OSError`` from ``write`` included).
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise OutputError(path, "is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=path.suffix + ".partial", dir=path.parent
        )
    except OSError as error:
        raise OutputError(path, _reason(error)) from None
    os.close(handle)
    try:
        write(Path(temporary))
        # mkstemp makes the file private (0600); give it the permissions a plain write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(path, _reason(error)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path: str | Path, data: bytes | memoryview) -> Path:
    """Write bytes atomically, flushed to the disk before the rename (see :func:`atomic_write`)."""

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    return atomic_write(path, write)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    return write_bytes(path, text.encode("utf-8"))


def _reason(error: OSError) -> str:
    where = (
        f" ({error.filename})"
        if error.filename and not str(error.filename).endswith(".partial")
        else ""
    )
    return f"{error.strerror or error}{where}"
