"""Benchmark: a nested run, Monte Carlo draws x DES replications x years, locally and on Dask.

The discrete-event place plan (``scenarios/des/place_plan_des.yaml``) with 100 draws,
5 replications and 5 years by default: every draw runs the plan and the scenario
through the hospital model (5 replications each, years chained). Timed in this
process (one worker), then on a two-worker ``LocalCluster`` (processes), checking
that both give identical numbers. Target (issue 13): two workers at least 1.7x one.
The wall-clock ratio needs two free cores; the CPU seconds each side used are printed
too, so that on a shared machine the split of the work can still be judged (the
speed-up two free cores would give is the local CPU time over the busier worker's).

Run: ``.venv/bin/python bench/bench_des_montecarlo.py [--draws 100 --replications 5 --years 5]``.
"""

from __future__ import annotations

import argparse
import resource
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
    parser.add_argument(
        "--chunk-size", type=int, default=None, help="draws per task (default: the DES default)"
    )
    args = parser.parse_args()
    baseline = load_baseline()
    scenario = montecarlo.with_overrides(
        load_scenario(SCENARIO),
        {"capacity.replications": args.replications, "horizon.years_ahead": args.years - 1},
    )
    size = f"{args.draws} draws x {args.replications} replications x {args.years} years"
    # Compile (or load) the kernels before timing.
    montecarlo.run_monte_carlo(scenario, baseline, 1, workers=1, with_bridge=False)

    start, cpu = time.perf_counter(), time.process_time()
    local = montecarlo.run_monte_carlo(
        scenario, baseline, args.draws, workers=1, chunk_size=args.chunk_size, with_bridge=False
    )
    one, local_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"nested run {size}, in this process (1 worker): {one:.1f} s ({local_cpu:.1f} CPU s)",
        flush=True,
    )

    from dask.distributed import Client, LocalCluster

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
        with Client(cluster, set_as_default=False) as client:
            before = client.run(_cpu_seconds)
            start = time.perf_counter()
            remote = montecarlo.run_monte_carlo(
                scenario,
                baseline,
                args.draws,
                scheduler=cluster.scheduler_address,
                chunk_size=args.chunk_size,
                with_bridge=False,
            )
            two = time.perf_counter() - start
            after = client.run(_cpu_seconds)
    used = sorted(after[w] - before[w] for w in after)
    print(
        f"nested run {size}, two-worker LocalCluster: {two:.1f} s "
        f"(workers {', '.join(f'{u:.1f}' for u in used)} CPU s; on two free cores about "
        f"{local_cpu / used[-1]:.2f}x one)"
    )
    local.attrs, remote.attrs = {}, {}
    xr.testing.assert_identical(local, remote)
    verdict = "meets" if one / two >= 1.7 else "MISSES"
    print(
        f"speed-up two workers / one: {one / two:.2f}x ({verdict} the 1.7x target); "
        "local and cluster results identical"
    )


def _cpu_seconds() -> float:
    """CPU seconds this process has used (run on each worker)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
