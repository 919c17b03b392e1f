"""Monte Carlo draws: reproducibility, common random numbers, the principal draw, balance."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefton_finance import analysis, montecarlo
from sefton_finance.api import run
from sefton_finance.config.loading import parse_scenario
from sefton_finance.results import balance_checks


def test_same_seed_gives_identical_results(baseline, place_plan):
    first = montecarlo.run_draws(place_plan, baseline, 0, 30, with_bridge=False)
    second = montecarlo.run_draws(place_plan, baseline, 0, 30, with_bridge=False)
    xr.testing.assert_identical(first, second)
    assert float(first["system_surplus"].isel(year=-1).std("draw")) > 0  # the draws do differ


def test_zero_effect_intervention_changes_nothing_in_any_draw(
    baseline, uncertain_do_nothing, zero_effect
):
    plain = montecarlo.run_draws(uncertain_do_nothing, baseline, 0, 40, with_bridge=False)
    zero = montecarlo.run_draws(zero_effect, baseline, 0, 40, with_bridge=False)
    for name in ("system_surplus", "surplus", "provider_cost", "activity", "ledger"):
        difference = (zero[name] - plain[name]).values
        assert np.count_nonzero(difference) == 0, name
    assert float(plain["system_surplus"].isel(year=-1).std("draw")) > 0


def test_draw_zero_is_the_principal_run(baseline, place_plan):
    draws = montecarlo.run_draws(place_plan, baseline, 0, 25, with_bridge=True)
    single = run(place_plan, baseline)
    for name in (
        "system_surplus",
        "surplus",
        "bridge",
        "provider_cost",
        "activity",
        "intervention_cost",
    ):
        expected = single[name]
        got = draws[name].isel(draw=0).transpose(*expected.dims)
        # Equal to rounding: numpy may add a short axis (organisations, ledger lines) in a
        # different order when the array has a draw dim (a few 1e-16 relative).
        np.testing.assert_allclose(got.values, expected.values, rtol=1e-12, atol=1e-6, err_msg=name)


def test_fewer_draws_are_a_prefix_of_more(baseline, place_plan):
    few = montecarlo.sample_levers(place_plan, 0, 10)
    many = montecarlo.sample_levers(place_plan, 0, 100)
    chunk = montecarlo.sample_levers(place_plan, 40, 60)
    for key, value in few.items():
        if isinstance(value, xr.DataArray):
            np.testing.assert_array_equal(value.values, many[key].values[:10])
            np.testing.assert_array_equal(chunk[key].values, many[key].values[40:60])


def test_a_lever_gets_the_same_numbers_in_every_scenario(place_plan):
    other = parse_scenario("name: only_pifu\ninterventions:\n  - name: pifu\n")
    key = "interventions.pifu.effect"
    assert np.array_equal(
        montecarlo.sample_levers(place_plan, 0, 50)[key].values,
        montecarlo.sample_levers(other, 0, 50)[key].values,
    )


def test_interval_is_central_eighty_percent(place_plan):
    low, high = 0.03, 0.08  # pifu effect in sefton_finance/library/pifu.yaml
    values = montecarlo.sample_lever(
        place_plan.seed, "interventions.pifu.effect", low, high, 0, 20_001
    )
    inside = np.mean((values[1:] >= low) & (values[1:] <= high))
    assert abs(inside - 0.80) < 4 * np.sqrt(0.8 * 0.2 / 20_000)
    assert values[0] == 0.5 * (low + high)
    shares = montecarlo.sample_lever(1, "interventions.x.effect", 0.0, 0.01, 0, 5000)
    assert shares.min() == 0.0 and shares.max() <= 1.0


def test_quantiles_are_ordered(baseline, place_plan):
    ds = montecarlo.run_monte_carlo(place_plan, baseline, 60, workers=1, with_bridge=True)
    fan = ds.sefton.fan()
    columns = ["p05", "p10", "p50", "p90", "p95"]
    assert (fan[columns].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    bridge = ds.sefton.bridge()
    assert (bridge["p10"] <= bridge["p50"]).all() and (bridge["p50"] <= bridge["p90"]).all()
    chance = ds.sefton.breakeven()
    assert ((chance >= 0) & (chance <= 1)).all().all()
    assert analysis.SYSTEM == chance.index[0]


@settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    start=st.integers(min_value=0, max_value=500),
)
def test_every_sampled_draw_balances_to_the_penny(baseline, place_plan, seed, start):
    scenario = place_plan.model_copy(update={"seed": seed})
    ds = montecarlo.run_draws(scenario, baseline, start, start + 4, with_bridge=True)
    ds = montecarlo.stamp(ds, scenario, baseline, 4)  # marks which organisations are in Sefton
    failed = [(check.name, check.worst) for check in balance_checks(ds) if not check.passed]
    assert not failed, failed
    assert float(ds["activity"].min()) >= 0


def test_every_lever_is_named_by_its_scenario_field_path(place_plan):
    """A lever name from tornado or a saved result is what sweep --set takes."""
    from sefton_finance.config.scenario import scenario_levers
    from sefton_finance.interventions import resolve_interventions

    levers = scenario_levers(place_plan, resolve_interventions(place_plan))
    assert "interventions.pifu.effect" in levers
    for key in levers:
        changed = montecarlo.with_overrides(place_plan, {key: 0.0123})
        assert scenario_levers(changed, resolve_interventions(changed))[key] == 0.0123, key


def test_a_monte_carlo_result_keeps_the_lever_values_of_every_draw(place_plan, baseline):
    ds = montecarlo.run_monte_carlo(place_plan, baseline, draws=7, workers=1, chunk_size=3)
    values = ds["lever_value"]
    assert values.dims == ("draw", "lever")
    expected = montecarlo.sample_levers(place_plan, 0, 7)
    for key in values.lever.values:
        np.testing.assert_array_equal(values.sel(lever=key).values, expected[key].values)
    assert float(values.sel(lever="finance.cost_inflation").isel(draw=0)) == 0.028


CORRELATED = """
name: correlated
horizon: {{base_year: "2019/20", years_ahead: 3}}
finance:
  cost_inflation: [0.02, 0.035]
  allocation_growth: [0.02, 0.035]
uncertainty:
  correlations:
    - levers: [finance.cost_inflation, finance.allocation_growth]
      rho: {rho}
seed: 5
"""


def test_levers_that_move_together_are_drawn_together():
    from helpers import scenario_from

    scenario = scenario_from(CORRELATED.format(rho=0.7))
    draws = 4001
    levers = montecarlo.sample_levers(scenario, 0, draws)
    a, b = (levers[f"finance.{k}"].values[1:] for k in ("cost_inflation", "allocation_growth"))
    # 4,000 draws: the sample correlation's standard error is about (1 - 0.49) / sqrt(4000) = 0.008.
    assert np.corrcoef(a, b)[0, 1] == pytest.approx(0.7, abs=0.04)
    # The first lever of the pair keeps its own stream (common random numbers).
    alone = montecarlo.sample_lever(5, "finance.cost_inflation", 0.02, 0.035, 0, draws)
    np.testing.assert_array_equal(levers["finance.cost_inflation"].values, alone)


def test_correlated_costs_and_funding_narrow_the_system_band(baseline):
    from helpers import scenario_from

    spread = {}
    for rho in (0.0, 0.7):
        ds = montecarlo.run_monte_carlo(
            scenario_from(CORRELATED.format(rho=rho)),
            baseline,
            draws=200,
            workers=1,
            with_bridge=False,
        )
        final = ds["system_surplus"].isel(year=-1)
        spread[rho] = float(final.quantile(0.9) - final.quantile(0.1))
    assert spread[0.7] < 0.8 * spread[0.0]


@pytest.mark.parametrize(
    ("correlations", "message"),
    [
        ("[{levers: [finance.cost_inflation, finance.nothing], rho: 0.5}]", "finance.nothing"),
        (
            "[{levers: [finance.cost_inflation, finance.allocation_growth], rho: 0.9},"
            " {levers: [finance.cost_inflation, growth.non_demographic], rho: 0.9},"
            " {levers: [finance.allocation_growth, growth.non_demographic], rho: -0.9}]",
            "positive definite",
        ),
    ],
)
def test_impossible_correlations_are_named(tmp_path, baseline, correlations, message):
    from sefton_finance.api import run_file
    from sefton_finance.errors import ScenarioError

    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\ngrowth: {non_demographic: [0.01, 0.02]}\n"
        "finance: {cost_inflation: [0.02, 0.03], allocation_growth: [0.02, 0.03]}\n"
        f"uncertainty:\n  correlations: {correlations}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        run_file(path, baseline)
    assert str(path) in str(caught.value) and message in str(caught.value)
