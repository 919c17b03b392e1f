"""Benchmark: one replication of one whole-Sefton year, fast engine vs a naive SimPy model.

Journeys counted: every simulated patient (type-1 A&E, UTC, direct NEL
admissions, electives, outpatient first and follow-up appointments) at both
acute sites, warm-up included; NEL admissions through A&E are part of their
A&E journey. The fast figure is the whole ``simulate`` call (sampling, kernels,
statistics, Dataset), best of a few runs after a warm-up call that compiles the
numba kernels or loads them from the cache. ``--simpy`` also times the SimPy
reference engine on the same inputs.

Then one DES year (one replication, fast engine) on the model's own path,
``des.link.run_des`` on the do-nothing activity of the base year, for the packaged
Sefton baseline and for a Cheshire & Merseyside-sized scale test (about 2.7 million
people; each simulated hospital as four trusts, made by
``sefton_finance.baseline.scaling.scale_baseline``, a scale test and not a C&M
financial baseline). Targets (issue 13): Sefton's example year 0.25 s or less and at
least 50x the naive SimPy model; the C&M-size year no more than 10x Sefton's.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.scaling import (
    CHESHIRE_AND_MERSEYSIDE_COPIES,
    CHESHIRE_AND_MERSEYSIDE_POPULATION,
    scale_baseline,
)
from sefton_finance.config.loading import load_scenario
from sefton_finance.des import fast as fast_kernels
from sefton_finance.des import simulate
from sefton_finance.des.example import example_capacity, example_demand
from sefton_finance.des.link import run_des
from sefton_finance.des.naive import simulate_naive

DO_NOTHING = Path(__file__).resolve().parents[1] / "scenarios" / "do_nothing.yaml"


def des_year(baseline, repeat: int) -> tuple[float, object]:
    """Best time of one DES year (one replication) on a baseline's do-nothing base year."""
    activity = run(load_scenario(DO_NOTHING), baseline, with_bridge=False)["activity"]
    activity = activity.isel(year=[0])
    run_des(activity, baseline, seed=0, replications=1, warmup_days=28.0)  # compiled, cached
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        des = run_des(activity, baseline, seed=1, replications=1, warmup_days=28.0)
        times.append(time.perf_counter() - start)
    return min(times), des


def scale_comparison(repeat: int) -> None:
    """One DES year on the Sefton baseline and on the C&M-size scale test."""
    sefton = load_baseline()
    with tempfile.TemporaryDirectory() as work:
        big = load_baseline(
            scale_baseline(
                Path(work) / "cheshire_merseyside",
                population=CHESHIRE_AND_MERSEYSIDE_POPULATION,
                copies=CHESHIRE_AND_MERSEYSIDE_COPIES,
            )
        )
        rows = [("Sefton", sefton, *des_year(sefton, repeat))]
        rows.append(("C&M size (scale test)", big, *des_year(big, repeat)))
    for name, baseline, seconds, des in rows:
        people = float(baseline.population.sum())
        print(
            f"DES year, {name}: {people / 1e6:.2f} M people, {des.sizes['site']} hospitals, "
            f"{des.attrs['journeys_per_replication']:,} journeys: {seconds:.3f} s"
        )
    ratio = rows[1][2] / rows[0][2]
    verdict = "meets" if ratio <= 10 else "MISSES"
    print(f"ratio C&M size / Sefton: {ratio:.1f}x ({verdict} the 10x target)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="timed fast runs (best is shown)")
    parser.add_argument("--simpy", action="store_true", help="also time the SimPy reference engine")
    args = parser.parse_args()
    demand, capacity = example_demand(), example_capacity()

    start = time.perf_counter()
    simulate(example_demand(scale=0.01), example_capacity(scale=0.1), seed=0, replications=1)
    compile_s = time.perf_counter() - start
    hits = sum(
        sum(k.stats.cache_hits.values())
        for k in (fast_kernels.hospital_kernel, fast_kernels.fifo_station, fast_kernels.slot_match)
    )

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        ds = simulate(demand, capacity, seed=1, replications=1, engine="fast")
        times.append(time.perf_counter() - start)
    fast_s = min(times)
    journeys = ds.attrs["journeys_per_replication"]

    start = time.perf_counter()
    naive = simulate_naive(demand, capacity, seed=1)
    naive_s = time.perf_counter() - start

    print(f"journeys per replication-year: {journeys:,}")
    source = "loaded from cache" if hits else "compiled"
    print(f"numba warm-up (kernels {source}): {compile_s:.2f} s (not in the timed figure)")
    print(f"fast engine: {fast_s:.3f} s  ({journeys / fast_s / 1e6:.2f} M journeys/s)")
    print(f"naive SimPy: {naive_s:.2f} s")
    print(f"ratio naive / fast: {naive_s / fast_s:.1f}x (target >= 50x; fast target <= 0.25 s)")
    if args.simpy:
        start = time.perf_counter()
        simulate(demand, capacity, seed=1, replications=1, engine="simpy")
        simpy_s = time.perf_counter() - start
        print(f"SimPy reference engine (same inputs): {simpy_s:.2f} s ({simpy_s / fast_s:.1f}x)")
    occupancy = float(ds["bed_occupancy_mean"].sum())
    four_hour = float(ds["ed_4hr_performance"].mean())
    print(
        f"check: bed occupancy fast {occupancy:.1f} vs naive {naive['bed_occupancy_mean']:.1f}; "
        f"ED 4-hour fast {four_hour:.3f} vs naive {naive['ed_4hr_performance']:.3f}"
    )
    scale_comparison(args.repeat)


if __name__ == "__main__":
    main()
