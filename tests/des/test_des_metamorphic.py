"""Metamorphic tests with common random numbers: capacity changes move outputs the right way."""

import numpy as np
import pytest
import xarray as xr

from sefton_finance.des import simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import make_calendar, root_seed, sample_site

SCALE = 0.2
REPS = 4


def base_capacity(**changes):
    base = example_capacity(SCALE)
    beds = {site: round(n * 0.93) for site, n in base.acute_beds.items()}
    return base.replace(acute_beds=beds, **changes)


def scaled(mapping, factor, offset=0):
    return {site: round(n * factor) + offset for site, n in mapping.items()}


@pytest.fixture(scope="module")
def demand():
    return example_demand(scale=SCALE)


@pytest.fixture(scope="module")
def baseline(demand):
    return simulate(demand, base_capacity(), seed=2024, replications=REPS)


def run(demand, capacity):
    return simulate(demand, capacity, seed=2024, replications=REPS)


def test_fewer_beds_lengthen_ed_stays_and_raise_escalation(demand, baseline):
    cap = base_capacity()
    fewer = run(demand, cap.replace(acute_beds=scaled(cap.acute_beds, 0.95)))
    assert bool((fewer["ed_mean_time_hours"] > baseline["ed_mean_time_hours"]).all())
    assert bool((fewer["escalation_bed_days"] > baseline["escalation_bed_days"]).all())
    assert bool((fewer["elective_cancellations"] >= baseline["elective_cancellations"]).all())


def test_more_virtual_ward_places_cut_nel_bed_days(demand, baseline):
    cap = base_capacity()
    more = run(demand, cap.replace(virtual_ward_beds=scaled(cap.virtual_ward_beds, 2.0)))
    assert bool((more["nel_bed_days"] < baseline["nel_bed_days"]).all())
    assert bool((more["virtual_ward_admissions"] > baseline["virtual_ward_admissions"]).all())


@pytest.mark.parametrize(
    ("field", "outputs"),
    [
        ("utc_cubicles", ["utc_mean_time_hours"]),
        ("ed_cubicles", ["ed_mean_wait_hours", "ed_mean_time_hours"]),
        ("acute_beds", ["ed_mean_time_hours", "ed_boarding_hours_mean"]),
    ],
)
def test_more_capacity_never_lengthens_mean_waits_in_paired_replications(
    demand, baseline, field, outputs
):
    cap = base_capacity()
    more = run(demand, cap.replace(**{field: scaled(getattr(cap, field), 1.0, offset=2)}))
    for name in outputs:
        assert bool((more[name] <= baseline[name] + 1e-12).all()), name


def test_same_seed_gives_identical_output(demand, baseline):
    again = run(demand, base_capacity())
    xr.testing.assert_identical(again, baseline)


def test_different_capacity_sees_identical_patients(demand, baseline):
    cap = base_capacity()
    other = cap.replace(acute_beds=scaled(cap.acute_beds, 0.8), ed_cubicles=3)
    calendar = make_calendar(("2019/20",), 28)
    a = sample_site(demand, "large_site", cap.for_site("large_site"), calendar, root_seed(1), 0)
    b = sample_site(demand, "large_site", other.for_site("large_site"), calendar, root_seed(1), 0)
    for name in ("ed_arr", "ed_service", "ed_admit", "ed_bed_los", "utc_arr", "el_arr", "op_arr"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    changed = run(demand, other)
    xr.testing.assert_equal(changed["demand_arrivals"], baseline["demand_arrivals"])


def test_different_seeds_differ(demand, baseline):
    other = simulate(demand, base_capacity(), seed=2025, replications=REPS)
    assert not np.array_equal(other["demand_arrivals"], baseline["demand_arrivals"])
