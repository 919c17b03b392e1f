"""Provider cost: fixed + stepped capacity (with decision lags) + variable per unit.

For each provider and point of delivery the base-year cost
``C0 = base activity x unit cost`` is split by the baseline's shares:

- the **fixed** part (estates, overheads) does not move with activity;
- the **stepped** part comes in whole steps (a ward, a clinic session block, a
  team): steps are added as soon as capacity is needed, but removed only when
  the need has been lower for ``decision_lag_years`` in a row, because a ward
  closes after a decision, not the day its beds empty;
- the **variable** part moves with every unit of activity.

Every part is inflated by the cost price index (inflation less delivered
efficiency). No constant here is unexplained: shares, step sizes and lags
are baseline data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sefton_finance.model.capacity import Capacity
    from sefton_finance.model.context import Context

STEP_ROUNDING = 1e-9
"""Tolerance so that capacity exactly equal to a whole number of steps does not round up."""

COST_PARTS: tuple[str, ...] = (
    "cost_fixed",
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


def provider_costs(context: Context, capacity: Capacity, base: BaseYear) -> dict[str, np.ndarray]:
    """Cost of each (pod, provider) pair, by part: :data:`COST_PARTS`, ``(pair, draw, year)``."""
    arrays = context.baseline.arrays
    pairs = arrays.provider_pairs
    return cost_values(
        capacity.provider_activity,
        capacity.required,
        base.activity,
        base.required,
        context.prices.cost,
        arrays.unit_cost[pairs.pod],
        arrays.fixed_share[pairs.org, pairs.pod],
        arrays.stepped_share[pairs.org, pairs.pod],
        arrays.variable_share[pairs.org, pairs.pod],
        arrays.units_per_step[pairs.org, pairs.pod],
        arrays.decision_lag[pairs.org, pairs.pod],
    )


def _steps(required: np.ndarray, per_step: np.ndarray) -> np.ndarray:
    """Whole steps that cover ``required``; ``per_step`` is NaN where the pod has no steps."""
    steps = np.ceil(required / per_step - STEP_ROUNDING)
    return np.clip(np.where(np.isnan(steps), 0.0, steps), 0.0, None)


def cost_values(
    activity: np.ndarray,
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
) -> dict[str, np.ndarray]:
    """Fixed, stepped and variable cost of a set of (provider, pod) series.

    Parameters
    ----------
    activity, required : numpy.ndarray
        ``(series, draw, year)`` yearly activity and capacity units (draw may be length 1).
    base_activity, base_required : numpy.ndarray
        ``(series, draw)`` the plan's base-year activity and capacity.
    price_index : numpy.ndarray
        ``(draw, year)`` cost price index.
    unit_cost, fixed_share, stepped_share, variable_share, units_per_step, decision_lag : numpy.ndarray
        ``(series,)`` the baseline's cost structure of each series.

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
    fixed = (fixed_share[:, None] * base_cost)[..., None] * price_index
    stepped = step_cost[..., None] * held * price_index
    variable = (variable_share * unit_cost)[:, None, None] * activity * price_index
    total = fixed + stepped + variable
    return {
        name: np.broadcast_to(array, variable.shape)
        for name, array in zip(COST_PARTS, (fixed, stepped, variable, total, held), strict=True)
    }


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
