"""Helpers for tests: build small scenarios from YAML text."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sefton_finance.config.loading import parse_scenario
from sefton_finance.config.scenario import Scenario

REPOSITORY = Path(__file__).resolve().parents[1]
SCENARIOS = REPOSITORY / "scenarios"

COMMON = """
growth:
  non_demographic: 0.015
finance:
  allocation_growth: 0.029
  cost_inflation: 0.028
  efficiency_requirement: 0.011
  efficiency_delivered: 0.008
"""


def scenario_from(text: str) -> Scenario:
    """A validated scenario from YAML text (dedented)."""
    return parse_scenario(textwrap.dedent(text), source="<test>")


def simple_scenario(name: str, interventions: str = "", extra: str = "") -> Scenario:
    """A scenario with the shipped money assumptions, optional interventions and extra fields."""
    text = f"name: {name}\n{COMMON}\n{textwrap.dedent(extra)}\n"
    if interventions:
        text += "interventions:\n" + textwrap.indent(textwrap.dedent(interventions), "  ")
    return parse_scenario(text, source="<test>")
