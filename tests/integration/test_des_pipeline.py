"""The same scenario on the analytic and the discrete-event path; congestion costs money."""

import shutil

import numpy as np
import pytest
import xarray as xr
from helpers import simple_scenario

from sefton_finance.api import run
from sefton_finance.baseline import PACKAGED, load_baseline
from sefton_finance.errors import ScenarioError
from sefton_finance.results import balance_checks

INTERVENTIONS = "- name: virtual_ward\n  effect: 0.05\n- name: pifu\n"
SHORT = "horizon:\n  years_ahead: 1\n"
DES = SHORT + "capacity:\n  method: des\n  replications: 3\n"


def _stamped(ds):
    return ds.assign_coords(in_system=("org", [o != "external" for o in ds.org.values]))


@pytest.fixture(scope="module")
def both(baseline):
    analytic = run(simple_scenario("a", INTERVENTIONS, extra=SHORT), baseline)
    simulated = run(simple_scenario("d", INTERVENTIONS, extra=DES), baseline)
    return analytic, simulated


def test_des_result_is_the_analytic_result_less_congestion(both):
    analytic, simulated = both
    congestion = simulated["cost_congestion"].sum(("org", "pod"))
    assert float(congestion.min()) > 0
    gap = analytic["system_surplus"] - simulated["system_surplus"] - congestion
    assert float(np.abs(gap).max()) <= 0.005


def test_des_result_balances_and_reports_performance_with_intervals(both):
    _, simulated = both
    assert not [c for c in balance_checks(_stamped(simulated)) if not c.passed]
    performance = simulated["des_ed_4hr_performance"]
    assert (
        (simulated["des_ed_4hr_performance_lower"] <= performance)
        & (performance <= simulated["des_ed_4hr_performance_upper"])
    ).all()
    per_replication = simulated["des_ed_4hr_performance_replications"]
    assert per_replication.sizes["replication"] == 3
    np.testing.assert_allclose(per_replication.mean("replication"), performance)
    assert {"congestion", "capacity_steps", "overlap"} <= set(
        simulated["bridge"].intervention.values
    )
    total = simulated["system_surplus"] - simulated["plan_system_surplus"]
    assert float(np.abs(simulated["bridge"].sum("intervention") - total).max()) <= 0.005


def test_fewer_beds_cost_more_in_escalation(tmp_path, baseline):
    fewer = tmp_path / "fewer_beds"
    shutil.copytree(PACKAGED, fewer)
    path = fewer / "capacity.csv"
    lines = path.read_text().splitlines()
    for index, line in enumerate(lines):
        parts = line.split(",")
        if parts[1] == "acute_beds":
            parts[2] = str(round(float(parts[2]) * 0.9))
            lines[index] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    scenario = simple_scenario("beds", extra=DES)
    usual = run(scenario, baseline, with_bridge=False)
    squeezed = run(scenario, load_baseline(fewer), with_bridge=False)
    assert float(squeezed["escalation_cost"].sum()) > float(usual["escalation_cost"].sum())
    assert float(squeezed["des_ed_mean_time_hours"].mean()) > float(
        usual["des_ed_mean_time_hours"].mean()
    )
    assert float(squeezed["system_surplus"].isel(year=-1)) < float(
        usual["system_surplus"].isel(year=-1)
    )


def test_a_des_scenario_may_ask_for_draws_but_not_lever_variants(baseline):
    """Monte Carlo draws run each draw's replications; side-by-side lever values are refused."""
    import xarray as xr

    mixed = simple_scenario("mixed", extra="capacity:\n  method: des\ndraws: 100\n")
    assert mixed.draws == 100
    variants = {"finance.cost_inflation": xr.DataArray([0.02, 0.03], dims="draw")}
    with pytest.raises(ScenarioError, match=r"capacity\.method"):
        run(mixed, baseline, levers=variants)


def test_chained_years_with_capacity_held_are_one_continuous_run(both, baseline):
    """Capacity held at the base year's every year: the year-by-year path is the plain run."""
    from sefton_finance.des.link import run_des

    _, simulated = both
    activity = simulated["activity"]
    ones = xr.ones_like(simulated["steps"])  # (year, org, pod): every step held
    options = {"seed": 11, "replications": 2, "warmup_days": 28.0}
    chained = run_des(activity, baseline, capacity_growth=ones, **options)
    continuous = run_des(activity, baseline, **options)
    xr.testing.assert_equal(chained, continuous)
