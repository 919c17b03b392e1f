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
