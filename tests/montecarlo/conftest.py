"""Shared fixtures for the Monte Carlo tests: the packaged baseline and small scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

UNCERTAIN_GROWTH = """
name: {name}
horizon: {{base_year: "2019/20", years_ahead: 3}}
growth:
  non_demographic: [0.01, 0.02]
  by_pod: {{nel_admission: [0.02, 0.04]}}
finance:
  cost_inflation: [0.02, 0.035]
  efficiency_delivered: [0.0, 0.015]
seed: 7
"""


@pytest.fixture(scope="session")
def baseline():
    return load_baseline()


@pytest.fixture(scope="session")
def place_plan():
    return load_scenario(SCENARIOS / "place_plan.yaml")


@pytest.fixture(scope="session")
def uncertain_do_nothing():
    """Do nothing with growth and prices written as intervals, so every draw differs."""
    return parse_scenario(UNCERTAIN_GROWTH.format(name="uncertain_do_nothing"))


@pytest.fixture(scope="session")
def zero_effect():
    """The same, plus an intervention with no effect and no cost."""
    text = UNCERTAIN_GROWTH.format(name="zero_effect") + (
        "interventions:\n"
        "  - {name: pifu, effect: 0.0, recurring_cost: 0.0}\n"
        "  - {name: virtual_ward, effect: 0.0, setup_cost: 0.0}\n"
    )
    return parse_scenario(text)
