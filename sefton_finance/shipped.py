"""The scenarios shipped with the package, by name.

They are the repository's ``scenarios/`` folder, installed as the package
``sefton_finance.scenarios`` (setup.py maps it), so an installed package can run
them from any folder: ``sefton-finance run place_plan``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from importlib import resources
from pathlib import Path

_FILES = contextlib.ExitStack()
atexit.register(_FILES.close)


@functools.cache
def _folder() -> Path:
    # Installed as files (a wheel or an editable install) this is the folder itself.
    return _FILES.enter_context(resources.as_file(resources.files("sefton_finance.scenarios")))


def shipped_scenarios() -> dict[str, Path]:
    """The shipped scenario files by name (the file stem, e.g. ``place_plan``), sorted."""
    return {path.stem: path for path in sorted(_folder().rglob("*.yaml"), key=lambda p: p.stem)}


def scenario_path(argument: str | Path) -> Path:
    """A scenario argument as a file: the file if it exists, else the shipped scenario so named.

    Anything else comes back unchanged, so loading it reports the missing file.
    """
    path = Path(argument)
    if path.exists():
        return path
    return shipped_scenarios().get(str(argument), path)
