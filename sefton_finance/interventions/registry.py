"""Where interventions come from: built-in mechanisms, ``models/*.yaml`` and entry points.

- Mechanisms (``avoid``, ``substitute``, ``prevent``) are built in
  (:data:`~sefton_finance.interventions.mechanisms.MECHANISMS`).
- Named interventions are YAML files, one per intervention, in the model
  directories: the repository's ``models/`` and any listed in the
  ``SEFTON_FINANCE_MODELS`` environment variable (``os.pathsep``-separated).
- Outside packages register through the ``sefton_finance.interventions``
  entry-point group. An entry point may load an ``Intervention`` subclass (a
  new mechanism) or a mapping (a named intervention definition). A broken
  plugin warns and is skipped, like xarray's backends.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sefton_finance.errors import InterventionError, describe_validation_error
from sefton_finance.interventions.base import Intervention
from sefton_finance.interventions.mechanisms import MECHANISMS

ENTRY_POINT_GROUP = "sefton_finance.interventions"
REPOSITORY_MODELS = Path(__file__).resolve().parents[2] / "models"


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


def model_directories() -> list[Path]:
    """Directories searched for intervention YAML files, in order."""
    extra = os.environ.get("SEFTON_FINANCE_MODELS", "")
    directories = [Path(part) for part in extra.split(os.pathsep) if part]
    if REPOSITORY_MODELS.is_dir():
        directories.append(REPOSITORY_MODELS)
    return directories


def read_definition(path: Path) -> Definition:
    """Read and validate one intervention file.

    Raises
    ------
    InterventionError
        Naming the file and field if it is not a valid definition.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InterventionError(path, [f"not valid YAML: {error}"]) from None
    return _definition_from_mapping(data, origin=str(path), expected_name=path.stem)


def _definition_from_mapping(
    data: Any, origin: str, expected_name: str | None = None
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


def _entry_point_objects() -> list[tuple[str, Any]]:
    loaded = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded.append((entry.name, entry.load()))
        except Exception as error:  # a broken plugin must not stop the model
            warnings.warn(
                f"intervention plugin {entry.name!r} failed to load and is skipped: {error}",
                RuntimeWarning,
                stacklevel=2,
            )
    return loaded


def available_mechanisms() -> dict[str, type[Intervention]]:
    """Mechanism classes by name: built-ins plus plugins' ``Intervention`` subclasses."""
    mechanisms = dict(MECHANISMS)
    for _name, obj in _entry_point_objects():
        if isinstance(obj, type) and issubclass(obj, Intervention) and obj.mechanism:
            mechanisms.setdefault(obj.mechanism, obj)
    return mechanisms


def available_interventions() -> dict[str, Definition]:
    """Named interventions: model-directory files, then entry-point definitions.

    A file that fails validation warns and is skipped here (so one bad file does not
    hide the library); naming it in a scenario raises the full error.
    """
    found: dict[str, Definition] = {}
    for directory in model_directories():
        for path in sorted(directory.glob("*.yaml")):
            if path.stem in found:
                continue
            try:
                found[path.stem] = read_definition(path)
            except InterventionError as error:
                warnings.warn(f"skipping intervention file: {error}", RuntimeWarning, stacklevel=2)
    for name, obj in _entry_point_objects():
        if isinstance(obj, Mapping):
            try:
                definition = _definition_from_mapping(obj, origin=f"entry point {name!r}")
            except InterventionError as error:
                warnings.warn(
                    f"skipping intervention plugin: {error}", RuntimeWarning, stacklevel=2
                )
                continue
            found.setdefault(definition.name, definition)
    return found


def build(definition: Definition, overrides: Mapping[str, Any], where: str) -> Intervention:
    """Instantiate an intervention from its definition and a scenario's overrides.

    Parameters
    ----------
    definition : Definition
    overrides : mapping
        Parameters given in the scenario; unknown keys are errors.
    where : str
        Field path for messages, e.g. ``interventions[2]``.
    """
    mechanism = available_mechanisms()[definition.mechanism]
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
    from sefton_finance.errors import ScenarioError

    library = available_interventions()
    built: list[Intervention] = []
    problems: list[str] = []
    years = scenario.years
    for index, use in enumerate(scenario.interventions):
        where = f"interventions[{index}]"
        definition = library.get(use.name)
        if definition is None:
            problems.append(
                f"field '{where}.name': unknown intervention {use.name!r}; "
                f"available: {', '.join(sorted(library)) or 'none'}"
            )
            continue
        try:
            intervention = build(definition, use.overrides, where)
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
