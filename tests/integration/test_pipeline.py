"""The shipped scenarios end to end: the story the board sees, and the invariants."""

import textwrap

import numpy as np
import pytest
import xarray as xr
from helpers import SCENARIOS, scenario_from

from sefton_finance.api import run, run_file
from sefton_finance.results import balance_checks

PENNY = 0.005


@pytest.fixture(scope="module")
def shipped(baseline):
    return {
        name: run_file(SCENARIOS / f"{name}.yaml", baseline)
        for name in ("do_nothing", "place_plan", "stretch")
    }


def test_do_nothing_runs_a_growing_system_deficit(shipped):
    """The seeds' "spends more than we get": the system is in deficit every year and the
    NHS's deficit grows. The council is left out of the growth check: it balances by law,
    and its funding grows as Sefton's cash budgets did (+6.87% a year, 2019/20-2024/25),
    faster than the do-nothing's 2.8% cost inflation, so its surplus offsets part of the
    NHS's deterioration in the system total."""
    ds = shipped["do_nothing"]
    system = ds["system_surplus"].values
    assert (system < 0).all()
    inside = ds.org.values[ds["in_system"].values]
    nhs = [org for org in inside if org != "sefton_council"]
    nhs_surplus = ds["surplus"].sel(org=nhs).sum("org").values
    assert nhs_surplus[-1] < nhs_surplus[0] - 5e6
    assert (np.diff(nhs_surplus[1:]) < 0).all()  # worse every year after the first
    assert (ds["surplus"].sel(org="sefton_council").values >= -PENNY).all()


def test_stretch_ends_better_than_the_plan_and_do_nothing(shipped):
    """More of the same interventions (intensity 1.5, virtual wards at the top of their
    evidence, no backfill) ends better than the plan, which on its evidence about breaks
    even against do nothing by 2024/25 (the 2024/25 difference is -0.29m)."""
    final = {name: float(ds["system_surplus"].isel(year=-1)) for name, ds in shipped.items()}
    assert final["stretch"] > final["place_plan"] + 1e6
    assert final["stretch"] > final["do_nothing"]
    assert abs(final["place_plan"] - final["do_nothing"]) < 2e6


def test_plan_costs_before_it_saves(shipped):
    """The seeds: 'the first two years the hardest' - spend comes before savings, so the
    plan's gap to do nothing closes by millions from its first year to its last."""
    change = shipped["place_plan"]["system_surplus"] - shipped["do_nothing"]["system_surplus"]
    assert float(change.sel(year="2020/21")) < -5e6
    assert float(change.isel(year=-1)) > float(change.sel(year="2020/21")) + 5e6


@pytest.mark.parametrize("name", ["do_nothing", "place_plan", "stretch"])
def test_every_balance_check_holds(shipped, name):
    failed = [check for check in balance_checks(shipped[name]) if not check.passed]
    assert not failed


@pytest.mark.parametrize("name", ["do_nothing", "place_plan", "stretch"])
def test_no_activity_is_negative(shipped, name):
    for variable in ("activity", "demand", "provider_activity", "waiting_list"):
        assert float(shipped[name][variable].min()) >= 0, variable


def test_organisations_sum_to_the_system_to_the_penny(shipped):
    for ds in shipped.values():
        inside = ds.org.where(ds["in_system"], drop=True).values
        total = ds["surplus"].sel(org=inside).sum("org")
        assert float(np.abs(total - ds["system_surplus"]).max()) <= PENNY


def test_bridge_sums_to_the_change_against_do_nothing_every_year(shipped):
    """place_plan shares every assumption with do_nothing, so its bridge explains the whole gap."""
    plan = shipped["place_plan"]
    total = plan["system_surplus"] - shipped["do_nothing"]["system_surplus"]
    assert float(np.abs(plan["bridge"].sum("intervention") - total).max()) <= PENNY
    assert {"capacity_steps", "overlap"} <= set(plan["intervention"].values)


def test_zero_effect_zero_cost_interventions_change_nothing(baseline, shipped):
    zero = """
    - name: pifu
      effect: 0
      recurring_cost: 0
    - name: virtual_ward
      effect: 0
      setup_cost: 0
    - name: smoking_cessation
      effect: 0
      recurring_cost: 0
    """
    text = (SCENARIOS / "do_nothing.yaml").read_text().replace("name: do_nothing", "name: zero")
    zero_scenario = scenario_from(
        text + "interventions:\n" + textwrap.indent(textwrap.dedent(zero), "  ")
    )
    with_zero = run(zero_scenario, baseline)
    reference = shipped["do_nothing"]
    for variable in (
        "system_surplus",
        "surplus",
        "ledger",
        "activity",
        "provider_cost",
        "waiting_list",
        "payments",
    ):
        np.testing.assert_array_equal(
            with_zero[variable].values, reference[variable].values, err_msg=variable
        )
    assert float(np.abs(with_zero["bridge"]).max()) == 0.0


def test_every_result_records_how_it_was_made(shipped):
    attrs = shipped["place_plan"].attrs
    for key in (
        "sefton_finance_version",
        "git_commit",
        "scenario_text",
        "scenario_sha256",
        "baseline_sha256",
        "seed",
        "draws",
        "created",
    ):
        assert key in attrs, key
    assert "place_plan" in attrs["scenario_text"]


def test_every_variable_has_units_and_long_name(shipped):
    for name, variable in shipped["place_plan"].data_vars.items():
        assert variable.attrs.get("units"), name
        assert variable.attrs.get("long_name"), name


def test_dims_follow_the_design_order(shipped):
    order = ["scenario", "draw", "year", "month", "org", "locality", "pod", "intervention"]
    for name, variable in shipped["place_plan"].data_vars.items():
        known = [d for d in variable.dims if d in order]
        assert known == sorted(known, key=order.index), name


def test_demand_growth_is_demographic_plus_per_head(baseline, shipped):
    """GP appointments (no pod override) grow by population x 1.5% a year."""
    demand = shipped["do_nothing"]["demand"].sel(pod="gp_appointment").sum(("month", "locality"))
    years = xr.DataArray(np.arange(demand.year.size), dims="year")
    population = baseline.population * (1 + baseline.population_growth) ** years
    per_person = baseline.activity.sel(pod="gp_appointment") / baseline.population
    expected = (population * per_person).sum(("locality", "age_band")) * 1.015 ** np.arange(
        demand.year.size
    )
    xr.testing.assert_allclose(demand, expected.assign_coords(year=demand.year), rtol=1e-12)
