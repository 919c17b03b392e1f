"""Heavy work off the server's event loop: a small pool of worker processes.

One ``panel serve`` process serves every browser session on one event loop. A
model run computed in a callback holds that loop (and, being mostly Python,
the interpreter lock), so while one session reran a long horizon every other
session's page waited. The what-if page therefore sends each run to a worker
*process* (shared by all sessions, started once per server) and awaits the answer:
the event loop keeps serving other sessions meanwhile.

Workers return only what the page draws (years, system surplus, the organisation
table), never the whole result dataset: a small message, quick to send back.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

WORKERS = int(os.environ.get("SEFTON_DASHBOARD_WORKERS", "2"))
"""Worker processes for model runs: the machine's cores are shared with the page work."""

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_started = False


def _warm() -> None:
    """Load the baseline and the intervention library once per worker."""
    from dashboards import store

    store.baseline()
    store.intervention_library()


def pool() -> ProcessPoolExecutor:
    """The server's worker pool, started on first use (``spawn``: no forked event loop)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm,
            )
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def start() -> None:
    """Start the workers now (each loads the baseline), so the first run need not wait.

    Only the first call does anything: later sessions find the workers running.
    """
    global _started
    with _lock:
        if _started:
            return
        _started = True
    executor = pool()
    for _ in range(WORKERS):
        executor.submit(_warm)


def whatif_run(scenario_json: dict[str, Any]) -> dict[str, Any]:
    """Run one what-if scenario (analytic, one draw, no bridge) in a worker.

    Parameters
    ----------
    scenario_json : dict
        ``Scenario.model_dump(mode="json")`` of a validated scenario.

    Returns
    -------
    dict
        ``years`` (list of str), ``system`` (system surplus by year, GBP m) and
        ``table`` (surplus by organisation and year, GBP m, a DataFrame).
    """
    from dashboards import store
    from sefton_finance import report
    from sefton_finance.api import run
    from sefton_finance.config.scenario import Scenario

    scenario = Scenario.model_validate(scenario_json)
    ds = run(scenario, store.baseline(), with_bridge=False)
    return {
        "years": [str(y) for y in ds.year.values],
        "system": [float(v) / report.GBP_M for v in ds["system_surplus"].values],
        "table": report.organisation_table(ds),
    }


async def run_whatif(scenario_json: dict[str, Any]) -> dict[str, Any]:
    """:func:`whatif_run` in a worker process, awaited without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool(), whatif_run, scenario_json)
