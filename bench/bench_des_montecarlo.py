"""Benchmark: a nested run, Monte Carlo draws x DES replications x years, locally and on Dask.

The discrete-event place plan (``scenarios/des/place_plan_des.yaml``) with 100 draws,
5 replications and 5 years by default: every draw runs the plan and the scenario
through the hospital model (5 replications each, years chained). Timed in this
process (one worker), then on a two-worker ``LocalCluster`` (processes), checking
that both give identical numbers. Target (issue 13): two workers at least 1.7x one.
The machine must have two free cores for the ratio to mean anything.

Run: ``.venv/bin/python bench/bench_des_montecarlo.py [--draws 100 --replications 5 --years 5]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import xarray as xr

from sefton_finance import montecarlo
from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "des" / "place_plan_des.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--years", type=int, default=5, help="years from the base year on")
    args = parser.parse_args()
    baseline = load_baseline()
    scenario = montecarlo.with_overrides(
        load_scenario(SCENARIO),
        {"capacity.replications": args.replications, "horizon.years_ahead": args.years - 1},
    )
    size = f"{args.draws} draws x {args.replications} replications x {args.years} years"
    # Compile (or load) the kernels before timing.
    montecarlo.run_monte_carlo(scenario, baseline, 1, workers=1, with_bridge=False)

    start = time.perf_counter()
    local = montecarlo.run_monte_carlo(scenario, baseline, args.draws, workers=1, with_bridge=False)
    one = time.perf_counter() - start
    print(f"nested run {size}, in this process (1 worker): {one:.1f} s", flush=True)

    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        # Each worker compiles or loads the kernels once; not part of the comparison.
        montecarlo.run_monte_carlo(
            scenario,
            baseline,
            2,
            scheduler=cluster.scheduler_address,
            chunk_size=1,
            with_bridge=False,
        )
        start = time.perf_counter()
        remote = montecarlo.run_monte_carlo(
            scenario,
            baseline,
            args.draws,
            scheduler=cluster.scheduler_address,
            with_bridge=False,
        )
        two = time.perf_counter() - start
    print(f"nested run {size}, two-worker LocalCluster: {two:.1f} s")
    local.attrs, remote.attrs = {}, {}
    xr.testing.assert_identical(local, remote)
    verdict = "meets" if one / two >= 1.7 else "MISSES"
    print(
        f"speed-up two workers / one: {one / two:.2f}x ({verdict} the 1.7x target); "
        "local and cluster results identical"
    )


if __name__ == "__main__":
    main()
