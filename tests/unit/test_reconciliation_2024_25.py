"""The 2024/25 baseline reconciles to published figures: every row of the table in its
SOURCES.md is what the model gives, within the stated tolerance of the published value."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.packaged import packaged
from sefton_finance.config.loading import load_scenario
from sefton_finance.shipped import scenario_path

SOURCES = packaged("sefton-2024-25").directory / "SOURCES.md"
REGISTERED_PER_RESIDENT = 1.03
PRIMARY_MEDICAL = 165.0
NEED_INDEX = 1.03


def _table() -> dict[str, tuple[float, float, float, float, float]]:
    text = SOURCES.read_text(encoding="utf-8").split("## Reconciliation", 1)[1]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[a-z_]+", cells[0]) and cells[0] != "key":
            model, published, _, difference, tolerance = (
                cells[2],
                cells[3],
                cells[4],
                cells[5],
                cells[6],
            )
            # Half a unit of the model value's last printed digit: the precision it is quoted to.
            decimals = len(model.partition(".")[2])
            rows[cells[0]] = (
                *(float(v) for v in (model, published, difference, tolerance)),
                0.5 * 10.0**-decimals + 1e-12,
            )
    return rows


@pytest.fixture(scope="module")
def model_values() -> dict[str, float]:
    base = load_baseline("sefton-2024-25")
    ds = run(load_scenario(scenario_path("do_nothing_2024_25")), with_bridge=False)
    year = base.base_year
    kinds = np.array(base.organisations.kinds)
    providers = base.organisations.in_system & ~np.isin(kinds, ["commissioner", "council"])
    surplus = ds["surplus"].sel(year=year)
    # The published plan positions are before deficit support (SOURCES.md): so is the check.
    support = ds["ledger"].sel(year=year, line="deficit_support")
    residents = float(base.population.sum())
    registered = residents * REGISTERED_PER_RESIDENT
    place = base.organisations.nhs_commissioners[0]
    allocation = float(base.allocation.sel(org=place))

    def spend(pod: str) -> float:
        return float(base.activity.sel(pod=pod).sum() * base.tariff.sel(pod=pod))

    running = next(r for r in base.tables["other_spend.csv"].rows if r["line"] == "running_costs")
    return {
        "residents": residents,
        "core_per_patient": allocation / registered / NEED_INDEX - PRIMARY_MEDICAL,
        "place_surplus": float(surplus.sel(org=place) - support.sel(org=place)) / 1e6,
        "providers": float(surplus.values[providers].sum()) / 1e6,
        "system": float(ds["system_surplus"].sel(year=year) - support.sum("org")) / 1e6,
        "council_funding": float(base.allocation.sel(org=base.organisations.council)) / 1e6,
        "council_savings": -float(
            ds["ledger"].sel(year=year, org=base.organisations.council, line="savings_required")
        )
        / 1e6,
        "mental_health_share": spend("mental_health") / allocation,
        "running_costs": running["amount"] / registered,
        "other_acute_share": spend("other_acute") / allocation,
    }


def test_the_table_has_every_reconciled_figure(model_values):
    assert set(_table()) == set(model_values)


@pytest.mark.parametrize("key", sorted(_table()))
def test_each_figure_is_the_models_and_within_tolerance(key, model_values):
    model, published, difference, tolerance, precision = _table()[key]
    value = model_values[key]
    # The table quotes the model's value (to its printed precision) ...
    assert abs(value - model) <= precision, (
        f"{key}: the model gives {value}, SOURCES.md says {model}"
    )
    # ... its difference from the published value, and that difference is within tolerance.
    assert abs((model - published) - difference) < 0.011
    assert abs(value - published) <= tolerance, f"{key}: {value} vs {published} +- {tolerance}"


def test_the_system_balances_to_the_penny_in_every_year():
    ds = run(load_scenario(scenario_path("do_nothing_2024_25")), with_bridge=False)
    inside = ds["in_system"].values.astype(bool)
    parts = ds["surplus"].values[..., inside].sum(axis=-1)
    assert np.all(np.abs(parts - ds["system_surplus"].values) < 0.005)
    # Every organisation's ledger lines sum to its surplus.
    lines = ds["ledger"].sum("line")
    assert np.all(np.abs(lines.values - ds["surplus"].values) < 0.005)
