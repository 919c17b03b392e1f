"""Per-intervention returns, the locality view and travel avoided."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from helpers import SCENARIOS, simple_scenario

from sefton_finance.analysis import intervention_returns
from sefton_finance.api import run as run_scenario
from sefton_finance.api import run_file
from sefton_finance.travel import CAR_SHARE, HOSPITAL_KM_ONE_WAY, travel_avoided


@pytest.fixture(scope="module")
def plan(baseline):
    return run_file(SCENARIOS / "place_plan.yaml", baseline)


def test_returns_are_consistent_with_the_bridge_and_costs(plan):
    returns = intervention_returns(plan)
    for name in returns.index:
        bar = plan["bridge"].sel(intervention=name)
        cost = plan["intervention_cost"].sel(intervention=name)
        assert returns.loc[name, "net_saving_total_gbp_m"] == pytest.approx(float(bar.sum()) / 1e6)
        assert returns.loc[name, "cost_total_gbp_m"] == pytest.approx(float(cost.sum()) / 1e6)
        assert returns.loc[name, "net_roi"] == pytest.approx(float(bar.sum() / cost.sum()))
        assert returns.loc[name, "benefit_cost_ratio"] == pytest.approx(
            returns.loc[name, "net_roi"] + 1
        )
    assert "capacity_steps" not in returns.index and "overlap" not in returns.index


def test_payback_year_is_the_first_year_cumulative_net_saving_turns_positive(plan):
    returns = intervention_returns(plan)
    for name in returns.index:
        cumulative = plan["bridge"].sel(intervention=name).cumsum("year")
        started = plan["intervention_cost"].sel(intervention=name) > 0
        paid_back = cumulative.where(started.cumsum("year") > 0) >= 0
        expected = (
            str(paid_back.year[paid_back].values[0])
            if bool(paid_back.any())
            else "never in horizon"
        )
        assert returns.loc[name, "payback_year"] == expected


def test_virtual_followups_avoid_exactly_the_hospital_round_trips(baseline):
    scenario = simple_scenario(
        "virtual", "- name: virtual_followup\n  effect: 0.2\n  ramp: [1.0]\n"
    )
    ds = run_scenario(scenario, baseline)
    moved = -ds["locality_activity_change"].sel(intervention="virtual_followup", pod="op_followup")
    km = xr.DataArray(
        [2 * HOSPITAL_KM_ONE_WAY[loc] for loc in moved.locality.values],
        dims="locality",
        coords={"locality": moved.locality},
    )
    expected = (moved * km * CAR_SHARE).drop_vars("pod", errors="ignore")
    xr.testing.assert_allclose(
        ds["car_km_avoided"].sel(intervention="virtual_followup"),
        expected.transpose(*ds["car_km_avoided"].sel(intervention="virtual_followup").dims),
    )
    assert float(ds["co2e_avoided"].sum()) > 0


def test_more_visits_mean_negative_travel_avoided():
    change = xr.DataArray(
        np.array([[[100.0]] * 6]),
        dims=("year", "locality", "pod"),
        coords={"year": ["2020/21"], "pod": ["op_first"], "locality": list(HOSPITAL_KM_ONE_WAY)},
    )
    assert float(travel_avoided(change)["car_km_avoided"].sum()) < 0


def test_locality_cost_change_sums_the_activity_change_at_unit_cost(plan, baseline):
    expected = (plan["locality_activity_change"] * baseline.unit_cost).sum("pod")
    xr.testing.assert_allclose(
        plan["locality_cost_change"], expected.transpose(*plan["locality_cost_change"].dims)
    )


def test_returns_command(tmp_path, plan):
    from sefton_finance.results import save

    path = save(plan, tmp_path / "place_plan.nc")
    excel = tmp_path / "returns.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "sefton_finance", "returns", str(path), "--excel", str(excel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "pifu" in result.stdout and "payback" in result.stdout
    assert "bootle" in result.stdout
    assert excel.exists()
