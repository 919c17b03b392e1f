"""The hospital model: engines agree, outputs are well formed, Little's law holds per station."""

import numpy as np
import pytest
import xarray as xr

from sefton_finance.des import DesCapacity, confidence_interval, fast, model, simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.inputs import (
    clinic_slots,
    hourly_rates,
    make_calendar,
    root_seed,
    sample_site,
)
from sefton_finance.des.link import performance_summary
from sefton_finance.des.naive import simulate_naive
from sefton_finance.des.outputs import StepCurve, _stays
from sefton_finance.des.verify import little_check

SCALE = 0.05  # a twentieth of Sefton: busy enough to queue, small enough for SimPy


def pressured_capacity(scale=SCALE, **changes):
    """Beds short of demand so that exit block, escalation and cancellations all happen."""
    base = example_capacity(scale)
    beds = {site: round(n * 0.93) for site, n in base.acute_beds.items()}
    return base.replace(acute_beds=beds, **changes)


@pytest.fixture(scope="module")
def both_engines():
    demand, capacity = example_demand(scale=SCALE), pressured_capacity()
    runs = {
        engine: simulate(demand, capacity, seed=99, replications=2, engine=engine)
        for engine in ("fast", "simpy")
    }
    return runs


def test_engines_agree_patient_by_patient():
    demand, capacity = example_demand(scale=SCALE), pressured_capacity()
    calendar = make_calendar(("2019/20",), 28)
    site = "large_site"
    inputs = sample_site(demand, site, capacity.for_site(site), calendar, root_seed(4), 0)
    by_fast = fast.run_site(inputs)
    by_simpy = model.run_site(inputs, float(calendar.day_start[0]))
    assert (by_fast.ed_route == 2).sum() > 0 and (by_fast.el_cancellations > 0).sum() > 0
    # Some cancelled electives are admitted on a later try (deferred, not lost).
    assert (by_fast.el_admitted & (by_fast.el_cancellations > 0)).sum() > 0
    for name in by_fast.__dataclass_fields__:
        a, b = getattr(by_fast, name), getattr(by_simpy, name)
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(b, a, err_msg=name)
        else:
            np.testing.assert_array_equal(b, a, err_msg=name)


def test_engines_give_the_same_dataset(both_engines):
    fast_ds, simpy_ds = both_engines["fast"], both_engines["simpy"]
    assert fast_ds.attrs["engine"] == "fast" and simpy_ds.attrs["engine"] == "simpy"
    for name in fast_ds.data_vars:
        np.testing.assert_allclose(simpy_ds[name], fast_ds[name], rtol=1e-9, err_msg=name)


def test_fast_agrees_with_an_independent_naive_model_within_monte_carlo_error():
    demand, capacity = example_demand(scale=0.1), example_capacity(0.1)
    ds = simulate(demand, capacity, seed=1, replications=8)
    naive = [simulate_naive(demand, capacity, seed=s) for s in range(3)]
    for name, fast_value in [
        ("bed_occupancy_mean", ds["bed_occupancy_mean"].sum(("site", "year"))),
        ("ed_4hr_performance", _pooled_ed(ds, "ed_4hr_performance")),
        ("ed_mean_time_hours", _pooled_ed(ds, "ed_mean_time_hours")),
    ]:
        mean, lo, hi = confidence_interval(fast_value)
        values = [n[name] for n in naive]
        # Both estimates carry noise: allow the fast CI width plus two naive standard errors.
        tolerance = float(hi - lo) + 2 * np.std(values, ddof=1) / np.sqrt(len(values))
        assert abs(np.mean(values) - float(mean)) < tolerance, name


def _pooled_ed(ds, name):
    """An ED statistic over both sites, weighted by attendances (as the naive model pools)."""
    weight = ds["demand_arrivals"].sel(pod="ae_type1")
    return (ds[name] * weight).sum(("site", "year")) / weight.sum(("site", "year"))


def test_dataset_shape_units_and_provenance(both_engines):
    ds = both_engines["fast"]
    assert ds.sizes["replication"] == 2 and ds.sizes["year"] == 1 and ds.sizes["site"] == 2
    assert ds["activity"].dims == ("replication", "year", "site", "pod")
    assert ds["bed_occupancy_mean_month"].dims == ("replication", "year", "month", "site")
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units") and var.attrs.get("long_name"), name
    assert ds.attrs["seed_entropy"] == "99"
    assert ds.attrs["replications"] == 2 and ds.attrs["warmup_days"] == 28.0


def test_capacity_is_never_exceeded(both_engines):
    ds = both_engines["fast"]
    assert bool((ds["station_peak"] <= ds["station_capacity"]).all())
    assert float(ds["escalation_bed_days"].sum()) > 0
    assert float(ds["elective_cancellations"].sum()) > 0


def test_little_sample_path_identity_on_every_station(both_engines):
    ds = both_engines["fast"]
    area, sojourn = ds["little_area_hours"], ds["little_sojourn_hours"]
    rel = np.abs(area - sojourn) / np.maximum(np.abs(area), 1e-12)
    assert float(rel.max()) < 1e-9


def test_little_l_equals_lambda_w_within_one_percent_on_every_station():
    demand = example_demand(("2019/20", "2020/21"), scale=0.25)
    capacity = pressured_capacity(scale=0.25)
    calendar = make_calendar(tuple(demand["year"].values), 28)
    # End the window 60 days before the run does, so everyone arriving in it has left.
    window = np.array([0.0, calendar.month_edges[-1] - 60 * 24])
    for site in ("large_site", "small_site"):
        inputs = sample_site(demand, site, capacity.for_site(site), calendar, root_seed(8), 0)
        records = fast.run_site(inputs)
        for station, (starts, ends) in _stays(inputs, records).items():
            check = little_check(starts, ends, window)
            assert check.exact_rel_error < 1e-9, station
            if check.L > 1e-3:  # a queue that almost never forms has no meaningful ratio
                assert check.rel_error < 0.01, (site, station, check)


def test_warm_up_is_discarded():
    demand, capacity = example_demand(scale=SCALE), pressured_capacity()
    ds = simulate(demand, capacity, seed=5, replications=1, warmup_days=60)
    arrivals = ds["demand_arrivals"].sum(("replication", "year"))
    expected = demand.sum(("year", "month"))
    # Only in-year arrivals are counted: within 5 sd of the Poisson mean, not 60 days more.
    assert bool((np.abs(arrivals - expected) < 5 * np.sqrt(expected) + 1).all())


def test_step_curve_integrates_exactly():
    curve = StepCurve(np.array([0.0, 1.0, 2.0]), np.array([3.0, 2.0, np.inf]))
    # level: 1 on [0,1), 2 on [1,2), 2 on [2,3) (one leaves as one enters), 1 after 3.
    np.testing.assert_allclose(curve.area(np.array([0.0, 2.0, 4.0])), [3.0, 3.0])
    np.testing.assert_allclose(curve.peak(np.array([0.0, 2.0, 4.0])), [2.0, 2.0])


def test_calendar_and_rates():
    calendar = make_calendar(("2019/20",), 0)
    assert calendar.month_edges[-1] == 366 * 24  # 2019/20 includes 29 February 2020
    assert calendar.day_dow[0] == 0  # 1 April 2019 was a Monday
    monthly = np.arange(1.0, 13.0) * 100
    rates = hourly_rates(calendar, monthly, "ed")
    sums = np.add.reduceat(rates, (calendar.month_edges[:-1]).astype(int))
    np.testing.assert_allclose(sums, monthly)
    slots = clinic_slots(calendar, 52.0)
    assert np.histogram(slots, bins=np.arange(0, 366 * 24, 168.0))[0].tolist() == [52] * 52


def test_confidence_interval_matches_the_t_formula():
    data = xr.DataArray([1.0, 2.0, 3.0, 4.0], dims="replication")
    mean, lo, hi = confidence_interval(data)
    half = 3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert float(mean) == 2.5
    np.testing.assert_allclose([float(lo), float(hi)], [2.5 - half, 2.5 + half])


def test_bad_inputs_are_refused_with_named_fields():
    demand = example_demand(scale=SCALE)
    capacity = example_capacity(SCALE)
    with pytest.raises(ValueError, match="engine"):
        simulate(demand, capacity, seed=1, engine="gpu")
    with pytest.raises(ValueError, match="replications"):
        simulate(demand, capacity, seed=1, replications=0)
    with pytest.raises(ValueError, match="ed_cubicles"):
        DesCapacity(ed_cubicles=-1, utc_cubicles=1, acute_beds=1)
    with pytest.raises(ValueError, match="elective_inpatient_share"):
        DesCapacity(ed_cubicles=1, utc_cubicles=1, acute_beds=1, elective_inpatient_share=2)
    with pytest.raises(ValueError, match="acute_beds has no value for site"):
        simulate(demand, DesCapacity(ed_cubicles=1, utc_cubicles=1, acute_beds={"x": 1}), seed=1)
    with pytest.raises(ValueError, match="consecutive"):
        simulate(example_demand(("2019/20", "2021/22")), capacity, seed=1)
    with pytest.raises(ValueError, match="dims"):
        simulate(demand.rename(site="org"), capacity, seed=1)
    with pytest.raises(ValueError, match="unknown pod"):
        simulate(demand.assign_coords(pod=["x", *demand["pod"].values[1:]]), capacity, seed=1)


def test_confidence_interval_stays_inside_the_bounds_given():
    counts = xr.DataArray([0.0, 0.0, 300.0], dims="replication")
    mean, lo, hi = confidence_interval(counts)
    assert float(lo) < 0  # the t interval of a skewed count runs below zero...
    bounded_mean, bounded_lo, bounded_hi = confidence_interval(counts, bounds=(0.0, None))
    assert float(bounded_lo) == 0.0  # ...the bounded one stops at zero
    assert float(bounded_hi) == float(hi) and float(bounded_mean) == float(mean)
    shares = xr.DataArray([[0.99, 1.0, 1.0], [0.2, 0.5, 0.8]], dims=("site", "replication"))
    _, lo, hi = confidence_interval(shares, bounds=(0.0, xr.DataArray([1.0, 0.6], dims="site")))
    np.testing.assert_array_less(hi.values, [1.0 + 1e-12, 0.6 + 1e-12])
    assert float(hi[1]) == 0.6


def test_performance_intervals_are_bounded_and_capped_peaks_say_so():
    demand, capacity = example_demand(scale=SCALE), pressured_capacity()
    ds = simulate(demand, capacity, seed=99, replications=3)
    # Cancellations vary enough across three replications for a t interval to go negative.
    assert float(confidence_interval(ds["elective_cancellations"])[1].min()) < 0
    summary = performance_summary(ds)
    for name in (
        "elective_cancellations",
        "escalation_bed_days",
        "op_waiting_list",
        "ed_mean_time_hours",
        "bed_occupancy_mean",
        "bed_occupancy_peak",
    ):
        assert float(summary[f"des_{name}_lower"].min()) >= 0, name
    for name in ("ed_4hr_performance", "rtt_18wk_performance"):
        assert float(summary[f"des_{name}_upper"].max()) <= 1, name
    beds = ds["station_capacity"].sel(station="acute_beds").max("replication")
    assert bool((summary["des_bed_occupancy_peak_upper"] <= beds).all())
    # Every replication fills every bed at its peak: the cap, and the share at it, say so.
    np.testing.assert_array_equal(summary["des_bed_occupancy_peak_cap"], beds)
    np.testing.assert_array_equal(summary["des_bed_occupancy_peak_at_cap"], 1.0)
