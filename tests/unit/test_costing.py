"""Cost behaviour over long horizons: fixed cost is capacity, released capacity strands cost."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS, scenario_from

from sefton_finance.api import run, run_file
from sefton_finance.errors import ScenarioError
from sefton_finance.model.costing import cost_values, fixed_capacity


def series(*values: float) -> np.ndarray:
    """One series, one draw: ``(1, 1, year)``."""
    return np.array(values, dtype=float)[None, None, :]


@pytest.mark.parametrize(
    ("lag", "activity", "expected"),
    [
        # Lag 0: capacity follows activity at once, both ways.
        (0, (100, 110, 120, 90), (100, 110, 120, 90)),
        # Lag 1: a rise must last two years; it rises to the lower of the two.
        (1, (100, 110, 120, 120), (100, 100, 110, 120)),
        # A one-year spike adds nothing.
        (1, (100, 130, 100, 100), (100, 100, 100, 100)),
        # Lag 2: a fall must last three years before capacity goes.
        (2, (100, 80, 80, 80, 80), (100, 100, 100, 80, 80)),
    ],
)
def test_fixed_capacity_moves_only_after_the_decision_lag(lag, activity, expected):
    supported, _ = fixed_capacity(series(*activity), np.array([[activity[0]]]), np.array([lag]))
    np.testing.assert_array_equal(supported[0, 0], expected)


def test_released_capacity_leaves_its_stranded_share():
    activity = series(100, 60, 60, 60)
    parts = cost_values(
        activity,
        activity,
        np.zeros_like(activity),
        np.array([[100.0]]),
        np.array([[0.0]]),
        np.ones((1, 4)),
        unit_cost=np.array([10.0]),
        fixed_share=np.array([0.5]),
        stepped_share=np.array([0.0]),
        variable_share=np.array([0.5]),
        units_per_step=np.array([0.0]),
        decision_lag=np.array([1]),
        stranded_share=np.array([0.25]),
    )
    # Fixed cost 5 a unit of capacity: 500 until the lag has passed, then 300, and a
    # quarter of the 200 released (50) stays as stranded cost from then on.
    np.testing.assert_allclose(parts["cost_fixed"][0, 0], [500, 500, 300, 300])
    np.testing.assert_allclose(parts["cost_stranded"][0, 0], [0, 0, 50, 50])
    np.testing.assert_allclose(parts["cost_variable"][0, 0], [500, 300, 300, 300])
    total = parts["cost_fixed"] + parts["cost_stranded"] + parts["cost_variable"]
    np.testing.assert_allclose(parts["provider_cost"], total)


def test_growth_is_not_free_money(baseline):
    """With demand growing, providers' fixed cost grows after the lag (not by inflation alone)."""
    grow = scenario_from(
        "name: grow\ngrowth: {non_demographic: 0.015}\n"
        "finance: {cost_inflation: 0.0, efficiency_requirement: 0.0, efficiency_delivered: 0.0}\n"
    )
    ds = run(grow, baseline, with_bridge=False)
    fixed = ds["cost_fixed"].sel(org="aintree").sum("pod")
    activity = ds["provider_activity"].sel(org="aintree", pod="nel_admission")
    assert float(activity.isel(year=-1)) > 1.1 * float(activity.isel(year=0))
    assert float(fixed.isel(year=-1)) > 1.05 * float(fixed.isel(year=0))


def test_more_stranded_cost_never_helps(baseline):
    """Metamorphic: a larger stranded share never raises any provider's surplus."""
    interventions = "  - name: pifu\n    effect: 0.3\n    ramp: [1.0]\n"
    results = [
        run(
            scenario_from(
                f"name: stranded\ncapacity: {{backfill: false}}\n"
                f"finance: {{stranded_share: {share}}}\ninterventions:\n{interventions}"
            ),
            baseline,
            with_bridge=False,
        )
        for share in (0.0, 0.3)
    ]
    assert float(results[1]["cost_stranded"].sum()) > 0
    assert bool((results[1]["surplus"] <= results[0]["surplus"] + 0.005).all())


# --- Freed capacity and savings by kind ----------------------------------------------------

SOCIAL_PRESCRIBING = "interventions:\n  - name: social_prescribing\n"


def _with_and_without(baseline, extra: str = ""):
    base = "name: sp\ngrowth: {non_demographic: 0.015}\n" + extra
    plan = run(scenario_from(base), baseline, with_bridge=False)
    scenario = run(scenario_from(base + SOCIAL_PRESCRIBING), baseline, with_bridge=False)
    return plan, scenario


def test_gp_time_freed_is_reused_not_cash(baseline):
    """Fewer GP appointments on a block contract: practices fill the time (no cash)."""
    plan, reused = _with_and_without(baseline)
    gp = reused["surplus"].sel(org="sefton_pcns") - plan["surplus"].sel(org="sefton_pcns")
    assert float(np.abs(gp).max()) < 0.005
    non_cash = reused["savings"].sel(org="sefton_pcns", kind="non_cash_releasing")
    assert float(non_cash.isel(year=-1)) > 0
    _, released = _with_and_without(baseline, "capacity: {freed: {primary_care: release}}\n")
    gain = released["surplus"].sel(org="sefton_pcns") - plan["surplus"].sel(org="sefton_pcns")
    assert float(gain.isel(year=-1)) > 0


def test_held_capacity_keeps_its_fixed_cost(baseline):
    plan, held = _with_and_without(baseline, "capacity: {freed: {primary_care: hold}}\n")
    fixed = held["cost_fixed"].sel(org="sefton_pcns").sum("pod")
    np.testing.assert_allclose(fixed, plan["cost_fixed"].sel(org="sefton_pcns").sum("pod"))
    variable = held["cost_variable"].sel(org="sefton_pcns").sum("pod")
    assert float(variable.isel(year=-1)) < float(
        plan["cost_variable"].sel(org="sefton_pcns").sum("pod").isel(year=-1)
    )


def test_cash_and_avoided_savings_add_up_to_the_change_in_provider_cost(baseline):
    ds = run_file(SCENARIOS / "place_plan.yaml", baseline)
    change = (ds["plan_provider_cost"] - ds["provider_cost"]).sum("pod")
    cash_and_avoided = ds["savings"].sel(kind=["cash_releasing", "cost_avoidance"]).sum("kind")
    np.testing.assert_allclose(cash_and_avoided, change, atol=0.005)
    assert float(ds["savings"].sel(kind="cash_releasing").sum()) > 0
    assert float(ds["savings"].sel(kind="cost_avoidance").sum()) > 0
    # The bridge names capacity steps instead of calling them overlap.
    assert {"capacity_steps", "overlap"} <= set(ds["bridge"].intervention.values)


def test_an_unknown_organisation_in_freed_is_named(tmp_path, baseline):
    path = tmp_path / "freed.yaml"
    path.write_text("name: freed\ncapacity: {freed: {gp_land: reuse}}\n")
    with pytest.raises(ScenarioError) as caught:
        run_file(path, baseline)
    assert "capacity.freed" in str(caught.value) and "gp_land" in str(caught.value)
