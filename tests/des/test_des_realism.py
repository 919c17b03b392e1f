"""Realism: an opening outpatient backlog, deferred (not lost) electives, a treatment-time CV."""

import numpy as np
import pytest

from sefton_finance.des import DesCapacity, fast, model, simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import (
    HOURS_PER_DAY,
    HOURS_PER_WEEK,
    SiteInputs,
    make_calendar,
    root_seed,
    sample_site,
)
from sefton_finance.des.outputs import summarise_site

SCALE = 0.05
SITE = "large_site"


def backlog_capacity(weeks_of_slots: float = 20.0, **changes):
    """Example capacity with an opening list of ``weeks_of_slots`` weeks of clinic slots.

    The oldest referral is then ``2 x weeks_of_slots`` weeks old (the default
    spread), so a 20-week list holds many patients already past 18 weeks.
    """
    base = example_capacity(SCALE)
    backlog = {site: round(weeks_of_slots * s) for site, s in base.op_slots_per_week.items()}
    return base.replace(op_waiting_at_start=backlog, **changes)


def assert_same_records(a, b):
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(y, x, err_msg=name)
        else:
            np.testing.assert_array_equal(y, x, err_msg=name)


def test_backlog_brings_18_week_performance_below_100_percent_on_both_engines():
    demand, capacity = example_demand(scale=SCALE), backlog_capacity()
    runs = {
        engine: simulate(demand, capacity, seed=3, replications=1, engine=engine)
        for engine in ("fast", "simpy")
    }
    empty = simulate(demand, example_capacity(SCALE), seed=3, replications=1)
    # A list of 20 weeks of slots, referred up to 40 weeks ago, holds many pathways past 18
    # weeks; with no list the open pathways are those past their first appointment only.
    perf = runs["fast"]["rtt_18wk_performance_month"]
    assert float(perf.isel(month=0).max()) < 0.6
    assert float(empty["rtt_18wk_performance_month"].isel(month=0).min()) > 0.7
    # The opening list is on the waiting list: month-end lists are longer by about its size.
    extra = runs["fast"]["op_waiting_list_month"] - empty["op_waiting_list_month"]
    assert bool((extra.isel(month=0) > 0).all())
    for name in runs["fast"].data_vars:
        np.testing.assert_allclose(runs["simpy"][name], runs["fast"][name], rtol=1e-9, err_msg=name)


def test_backlog_engines_agree_patient_by_patient_and_the_list_is_older_than_new_referrals():
    demand, capacity = example_demand(scale=SCALE), backlog_capacity()
    calendar = make_calendar(("2019/20",), 28)
    inputs = sample_site(demand, SITE, capacity.for_site(SITE), calendar, root_seed(4), 0)
    t0 = float(calendar.day_start[0])
    opening = inputs.op_arr[: inputs.op_opening]
    assert inputs.op_opening == round(capacity.op_waiting_at_start[SITE])
    assert bool((opening < t0).all()) and bool((inputs.op_arr[inputs.op_opening :] >= t0).all())
    oldest = 2 * 20.0 * HOURS_PER_WEEK  # 2 x (backlog / weekly slots) weeks
    assert t0 - oldest <= opening.min() < t0 - 0.9 * oldest
    assert_same_records(fast.run_site(inputs), model.run_site(inputs, t0))


def test_more_slots_shorten_the_waiting_list_with_common_random_numbers():
    demand = example_demand(scale=SCALE)
    # The opening list's history is fixed, so only the slots differ between the runs.
    capacity = backlog_capacity(op_waiting_max_age_weeks=40.0)
    more = capacity.replace(
        op_slots_per_week={s: 1.25 * n for s, n in capacity.op_slots_per_week.items()}
    )
    base = simulate(demand, capacity, seed=11, replications=2)
    wider = simulate(demand, more, seed=11, replications=2)
    calendar = make_calendar(("2019/20",), 28)
    a, b = (
        sample_site(demand, SITE, c.for_site(SITE), calendar, root_seed(11), 0)
        for c in (capacity, more)
    )
    for name in ("op_arr", "op_kind"):  # the same patients wait in both runs
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    lists = base["op_waiting_list_month"], wider["op_waiting_list_month"]
    assert bool((lists[1] <= lists[0]).all())
    assert bool((lists[1].isel(month=-1) < lists[0].isel(month=-1)).all())
    perf = base["rtt_18wk_performance_month"], wider["rtt_18wk_performance_month"]
    assert bool((perf[1] >= perf[0] - 1e-12).all())


def _elective_inputs(capacity: DesCapacity, arrivals, inpatient, los_hours, horizon):
    """A site with only electives: everything else empty."""
    none, no = np.empty(0), np.empty(0, np.bool_)
    return SiteInputs(
        site="x",
        capacity=capacity.for_site("x"),
        ed_arr=none, ed_service=none, ed_admit=no, ed_vw_eligible=no,
        ed_bed_los=none, ed_vw_los=none,
        direct_arr=none, direct_vw_eligible=no, direct_bed_los=none, direct_vw_los=none,
        utc_arr=none, utc_service=none,
        el_arr=np.asarray(arrivals, float),
        el_inpatient=np.asarray(inpatient, np.bool_),
        el_los=np.asarray(los_hours, float),
        op_arr=none, op_kind=np.empty(0, np.int64), slot_times=none,
        horizon=float(horizon),
    )  # fmt: skip


def test_a_cancelled_elective_is_deferred_and_admitted_later_rather_than_lost():
    capacity = DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=1, elective_deferral_days=14)
    calendar = make_calendar(("2019/20",), 0)
    horizon = float(calendar.month_edges[-1])
    fortnight = 14 * HOURS_PER_DAY
    # One bed. Patient 0 holds it for 20 days. Patient 1 arrives an hour later: cancelled
    # at once and again 14 days on (the bed is still taken), admitted 28 days on. Patient 2
    # is a day case and needs no bed. Patient 3 takes the bed 200 hours before the horizon
    # ends; patient 4 then finds it taken, and its retry would fall after the horizon.
    inputs = _elective_inputs(
        capacity,
        arrivals=[0.0, 1.0, 2.0, horizon - 200.0, horizon - 100.0],
        inpatient=[True, True, False, True, True],
        los_hours=[20 * HOURS_PER_DAY, 500.0, 5.0, 1000.0, 10.0],
        horizon=horizon,
    )
    by_fast = fast.run_site(inputs)
    assert_same_records(by_fast, model.run_site(inputs, 0.0))
    np.testing.assert_array_equal(by_fast.el_cancellations, [0, 2, 0, 0, 1])
    np.testing.assert_array_equal(by_fast.el_admitted, [True, True, True, True, False])
    np.testing.assert_allclose(
        by_fast.el_start, [0.0, 1.0 + 2 * fortnight, 2.0, horizon - 200.0, np.inf]
    )
    out = summarise_site(inputs, by_fast, calendar)
    pods = ("ae_type1", "ae_type3", "nel_admission", "elective", "op_first", "op_followup")
    elective = pods.index("elective")
    assert out["elective_cancellations"][0] == 3  # a patient may be cancelled more than once
    assert out["unmet_demand"][0, elective] == 1  # only the one never admitted
    assert out["activity"][0, elective] == 4
    assert out["elective_deferred_bed_days"][0] == pytest.approx(500.0 / HOURS_PER_DAY)
    # The deferred stay uses the bed when it is admitted, not when it was first booked.
    expected = (20 * 24 + 500 + 200) / HOURS_PER_DAY
    assert out["elective_bed_days"][0] == pytest.approx(expected)


def test_lower_treatment_cv_raises_4_hour_performance_in_paired_runs():
    demand = example_demand(scale=0.2)
    # Ample beds and cubicles, so the treatment time, not queueing, decides the tail.
    base = example_capacity(0.2)
    roomy = base.replace(
        acute_beds={s: 2 * n for s, n in base.acute_beds.items()},
        ed_cubicles={s: 2 * n for s, n in base.ed_cubicles.items()},
    )
    perf = []
    for cv in (1.0, 0.6, 0.3):
        ds = simulate(demand, roomy.replace(treatment_cv=cv), seed=7, replications=2)
        perf.append(ds["ed_4hr_performance"])
    assert bool((perf[1] > perf[0]).all()) and bool((perf[2] > perf[1]).all())
    # Stays are untouched by the treatment CV: same lengths of stay, same patients.
    calendar = make_calendar(("2019/20",), 28)
    sites = [roomy.replace(treatment_cv=cv).for_site(SITE) for cv in (1.0, 0.3)]
    a, b = (sample_site(demand, SITE, site, calendar, root_seed(7), 0) for site in sites)
    np.testing.assert_array_equal(a.ed_bed_los, b.ed_bed_los)
    assert a.ed_service.mean() == pytest.approx(b.ed_service.mean(), rel=0.05)
    assert a.ed_service.std() > 2 * b.ed_service.std()
