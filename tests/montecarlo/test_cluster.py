"""Draws on a real dask.distributed cluster give the same numbers as a local run."""

from __future__ import annotations

import pytest
import xarray as xr

from sefton_finance import montecarlo


@pytest.mark.slow
def test_local_cluster_matches_local_run(baseline, place_plan):
    from dask.distributed import LocalCluster

    local = montecarlo.run_monte_carlo(
        place_plan, baseline, 30, workers=1, chunk_size=10, with_bridge=False
    )
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        remote = montecarlo.run_monte_carlo(
            place_plan,
            baseline,
            30,
            scheduler=cluster.scheduler_address,
            chunk_size=10,
            with_bridge=False,
        )
    local.attrs, remote.attrs = {}, {}
    xr.testing.assert_identical(local, remote)


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(baseline, place_plan):
    """Kill a worker process mid-run: its chunks are recomputed elsewhere, same numbers."""
    import os
    import signal
    import threading

    from dask.distributed import Client, LocalCluster

    local = montecarlo.run_monte_carlo(
        place_plan, baseline, 600, workers=1, chunk_size=50, with_bridge=True
    )
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        victim = sorted(client.run(os.getpid).values())[0]
        killer = threading.Timer(1.5, os.kill, args=(victim, signal.SIGKILL))
        killer.start()
        try:
            remote = montecarlo.run_monte_carlo(
                place_plan,
                baseline,
                600,
                scheduler=cluster.scheduler_address,
                chunk_size=50,
                with_bridge=True,
            )
        finally:
            killer.cancel()
        survivors = set(client.run(os.getpid).values())
    assert victim not in survivors, "the worker was not killed during the run"
    local.attrs, remote.attrs = {}, {}
    xr.testing.assert_identical(local, remote)
