"""Settings and shared data for the dashboards: loaded once per server process.

``panel serve`` runs the app script once per browser session, but imported
modules live for the whole process, so the caches here are shared by every
session: a result file is read once (and again only when its modification time
changes), and the baseline is loaded once.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.config.loading import load_scenario
from sefton_finance.config.scenario import Scenario
from sefton_finance.errors import InputError
from sefton_finance.interventions import Definition, available_interventions, library_fingerprint
from sefton_finance.results import Check, balance_checks, load

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Where the dashboards read and write, and the caps on what one session may compute.

    Read from environment variables (``sefton-finance serve`` sets them), so the same
    app script serves any directory.
    """

    results_dir: Path
    scenarios_dir: Path
    max_horizon: int
    max_draws: int
    max_replications: int

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from ``SEFTON_*`` environment variables, defaulting to the repository's folders."""
        return cls(
            results_dir=Path(os.environ.get("SEFTON_RESULTS_DIR", REPO / "results")),
            scenarios_dir=Path(os.environ.get("SEFTON_SCENARIOS_DIR", REPO / "scenarios")),
            max_horizon=int(os.environ.get("SEFTON_MAX_HORIZON", "10")),
            max_draws=int(os.environ.get("SEFTON_MAX_DRAWS", "1")),
            max_replications=int(os.environ.get("SEFTON_MAX_REPLICATIONS", "10")),
        )


_lock = threading.Lock()
_results: dict[Path, tuple[float, xr.Dataset]] = {}
_scenarios: dict[Path, tuple[float, Scenario]] = {}
_library: tuple[tuple, dict[str, Definition]] | None = None


def _cached_by_mtime(cache: dict, path: Path, read):
    """``read(path)``, reused until the file's modification time changes."""
    path = Path(path).resolve()
    mtime = path.stat().st_mtime
    with _lock:
        hit = cache.get(path)
        if hit is not None and hit[0] == mtime:
            return hit[1]
    value = read(path)
    with _lock:
        cache[path] = (mtime, value)
    return value


def load_result(path: Path) -> xr.Dataset:
    """A saved result, cached by file path and modification time.

    Panel's own cache cannot hash xarray objects, and keying on the path alone
    would serve a stale result after ``sefton-finance run`` rewrites the file.
    """
    return _cached_by_mtime(_results, path, load)


def result_problem(path: Path) -> str | None:
    """Why a result file cannot be shown (None if it can), cached by modification time.

    A truncated or foreign file is read once per change, not once per session: every
    session would otherwise fail on it again.
    """

    def problem(resolved: Path) -> str | None:
        try:
            load_result(resolved)  # kept in the result cache for the page to use
        except InputError as error:
            return "; ".join(error.problems)
        return None

    try:
        return _cached_by_mtime(_problems, path, problem)
    except OSError as error:  # removed or unreadable between listing and reading
        return error.strerror or str(error)


_problems: dict[Path, tuple[float, str | None]] = {}
_checks: dict[Path, tuple[float, list[Check]]] = {}


def result_checks(path: Path) -> list[Check]:
    """The balance checks of a saved result, cached by file path and modification time.

    Checking four results took a third of a second of every session's page build.
    """
    return _cached_by_mtime(_checks, path, lambda resolved: balance_checks(load_result(resolved)))


def scan_results(directory: Path) -> tuple[dict[str, Path], dict[Path, str]]:
    """Result files in a directory: the readable ones by scenario name (the file stem,
    sorted, do-nothing first), and the unreadable ones with the reason."""
    if not directory.is_dir():
        return {}, {}
    files = sorted(directory.glob("*.nc"), key=lambda p: (p.stem != "do_nothing", p.stem))
    readable, skipped = {}, {}
    for path in files:
        if path.name.startswith("."):
            continue  # a save in progress (atomic write)
        reason = result_problem(path)
        if reason is None:
            readable[path.stem] = path
        else:
            skipped[path] = reason
    return readable, skipped


def available_results(directory: Path) -> dict[str, Path]:
    """Readable result files in a directory, keyed by scenario name (see :func:`scan_results`)."""
    return scan_results(directory)[0]


def load_scenario_cached(path: Path) -> Scenario:
    """A validated scenario file, cached by path and modification time."""
    return _cached_by_mtime(_scenarios, path, load_scenario)


def available_scenarios(directory: Path) -> dict[str, Path]:
    """Valid scenario files in a directory, keyed by scenario name; invalid files are skipped."""
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            found[load_scenario_cached(path).name] = path
        except Exception:  # a broken file must not take the page down
            continue
    return dict(sorted(found.items(), key=lambda item: (item[0] != "do_nothing", item[0])))


@functools.cache
def baseline(name: str | None = None) -> Baseline:
    """A packaged baseline by name (default: the 2019/20 one), loaded once per process."""
    return load_baseline(name)


def intervention_library() -> dict[str, Definition]:
    """The intervention library, read again only when a model file or plugin changes.

    Reading and validating every model file takes ~150 ms; the what-if page asks for
    the library on every slider move.
    """
    global _library
    key = library_fingerprint()
    with _lock:
        if _library is not None and _library[0] == key:
            return dict(_library[1])
    library = available_interventions()
    with _lock:
        _library = (key, library)
    return dict(library)
