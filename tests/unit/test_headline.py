"""The headline: words and numbers that match the results, with and without draws."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from sefton_finance.headline import MINUS, gbp_m, headline, share

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23"]


def result(name: str, surplus_m, title: str | None = None, baseline: str = "b") -> xr.Dataset:
    """A result holding only what a headline reads: the system surplus, GBP."""
    values = np.asarray(surplus_m, dtype=float) * 1e6
    if values.ndim == 1:
        data = xr.DataArray(values, dims="year", coords={"year": YEARS[: values.size]})
    else:
        data = xr.DataArray(
            values,
            dims=("draw", "year"),
            coords={"draw": np.arange(values.shape[0]), "year": YEARS[: values.shape[1]]},
        )
    attrs = {"scenario": name, "scenario_title": title or name.replace("_", " ").capitalize()}
    return xr.Dataset({"system_surplus": data}, attrs={**attrs, "baseline_sha256": baseline})


def test_no_scenario_breaks_even_names_the_closest_and_its_figure():
    h = headline(
        [
            result("do_nothing", [-10, -20, -30, -40]),
            result("place_plan", [-10, -15, -20, -32]),
            result("stretch", [-10, -12, -18, -28], title="Stretch"),
        ]
    )
    assert h.year == "2022/23"
    assert h.best.scenario == "stretch" and h.best.central == pytest.approx(-28.0)
    assert h.parts[0] == "No scenario breaks even in any year to 2022/23."
    assert h.parts[1].startswith(f"Stretch comes closest: {MINUS}£28.0m in 2022/23 at central")
    assert "single run at central assumptions, so no chance of breaking even" in h.sentence
    assert h.best.chance_break_even is None and h.chance_ahead is None
    # Ahead of do nothing from 2020/21 (level in 2019/20), by +£12.0m in the final year.
    assert h.comparator == "do_nothing" and h.ahead_from == "2020/21"
    assert h.difference == pytest.approx(12.0)
    assert "It beats Do nothing in every year from 2020/21 (+£12.0m" in h.sentence


def test_with_draws_central_and_median_both_labelled_and_chances_given():
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 5, size=(200, 4))
    noise[0] = 0.0  # draw 0 is the central run
    base = np.array([-10.0, -20.0, -30.0, -40.0])
    gain = np.array([0.0, 4.0, 8.0, 12.0])
    own = rng.normal(0, 1, size=(200, 4))
    own[0] = 0.0
    h = headline([result("do_nothing", base + noise), result("stretch", base + gain + noise + own)])
    best = h.best
    assert best.draws == 200 and best.central == pytest.approx(-28.0)
    final = (base + gain + noise + own)[:, -1]
    assert best.median is not None and best.median != best.central
    assert "at central assumptions; median of 200 draws" in h.sentence
    assert gbp_m(best.median) in h.sentence and gbp_m(best.p10) in h.sentence
    assert best.chance_break_even == pytest.approx(np.mean(final >= 0))
    assert "It breaks even or better in" in h.sentence
    assert h.chance_ahead is not None and 0.9 < h.chance_ahead <= 1.0
    assert h.paired_draws == 200


def test_a_scenario_that_breaks_even_is_said_to():
    h = headline([result("do_nothing", [-1, -2]), result("stretch", [1, 3.14], title="Stretch")])
    assert h.parts[0].startswith("Stretch breaks even in 2020/21: +£3.1m in 2020/21")
    assert h.breaking_even == ("stretch",)
    two = headline([result("a", [1, 2]), result("b", [1, 5]), result("do_nothing", [0, -1])])
    assert two.parts[0].startswith("2 of 3 scenarios break even in 2020/21. B does best: +£5.0m")


def test_best_is_do_nothing_says_no_scenario_beats_it():
    h = headline([result("do_nothing", [-1, -2]), result("plan", [-1, -5])])
    assert h.best.scenario == "do_nothing"
    assert h.parts[-1] == "No scenario beats Do nothing in 2020/21."


def test_a_single_result_is_a_plain_sentence():
    h = headline([result("stretch", [-5, -6], title="Stretch")])
    assert h.parts[0] == (
        f"Stretch does not break even in any year to 2020/21: {MINUS}£6.0m in 2020/21 at "
        "central assumptions."
    )
    assert h.comparator is None and len(h.parts) == 2


def test_a_chosen_comparator_and_year():
    h = headline(
        [
            result("do_nothing", [-1, -2, -3]),
            result("plan", [0, -1, -1]),
            result("big", [0, 1, -9]),
        ],
        year="2020/21",
        comparator="plan",
    )
    assert h.year == "2020/21" and h.best.scenario == "big" and h.comparator == "plan"
    assert h.difference == pytest.approx(2.0) and h.ahead_from == "2020/21"
    with pytest.raises(ValueError, match="comparator 'nope' is not among the results"):
        headline([result("plan", [0])], comparator="nope")
    with pytest.raises(ValueError, match="year '2030/31'"):
        headline([result("plan", [0])], year="2030/31")
    with pytest.raises(ValueError, match="at least one result"):
        headline([])


def test_do_nothing_under_another_name_is_the_comparator():
    plain = result("baseline_plan", [-3, -4]).assign_coords(
        intervention=["capacity_steps", "overlap"]
    )
    plan = result("plan", [-3, -2]).assign_coords(intervention=["pifu", "overlap"])
    h = headline([plan, plain])
    assert h.comparator == "baseline_plan" and h.difference == pytest.approx(2.0)
    assert headline([plan, result("other", [-3, -3])]).comparator is None


def test_different_baselines_are_not_compared():
    h = headline([result("do_nothing", [-3]), result("plan", [-1], baseline="other")])
    assert h.difference is None and "different baselines" in h.note and h.note in h.sentence


def test_shares_never_round_to_all_or_none():
    assert share(0.996, 1000) == "99% of 1000 draws"
    assert share(0.004, 1000) == "1% of 1000 draws"
    assert share(1.0, 12) == "all 12 draws" and share(0.0, 12) == "none of the 12 draws"
    assert gbp_m(-0.04) == "£0.0m" and gbp_m(-28.04) == f"{MINUS}£28.0m"


money = st.floats(-80, 80, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def results(draw):
    """Two to four scenarios over two to four years, with one draw or several."""
    n_years = draw(st.integers(2, 4))
    n_draws = draw(st.sampled_from([1, 1, 3, 7]))
    names = draw(
        st.lists(
            st.sampled_from(["do_nothing", "a", "b", "c"]), min_size=2, max_size=4, unique=True
        )
    )
    out = []
    for name in names:
        values = draw(
            st.lists(st.lists(money, min_size=n_years, max_size=n_years), min_size=n_draws, max_size=n_draws)
        )  # fmt: skip
        out.append(result(name, values[0] if n_draws == 1 else values))
    return out


def _centrals(datasets, year):
    return [
        float(ds["system_surplus"].sel(year=year).values.reshape(-1)[0]) / 1e6 for ds in datasets
    ]


@settings(max_examples=60, deadline=None)
@given(results())
def test_headline_figures_are_the_results_numbers(datasets):
    h = headline(datasets)
    centrals = _centrals(datasets, h.year)
    assert h.best.central == pytest.approx(max(centrals))
    assert gbp_m(h.best.central) in h.sentence
    assert set(h.breaking_even) == {
        str(ds.attrs["scenario"]) for ds, c in zip(datasets, centrals, strict=True) if c >= 0
    }
    assert h.sentence.startswith("No scenario breaks even") == (max(centrals) < 0)
    has_draws = "draw" in datasets[0].dims
    assert (h.best.chance_break_even is None) == (not has_draws)
    assert ("median of" in h.sentence) == has_draws
    if has_draws:
        values = datasets[[f.scenario for f in h.scenarios].index(h.best.scenario)]
        at = values["system_surplus"].sel(year=h.year).values / 1e6
        assert h.best.chance_break_even == pytest.approx(np.mean(at >= 0))
        assert h.best.p10 <= h.best.median <= h.best.p90
    if h.ahead_from is not None:
        years = [str(y) for y in datasets[0].year.values]
        assert h.difference > 0
        ref = next(ds for ds in datasets if ds.attrs["scenario"] == h.comparator)
        best = next(ds for ds in datasets if ds.attrs["scenario"] == h.best.scenario)
        gap = (best["system_surplus"] - ref["system_surplus"]).sel(
            year=years[years.index(h.ahead_from) :]
        )
        if has_draws:
            brute = float((gap > 0).all("year").mean("draw"))
            assert h.chance_ahead == pytest.approx(brute)
            assert (gap.isel(draw=0) > 0).all()
        else:
            assert (gap > 0).all()


@settings(max_examples=40, deadline=None)
@given(results(), st.floats(-50, 50, allow_nan=False))
def test_moving_every_scenario_by_the_same_amount_moves_only_the_levels(datasets, shift):
    before = headline(datasets)
    moved = [ds.assign(system_surplus=ds["system_surplus"] + shift * 1e6) for ds in datasets]
    after = headline(moved)
    assert after.best.scenario == before.best.scenario or after.best.central == pytest.approx(
        before.best.central + shift
    )
    assert after.best.central == pytest.approx(before.best.central + shift, abs=1e-6)
    if after.best.scenario == before.best.scenario and before.difference is not None:
        # Differences from the comparator do not depend on the common level.
        assert after.difference == pytest.approx(before.difference, abs=1e-6)
        assert after.chance_ahead == pytest.approx(before.chance_ahead, abs=1e-9) or (
            before.chance_ahead is None and after.chance_ahead is None
        )


@settings(max_examples=40, deadline=None)
@given(results())
def test_the_order_of_the_results_does_not_change_the_answer(datasets):
    centrals = _centrals(datasets, str(datasets[0].year.values[-1]))
    if len(set(centrals)) < len(centrals) or "do_nothing" not in [
        ds.attrs["scenario"] for ds in datasets
    ]:
        return  # a tie goes to the first given, by design, and so does the comparator
    assert headline(datasets).sentence == headline(datasets[::-1]).sentence
