"""Sensitivity and goal-seek: questions answered by running the model many times.

``tornado`` sets each uncertain lever to its low and high end in turn;
``goal_seek`` finds the intervention intensity that breaks even with a given
probability. Both run through :func:`sefton_finance.api.run`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from sefton_finance.analysis import GBP_M, breakeven_standard_error, with_draw_dim
from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.errors import InputError
from sefton_finance.interventions import resolve_interventions
from sefton_finance.model.context import principal_levers
from sefton_finance.montecarlo import (
    lever_limits,
    surplus_draws,
    surplus_search,
    uncertain_levers,
    with_overrides,
)


def tornado(scenario, baseline=None, year: str | None = None) -> pd.DataFrame:
    """One-way sensitivity of the system surplus in a year to each uncertain lever.

    Each lever written as an interval is set to its low and its high end (the
    interval's 10th and 90th percentiles, clipped to the lever's range) with every
    other lever central. All variants run as one vectorised pipeline call.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
    year : str, optional
        Default: the final year.

    Returns
    -------
    pandas.DataFrame
        One row per lever, largest swing first: ``low``, ``high`` (lever values),
        ``surplus_at_low``, ``surplus_at_high``, ``central`` and ``swing`` (GBP m).
    """
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    interventions = resolve_interventions(scenario)
    intervals = uncertain_levers(scenario, interventions)
    levers = principal_levers(scenario, interventions)
    keys = list(intervals)
    variants = 1 + 2 * len(keys)
    ends = {}
    for i, key in enumerate(keys):
        lowest, highest = lever_limits(key)
        low, high = (float(np.clip(v, lowest, highest)) for v in intervals[key])
        ends[key] = (low, high)
        values = np.full(variants, levers[key], dtype=float)
        values[1 + 2 * i], values[2 + 2 * i] = low, high
        levers[key] = xr.DataArray(values, dims="draw")
    ds = run(scenario, baseline, levers=levers, with_bridge=False, interventions=interventions)
    year = str(ds.year.values[-1]) if year is None else year
    surplus = with_draw_dim(ds["system_surplus"]).sel(year=year).values / GBP_M
    if surplus.size == 1:
        surplus = np.full(variants, surplus[0])
    central = float(surplus[0])
    rows = [
        {
            "lever": key,
            "low": ends[key][0],
            "high": ends[key][1],
            "surplus_at_low": float(surplus[1 + 2 * i]),
            "surplus_at_high": float(surplus[2 + 2 * i]),
            "central": central,
            "swing": abs(float(surplus[2 + 2 * i] - surplus[1 + 2 * i])),
        }
        for i, key in enumerate(keys)
    ]
    frame = pd.DataFrame(
        rows,
        columns=["lever", "low", "high", "surplus_at_low", "surplus_at_high", "central", "swing"],
    )
    frame = frame.set_index("lever").sort_values("swing", ascending=False)
    frame.attrs.update(year=year, units="GBP m (system surplus)")
    return frame


class GoalSeekError(ValueError):
    """The target cannot be reached within the allowed range (the message says the best)."""


def _current(scenario, path: str) -> float | tuple[float, float]:
    """A lever's value in a scenario, by its field path (an intervention's resolved value)."""
    parts = path.split(".")
    if parts[0] == "interventions":
        if len(parts) != 3:
            raise GoalSeekError(f"{path!r}: write interventions.<name>.<parameter>")
        found = {i.name: i for i in resolve_interventions(scenario)}
        if parts[1] not in found:
            raise GoalSeekError(
                f"{path!r}: intervention {parts[1]!r} is not in the scenario "
                f"(it has: {', '.join(found) or 'none'})"
            )
        if not hasattr(found[parts[1]].params, parts[2]):
            raise GoalSeekError(f"{path!r}: {parts[1]} has no parameter {parts[2]!r}")
        return getattr(found[parts[1]].params, parts[2])
    node = scenario
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif hasattr(node, part):
            node = getattr(node, part)
        else:
            raise GoalSeekError(f"{path!r}: no field {part!r} in the scenario")
    if not isinstance(node, (int, float, tuple)):
        raise GoalSeekError(f"{path!r} is not a number or an interval")
    return node


def _scaled(value: float | tuple[float, float], k: float) -> float | list[float]:
    return [float(v) * k for v in value] if isinstance(value, tuple) else float(value) * k


def goal_seek(
    scenario,
    baseline=None,
    *,
    year: str | None = None,
    probability: float = 0.5,
    interventions: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    value_range: tuple[float, float] | None = None,
    draws: int = 200,
    threshold: float = 0.0,
    organisation: str | None = None,
    tolerance: float = 1e-3,
    grid: int = 21,
    workers: int | None = None,
) -> dict:
    """The smallest setting of one or more levers that breaks even with a given probability.

    With one lever and ``value_range``, its value is searched from the low end of the
    range to the high; otherwise every chosen lever is scaled by one common
    multiplier ``k`` from 0 to the largest its bounds allow (intensities are capped
    at 10). The search is bracketed: every grid point is evaluated (``draws`` Monte
    Carlo draws each, common random numbers, so the probability moves only with the
    setting), and the first step up to the target is narrowed down: two points a round
    side by side on the analytic path (a third of the bracket left), bisection on the
    discrete-event path. A stepped cost can make
    the probability fall again further on: the answer is the smallest setting that
    reaches the target, and ``holds_above`` says whether every larger grid point does.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
    year : str, optional
        Default: the final year.
    probability : float
        Required probability, in (0, 1].
    interventions : sequence of str, optional
        Interventions whose intensity to scale (default: all, unless ``levers``).
    levers : sequence of str, optional
        Lever field paths to move instead (``finance.efficiency_delivered``,
        ``interventions.pifu.effect``).
    value_range : (float, float), optional
        With one lever: the values to search, low to high.
    draws : int
        Monte Carlo draws per evaluation.
    threshold : float
        Surplus counted as break-even (GBP).
    organisation : str, optional
        An organisation code; default the system.
    tolerance : float
        Precision of the answer, as a share of the range searched.
    grid : int
        Grid points evaluated before the first step up to the target is narrowed down.
    workers : int, optional
        Processes evaluating search points side by side (default one per core; 1: here).

    Returns
    -------
    dict
        ``values`` (path -> value), ``multiplier`` (``None`` with ``value_range``),
        ``intensities`` (intervention -> intensity, when intensities were moved),
        ``probability``, ``standard_error``, ``year``, ``draws``, ``threshold``,
        ``scenario`` (the scenario at the answer), ``evaluations``, ``holds_above``,
        ``activity_change`` (GBP-free: activity units by pod in the year, against the
        scenario as written), ``spend_year`` and ``spend_total`` (intervention cost, GBP).

    Raises
    ------
    GoalSeekError
        If the levers are unknown, or the target is not reached anywhere in the range
        (the message gives the best probability reached and where).
    """
    if not 0 < probability <= 1:
        raise GoalSeekError(f"probability must be in (0, 1], got {probability}")
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    year = scenario.years[-1] if year is None else year
    if year not in scenario.years:
        raise GoalSeekError(
            f"year {year!r} is outside the horizon {scenario.years[0]} to {scenario.years[-1]}"
        )
    present = [i.name for i in resolve_interventions(scenario)]
    if levers is None:
        names = present if interventions is None else list(interventions)
        missing = [n for n in names if n not in present]
        if not names or missing:
            raise GoalSeekError(
                f"goal-seek needs interventions in the scenario; not found: "
                f"{missing or 'none given'}; the scenario has: {', '.join(present) or 'none'}"
            )
        levers = [f"interventions.{n}.intensity" for n in names]
    current = {path: _current(scenario, path) for path in levers}
    if value_range is not None:
        if len(levers) != 1:
            raise GoalSeekError("a value range needs exactly one lever")
        low, high = map(float, value_range)
        setting = lambda x: {levers[0]: x}  # noqa: E731
        multiplier = False
    else:
        for path, value in current.items():
            if max(abs(v) for v in (value if isinstance(value, tuple) else (value,))) == 0:
                current[path] = 1.0 if path.endswith(".intensity") else value
        caps = [
            10.0 / max(value if isinstance(value, tuple) else (value,))
            for path, value in current.items()
            if path.endswith(".intensity")
        ]
        low, high = 0.0, min(caps) if caps else 2.0
        setting = lambda k: {p: _scaled(v, k) for p, v in current.items()}  # noqa: E731
        multiplier = True
    cache: dict[float, float] = {}
    column = scenario.years.index(year)
    # Search points keep only each draw's surplus; the discrete-event path and a single
    # run go through the full run.
    analytic = scenario.capacity.method != "des" and draws > 1

    def varied(x: float):
        try:
            return with_overrides(scenario, setting(x))
        except (ValueError, InputError) as error:
            raise GoalSeekError(f"at {x:g}: {error}") from None

    def full_run(x: float) -> xr.Dataset:
        return run(varied(x), baseline, draws=draws, workers=1, with_bridge=False)

    def principal_run(chosen) -> xr.Dataset:
        return run(chosen, baseline, draws=1, workers=1, with_bridge=False)

    def share(values: np.ndarray) -> float:
        return float(np.mean(values >= threshold))

    def evaluate(x: float) -> float:
        if x not in cache:
            if analytic:
                values = surplus_draws(varied(x), baseline, draws, organisation)[:, column]
            else:
                ds = full_run(x)
                chosen = (
                    ds["system_surplus"]
                    if organisation is None
                    else ds["surplus"].sel(org=organisation)
                )
                values = with_draw_dim(chosen).sel(year=year).values
            cache[x] = share(values)
        return cache[x]

    def reached(x: float) -> bool:
        # At the required probability counts as reached (half a draw's slack).
        return evaluate(x) >= probability - 0.5 / draws

    points = np.linspace(low, high, max(grid, 2))
    # Points per bracketing round: two on the analytic path (evaluated side by side, the
    # bracket shrinks to a third a round), one on the discrete-event path (run in full,
    # one at a time). Fixed by the scenario, not the machine, so the answer is too.
    per_round = 2 if analytic else 1
    pool = workers if analytic else 1
    with surplus_search(baseline, draws, organisation, pool) as side_by_side:

        def evaluate_all(settings: Sequence[float]) -> None:
            wanted = [float(x) for x in settings if float(x) not in cache]
            if analytic:
                found = side_by_side([varied(x) for x in wanted])
                cache.update({x: share(v[:, column]) for x, v in zip(wanted, found, strict=True)})
            for x in wanted:
                evaluate(x)

        # The grid's points do not depend on each other: evaluated side by side.
        evaluate_all(points)
        hits = [x for x in points if reached(float(x))]
        if not hits:
            best = max(points, key=lambda x: evaluate(float(x)))
            raise GoalSeekError(
                f"not reached between {low:g} and {high:g}: the best is a "
                f"{evaluate(float(best)):.0%} chance of breaking even (at {best:g}"
                f"{'x' if multiplier else ''}), below the {probability:.0%} asked for"
            )
        first = float(hits[0])
        index = int(np.flatnonzero(points == first)[0])
        if index > 0:
            below, above = float(points[index - 1]), first
            while above - below > tolerance * (high - low):
                step = (above - below) / (per_round + 1)
                inside = [below + step * (i + 1) for i in range(per_round)]
                evaluate_all(inside)
                crossed = next((x for x in inside if reached(x)), None)
                passed = [x for x in inside if crossed is None or x < crossed]
                below = passed[-1] if passed else below
                above = above if crossed is None else crossed
            first = above
    holds_above = all(reached(float(x)) for x in points if x >= first)
    # What the answer implies is read off the principal run (draw 0 of every Monte
    # Carlo run, to the penny), so one run each, not ``draws``.
    achieved, ds = cache[first], principal_run(varied(first))
    plain = principal_run(scenario)
    change = with_draw_dim(ds["intervention_activity_change"]).sel(year=year).isel(draw=0)
    before = with_draw_dim(plain["intervention_activity_change"]).sel(year=year).isel(draw=0)
    cost = with_draw_dim(ds["intervention_cost"]).isel(draw=0).sum("intervention")
    values = setting(first)
    return {
        "values": values,
        "multiplier": first if multiplier else None,
        "intensities": {p.split(".")[1]: v for p, v in values.items() if p.endswith(".intensity")},
        "probability": achieved,
        "standard_error": breakeven_standard_error(achieved, draws),
        "year": year,
        "draws": draws,
        "threshold": threshold,
        "scenario": with_overrides(scenario, values),
        "evaluations": len(cache),
        "holds_above": holds_above,
        "activity_change": (change.sum("intervention") - before.sum("intervention")).to_series(),
        "spend_year": float(cost.sel(year=year)),
        "spend_total": float(cost.sum()),
    }
