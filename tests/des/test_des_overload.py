"""Overload: demand over capacity, or a queue that never settles, is measured and said."""

import numpy as np
import pytest

from sefton_finance.des import DesCapacity, fast, simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import SiteInputs, make_calendar
from sefton_finance.des.link import performance_summary
from sefton_finance.des.outputs import RESOURCES, StepCurve, summarise_site

SCALE = 0.2
ED = RESOURCES.index("ed_cubicles")
BEDS = RESOURCES.index("acute_beds")


def test_trough_is_the_lowest_level_in_each_window():
    curve = StepCurve(np.array([0.0, 1.0, 5.0]), np.array([2.0, 3.0, np.inf]))
    # level: 1 on [0,1), 2 on [1,2), 1 on [2,3), 0 on [3,5), 1 from 5 on.
    np.testing.assert_allclose(
        curve.trough(np.array([0.0, 2.5, 4.0, 6.0, 8.0])), [1.0, 0.0, 0.0, 1.0]
    )


def test_offered_load_is_the_work_arriving_over_what_the_cubicles_can_do():
    calendar = make_calendar(("2019/20",), 0)
    hours = float(calendar.month_edges[-1])
    n = 1_000
    none, no = np.empty(0), np.empty(0, np.bool_)
    capacity = DesCapacity(ed_cubicles=2, utc_cubicles=0, acute_beds=0).for_site("x")
    service = np.full(n, 3.0)
    inputs = SiteInputs(
        site="x", capacity=capacity,
        ed_arr=np.linspace(0, hours - 10, n), ed_service=service, ed_admit=np.zeros(n, np.bool_),
        ed_vw_eligible=np.zeros(n, np.bool_), ed_bed_los=np.zeros(n), ed_vw_los=np.zeros(n),
        direct_arr=none, direct_vw_eligible=no, direct_bed_los=none, direct_vw_los=none,
        utc_arr=none, utc_service=none, el_arr=none, el_inpatient=no, el_los=none,
        op_arr=none, op_kind=np.empty(0, np.int64), slot_times=none, horizon=hours,
    )  # fmt: skip
    out = summarise_site(inputs, fast.run_site(inputs), calendar)
    assert out["offered_utilisation"][0, ED] == pytest.approx(n * 3.0 / (2 * hours))
    assert out["queue_unsettled"][0, ED] == 0.0  # nobody ever waits
    assert np.isnan(out["queue_unsettled"][0, RESOURCES.index("op_slots")])  # not judged


@pytest.fixture(scope="module")
def runs():
    demand, base = example_demand(scale=SCALE), example_capacity(SCALE)
    few_cubicles = base.replace(ed_cubicles={"large_site": 3, "small_site": 4})
    return {
        name: simulate(demand, capacity, seed=1, replications=3)
        for name, capacity in (("usual", base), ("few_cubicles", few_cubicles))
    }


def test_an_overloaded_ed_is_measured_and_said_in_words(runs):
    ds = runs["few_cubicles"]
    offered = ds["offered_utilisation"].sel(site="large_site", resource="ed_cubicles")
    assert bool((offered > 1).all())
    assert bool((ds["queue_unsettled"].sel(site="large_site", resource="ed_cubicles") == 1).all())
    summary = performance_summary(ds)
    np.testing.assert_array_equal(summary["des_overloaded"].sel(site="large_site"), 1.0)
    np.testing.assert_array_equal(summary["des_overloaded"].sel(site="small_site"), 0.0)
    warning = summary["des_overloaded"].attrs["warning"]
    assert warning.startswith("Overloaded.")
    assert "large_site 2019/20, ED cubicles: demand is" in warning
    assert "in 3 of 3 replications" in warning
    assert "small_site" not in warning
    assert "depend on the horizon" in warning


def test_a_hospital_with_room_is_not_called_overloaded(runs):
    summary = performance_summary(runs["usual"])
    assert float(summary["des_overloaded"].max()) == 0.0
    assert summary["des_overloaded"].attrs["warning"] == ""
    offered = summary["des_offered_utilisation"]
    assert float(offered.sel(resource="acute_beds").max()) < 1
    assert float(offered.sel(resource="acute_beds").min()) > 0.5  # busy, but settling


def test_fewer_beds_raise_the_offered_bed_load_with_the_same_patients(runs):
    base = example_capacity(SCALE)
    fewer = base.replace(acute_beds={s: round(n * 0.8) for s, n in base.acute_beds.items()})
    ds = simulate(example_demand(scale=SCALE), fewer, seed=1, replications=3)
    ratio = ds["offered_utilisation"].isel(resource=BEDS) / runs["usual"][
        "offered_utilisation"
    ].isel(resource=BEDS)
    beds_open = {
        s: (base.acute_beds[s] + base.escalation_beds[s])
        / (fewer.acute_beds[s] + base.escalation_beds[s])
        for s in base.acute_beds
    }
    for site, expected in beds_open.items():
        # Same admissions and stays (common random numbers), fewer beds: the load scales.
        np.testing.assert_allclose(ratio.sel(site=site), expected, rtol=0.02)
