"""Capacity by year: one run over every year, each replication carrying its own state."""

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from sefton_finance.des import DesCapacity, fast, model, simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.fast import fifo_station, fifo_station_periods
from sefton_finance.des.inputs import SiteInputs, make_calendar, root_seed, sample_site
from sefton_finance.des.records import BED

YEARS = ("2019/20", "2020/21")
SCALE = 0.05


def scaled(mapping, factor=1.0, offset=0):
    return {site: round(n * factor) + offset for site, n in mapping.items()}


def year_two(base: DesCapacity) -> DesCapacity:
    """Fewer beds, one more cubicle, one fewer UTC cubicle, more slots and virtual ward."""
    return base.replace(
        acute_beds=scaled(base.acute_beds, 0.9),
        ed_cubicles=scaled(base.ed_cubicles, offset=1),
        utc_cubicles={s: max(n - 1, 0) for s, n in base.utc_cubicles.items()},
        op_slots_per_week={s: 1.1 * n for s, n in base.op_slots_per_week.items()},
        virtual_ward_beds=scaled(base.virtual_ward_beds, offset=2),
    )


@pytest.mark.parametrize("cv", [None, 0.0])
@pytest.mark.parametrize("site", ["large_site", "small_site"])
def test_engines_agree_patient_by_patient_when_capacity_changes(site, cv):
    base = example_capacity(SCALE)
    if cv is not None:  # fixed times too: changes and patient events then coincide
        base = base.replace(los_cv=cv, treatment_cv=cv)
    capacities = [base, year_two(base)]
    calendar = make_calendar(YEARS, 28)
    inputs = sample_site(
        example_demand(YEARS, scale=SCALE),
        site,
        [c.for_site(site) for c in capacities],
        calendar,
        root_seed(4),
        0,
    )
    by_fast = fast.run_site(inputs)
    by_simpy = model.run_site(inputs, float(calendar.day_start[0]))
    for name in by_fast.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(by_simpy, name), getattr(by_fast, name), name)


def test_the_same_capacity_every_year_is_the_continuous_run():
    demand, base = example_demand(YEARS, scale=SCALE), example_capacity(SCALE)
    one = simulate(demand, base, seed=3, replications=2)
    chained = simulate(demand, [base, base], seed=3, replications=2)
    xr.testing.assert_equal(chained, one)


def test_a_change_takes_effect_on_1_april_and_opened_beds_go_to_the_queue():
    calendar = make_calendar(YEARS, 0)
    april = float(calendar.year_edges[1])
    none, no = np.empty(0), np.empty(0, np.bool_)
    first = DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=1).for_site("x")
    second = DesCapacity(ed_cubicles=0, utc_cubicles=0, acute_beds=2).for_site("x")
    # Three direct admissions a day before 1 April, the first holding the only bed for 30
    # days: the second gets the bed opened on 1 April at 00:00, the third waits for its
    # 48-hour stay to end.
    inputs = SiteInputs(
        site="x", capacity=first,
        ed_arr=none, ed_service=none, ed_admit=no, ed_vw_eligible=no,
        ed_bed_los=none, ed_vw_los=none,
        direct_arr=np.array([april - 24, april - 23, april - 22]),
        direct_vw_eligible=np.zeros(3, np.bool_),
        direct_bed_los=np.array([720.0, 48.0, 10.0]), direct_vw_los=np.zeros(3),
        utc_arr=none, utc_service=none, el_arr=none, el_inpatient=no, el_los=none,
        op_arr=none, op_kind=np.empty(0, np.int64), slot_times=none,
        periods=(first, second), period_starts=calendar.year_edges[:-1],
    )  # fmt: skip
    by_fast = fast.run_site(inputs)
    by_simpy = model.run_site(inputs, -48.0)
    np.testing.assert_array_equal(by_fast.direct_start, [april - 24, april, april + 48])
    np.testing.assert_array_equal(by_simpy.direct_start, by_fast.direct_start)
    np.testing.assert_array_equal(by_fast.direct_route, [BED, BED, BED])


def test_fewer_places_take_effect_as_patients_leave():
    # Two UTC cubicles, then one from hour 10: the patient in service at 10 finishes; the
    # next two wait for the one cubicle left.
    arrivals = np.array([0.0, 9.0, 10.5, 11.0])
    services = np.array([12.0, 3.0, 2.0, 1.0])
    start, leave = fifo_station_periods(
        arrivals, services, np.array([-np.inf, 10.0]), np.array([2, 1])
    )
    np.testing.assert_array_equal(start, [0.0, 9.0, 12.0, 14.0])
    np.testing.assert_array_equal(leave, [12.0, 12.0, 14.0, 15.0])
    # One period is the plain FIFO station.
    rng = np.random.default_rng(0)
    arrivals = np.cumsum(rng.exponential(1.0, 5_000))
    services = rng.exponential(2.5, 5_000)
    one = fifo_station_periods(arrivals, services, np.array([-np.inf]), np.array([3]))
    for a, b in zip(one, fifo_station(arrivals, services, 3), strict=True):
        np.testing.assert_array_equal(a, b)


def test_chained_years_keep_each_replications_spread():
    """Each replication's year-2 list starts from its own year-1 list: the spread of a
    chained run is that of a continuous one and grows from year to year."""
    replications = 30
    demand = example_demand(YEARS, scale=SCALE)
    base = example_capacity(SCALE)
    # Clinics slightly short of referrals, so that a list's luck persists.
    tight = base.replace(
        op_slots_per_week={s: 0.985 * n for s, n in base.op_slots_per_week.items()},
        op_waiting_at_start={s: round(8 * n) for s, n in base.op_slots_per_week.items()},
    )
    later = tight.replace(
        op_slots_per_week={s: 1.01 * n for s, n in tight.op_slots_per_week.items()},
        acute_beds=scaled(base.acute_beds, offset=1),
    )
    chained = simulate(demand, [tight, later], seed=5, replications=replications)
    continuous = simulate(demand, tight, seed=5, replications=replications)
    low, high = stats.f.ppf([0.025, 0.975], replications - 1, replications - 1)
    for site in ("large_site", "small_site"):
        lists = chained["op_waiting_list"].sel(site=site).values
        assert np.corrcoef(lists[:, 0], lists[:, 1])[0, 1] > 0.5, site
        ratio = lists[:, 1].var(ddof=1) / (
            continuous["op_waiting_list"].sel(site=site).values[:, 1].var(ddof=1)
        )
        assert low < ratio < high, (site, ratio)  # an F test of equal spread does not reject
        assert lists[:, 1].std(ddof=1) > lists[:, 0].std(ddof=1), site


def test_electives_cancelled_at_a_year_end_retry_in_the_next_year():
    demand = example_demand(YEARS, scale=SCALE)
    base = example_capacity(SCALE)
    pressured = base.replace(acute_beds=scaled(base.acute_beds, 0.93))
    ds = simulate(demand, [pressured, pressured], seed=8, replications=2)
    first_year = ds.isel(year=0)
    unmet = first_year["unmet_demand"].sel(pod="elective")
    never = first_year["elective_not_admitted"]
    # Not admitted by 31 March includes patients admitted on a retry after it.
    assert bool((never <= unmet).all()) and float((unmet - never).sum()) > 0


def test_capacity_by_year_is_checked_by_name():
    demand, base = example_demand(YEARS, scale=SCALE), example_capacity(SCALE)
    with pytest.raises(ValueError, match="one per year"):
        simulate(demand, [base], seed=1, replications=1)
    with pytest.raises(ValueError, match=r"2020/21: DesCapacity\.los_cv must be the same"):
        simulate(demand, [base, base.replace(los_cv=0.5)], seed=1, replications=1)
