"""Board figures that run the model: tornado, goal-seek; and the CLI's bad-input path."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from sefton_finance import analysis, montecarlo, sensitivity
from sefton_finance.cli import app


def test_tornado_bars_bracket_the_central_value(baseline, uncertain_do_nothing):
    # Growth and price levers move the surplus one way. (An intervention's effect need
    # not: a ward step released or a substitute's own cost can make it non-monotone.)
    table = sensitivity.tornado(uncertain_do_nothing, baseline)
    assert len(table) == len(montecarlo.uncertain_levers(uncertain_do_nothing))
    low = table[["surplus_at_low", "surplus_at_high"]].min(axis=1)
    high = table[["surplus_at_low", "surplus_at_high"]].max(axis=1)
    penny = 1e-8  # GBP m
    assert (low <= table["central"] + penny).all() and (table["central"] <= high + penny).all()
    assert table["swing"].is_monotonic_decreasing


def test_goal_seek_result_breaks_even_at_the_probability_asked(baseline, place_plan):
    # Break even (surplus >= 0): the place plan's central 2024/25 surplus is ~£1.6m, so the
    # two outpatient schemes must be scaled up (~1.4x) to reach 60%.
    probability, threshold, draws = 0.6, 0.0, 100
    result = sensitivity.goal_seek(
        place_plan,
        baseline,
        probability=probability,
        interventions=["pifu", "virtual_followup"],
        draws=draws,
        threshold=threshold,
        tolerance=0.01,
    )
    assert 0 < result["multiplier"] < 10
    assert result["probability"] >= probability
    # Fed back as a scenario and run with four times the draws (a fresh sample beyond
    # the first 100), it breaks even at the asked probability within Monte Carlo error.
    check = montecarlo.run_draws(result["scenario"], baseline, 0, 4 * draws, with_bridge=False)
    achieved = float((check["system_surplus"].sel(year=result["year"]) >= threshold).mean())
    error = np.hypot(
        analysis.breakeven_standard_error(probability, draws),
        analysis.breakeven_standard_error(probability, 4 * draws),
    )
    assert abs(achieved - probability) <= 3 * error + 1 / draws
    # The smallest: a little less intensity falls short on the same draws.
    less = montecarlo.with_overrides(
        place_plan,
        {f"interventions.{n}.intensity": 0.9 * v for n, v in result["intensities"].items()},
    )
    short = montecarlo.run_draws(less, baseline, 0, draws, with_bridge=False)
    assert (
        float((short["system_surplus"].sel(year=result["year"]) >= threshold).mean()) < probability
    )


def test_bad_sweep_setting_is_a_one_paragraph_error(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            "scenarios/place_plan.yaml",
            "--set",
            "interventions.nope.intensity=1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_sweep_takes_a_lever_name_tornado_prints(tmp_path, place_plan, baseline):
    """The lever names of tornado are the paths sweep --set takes."""
    names = sensitivity.tornado(place_plan, baseline).index
    assert "interventions.pifu.effect" in names
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            "scenarios/place_plan.yaml",
            "--set",
            "interventions.pifu.effect=0.1,0.3",
            "--draws",
            "3",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = sorted(tmp_path.glob("place_plan_*.nc"))
    assert len(saved) == 2
    from sefton_finance.results import load

    low, high = (load(path) for path in saved)
    # More follow-ups avoided: a better final-year position in the principal draw.
    final = low.year.values[-1]
    assert float(high["system_surplus"].sel(year=final, draw=0)) > float(
        low["system_surplus"].sel(year=final, draw=0)
    )


def test_goal_seek_on_a_finance_lever_finds_the_smallest_value(baseline, place_plan):
    """Any lever: the delivered efficiency that breaks even, bracketed and bisected."""
    result = sensitivity.goal_seek(
        place_plan,
        baseline,
        levers=["finance.efficiency_delivered"],
        value_range=(0.0, 0.05),
        probability=0.5,
        draws=60,
        tolerance=0.002,
    )
    value = result["values"]["finance.efficiency_delivered"]
    assert 0 < value < 0.05 and result["probability"] >= 0.5 - 0.5 / 60
    # A little less falls short on the same draws: it is the smallest.
    less = montecarlo.with_overrides(place_plan, {"finance.efficiency_delivered": value - 0.002})
    short = montecarlo.run_draws(less, baseline, 0, 60, with_bridge=False)
    assert float((short["system_surplus"].isel(year=-1) >= 0).mean()) < 0.5
    assert result["spend_total"] > 0
    # What the answer implies is the principal draw of the Monte Carlo run, to the penny.
    at = montecarlo.run_draws(result["scenario"], baseline, 0, 60, with_bridge=False)
    plain = montecarlo.run_draws(place_plan, baseline, 0, 60, with_bridge=False)
    final = at.year.values[-1]

    def change(ds):
        return ds["intervention_activity_change"].sel(year=final, draw=0).sum("intervention")

    assert result["activity_change"].equals((change(at) - change(plain)).to_series())
    spend = at["intervention_cost"].sel(draw=0).sum("intervention")
    assert result["spend_total"] == float(spend.sum())


def test_an_unreachable_target_says_the_best_it_found(baseline, place_plan):
    with pytest.raises(sensitivity.GoalSeekError, match="the best is a"):
        sensitivity.goal_seek(place_plan, baseline, probability=0.99, draws=30, grid=5)


def test_a_search_point_is_the_full_monte_carlo_run_to_the_penny(baseline, place_plan):
    """Goal-seek's fast path (no labelled result) gives each draw's surplus exactly as a
    saved Monte Carlo run does, across a chunk boundary, for the system and one body."""
    from sefton_finance.api import run

    draws = montecarlo.CHUNK_SIZE + 20
    full = run(place_plan, baseline, draws=draws, workers=1, with_bridge=False)
    fast = montecarlo.surplus_draws(place_plan, baseline, draws)
    np.testing.assert_array_equal(fast, full["system_surplus"].transpose("draw", "year").values)
    org = str(full.org.values[0])
    one = montecarlo.surplus_draws(place_plan, baseline, draws, organisation=org)
    np.testing.assert_array_equal(
        one, full["surplus"].sel(org=org).transpose("draw", "year").values
    )


def test_goal_seek_in_two_processes_gives_the_one_process_answer(baseline, place_plan):
    options = dict(
        levers=["finance.efficiency_delivered"],
        value_range=(0.0, 0.05),
        probability=0.5,
        draws=40,
        grid=7,
        tolerance=0.01,
    )
    alone = sensitivity.goal_seek(place_plan, baseline, workers=1, **options)
    shared = sensitivity.goal_seek(place_plan, baseline, workers=2, **options)
    for key in ("values", "probability", "evaluations", "holds_above", "spend_total"):
        assert shared[key] == alone[key], key
    assert shared["activity_change"].equals(alone["activity_change"])
