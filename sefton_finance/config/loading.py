"""Reading scenario files: safe YAML, validated, checked against the intervention library."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from sefton_finance.config.scenario import Scenario
from sefton_finance.errors import ScenarioError, describe_validation_error
from sefton_finance.interventions.registry import resolve_interventions


def parse_scenario(text: str, source: str | Path = "<scenario>") -> Scenario:
    """Validate scenario YAML text.

    Parameters
    ----------
    text : str
        YAML text (read with ``yaml.safe_load``: no arbitrary objects).
    source : str or Path
        File name used in error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Naming the file, the field and the bad value.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError(
            source, [f"not valid YAML{where}: {getattr(error, 'problem', error)}"]
        ) from None
    if data is None:
        raise ScenarioError(source, ["file is empty: a scenario needs at least 'name'"])
    if not isinstance(data, dict):
        raise ScenarioError(
            source, [f"top level must be a mapping of fields, got {type(data).__name__}"]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, describe_validation_error(error)) from None
    # Intervention names and overrides are checked against the library here, at the boundary.
    resolve_interventions(scenario, source=source)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML file.

    Returns
    -------
    Scenario
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, ["file not found"]) from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise ScenarioError(
            path, [f"cannot read as a text file ({error.__class__.__name__})"]
        ) from None
    return parse_scenario(text, source=path)
