"""Referral to treatment as NHS England counts it: incomplete pathways within 18 weeks."""

import numpy as np
import pytest

from sefton_finance.des import DesCapacity, fast, simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import (
    HOURS_PER_WEEK,
    RTT_AFTER_FIRST_WEEKS,
    RTT_CONTINUES_SHARE,
    SiteInputs,
    make_calendar,
    root_seed,
    sample_site,
)
from sefton_finance.des.outputs import _rtt_within_18_weeks

WEEK = HOURS_PER_WEEK


def test_the_clock_runs_from_referral_to_first_treatment_and_counts_open_pathways():
    calendar = make_calendar(("2019/20",), 0)
    none, no = np.empty(0), np.empty(0, np.bool_)
    # A: on the opening list (referred 20 weeks before the start), seen in the first slot,
    #    treated there. B: referred on day 1, seen in the second slot, then 30 more weeks to
    #    treatment. C: a follow-up (off the clock). D: referred in week 8, never seen.
    # And one pathway past its first appointment at the start: referred 10 weeks before it,
    # treated in week 10.
    inputs = SiteInputs(
        site="x", capacity=DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=0).for_site("x"),
        ed_arr=none, ed_service=none, ed_admit=no, ed_vw_eligible=no, ed_bed_los=none,
        ed_vw_los=none, direct_arr=none, direct_vw_eligible=no, direct_bed_los=none,
        direct_vw_los=none, utc_arr=none, utc_service=none, el_arr=none, el_inpatient=no,
        el_los=none,
        op_arr=np.array([-20 * WEEK, 24.0, 48.0, 8 * WEEK]),
        op_kind=np.array([0, 0, 1, 0]),
        slot_times=np.array([1 * WEEK, 2 * WEEK]),
        op_opening=1,
        op_rtt_after=np.array([0.0, 30 * WEEK, 0.0, 0.0]),
        rtt_open_referral=np.array([-10 * WEEK]),
        rtt_open_stop=np.array([10 * WEEK]),
    )  # fmt: skip
    records = fast.run_site(inputs)
    np.testing.assert_array_equal(records.op_seen, [1 * WEEK, 2 * WEEK, np.inf, np.inf])
    month_ends = calendar.month_edges[1:]
    share, count = _rtt_within_18_weeks(inputs, records, month_ends)
    # End of April (4.3 weeks): B (4.1 weeks), the opening pathway (14.3); D not yet referred.
    # End of May (8.7 weeks): B and D within 18 weeks, the opening pathway (18.7) over.
    # End of August (21.9 weeks): B open 21.7 weeks (over), D 13.9 (within).
    # End of November: B 34.9 weeks, over; its clock stops in week 32, so only D is left.
    np.testing.assert_array_equal(count[[0, 1, 4, 7]], [2, 3, 2, 1])
    np.testing.assert_allclose(share[[0, 1, 4, 7]], [1.0, 2 / 3, 0.5, 0.0])


def test_exactly_18_weeks_is_within_18_weeks():
    calendar = make_calendar(("2019/20",), 0)
    at = calendar.month_edges[1:2]
    none, no = np.empty(0), np.empty(0, np.bool_)
    inputs = SiteInputs(
        site="x", capacity=DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=0).for_site("x"),
        ed_arr=none, ed_service=none, ed_admit=no, ed_vw_eligible=no, ed_bed_los=none,
        ed_vw_los=none, direct_arr=none, direct_vw_eligible=no, direct_bed_los=none,
        direct_vw_los=none, utc_arr=none, utc_service=none, el_arr=none, el_inpatient=no,
        el_los=none, op_arr=np.array([at[0] - 18 * WEEK, at[0] - 18 * WEEK - 1.0]),
        op_kind=np.array([0, 0]), slot_times=none, op_opening=2,
    )  # fmt: skip
    share, count = _rtt_within_18_weeks(inputs, fast.run_site(inputs), at)
    assert count[0] == 2 and share[0] == 0.5


def test_the_clock_after_the_first_appointment_has_its_stated_share_and_mean():
    demand, capacity = example_demand(scale=0.2), example_capacity(0.2)
    calendar = make_calendar(("2019/20",), 28)
    inputs = sample_site(
        demand, "large_site", capacity.for_site("large_site"), calendar, root_seed(2), 0
    )
    after = inputs.op_rtt_after
    n = after.size
    runs_on = after > 0
    # Binomial and exponential sampling error: 5 standard errors.
    share_se = np.sqrt(RTT_CONTINUES_SHARE * (1 - RTT_CONTINUES_SHARE) / n)
    assert abs(runs_on.mean() - RTT_CONTINUES_SHARE) < 5 * share_se
    mean = RTT_AFTER_FIRST_WEEKS * WEEK
    assert abs(after[runs_on].mean() - mean) < 5 * mean / np.sqrt(runs_on.sum())
    # Pathways open at the start: about first appointments per hour x share x mean (Poisson).
    rate = float(demand.sel(site="large_site", pod="op_first").isel(year=0, month=0)) / (30 * 24)
    expected = rate * RTT_CONTINUES_SHARE * mean
    assert abs(inputs.rtt_open_referral.size - expected) < 5 * np.sqrt(expected)
    assert bool((inputs.rtt_open_referral < calendar.day_start[0]).all())
    assert bool((inputs.rtt_open_stop > calendar.day_start[0]).all())


def test_more_clinic_slots_on_a_long_list_raise_rtt_performance_with_the_same_patients():
    demand = example_demand(scale=0.05)
    base = example_capacity(0.05)
    long_list = base.replace(
        op_waiting_at_start={s: round(20 * n) for s, n in base.op_slots_per_week.items()},
        op_waiting_max_age_weeks=40.0,
    )
    wider = long_list.replace(
        op_slots_per_week={s: 1.25 * n for s, n in base.op_slots_per_week.items()}
    )
    perf = [
        simulate(demand, c, seed=11, replications=2)["rtt_18wk_performance_month"]
        for c in (long_list, wider)
    ]
    # Old pathways go sooner: higher every month, clearly so while the list is worked down.
    assert bool((perf[1] > perf[0]).all())
    assert bool((perf[1].isel(month=2) > perf[0].isel(month=2) + 0.04).all())


@pytest.mark.parametrize("engine", ["simpy"])
def test_both_engines_give_the_same_rtt_figures(engine):
    demand, capacity = example_demand(scale=0.05), example_capacity(0.05)
    fast_ds = simulate(demand, capacity, seed=4, replications=1)
    other = simulate(demand, capacity, seed=4, replications=1, engine=engine)
    for name in ("rtt_18wk_performance_month", "rtt_incomplete_pathways"):
        np.testing.assert_array_equal(other[name], fast_ds[name])
