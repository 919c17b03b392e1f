"""Snapshot tests: the shipped scenarios' numbers, pinned to the penny.

A restructure keeps every number here identical. A change to the economics
regenerates the snapshots on purpose, in its own commit, saying what moved and
why::

    SEFTON_REGENERATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/snapshots

Each snapshot is a long CSV (``variable, year, org, line, pod, intervention,
draw, value``): surplus by organisation and year, the system surplus, every
ledger line, activity by pod and year, the bridge, and, for a short Monte Carlo
run, the system surplus of every draw.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import SCENARIOS

from sefton_finance.api import run as run_scenario
from sefton_finance.config.loading import load_scenario, parse_scenario
from sefton_finance.montecarlo import run_monte_carlo

HERE = Path(__file__).parent
REGENERATE = os.environ.get("SEFTON_REGENERATE_SNAPSHOTS") == "1"
COLUMNS = ("variable", "year", "org", "line", "pod", "intervention", "draw", "value")
PENNY = 0.005
"""Half a penny (money) or half a hundredth of an activity unit: the comparison's tolerance."""

CONTRACT_FORMS = {
    "pbr": "contract: {form: pbr}",
    "block": "contract: {form: block}",
    "blended": "contract: {form: blended, variable_share: 0.3}",
    "capitated": "contract: {form: capitated, risk_share: 0.6}",
}


def rows(ds: xr.Dataset) -> list[dict[str, str]]:
    """The pinned variables of one result, as snapshot rows."""
    principal = ds.isel(draw=0) if "draw" in ds.dims else ds
    inside = principal.org.values[principal["in_system"].values]
    pinned = {
        "surplus": principal["surplus"].sel(org=inside),
        "system_surplus": principal["system_surplus"],
        "ledger": principal["ledger"],
        "activity": principal["activity"].sum(("month", "locality")),
    }
    if "bridge" in principal:
        pinned["bridge"] = principal["bridge"]
    if "draw" in ds.dims:
        pinned["draw_system_surplus"] = ds["system_surplus"]
    out = []
    for variable, array in pinned.items():
        frame = array.to_dataframe(name="value").reset_index()
        for record in frame.to_dict("records"):
            row = {column: "" for column in COLUMNS}
            row["variable"] = variable
            for column in COLUMNS[1:-1]:
                if column in record:
                    row[column] = str(record[column])
            row["value"] = repr(float(record["value"]))
            out.append(row)
    return out


def check(name: str, ds: xr.Dataset) -> None:
    """Compare a result with its stored snapshot (or write it when regenerating)."""
    path = HERE / f"{name}.csv"
    current = rows(ds)
    if REGENERATE:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(current)
        return
    with path.open(newline="", encoding="utf-8") as handle:
        stored = list(csv.DictReader(handle))
    key = lambda row: tuple(row[c] for c in COLUMNS[:-1])  # noqa: E731
    stored_values = {key(row): float(row["value"]) for row in stored}
    current_values = {key(row): float(row["value"]) for row in current}
    assert current_values.keys() == stored_values.keys(), (
        f"{name}: rows differ: missing {sorted(stored_values.keys() - current_values.keys())[:5]}, "
        f"new {sorted(current_values.keys() - stored_values.keys())[:5]}"
    )
    moved = [
        (k, stored_values[k], v)
        for k, v in current_values.items()
        if not abs(v - stored_values[k]) < PENNY  # NaN counts as moved
    ]
    assert not moved, f"{name}: {len(moved)} numbers moved, e.g. {moved[:5]}"


@pytest.mark.parametrize("name", ["do_nothing", "place_plan", "stretch"])
def test_shipped_scenarios_keep_their_numbers(name, baseline):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    check(name, run_scenario(scenario, baseline))


@pytest.mark.parametrize("name", ["do_nothing_2024_25", "place_plan_2024_25"])
def test_todays_scenarios_keep_their_numbers(name):
    # On the baseline each names (sefton-2024-25): today's organisations, 2024/25 on.
    scenario = load_scenario(SCENARIOS / "2024-25" / f"{name}.yaml")
    assert scenario.baseline == "sefton-2024-25"
    check(name, run_scenario(scenario))


@pytest.mark.parametrize("form", sorted(CONTRACT_FORMS))
def test_every_contract_form_keeps_its_numbers(form, baseline):
    text = (SCENARIOS / "place_plan.yaml").read_text(encoding="utf-8")
    scenario = parse_scenario(text + "\n" + CONTRACT_FORMS[form], source="<snapshot>")
    check(f"place_plan_{form}", run_scenario(scenario, baseline))


def test_monte_carlo_draws_keep_their_numbers(baseline):
    scenario = load_scenario(SCENARIOS / "place_plan.yaml")
    ds = run_monte_carlo(scenario, baseline, draws=12, workers=1, chunk_size=5)
    check("place_plan_12_draws", ds)


@pytest.mark.slow
def test_discrete_event_scenario_keeps_its_numbers(baseline):
    scenario = load_scenario(SCENARIOS / "des" / "place_plan_des.yaml")
    ds = run_scenario(scenario, baseline)
    assert np.isfinite(ds["system_surplus"].values).all()
    check("place_plan_des", ds)
