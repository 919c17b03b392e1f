"""Where interventions come from: built-in mechanisms, YAML files and entry points.

- Mechanisms (``avoid``, ``substitute``, ``prevent``) are built in
  (:data:`~sefton_finance.interventions.mechanisms.MECHANISMS`).
- Named interventions are YAML files, one per intervention, in the model
  directories, searched in this order: any listed in the ``SEFTON_FINANCE_MODELS``
  environment variable (``os.pathsep``-separated), a source checkout's ``models/``
  (a modeller's own files), then the packaged library ``sefton_finance/library/``
  (package data, read through :mod:`importlib.resources`, so a wheel has it too).
  The first file of a name wins: a modeller's ``pifu.yaml`` replaces the library's.
- Outside packages register through the ``sefton_finance.interventions``
  entry-point group. An entry point may load an ``Intervention`` subclass (a
  new mechanism) or a mapping (a named intervention definition). A broken
  plugin warns and is skipped, like xarray's backends.

Entry points load once per :func:`available_interventions` or
:func:`resolve_interventions` call; :func:`resolve_cached` remembers resolved
interventions for as long as the library they were built from is unchanged.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sefton_finance.errors import InterventionError, describe_validation_error
from sefton_finance.interventions.base import Intervention
from sefton_finance.interventions.mechanisms import MECHANISMS
from sefton_finance.reading import load_yaml, read_text

if TYPE_CHECKING:
    from sefton_finance.config.scenario import Scenario

ENTRY_POINT_GROUP = "sefton_finance.interventions"
# A source checkout (its pyproject.toml beside the package) may hold a modeller's own models/;
# an installed package's parent is site-packages, whose models/ belongs to nobody here.
_CHECKOUT = Path(__file__).resolve().parents[2]
REPOSITORY_MODELS = _CHECKOUT / "models" if (_CHECKOUT / "pyproject.toml").is_file() else None
_PACKAGE_FILES = contextlib.ExitStack()
atexit.register(_PACKAGE_FILES.close)


@dataclass(frozen=True)
class Definition:
    """A named intervention: its mechanism and default parameters, and where it came from."""

    name: str
    mechanism: str
    params: Mapping[str, Any]
    origin: str

    @property
    def description(self) -> str:
        """One-line description."""
        return str(self.params.get("description", ""))


@functools.cache
def packaged_library() -> Path:
    """The intervention library shipped in the package (``sefton_finance/library``).

    Installed as files (a wheel or an editable install) this is the folder itself;
    from a zip it is extracted once for the life of the process.
    """
    library = resources.files("sefton_finance") / "library"
    return _PACKAGE_FILES.enter_context(resources.as_file(library))


def model_directories() -> list[Path]:
    """Directories searched for intervention YAML files, in order (the first of a name wins)."""
    extra = os.environ.get("SEFTON_FINANCE_MODELS", "")
    directories = [Path(part) for part in extra.split(os.pathsep) if part]
    if REPOSITORY_MODELS is not None and REPOSITORY_MODELS.is_dir():
        directories.append(REPOSITORY_MODELS)
    directories.append(packaged_library())
    return directories


def read_definition(
    path: Path, mechanisms: Mapping[str, type[Intervention]] | None = None
) -> Definition:
    """Read and validate one intervention file.

    Parameters
    ----------
    path : Path
    mechanisms : mapping, optional
        Mechanism classes by name; default :func:`available_mechanisms`.

    Raises
    ------
    InterventionError
        Naming the file and field if it is not a valid definition.
    """
    text, _ = read_text(path, InterventionError)
    data = load_yaml(text, path, InterventionError)
    return _definition_from_mapping(data, str(path), mechanisms, expected_name=path.stem)


def _definition_from_mapping(
    data: Any,
    origin: str,
    mechanisms: Mapping[str, type[Intervention]] | None = None,
    expected_name: str | None = None,
) -> Definition:
    if not isinstance(data, dict):
        raise InterventionError(
            origin, ["an intervention file must be a mapping with 'name' and 'mechanism'"]
        )
    data = dict(data)
    name = data.pop("name", expected_name)
    mechanism = data.pop("mechanism", None)
    if not name:
        raise InterventionError(origin, ["field 'name': missing"])
    if expected_name is not None and name != expected_name:
        raise InterventionError(
            origin, [f"field 'name': {name!r} must match the file name {expected_name!r}"]
        )
    if mechanisms is None:
        mechanisms = available_mechanisms()
    if mechanism not in mechanisms:
        raise InterventionError(
            origin, [f"field 'mechanism': unknown {mechanism!r}; known: {sorted(mechanisms)}"]
        )
    try:
        mechanisms[mechanism].Params.model_validate(data)
    except ValidationError as error:
        raise InterventionError(origin, describe_validation_error(error)) from None
    return Definition(name=name, mechanism=mechanism, params=data, origin=origin)


_ENTRIES: dict[tuple, tuple] = {}


def plugin_entry_points() -> tuple:
    """The group's entry points, read again only when a folder on ``sys.path`` changes.

    Reading every installed distribution's metadata takes ~50 ms, and a search such as
    goal-seek resolves interventions dozens of times; installing or removing a package
    changes its folder's modification time, so a new plugin is still seen at once.
    """
    key = tuple((path, _modified(path)) for path in sys.path)
    found = _ENTRIES.get(key)
    if found is None:
        _ENTRIES.clear()
        found = _ENTRIES[key] = tuple(entry_points(group=ENTRY_POINT_GROUP))
    return found


def _modified(path: str) -> int:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return -1


def _entry_point_objects() -> list[tuple[str, Any]]:
    loaded = []
    for entry in plugin_entry_points():
        try:
            loaded.append((entry.name, entry.load()))
        except Exception as error:  # a broken plugin must not stop the model
            warnings.warn(
                f"intervention plugin {entry.name!r} failed to load and is skipped: {error}",
                RuntimeWarning,
                stacklevel=2,
            )
    return loaded


def _mechanisms(plugins: Sequence[tuple[str, Any]]) -> dict[str, type[Intervention]]:
    mechanisms = dict(MECHANISMS)
    for _name, obj in plugins:
        if isinstance(obj, type) and issubclass(obj, Intervention) and obj.mechanism:
            mechanisms.setdefault(obj.mechanism, obj)
    return mechanisms


def available_mechanisms() -> dict[str, type[Intervention]]:
    """Mechanism classes by name: built-ins plus plugins' ``Intervention`` subclasses."""
    return _mechanisms(_entry_point_objects())


def available_interventions() -> dict[str, Definition]:
    """Named interventions: model-directory files, then entry-point definitions.

    The first definition of a name wins, in :func:`model_directories` order and
    then entry points, so a modeller's file replaces a library one of the same name.

    A file that fails validation warns and is skipped here (so one bad file does not
    hide the library); naming it in a scenario raises the full error.
    """
    plugins = _entry_point_objects()
    return _library(plugins, _mechanisms(plugins))


_READ: dict[tuple, Definition | InterventionError] = {}
"""Definitions already read, by file, its modification time and size, and the mechanisms:
goal-seek and sweeps resolve a scenario dozens of times, and parsing ~30 YAML files each
time was half their run time. An edited file has a new key, so it is read again."""


def _read_once(path: Path, mechanisms: Mapping[str, type[Intervention]]) -> Definition:
    """:func:`read_definition`, remembered per file version (a failure too, raised again)."""
    stat = path.stat()
    key = (
        str(path),
        stat.st_mtime_ns,
        stat.st_size,
        tuple(sorted((name, id(cls)) for name, cls in mechanisms.items())),
    )
    if key not in _READ:
        try:
            _READ[key] = read_definition(path, mechanisms)
        except InterventionError as error:
            _READ[key] = error
    found = _READ[key]
    if isinstance(found, InterventionError):
        raise found
    return found


def _library(
    plugins: Sequence[tuple[str, Any]], mechanisms: Mapping[str, type[Intervention]]
) -> dict[str, Definition]:
    """:func:`available_interventions` from plugins and mechanisms already loaded."""
    found: dict[str, Definition] = {}
    for directory in model_directories():
        for path in sorted(directory.glob("*.yaml")):
            if path.stem in found:
                continue
            try:
                found[path.stem] = _read_once(path, mechanisms)
            except InterventionError as error:
                warnings.warn(f"skipping intervention file: {error}", RuntimeWarning, stacklevel=3)
    for name, obj in plugins:
        if isinstance(obj, Mapping):
            try:
                definition = _definition_from_mapping(obj, f"entry point {name!r}", mechanisms)
            except InterventionError as error:
                warnings.warn(
                    f"skipping intervention plugin: {error}", RuntimeWarning, stacklevel=3
                )
                continue
            found.setdefault(definition.name, definition)
    return found


def build(
    definition: Definition,
    overrides: Mapping[str, Any],
    where: str,
    mechanisms: Mapping[str, type[Intervention]] | None = None,
) -> Intervention:
    """Instantiate an intervention from its definition and a scenario's overrides.

    Parameters
    ----------
    definition : Definition
    overrides : mapping
        Parameters given in the scenario; unknown keys are errors.
    where : str
        Field path for messages, e.g. ``interventions[2]``.
    mechanisms : mapping, optional
        Mechanism classes by name; default :func:`available_mechanisms`.
    """
    if mechanisms is None:
        mechanisms = available_mechanisms()
    mechanism = mechanisms[definition.mechanism]
    merged = {**definition.params, **overrides}
    try:
        params = mechanism.Params.model_validate(merged)
    except ValidationError as error:
        raise InterventionError(None, describe_validation_error(error, prefix=(where,))) from None
    return mechanism(definition.name, params)


def resolve_interventions(scenario: Any, source: str | Path = "<scenario>") -> list[Intervention]:
    """The scenario's interventions, built and checked against its horizon.

    Raises
    ------
    ScenarioError
        Naming the file and ``interventions[i].field`` for an unknown intervention,
        a bad override or a start year outside the horizon.
    """
    from sefton_finance.errors import ScenarioError, shown

    if not scenario.interventions:
        return []  # nothing to resolve: reading the library takes ~0.2 s
    plugins = _entry_point_objects()
    mechanisms = _mechanisms(plugins)
    library = _library(plugins, mechanisms)
    built: list[Intervention] = []
    problems: list[str] = []
    years = scenario.years
    for index, use in enumerate(scenario.interventions):
        where = f"interventions[{index}]"
        definition = library.get(use.name)
        if definition is None:
            problems.append(
                f"field '{where}.name': unknown intervention {shown(use.name)}; "
                f"available: {', '.join(sorted(library)) or 'none'}"
            )
            continue
        try:
            intervention = build(definition, use.overrides, where, mechanisms)
        except InterventionError as error:
            problems.extend(error.problems)
            continue
        start = intervention.params.start_year
        if start is not None and start not in years:
            problems.append(
                f"field '{where}.start_year': {start!r} is outside the horizon {years[0]} to {years[-1]}"
            )
            continue
        built.append(intervention)
    if problems:
        raise ScenarioError(source, problems)
    return built


# Resolved interventions by scenario uses, horizon and library (see resolve_cached).
_RESOLVED: OrderedDict[tuple, tuple[Intervention, ...]] = OrderedDict()
_RESOLVED_LOCK = threading.Lock()
_RESOLVED_SIZE = 64


def library_fingerprint() -> tuple:
    """What the intervention library is built from: model files (name, mtime, size) and plugins.

    Reading and validating the library takes ~150 ms, more than the rest of a run;
    this costs a few milliseconds, so a run still sees a model file added, changed
    or removed, a new ``SEFTON_FINANCE_MODELS`` directory, or a newly installed plugin.
    """
    files = []
    for directory in model_directories():
        for path in sorted(directory.glob("*.yaml")):
            stat = path.stat()
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
    plugins = tuple((entry.name, entry.value) for entry in plugin_entry_points())
    return (os.environ.get("SEFTON_FINANCE_MODELS", ""), tuple(files), plugins)


def resolve_cached(scenario: Scenario) -> list[Intervention]:
    """:func:`resolve_interventions`, remembered for the same scenario uses and library.

    Interventions are immutable (frozen parameters), so runs may share them. Errors
    are not remembered: a bad scenario raises every time.
    """
    uses = tuple((use.name, repr(use.overrides)) for use in scenario.interventions)
    key = (uses, tuple(scenario.years), library_fingerprint())
    with _RESOLVED_LOCK:
        hit = _RESOLVED.get(key)
        if hit is not None:
            _RESOLVED.move_to_end(key)
            return list(hit)
    built = resolve_interventions(scenario)
    with _RESOLVED_LOCK:
        _RESOLVED[key] = tuple(built)
        while len(_RESOLVED) > _RESOLVED_SIZE:
            _RESOLVED.popitem(last=False)
    return built
