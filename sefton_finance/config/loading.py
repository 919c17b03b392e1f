"""Reading scenario files: safe YAML within limits, validated, checked against the library."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from sefton_finance.config.scenario import Scenario
from sefton_finance.errors import ScenarioError, describe_validation_error
from sefton_finance.interventions.registry import resolve_interventions
from sefton_finance.reading import load_yaml, read_text


def parse_scenario(text: str, source: str | Path = "<scenario>") -> Scenario:
    """Validate scenario YAML text.

    Parameters
    ----------
    text : str
        YAML text (read safely, no arbitrary objects, within the limits of
        :func:`sefton_finance.reading.load_yaml`: size, depth, aliases, no duplicate keys).
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
    data = load_yaml(text, source, ScenarioError)
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


def read_scenario(path: str | Path) -> tuple[Scenario, str]:
    """Read and validate a scenario file; return it with the text it was read from.

    The text (recorded and hashed with every result) is decoded as
    :func:`sefton_finance.reading.read_text` reads any text file: UTF-8 with or
    without a byte-order mark, UTF-16 with one, or Windows-1252.

    Raises
    ------
    ScenarioError
        Naming the file, the field and the bad value.
    """
    path = Path(path)
    text, _ = read_text(path, ScenarioError)
    return parse_scenario(text, source=path), text


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
    return read_scenario(path)[0]
