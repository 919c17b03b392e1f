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

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.codes import ORGANISATIONS, PODS

STEP_ROUNDING = 1e-9
"""Tolerance so that capacity exactly equal to a whole number of steps does not round up."""


def steps_needed(required: xr.DataArray, units_per_step: xr.DataArray) -> xr.DataArray:
    """Whole steps needed for the capacity required (0 where the pod has no steps)."""
    per_step = units_per_step.where(units_per_step > 0)
    return np.ceil(required / per_step - STEP_ROUNDING).fillna(0.0).clip(min=0.0)


def held_steps(
    needed: xr.DataArray, base_steps: xr.DataArray, decision_lag: xr.DataArray
) -> xr.DataArray:
    """Steps in place each year: up at once, down only after the decision lag.

    ``held[t] = max(needed[t - L], ..., needed[t])``, with years before the first
    taken at ``base_steps``. So a fall in need releases a step only once it has
    lasted ``L + 1`` years (L = 0: at once).
    """
    needed = needed.transpose(..., "year")
    values = needed.values
    base = base_steps.broadcast_like(needed.isel(year=0)).transpose(*needed.dims[:-1]).values
    lags = (
        decision_lag.broadcast_like(needed.isel(year=0))
        .transpose(*needed.dims[:-1])
        .values.astype(int)
    )
    held = values.copy()
    for shift in range(1, int(lags.max(initial=0)) + 1):
        # the need `shift` years ago; before the first year, the base-year steps
        earlier = np.concatenate(
            [np.repeat(base[..., None], shift, axis=-1), values[..., :-shift]], axis=-1
        )[..., : values.shape[-1]]
        held = np.where((lags >= shift)[..., None], np.maximum(held, earlier), held)
    return needed.copy(data=held)


COST_PARTS: tuple[str, ...] = (
    "cost_fixed",
    "cost_stepped",
    "cost_variable",
    "provider_cost",
    "steps",
)
"""Names of the arrays :func:`cost_values` returns, in order."""


def _steps(required: np.ndarray, per_step: np.ndarray) -> np.ndarray:
    """:func:`steps_needed` on numpy; ``per_step`` is NaN where the pod has no steps."""
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
    """The arithmetic of :func:`provider_cost` on numpy, for a set of (provider, pod) series.

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
    """:func:`held_steps` on numpy: ``needed (series, draw, year)``, ``base_steps (series, draw)``."""
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


def provider_cost(
    activity: xr.DataArray,
    required: xr.DataArray,
    plan_base_activity: xr.DataArray,
    plan_base_required: xr.DataArray,
    price_index: xr.DataArray,
    baseline: Baseline,
) -> xr.Dataset:
    """Cost of each provider's Sefton activity.

    Parameters
    ----------
    activity : xarray.DataArray
        Yearly activity ``(year, org, pod)`` (+ ``draw``).
    required : xarray.DataArray
        Capacity units required ``(year, org, pod)``.
    plan_base_activity, plan_base_required : xarray.DataArray
        Base-year activity and capacity ``(org, pod)`` of the plan, which fix the
        base cost and the cost of one step.
    price_index : xarray.DataArray
        Cost price index by ``year`` (1 in the base year).
    baseline : Baseline

    Returns
    -------
    xarray.Dataset
        ``cost_fixed``, ``cost_stepped``, ``cost_variable``, ``provider_cost`` (GBP),
        and ``steps`` (whole steps held), all ``(year, org, pod)``.
    """
    # Every (org, pod) pair is one series of :func:`cost_values`, in the baseline's order.
    orgs, pods = list(ORGANISATIONS), list(PODS)
    years = activity["year"].values
    arrays = baseline.arrays

    def series(array: xr.DataArray, *dims: str) -> np.ndarray:
        if "draw" not in array.dims:
            array = array.expand_dims("draw")
        values = array.sel(org=orgs, pod=pods).transpose("org", "pod", "draw", *dims).values
        return values.reshape(len(orgs) * len(pods), *values.shape[2:])

    def flat(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1)

    price = price_index.expand_dims([d for d in ("draw",) if d not in price_index.dims])
    parts = cost_values(
        series(activity, "year"),
        series(required, "year"),
        series(plan_base_activity),
        series(plan_base_required),
        price.transpose("draw", "year").sel(year=years).values,
        np.tile(arrays.unit_cost, len(orgs)),
        flat(arrays.fixed_share),
        flat(arrays.stepped_share),
        flat(arrays.variable_share),
        flat(arrays.units_per_step),
        flat(arrays.decision_lag),
    )
    with_draw = any("draw" in a.dims for a in (activity, required, plan_base_activity, price_index))
    draws = {"draw": activity["draw"].values} if "draw" in activity.coords else {}
    coords = {"year": years, "org": orgs, "pod": pods, **draws}
    long_names = {
        "cost_fixed": "Fixed cost",
        "cost_stepped": "Stepped capacity cost",
        "cost_variable": "Variable cost",
        "provider_cost": "Provider cost of Sefton activity",
        "steps": "Capacity steps held",
    }
    out = {}
    for name, values in parts.items():
        values = np.moveaxis(
            values.reshape(len(orgs), len(pods), *values.shape[1:]), (0, 1), (2, 3)
        )
        dims = ("draw", "year", "org", "pod")
        if not with_draw:
            values, dims = values[0], dims[1:]
        units = "steps" if name == "steps" else "GBP"
        out[name] = xr.DataArray(
            values, dims=dims, attrs={"units": units, "long_name": long_names[name]}
        )
    return xr.Dataset(out, coords=coords)
