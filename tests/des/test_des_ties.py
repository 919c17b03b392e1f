"""One tie-break rule in both engines: time, then the patient's key (order of arrival)."""

import numpy as np
import pytest

from sefton_finance.des import DesCapacity, fast, model
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import (
    SiteInputs,
    make_calendar,
    patient_keys,
    root_seed,
    sample_site,
)
from sefton_finance.des.records import BED

DAY = 24.0


def hospital_inputs(capacity: DesCapacity, ed=(), direct=(), electives=()) -> SiteInputs:
    """A site with hand-made patients: ``ed`` (arrival, treatment, admitted, bed stay),
    ``direct`` (arrival, bed stay), ``electives`` (arrival, bed stay; all inpatients)."""

    def column(rows, k, dtype=float):
        return np.array([row[k] for row in rows], dtype=dtype)

    n_ed, n_d, n_el = len(ed), len(direct), len(electives)
    none = np.empty(0)
    return SiteInputs(
        site="x",
        capacity=capacity.for_site("x"),
        ed_arr=column(ed, 0), ed_service=column(ed, 1), ed_admit=column(ed, 2, np.bool_),
        ed_vw_eligible=np.zeros(n_ed, np.bool_), ed_bed_los=column(ed, 3),
        ed_vw_los=np.zeros(n_ed),
        direct_arr=column(direct, 0), direct_vw_eligible=np.zeros(n_d, np.bool_),
        direct_bed_los=column(direct, 1), direct_vw_los=np.zeros(n_d),
        utc_arr=none, utc_service=none,
        el_arr=column(electives, 0), el_inpatient=np.ones(n_el, np.bool_),
        el_los=column(electives, 1),
        op_arr=none, op_kind=np.empty(0, np.int64), slot_times=none,
    )  # fmt: skip


def both_engines(inputs):
    by_fast, by_simpy = fast.run_site(inputs), model.run_site(inputs, 0.0)
    for name in by_fast.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(by_simpy, name), getattr(by_fast, name), name)
    return by_fast


def test_keys_follow_arrival_order_and_equal_arrivals_go_ed_direct_elective():
    capacity = DesCapacity(ed_cubicles=1, utc_cubicles=0, acute_beds=1)
    inputs = hospital_inputs(
        capacity,
        ed=[(1.0, 1.0, False, 0.0), (3.0, 1.0, False, 0.0)],
        direct=[(0.0, 1.0), (3.0, 1.0)],
        electives=[(3.0, 1.0), (5.0, 1.0)],
    )
    ed, direct, elective = patient_keys(inputs)
    np.testing.assert_array_equal(ed, [1, 2])
    np.testing.assert_array_equal(direct, [0, 3])
    np.testing.assert_array_equal(elective, [4, 5])


def test_simultaneous_boarders_queue_for_a_bed_in_key_order():
    # One bed, held by a direct admission (key 0) until hour 10. Two ED patients arrive
    # together at hour 4 (keys 1 and 2) and finish treatment together at hour 10, with the
    # bed's end. Key order: the bed frees first, so patient 1 takes it at once; patient 2
    # boards until patient 1's 5-hour stay ends. Any other order hands it differently.
    capacity = DesCapacity(ed_cubicles=2, utc_cubicles=0, acute_beds=1)
    inputs = hospital_inputs(
        capacity,
        ed=[(4.0, 6.0, True, 5.0), (4.0, 6.0, True, 5.0)],
        direct=[(0.0, 10.0)],
    )
    records = both_engines(inputs)
    np.testing.assert_array_equal(records.ed_done, [10.0, 10.0])
    np.testing.assert_array_equal(records.ed_leave, [10.0, 15.0])
    np.testing.assert_array_equal(records.ed_route, [BED, BED])


def test_an_earlier_patients_retry_comes_before_a_later_patients_bed_end():
    # One bed, a one-day deferral. A direct admission (key 0) holds the bed to hour 10. An
    # elective (key 1) arrives at hour 1, is cancelled and retries at hour 25. A second
    # direct admission (key 2) arrives at hour 2, waits, and takes the bed at hour 10 for 39
    # hours, to hour 49. At hour 25 the elective is cancelled again and retries at hour 49,
    # with that stay's end (scheduled earlier, at hour 10). The elective's retry (key 1)
    # comes first and finds the bed taken: cancelled a third time, admitted at hour 73.
    capacity = DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=1, elective_deferral_days=1.0)
    inputs = hospital_inputs(capacity, direct=[(0.0, 10.0), (2.0, 39.0)], electives=[(1.0, 5.0)])
    records = both_engines(inputs)
    np.testing.assert_array_equal(records.direct_start, [0.0, 10.0])
    np.testing.assert_array_equal(records.el_cancellations, [3])
    np.testing.assert_array_equal(records.el_start, [73.0])


@pytest.mark.parametrize("site", ["large_site", "small_site"])
def test_engines_agree_exactly_on_deterministic_times(site):
    """With every time fixed (CV 0) events coincide often; both engines order them alike."""
    demand = example_demand(scale=0.2)
    base = example_capacity(0.2)
    beds = {s: round(n * 0.93) for s, n in base.acute_beds.items()}
    capacity = base.replace(acute_beds=beds, treatment_cv=0.0, los_cv=0.0)
    calendar = make_calendar(("2019/20",), 28)
    inputs = sample_site(demand, site, capacity.for_site(site), calendar, root_seed(4), 0)
    by_fast = fast.run_site(inputs)
    by_simpy = model.run_site(inputs, float(calendar.day_start[0]))
    # Exit block happens, and so do simultaneous events (fixed stays chain into equal times).
    assert (by_fast.ed_route == BED).sum() > 0 and (by_fast.el_cancellations > 0).sum() > 0
    ends = by_fast.ed_done[np.isfinite(by_fast.ed_done)]
    assert np.unique(ends).size < ends.size
    for name in by_fast.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(by_simpy, name), getattr(by_fast, name), name)
