"""Two runs on one Dask cluster never share a task: each keeps its own numbers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import xarray as xr

from sefton_finance import montecarlo
from sefton_finance.config.loading import parse_scenario


def _scenario(allocation_growth: float):
    # Same name, different content: the name alone once keyed the cluster's tasks.
    return parse_scenario(
        "name: same_name\n"
        "horizon: {years_ahead: 3}\n"
        "growth: {non_demographic: [0.01, 0.02]}\n"
        f"finance: {{allocation_growth: {allocation_growth}, cost_inflation: [0.02, 0.035]}}\n"
        "seed: 7\n"
    )


@pytest.mark.slow
def test_same_named_scenarios_on_one_cluster_keep_their_own_numbers(baseline):
    from dask.distributed import LocalCluster

    first, second = _scenario(0.01), _scenario(0.05)
    options = {"chunk_size": 10, "with_bridge": False}
    expected = [
        montecarlo.run_monte_carlo(s, baseline, 30, workers=1, **options) for s in (first, second)
    ]
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        # At the same time, as two finance directors would.
        with ThreadPoolExecutor(2) as threads:
            runs = [
                threads.submit(
                    montecarlo.run_monte_carlo,
                    s,
                    baseline,
                    30,
                    scheduler=cluster.scheduler_address,
                    **options,
                )
                for s in (first, second)
            ]
            remote = [run.result() for run in runs]
    # Nothing left behind: later computations in this process still run without a cluster.
    import dask

    assert dask.config.get("scheduler", None) in (None, "threads", "sync", "processes")
    for local, far in zip(expected, remote, strict=True):
        assert far.attrs["scenario_text"] == local.attrs["scenario_text"]
        local.attrs, far.attrs = {}, {}
        xr.testing.assert_identical(local, far)
    assert float(expected[0]["system_surplus"][0, -1]) != float(
        expected[1]["system_surplus"][0, -1]
    )
