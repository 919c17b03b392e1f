"""Monte Carlo: sampled levers, seeds, and running draws locally or on a Dask cluster.

What an interval means
----------------------
A lever written as an interval ``[low, high]`` is the central 80% of a normal
distribution: ``low`` and ``high`` are its 10th and 90th percentiles, so the mean
is the midpoint and the standard deviation ``(high - low) / (2 x 1.2816)``. One
draw in five falls outside the interval, as the evidence behind most ranges
(published ranges of effect, local estimates of cost) is itself a plausible
range, not a hard limit. Samples are then clipped to what the lever can be:

- shares (intervention ``effect`` and ``eligible_share``, ``finance.efficiency_*``): ``[0, 1]``;
- costs (``setup_cost``, ``recurring_cost``) and an intervention's ``reach``: 0 to ``MAX_PEOPLE``;
- growth and inflation rates: above -100%, at most ``MAX_GROWTH`` (+100%), the bounds a
  scenario file is held to (:mod:`sefton_finance.config.levers`).

Clipping piles the tail on the bound (for ``effect: [0.0, 0.01]`` about a
third of draws have no effect at all), which is what "the programme may
achieve nothing" means.

Draws and seeds
---------------
Draw 0 is the principal run: every lever at its central value. Draw ``k >= 1``
uses standard normal number ``k`` of the lever's own stream. Each lever's stream
is spawned from the scenario seed and a stable hash (SHA-256) of the lever's
key, never from its position in a list: so the same lever gets the same random
numbers in every scenario (common random numbers), adding an intervention does
not reshuffle the others, a zero-effect scenario differs from do-nothing by
exactly zero in every draw, and 100 draws are the first 100 of 1,000.
Parameter streams (``PARAMETER_STREAM``) are kept apart from the discrete-event
model's stochastic replications (``REPLICATION_STREAM``, see
:mod:`sefton_finance.seeds`).

Execution
---------
The analytic pipeline is vectorised over draws (levers are DataArrays with a
``draw`` dim), so draws run in chunks of ``chunk_size``: in this process, in
local worker processes, or on an existing ``dask.distributed`` cluster. The
chunks are the same whichever way they run, so results are bit-identical.

On the discrete-event path (``capacity.method: des``) each draw of a chunk runs
the scenario's ``capacity.replications`` replications of the hospital model, the
plan and the scenario on the same patients (seeded by the draw's number: see
:func:`sefton_finance.seeds.replication_seed`), so a draw's numbers depend on
neither the chunk nor the worker that ran it. The spread across draws is the
parameter uncertainty, the spread across a draw's replications the stochastic
uncertainty (:mod:`sefton_finance.model.congestion`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from pydantic import ValidationError
from scipy.stats import norm

from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.config.levers import MAX_COST, MAX_GROWTH, MAX_PEOPLE, bounds, is_uncertain
from sefton_finance.config.scenario import Scenario, scenario_levers
from sefton_finance.errors import ScenarioError, describe_validation_error
from sefton_finance.interventions import Intervention, resolve_cached, resolve_interventions
from sefton_finance.model.congestion import combine_overload
from sefton_finance.model.context import principal_levers
from sefton_finance.model.run import run_model
from sefton_finance.results import in_design_order
from sefton_finance.seeds import standard_normals
from sefton_finance.stamp import stamp as stamp_result

INTERVAL_COVERAGE = 0.80
"""Probability that a lever falls inside its written interval (central 80% of a normal)."""
Z_INTERVAL = float(norm.ppf(0.5 + INTERVAL_COVERAGE / 2))
"""Standard normal quantile of the interval's ends (1.2816)."""
CHUNK_SIZE = 250
"""Draws per chunk: one pipeline call (about 300 MB of working memory at 250 draws)."""
DES_CHUNK_SIZE = 4
"""Draws per chunk on the discrete-event path: each draw runs its own replications (seconds
each), so small chunks keep every worker busy; the planning point's replications run once
per chunk, so not one draw a chunk."""

Progress = Callable[[int, int], None]
"""``progress(draws_done, draws_total)``."""


def lever_intervals(
    scenario: Scenario, interventions: Sequence[Intervention] | None = None
) -> dict[str, tuple]:
    """Every lever of a scenario as ``(low, high)``, keyed as in :func:`pipeline.principal_levers`.

    Plain numbers give ``(x, x)``; :func:`uncertain_levers` keeps the intervals.
    """
    interventions = resolve_interventions(scenario) if interventions is None else interventions
    return {key: bounds(lever) for key, lever in scenario_levers(scenario, interventions).items()}


def uncertain_levers(
    scenario: Scenario, interventions: Sequence[Intervention] | None = None
) -> dict[str, tuple]:
    """The levers written as intervals (the ones sampled), ``key -> (low, high)``."""
    return {
        key: pair
        for key, pair in lever_intervals(scenario, interventions).items()
        if is_uncertain(pair)
    }


def lever_limits(key: str) -> tuple[float, float]:
    """What a lever can be: samples are clipped to this range."""
    if key.endswith((".effect", ".eligible_share")) or key == "finance.stranded_share":
        return 0.0, 1.0
    if key in ("finance.efficiency_requirement", "finance.efficiency_delivered"):
        return 0.0, float(np.nextafter(1.0, 0.0))
    if key.endswith("_cost"):
        return 0.0, MAX_COST
    if key.endswith(".reach"):
        return 0.0, MAX_PEOPLE
    return float(np.nextafter(-1.0, 0.0)), MAX_GROWTH


def sample_lever(seed: int, key: str, low: float, high: float, start: int, stop: int) -> np.ndarray:
    """Values of one interval lever for draws ``start .. stop-1``, drawn on its own."""
    return lever_values(key, low, high, standard_normals(seed, key, stop)[start:], start)


def lever_values(key: str, low: float, high: float, z: np.ndarray, start: int) -> np.ndarray:
    """An interval lever's values from standard normal draws ``z`` (the first is draw ``start``)."""
    centre = 0.5 * (low + high)
    spread = (high - low) / (2 * Z_INTERVAL)
    values = centre + spread * z
    lowest, highest = lever_limits(key)
    values = np.clip(values, lowest, highest)
    if start == 0:
        values[0] = centre  # the principal run is exactly the central value
    return values


def sample_levers(
    scenario: Scenario,
    start: int,
    stop: int,
    interventions: Sequence[Intervention] | None = None,
) -> dict[str, Any]:
    """Lever values for draws ``start .. stop-1``.

    Interval levers become DataArrays with a ``draw`` dim (labelled with the draw
    numbers); plain numbers stay floats, so work that no interval touches is not
    repeated per draw.
    """
    interventions = resolve_interventions(scenario) if interventions is None else interventions
    levers: dict[str, Any] = principal_levers(scenario, interventions)
    draw = np.arange(start, stop)
    intervals = uncertain_levers(scenario, interventions)
    normals = correlated_normals(scenario, list(intervals), stop)
    for key, (low, high) in intervals.items():
        values = lever_values(key, low, high, normals[key][start:], start)
        levers[key] = xr.DataArray(values, dims="draw", coords={"draw": draw})
    return levers


def correlated_normals(scenario: Scenario, keys: Sequence[str], stop: int) -> dict[str, np.ndarray]:
    """Standard normal draws ``0 .. stop-1`` of each uncertain lever, correlated as the
    scenario's ``uncertainty.correlations`` say.

    Each lever keeps its own stream (common random numbers); levers that move together
    are mixed through the Cholesky factor of their correlation matrix, in the order the
    scenario lists them, so the first keeps its own draws exactly.

    Raises
    ------
    ValueError
        If a correlation names a lever that is not an interval of the scenario, or the
        correlations together are impossible (not positive definite).
    """
    normals = {key: standard_normals(scenario.seed, key, stop) for key in keys}
    pairs = scenario.uncertainty.correlations
    if not pairs:
        return normals
    linked: list[str] = []
    for pair in pairs:
        for key in pair.levers:
            if key not in normals:
                raise ValueError(
                    f"uncertainty.correlations: {key!r} is not a lever written as an interval "
                    f"in this scenario (intervals: {', '.join(keys) or 'none'})"
                )
            if key not in linked:
                linked.append(key)
    matrix = np.eye(len(linked))
    for pair in pairs:
        i, j = (linked.index(k) for k in pair.levers)
        matrix[i, j] = matrix[j, i] = pair.rho
    try:
        factor = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(
            "uncertainty.correlations: these correlations cannot hold together "
            "(the correlation matrix is not positive definite)"
        ) from None
    mixed = factor @ np.stack([normals[k] for k in linked])
    normals.update({key: mixed[i] for i, key in enumerate(linked)})
    return normals


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""glibc ``mallopt`` options: free memory kept before it is returned to the system, and the
size from which an allocation gets its own ``mmap``."""
HEAP_THRESHOLD = 64 * 2**20
"""Allocations below 64 MiB come from (and go back to) the heap, however the process was
started: see :func:`keep_freed_memory`."""
_heap_tuned = False


def keep_freed_memory() -> None:
    """Let this process reuse freed memory for its large temporary arrays (Linux, glibc).

    A Dask nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``; any such
    variable turns off glibc's adaptive thresholds, so every array of more than
    128 KiB is mapped from the system and unmapped when freed. The discrete-event
    statistics allocate and free many arrays of a few megabytes per site-year, and
    in such a worker a draw took 2.3x the time (system time 7.1 s against 0.4 s for
    two draws of the DES place plan, 25x the page faults). Fixed thresholds of
    :data:`HEAP_THRESHOLD` restore the heap's reuse; a process keeps at most that
    much freed memory. Does nothing where ``mallopt`` is not available.
    """
    global _heap_tuned
    if _heap_tuned or not sys.platform.startswith("linux"):
        return
    _heap_tuned = True
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, HEAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, 2 * HEAP_THRESHOLD)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def run_draws(
    scenario: Scenario,
    baseline: Baseline | str | Path | None,
    start: int,
    stop: int,
    with_bridge: bool = True,
) -> xr.Dataset:
    """One chunk: draws ``start .. stop-1`` through the vectorised pipeline.

    Every variable gains a ``draw`` dim (labelled ``start .. stop-1``), whether or
    not it varies. ``baseline`` may be a directory, so a worker loads its own copy.
    """
    if scenario.capacity.method == "des":
        keep_freed_memory()
    if baseline is None:
        baseline = load_baseline(scenario.baseline)
    elif isinstance(baseline, str | Path):
        baseline = load_baseline(baseline)
    # Remembered per process (the library is read once, not once per chunk).
    interventions = resolve_cached(scenario)
    levers = sample_levers(scenario, start, stop, interventions)
    ds = run_model(scenario, baseline, levers, interventions, with_bridge)
    # The values each draw ran with, so a result says what made every draw.
    keys = list(uncertain_levers(scenario, interventions))
    sampled = np.array([np.broadcast_to(levers[k], stop - start) for k in keys]).T
    ds["lever_value"] = xr.DataArray(
        sampled.reshape(stop - start, len(keys)),
        dims=("draw", "lever"),
        coords={"lever": keys},
        attrs={
            "units": "as the lever (fraction, or GBP for costs)",
            "long_name": "Value of each uncertain lever in the draw (scenario field path)",
        },
    )
    draw = xr.DataArray(np.arange(start, stop), dims="draw")
    expanded = {}
    for name, array in ds.data_vars.items():
        if "draw" not in array.dims:
            array = array.expand_dims(draw=stop - start)
        expanded[name] = array.assign_coords(draw=draw)
    out = xr.Dataset(expanded, attrs=ds.attrs)
    return in_design_order(out)


def surplus_draws(
    scenario: Scenario, baseline: Baseline, draws: int, organisation: str | None = None
) -> np.ndarray:
    """Each draw's surplus by year, ``(draw, year)``: the numbers :func:`run_monte_carlo`
    gives (the same chunks, levers and model), without labelling, expanding or stamping
    a result. For searches that evaluate many settings and keep one number of each.

    Parameters
    ----------
    scenario : Scenario
        An analytic scenario (the discrete-event path runs through :func:`run_monte_carlo`).
    baseline : Baseline
    draws : int
    organisation : str, optional
        An organisation code; default the system.
    """
    if scenario.capacity.method == "des":
        raise ValueError("surplus_draws is the analytic path; run a DES scenario in full")
    interventions = resolve_cached(scenario)
    parts = []
    for start, stop in chunks(draws, CHUNK_SIZE):
        levers = sample_levers(scenario, start, stop, interventions)
        ds = run_model(scenario, baseline, levers, interventions, with_bridge=False)
        chosen = (
            ds["system_surplus"] if organisation is None else ds["surplus"].sel(org=organisation)
        )
        values = chosen.transpose(..., "year").values
        parts.append(np.broadcast_to(values, (stop - start, values.shape[-1])))
    return np.concatenate(parts)


_SEARCH: dict[str, Any] = {}
"""The baseline and options of :func:`surplus_search`, inherited by forked workers."""


@contextmanager
def surplus_search(
    baseline: Baseline,
    draws: int,
    organisation: str | None = None,
    workers: int | None = None,
) -> Iterator[Callable[[Sequence[Scenario]], list[np.ndarray]]]:
    """A search's evaluator: a function from several scenarios to each one's
    :func:`surplus_draws`, evaluated side by side in one pool of worker processes kept
    for the whole search.

    Each scenario's numbers are those of its own call (the same chunks, levers and
    model); workers are forked, so they share the loaded baseline and library rather
    than reading them again. Without ``fork`` (not Linux) or with one worker, they run
    here one after another.
    """

    def here(scenarios: Sequence[Scenario]) -> list[np.ndarray]:
        return [surplus_draws(s, baseline, draws, organisation) for s in scenarios]

    workers = default_workers() if workers is None else workers
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield here
        return
    _SEARCH.update(baseline=baseline, draws=draws, organisation=organisation)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:

            def side_by_side(scenarios: Sequence[Scenario]) -> list[np.ndarray]:
                if len(scenarios) <= 1:
                    return here(scenarios)
                return pool.map(_surplus_draws_job, scenarios, chunksize=1)

            yield side_by_side
    finally:
        _SEARCH.clear()


def _surplus_draws_job(scenario: Scenario) -> np.ndarray:
    return surplus_draws(scenario, _SEARCH["baseline"], _SEARCH["draws"], _SEARCH["organisation"])


def chunks(draws: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of draws."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    return [(start, min(start + chunk_size, draws)) for start in range(0, draws, chunk_size)]


def default_workers() -> int:
    """Local worker processes: one per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_monte_carlo(
    scenario: Scenario,
    baseline: Baseline | None = None,
    draws: int | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    with_bridge: bool = True,
    scenario_text: str | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """Run a scenario over Monte Carlo draws and stamp provenance.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged baseline. Workers load it from its directory.
    draws : int, optional
        Default: ``scenario.draws``. Draw 0 is the principal run.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler (default: the
        ``DASK_SCHEDULER_ADDRESS`` environment variable; unset means local).
    workers : int, optional
        Local worker processes (default one per core; 1 runs in this process).
    chunk_size : int, optional
        Draws per task (default :data:`CHUNK_SIZE`, or :data:`DES_CHUNK_SIZE` on the
        discrete-event path). The same chunks run locally or on a cluster, so the
        numbers are bit-identical either way.
    with_bridge : bool
        Attribute the change in surplus to each intervention in every draw (one
        extra evaluation per intervention: about 5x the time of the run without).
    scenario_text : str, optional
        The scenario file's text (recorded and hashed).
    progress : callable, optional
        Called with ``(draws_done, draws_total)`` as chunks finish.

    Returns
    -------
    xarray.Dataset
        Results with a ``draw`` dim, dims in the design's order.
    """
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    draws = scenario.draws if draws is None else draws
    if chunk_size is None:
        chunk_size = DES_CHUNK_SIZE if scenario.capacity.method == "des" else CHUNK_SIZE
    parts = chunks(draws, chunk_size)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    results: dict[int, xr.Dataset] = {}
    done = 0

    def finished(start: int, stop: int, ds: xr.Dataset) -> None:
        nonlocal done
        results[start] = ds
        done += stop - start
        if progress is not None:
            progress(done, draws)

    if scheduler is not None:
        _run_on_cluster(scheduler, scenario, baseline, parts, with_bridge, finished)
    else:
        workers = min(default_workers() if workers is None else workers, len(parts))
        if workers <= 1:
            for start, stop in parts:
                finished(start, stop, run_draws(scenario, baseline, start, stop, with_bridge))
        else:
            jobs = [
                (scenario, str(baseline.directory), start, stop, with_bridge)
                for start, stop in parts
            ]
            # Leaving the block (done, an error, Ctrl-C, SIGTERM made SystemExit) terminates
            # the workers at once, rather than waiting for the chunks still queued.
            with multiprocessing.Pool(
                workers, initializer=end_with_parent, initargs=(os.getpid(),)
            ) as pool:
                for start, stop, ds in pool.imap_unordered(_run_chunk, jobs):
                    finished(start, stop, ds)
    ordered = [results[start] for start, _ in parts]
    combined = xr.concat(ordered, dim="draw") if len(parts) > 1 else results[0]
    # Each chunk's overload warning speaks of its own draws: say it of them all.
    combine_overload(ordered, combined)
    return stamp(combined, scenario, baseline, draws, scenario_text, chunk_size)


PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process receives when its parent dies."""
PARENT_POLL_SECONDS = 1.0
"""How often a worker checks that its parent is alive (where ``prctl`` is not available)."""


def end_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` does, even by ``kill -9``.

    On Linux the kernel kills the worker when its parent dies (``PR_SET_PDEATHSIG``);
    everywhere a daemon thread also checks every :data:`PARENT_POLL_SECONDS` that the
    parent is still this process's parent, since a ``kill -9`` runs no cleanup in it.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    # The parent may have died before the kernel was told.
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _run_chunk(job: tuple) -> tuple[int, int, xr.Dataset]:
    """One chunk in a local worker: ``(start, stop, dataset)``."""
    scenario, directory, start, stop, with_bridge = job
    return start, stop, run_draws(scenario, directory, start, stop, with_bridge)


def _run_on_cluster(
    address: str,
    scenario: Scenario,
    baseline: Baseline,
    parts: Sequence[tuple[int, int]],
    with_bridge: bool,
    finished: Callable[[int, int, xr.Dataset], None],
) -> None:
    """Submit chunks to an existing dask.distributed scheduler and collect them as they finish."""
    from dask.distributed import Client, as_completed

    # Not the process default: two runs at once would each save and restore dask's global
    # scheduler setting, and the later restore would leave every later `.compute()` (and
    # xarray's netCDF writer) asking for a client that is gone.
    with Client(address, set_as_default=False) as client:
        directory = str(baseline.directory)
        # Unique per run: two runs of same-named scenarios on one cluster must never share
        # a task key (the scheduler would hand the second run the first one's results).
        run_id = uuid.uuid4().hex
        futures = {}
        for start, stop in parts:
            future = client.submit(
                run_draws,
                scenario,
                directory,
                start,
                stop,
                with_bridge,
                key=f"sefton-{scenario.name}-{run_id}-{start}-{stop}",
            )
            futures[future] = (start, stop)
        for future in as_completed(futures, loop=client.loop):
            start, stop = futures[future]
            finished(start, stop, future.result())


def stamp(
    ds: xr.Dataset,
    scenario: Scenario,
    baseline: Baseline,
    draws: int,
    scenario_text: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> xr.Dataset:
    """Derived views, labels and provenance (as :func:`sefton_finance.stamp.stamp`), plus the
    Monte Carlo conventions: what an interval means, draw 0, chunk size, uncertain levers."""
    return stamp_result(
        ds,
        scenario,
        baseline,
        draws,
        scenario_text,
        extra={
            "interval_convention": f"interval = central {INTERVAL_COVERAGE:.0%} of a normal, clipped to the lever's range",
            "draw_0": "principal run (every lever at its central value)",
            "chunk_size": int(chunk_size),
            "uncertainty_kinds": (
                "parameter: across draws (levers sampled); stochastic: across the "
                f"{scenario.capacity.replications} discrete-event replications within each draw"
                if scenario.capacity.method == "des"
                else "parameter: across draws (levers sampled)"
            ),
            "uncertain_levers": ", ".join(uncertain_levers(scenario)),
            "discount_rate": float(scenario.finance.discount_rate),
        },
    )


def with_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], source: str | Path = "<overrides>"
) -> Scenario:
    """A copy of a scenario with dotted-path values replaced and validated.

    Paths are the scenario file's fields (``finance.cost_inflation``,
    ``capacity.backfill``) or ``interventions.<name>.<parameter>`` for an
    intervention already in the scenario (``interventions.pifu.intensity``).
    Values are validated as in a scenario file: NaN or infinity is refused.

    Raises
    ------
    ScenarioError
        Naming ``source``, the path and the value: a path that does not exist in the
        scenario, or a value the field does not take.
    """
    data = scenario.model_dump(mode="python")
    data["interventions"] = [{"name": use.name, **use.overrides} for use in scenario.interventions]
    for path, value in overrides.items():
        parts = path.split(".")
        if parts[0] == "interventions":
            if len(parts) != 3:
                raise ScenarioError(source, [f"'{path}': write interventions.<name>.<parameter>"])
            matches = [use for use in data["interventions"] if use["name"] == parts[1]]
            if not matches:
                names = ", ".join(use["name"] for use in data["interventions"]) or "none"
                raise ScenarioError(
                    source,
                    [
                        f"'{path}': intervention {parts[1]!r} is not in the scenario (it has: {names})"
                    ],
                )
            matches[0][parts[2]] = value
            continue
        node = data
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(source, [f"'{path}': no field {part!r} in the scenario"])
            node = node[part]
        if not isinstance(node, dict) or (parts[-1] not in node and parts[0] != "growth"):
            raise ScenarioError(source, [f"'{path}': no field {parts[-1]!r} in the scenario"])
        node[parts[-1]] = value
    try:
        updated = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, describe_validation_error(error)) from None
    resolve_interventions(updated, source=source)
    return updated
