"""Provider cost: fixed + stepped capacity (with decision lags) + variable per unit.

For each provider and point of delivery the base-year cost
``C0 = base activity x unit cost`` is split by the baseline's shares:

- the **fixed** part (estates, overheads, the establishment) is capacity: it
  supports the base year's activity. When activity stays above what it supports
  for ``decision_lag_years`` in a row after the year it first rises, capacity is
  added to the level sustained over those years (a new ward block, more
  theatres); when activity stays below, capacity is released to the highest
  level of those years, and ``stranded_share`` of the released cost stays
  (estates, leases and contracts that cannot be shed). Growth is not free money:
  over a long horizon fixed cost follows activity, after the lag, as the long-run
  evidence says (variable share ≈ 20% in year one, 30-50% by years two to three,
  70-100% in the long run: ../shared/DATA.md, "Contracts, prices and cost
  structure");
- the **stepped** part comes in whole steps (a ward, a clinic session block, a
  team): steps are added as soon as capacity is needed, but removed only when
  the need has been lower for ``decision_lag_years`` in a row, because a ward
  closes after a decision, not the day its beds empty;
- the **variable** part moves with every unit of activity.

Every part is inflated by the cost price index (inflation less delivered
efficiency). No constant here is unexplained: shares, step sizes and lags
are baseline data; the stranded share is a scenario lever (``finance.stranded_share``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sefton_finance.baseline.organisations import Organisations
from sefton_finance.model.draws import lever_column

if TYPE_CHECKING:
    from sefton_finance.model.capacity import Capacity
    from sefton_finance.model.context import Context

STEP_ROUNDING = 1e-9
"""Tolerance so that capacity exactly equal to a whole number of steps does not round up."""

COST_PARTS: tuple[str, ...] = (
    "cost_fixed",
    "cost_stranded",
    "cost_stepped",
    "cost_variable",
    "provider_cost",
    "steps",
)
"""Names of the arrays :func:`cost_values` returns, in order."""


@dataclass(frozen=True)
class BaseYear:
    """The plan's base-year activity and capacity of each (pod, provider) pair ``(pair, draw)``:
    the cost structure's reference point, the same for the plan and every variant."""

    activity: np.ndarray
    required: np.ndarray


def base_year(capacity: Capacity) -> BaseYear:
    """The base-year figures of a plan's capacity."""
    return BaseYear(capacity.provider_activity[..., 0], capacity.required[..., 0])


RELEASE, REUSE, HOLD = "release", "reuse", "hold"


def freed_policy(freed: Mapping[str, str], organisations: Organisations) -> tuple[str, ...]:
    """What each organisation does with freed capacity (``capacity.freed``: codes or kinds;
    a code wins over its kind; the rest release).

    Raises
    ------
    KeyError
        If a key names no organisation or kind of the baseline.
    """
    for key in freed:
        if key not in organisations.codes and not organisations.of_kind(key):
            raise KeyError(
                f"unknown organisation or kind {key!r}; known: {', '.join(organisations.parties()[:-1])}"
            )
    return tuple(
        freed.get(code, freed.get(kind, RELEASE))
        for code, kind in zip(organisations.codes, organisations.kinds, strict=True)
    )


def provider_costs(
    context: Context, capacity: Capacity, base: BaseYear, freed_from: Capacity | None = None
) -> dict[str, np.ndarray]:
    """Cost of each (pod, provider) pair, by part: :data:`COST_PARTS`, ``(pair, draw, year)``.

    ``freed_from`` is the do-nothing capacity of the same draw: a provider that reuses
    freed capacity refills it (its cost stays as do nothing's, the saving is not cash);
    one that holds it keeps the capacity (fixed and stepped cost) but saves the variable
    cost. ``None`` (the plan itself) frees nothing.
    """
    arrays = context.baseline.arrays
    pairs = arrays.provider_pairs
    activity, held_activity, required = (
        capacity.provider_activity,
        capacity.provider_activity,
        capacity.required,
    )
    if freed_from is not None:
        policy = np.array(context.freed)[pairs.org][:, None, None]
        keep = policy != RELEASE
        held_activity = np.where(keep, np.maximum(activity, freed_from.provider_activity), activity)
        required = np.where(keep, np.maximum(required, freed_from.required), required)
        activity = np.where(policy == REUSE, held_activity, activity)
    return cost_values(
        activity,
        held_activity,
        required,
        base.activity,
        base.required,
        provider_price_index(context),
        arrays.unit_cost[pairs.pod],
        arrays.fixed_share[pairs.org, pairs.pod],
        arrays.stepped_share[pairs.org, pairs.pod],
        arrays.variable_share[pairs.org, pairs.pod],
        arrays.units_per_step[pairs.org, pairs.pod],
        arrays.decision_lag[pairs.org, pairs.pod],
        lever_column(context.levers["finance.stranded_share"])[:, 0],
    )


def provider_price_index(context: Context) -> np.ndarray:
    """Cost price index of each (provider, pod) series, ``(series, draw, year)``.

    The scenario's cost index, times ``1 + finance.acute_cost_level`` at acute hospitals:
    the base-year cost level of the trusts is a baseline ASSUMPTION (4% above tariff) with
    an interval, sampled by Monte Carlo; the principal run takes 0, which leaves the index
    unchanged. Used for provider cost and for savings (today's budget), so both move
    together.
    """
    arrays = context.baseline.arrays
    pairs = arrays.provider_pairs
    level = lever_column(context.levers["finance.acute_cost_level"])[:, 0]
    acute = np.array([kind == "acute" for kind in arrays.organisations.kinds])[pairs.org]
    factor = 1.0 + np.where(acute[:, None], level[None, :], 0.0)
    return context.prices.cost[None, :, :] * factor[..., None]


def _steps(required: np.ndarray, per_step: np.ndarray) -> np.ndarray:
    """Whole steps that cover ``required``; ``per_step`` is NaN where the pod has no steps."""
    steps = np.ceil(required / per_step - STEP_ROUNDING)
    return np.clip(np.where(np.isnan(steps), 0.0, steps), 0.0, None)


def cost_values(
    activity: np.ndarray,
    held_activity: np.ndarray,
    required: np.ndarray,
    base_activity: np.ndarray,
    base_required: np.ndarray,
    price_index: np.ndarray,
    unit_cost: np.ndarray,
    fixed_share: np.ndarray,
    stepped_share: np.ndarray,
    variable_share: np.ndarray,
    units_per_step: np.ndarray,
    decision_lag: np.ndarray,
    stranded_share: np.ndarray,
) -> dict[str, np.ndarray]:
    """Fixed, stranded, stepped and variable cost of a set of (provider, pod) series.

    Parameters
    ----------
    activity, held_activity, required : numpy.ndarray
        ``(series, draw, year)`` yearly activity (variable cost), the activity whose capacity
        is kept (fixed cost: ``activity`` unless freed capacity is held) and capacity units
        (steps); the draw axis may be length 1.
    base_activity, base_required : numpy.ndarray
        ``(series, draw)`` the plan's base-year activity and capacity.
    price_index : numpy.ndarray
        ``(draw, year)`` cost price index, or ``(series, draw, year)`` one per series
        (:func:`provider_price_index`).
    unit_cost, fixed_share, stepped_share, variable_share, units_per_step, decision_lag : numpy.ndarray
        ``(series,)`` the baseline's cost structure of each series.
    stranded_share : numpy.ndarray
        ``(draw,)`` share of released fixed cost that stays.

    Returns
    -------
    dict
        The arrays named in :data:`COST_PARTS`, each ``(series, draw, year)``.
    """
    per_step = np.where(units_per_step > 0, units_per_step, np.nan)[:, None]
    base_cost = base_activity * unit_cost[:, None]
    base_steps = _steps(base_required, per_step)
    with np.errstate(invalid="ignore"):
        step_cost = (
            stepped_share[:, None] * base_cost / np.where(base_steps > 0, base_steps, np.nan)
        )
    step_cost = np.where(np.isnan(step_cost), 0.0, step_cost)
    needed = _steps(required, per_step[..., None])
    held = _held(needed, base_steps, decision_lag)
    supported, released = fixed_capacity(held_activity, base_activity, decision_lag)
    fixed_rate = (fixed_share * unit_cost)[:, None, None]
    fixed = fixed_rate * supported * price_index
    stranded = fixed_rate * released * stranded_share[:, None] * price_index
    stepped = step_cost[..., None] * held * price_index
    variable = (variable_share * unit_cost)[:, None, None] * activity * price_index
    total = fixed + stranded + stepped + variable
    parts = (fixed, stranded, stepped, variable, total, held)
    return {
        name: np.broadcast_to(array, variable.shape)
        for name, array in zip(COST_PARTS, parts, strict=True)
    }


def fixed_capacity(
    activity: np.ndarray, base_activity: np.ndarray, decision_lag: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Activity the fixed cost supports each year, and the capacity released so far.

    Capacity starts at the base year's activity. In year ``t`` it moves only when
    activity has stayed on one side of it in every year from ``t - lag`` to ``t``:
    up to the lowest level of those years, or down to the highest; what goes down
    is released (its cost stranded in part). A lag of 0 follows activity at once.

    Parameters
    ----------
    activity : numpy.ndarray
        ``(series, draw, year)``.
    base_activity : numpy.ndarray
        ``(series, draw)``.
    decision_lag : numpy.ndarray
        ``(series,)`` whole years.

    Returns
    -------
    (supported, released)
        Both ``(series, draw, year)``: the activity the fixed cost supports, and the
        cumulative activity whose capacity has been released.
    """
    years = activity.shape[-1]
    shape = np.broadcast_shapes(activity.shape, (*base_activity.shape, years))
    supported = np.empty(shape)
    released = np.zeros(shape)
    supported[..., 0] = base_activity
    lags = decision_lag.astype(int)[:, None]
    for t in range(1, years):
        previous = supported[..., t - 1]
        low = high = np.broadcast_to(activity[..., t], previous.shape)
        for back in range(1, int(lags.max(initial=0)) + 1):
            earlier = activity[..., max(t - back, 0)]
            low = np.where(lags >= back, np.minimum(low, earlier), low)
            high = np.where(lags >= back, np.maximum(high, earlier), high)
        current = np.where(low > previous, low, np.where(high < previous, high, previous))
        supported[..., t] = current
        released[..., t] = released[..., t - 1] + np.maximum(previous - current, 0.0)
    return supported, released


def _held(needed: np.ndarray, base_steps: np.ndarray, decision_lag: np.ndarray) -> np.ndarray:
    """Steps held each year: a step is removed only when it has been unneeded for the
    decision lag in a row. ``needed (series, draw, year)``, ``base_steps (series, draw)``."""
    base = np.broadcast_to(base_steps, needed.shape[:-1])
    lags = decision_lag.astype(int)[:, None, None]
    held = needed.copy()
    years = needed.shape[-1]
    for shift in range(1, int(lags.max(initial=0)) + 1):
        earlier = np.concatenate(
            [np.repeat(base[..., None], shift, axis=-1), needed[..., :-shift]], axis=-1
        )[..., :years]
        held = np.where(lags >= shift, np.maximum(held, earlier), held)
    return held
