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
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

WORKERS = int(os.environ.get("SEFTON_DASHBOARD_WORKERS", "2"))
"""Worker processes for model runs: the machine's cores are shared with the page work."""

_lock = threading.RLock()
_pool: ProcessPoolExecutor | None = None
_started = False


def _warm() -> None:
    """Load the baseline and the intervention library once per worker."""
    from dashboards import store
    from sefton_finance.report.charts import load_holoviews

    store.baseline()
    store.intervention_library()
    load_holoviews()  # seconds of imports, paid before the first Compare page


def _start_worker(server: int) -> None:
    """A worker's start: end with the server, then load what every run needs.

    A server stopped by a signal it does not handle, or killed outright, never shuts
    its pool down, and the workers stayed behind.
    """
    from sefton_finance.montecarlo import end_with_parent

    end_with_parent(server)
    _warm()


def pool() -> ProcessPoolExecutor:
    """The server's worker pool, started on first use (``spawn``: no forked event loop)."""
    global _pool
    with _lock:
        # A worker that died (killed, out of memory) breaks the whole pool: start a new one.
        if _pool is not None and getattr(_pool, "_broken", False):
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
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
    from sefton_finance.api import run_surpluses
    from sefton_finance.config.scenario import Scenario

    scenario = Scenario.model_validate(scenario_json)
    baseline = store.baseline(scenario.baseline)
    # Plain arrays: the page draws the ledgers only and saves nothing, and stamping and
    # labelling a result took three quarters of the run.
    run = run_surpluses(scenario, baseline)
    organisations = baseline.organisations
    return {
        "years": run.years,
        "system": [float(v) / report.GBP_M for v in run.system_surplus],
        "table": report.surplus_by_organisation(
            run.years,
            run.surplus,
            run.system_surplus,
            organisations.short_names,
            organisations.in_system,
        ),
    }


async def run_whatif(scenario_json: dict[str, Any]) -> dict[str, Any]:
    """:func:`whatif_run` in a worker process, awaited without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool(), whatif_run, scenario_json)


BASE_RUNS = 32
"""Base-scenario what-if runs kept per server (each a few kB)."""
_base_runs: OrderedDict[str, Future] = OrderedDict()


async def run_base(scenario_json: dict[str, Any]) -> dict[str, Any]:
    """:func:`run_whatif` of a base scenario, computed once per server for all sessions.

    Every session that opens the what-if page first runs its base, which the page
    compares every move against; the same base gives the same numbers (one central
    run, fixed seed), so later sessions need not wait for it. The key holds the
    intervention library's fingerprint: an edited model file is a new run.
    """
    import json

    from sefton_finance.interventions import library_fingerprint

    key = json.dumps([scenario_json, library_fingerprint()], sort_keys=True, default=str)
    with _lock:
        future = _base_runs.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = pool().submit(whatif_run, scenario_json)
            _base_runs[key] = future
        _base_runs.move_to_end(key)
        while len(_base_runs) > BASE_RUNS:
            _base_runs.popitem(last=False)
    return await asyncio.wrap_future(future)


# ---------------------------------------------------------------- the Compare page

CACHE_SIZE = 16
"""Compare-page views kept per server (each a few hundred kB of chart JSON)."""
_views: OrderedDict[tuple, Future] = OrderedDict()


def compare_view(paths: list[str], year: str | None, comparator: str | None) -> list[dict]:
    """The board-pack sections of some results, with each chart rendered to bokeh JSON.

    Runs in a worker: building the HoloViews charts and rendering them to bokeh takes
    seconds, which on the server's event loop would hold every session. The page then
    draws each chart in the browser from its JSON (the charts are static: pan, zoom and
    hover run in the browser), so the server never renders a chart per session.

    Returns
    -------
    list of dict
        One per section: ``title``, ``explanation``, ``html``, ``key``, and for a chart
        ``item`` (a bokeh JSON item, as text) and ``height`` (pixels).
    """
    import json

    from bokeh.embed import json_item
    from bokeh.models import Plot

    from dashboards import store
    from sefton_finance import report
    from sefton_finance.report.charts import load_holoviews

    hv = load_holoviews()
    datasets = distinct([(Path(p), store.load_result(Path(p))) for p in paths])
    out = []
    for section in report.pack_sections(datasets, year=year, width=None, comparator=comparator):
        item = height = None
        if section.figure is not None:
            model = hv.render(section.figure, backend="bokeh")
            # HoloViews asks for WebGL; for charts of tens of points a 2D canvas draws
            # sooner, and far sooner where the browser has no GPU and emulates WebGL.
            for plot in model.select({"type": Plot}):
                plot.output_backend = "canvas"
            height = getattr(model, "height", None)
            item = json.dumps(json_item(model))
        out.append(
            {
                "title": section.title,
                "explanation": section.explanation,
                "html": section.html,
                "key": section.key,
                "item": item,
                "height": height,
            }
        )
    return out


def distinct(results: list) -> list:
    """The datasets of ``(path, dataset)`` pairs, renamed where two share a scenario name
    (:func:`sefton_finance.report.distinct_names`: a later one takes its file name, as
    the chooser labels it). The files are not changed."""
    from sefton_finance import report

    return report.distinct_names([ds for _, ds in results], [path for path, _ in results])


def _view_key(paths: list[str], year: str | None, comparator: str | None) -> tuple:
    stamped = tuple((p, os.stat(p).st_mtime_ns) for p in paths)
    return (stamped, year, comparator)


async def compare_sections(
    paths: list[str], year: str | None, comparator: str | None
) -> list[dict]:
    """:func:`compare_view` from the server's cache, or computed once in a worker.

    Sessions asking for the same results, year and comparator share one computation
    (an answer in progress is shared too); a rewritten result file is a new key.
    """
    key = _view_key(paths, year, comparator)
    with _lock:
        future = _views.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = pool().submit(compare_view, paths, year, comparator)
            _views[key] = future
        _views.move_to_end(key)
        while len(_views) > CACHE_SIZE:
            _views.popitem(last=False)
    return await asyncio.wrap_future(future)


def compare_ready(paths: list[str], year: str | None, comparator: str | None) -> bool:
    """Whether the Compare-page view of these results is built and cached already."""
    try:
        key = _view_key(paths, year, comparator)
    except OSError:
        return False
    with _lock:
        future = _views.get(key)
        return future is not None and future.done() and future.exception() is None
