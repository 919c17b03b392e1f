"""Entry point for ``panel serve dashboards/app.py`` (``sefton-finance serve`` runs this)."""

import sys
from pathlib import Path

# `panel serve` runs this file as a script; make the repository importable as `dashboards`.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from dashboards.main import create_app  # noqa: E402

create_app().servable(title="Sefton system finances")
