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
from scipy.optimize import brentq

from sefton_finance.analysis import GBP_M, breakeven_standard_error, with_draw_dim
from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.interventions import resolve_interventions
from sefton_finance.model.context import principal_levers
from sefton_finance.montecarlo import lever_limits, uncertain_levers, with_overrides


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
    baseline = load_baseline() if baseline is None else baseline
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
    """The target cannot be reached within the allowed intensities."""


def goal_seek(
    scenario,
    baseline=None,
    *,
    year: str | None = None,
    probability: float = 0.5,
    interventions: Sequence[str] | None = None,
    draws: int = 200,
    threshold: float = 0.0,
    organisation: str | None = None,
    tolerance: float = 1e-3,
) -> dict:
    """Smallest intensity that breaks even by a year with a given probability.

    Scales the ``intensity`` of the chosen interventions by one common multiplier
    ``k`` (a single intervention: its intensity is ``k`` x its current one) and finds,
    with :func:`scipy.optimize.brentq`, the smallest ``k`` at which
    ``P(surplus in year >= threshold) >= probability`` over ``draws`` Monte Carlo
    draws. The draws use common random numbers, so the probability moves only with
    ``k``. Intensities are capped at 10 (the scenario schema's limit).

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
    year : str, optional
        Default: the final year.
    probability : float
        Required probability of breaking even, in (0, 1].
    interventions : sequence of str, optional
        Names of interventions in the scenario to scale; default all of them.
    draws : int
        Monte Carlo draws per evaluation.
    threshold : float
        Surplus counted as break-even (GBP; 0 = break even exactly).
    organisation : str, optional
        Organisation code; default the Sefton system.
    tolerance : float
        Precision of the multiplier.

    Returns
    -------
    dict
        ``multiplier``, ``intensities`` (name -> intensity), ``probability``
        (achieved), ``standard_error``, ``year``, ``draws``, ``scenario`` (the
        scaled Scenario, ready to run) and ``evaluations``.

    Raises
    ------
    GoalSeekError
        If the scenario has none of the named interventions, or even the largest
        allowed intensity does not reach the probability.
    """
    if not 0 < probability <= 1:
        raise GoalSeekError(f"probability must be in (0, 1], got {probability}")
    baseline = load_baseline() if baseline is None else baseline
    present = {
        use.name: float(use.overrides.get("intensity", 1.0)) for use in scenario.interventions
    }
    resolved = {i.name: i.params.intensity for i in resolve_interventions(scenario)}
    present = {name: resolved[name] for name in present}
    names = list(present) if interventions is None else list(interventions)
    missing = [n for n in names if n not in present]
    if not names or missing:
        raise GoalSeekError(
            f"goal-seek needs interventions in the scenario; not found: {missing or 'none given'}; "
            f"the scenario has: {', '.join(present) or 'none'}"
        )
    year = scenario.years[-1] if year is None else year
    if year not in scenario.years:
        raise GoalSeekError(
            f"year {year!r} is outside the horizon {scenario.years[0]} to {scenario.years[-1]}"
        )
    base = {name: present[name] if present[name] > 0 else 1.0 for name in names}
    top = 10.0 / max(base.values())
    cache: dict[float, tuple[float, object]] = {}

    def scaled(k: float):
        return with_overrides(
            scenario, {f"interventions.{n}.intensity": float(b * k) for n, b in base.items()}
        )

    def chance(k: float) -> float:
        if k not in cache:
            ds = run(scaled(k), baseline, draws=draws, workers=1, with_bridge=False)
            chosen = (
                ds["system_surplus"]
                if organisation is None
                else ds["surplus"].sel(org=organisation)
            )
            cache[k] = float((chosen.sel(year=year) >= threshold).mean("draw"))
        return cache[k]

    def gap(k: float) -> float:
        # at the required probability counts as reached: shift by half a draw
        return chance(k) - probability + 0.5 / draws

    if gap(0.0) >= 0:
        k = 0.0
    elif gap(top) < 0:
        raise GoalSeekError(
            f"even at intensity {top:g}x the probability of breaking even is {chance(top):.0%}, "
            f"below the {probability:.0%} asked for"
        )
    else:
        k = brentq(gap, 0.0, top, xtol=tolerance)
        # The probability is a step function of k: take the side of the step that reaches it.
        while gap(k) < 0:
            k = min(k + tolerance, top)
    achieved = chance(k)
    return {
        "multiplier": k,
        "intensities": {n: b * k for n, b in base.items()},
        "probability": achieved,
        "standard_error": breakeven_standard_error(achieved, draws),
        "year": year,
        "draws": draws,
        "threshold": threshold,
        "scenario": scaled(k),
        "evaluations": len(cache),
    }
