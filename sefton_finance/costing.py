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

STEP_ROUNDING = 1e-9
"""Tolerance so that capacity exactly equal to a whole number of steps does not round up."""


def steps_needed(required: xr.DataArray, units_per_step: xr.DataArray) -> xr.DataArray:
    """Whole steps needed for the capacity required (0 where the pod has no steps)."""
    per_step = units_per_step.where(units_per_step > 0)
    return np.ceil(required / per_step - STEP_ROUNDING).fillna(0.0).clip(min=0.0)


def held_steps(needed: xr.DataArray, base_steps: xr.DataArray, decision_lag: xr.DataArray) -> xr.DataArray:
    """Steps in place each year: up at once, down only after the decision lag.

    ``held[t] = max(needed[t - L], ..., needed[t])``, with years before the first
    taken at ``base_steps``. So a fall in need releases a step only once it has
    lasted ``L + 1`` years (L = 0: at once).
    """
    needed = needed.transpose(..., "year")
    values = needed.values
    base = base_steps.broadcast_like(needed.isel(year=0)).transpose(*needed.dims[:-1]).values
    lags = decision_lag.broadcast_like(needed.isel(year=0)).transpose(*needed.dims[:-1]).values.astype(int)
    held = values.copy()
    for shift in range(1, int(lags.max(initial=0)) + 1):
        # the need `shift` years ago; before the first year, the base-year steps
        earlier = np.concatenate([np.repeat(base[..., None], shift, axis=-1), values[..., :-shift]], axis=-1)[
            ..., : values.shape[-1]
        ]
        held = np.where((lags >= shift)[..., None], np.maximum(held, earlier), held)
    return needed.copy(data=held)


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
    base_cost = plan_base_activity * baseline.unit_cost
    base_steps = steps_needed(plan_base_required, baseline.units_per_step)
    step_cost = (baseline.stepped_share * base_cost / base_steps.where(base_steps > 0)).fillna(0.0)
    needed = steps_needed(required, baseline.units_per_step)
    held = held_steps(needed, base_steps, baseline.decision_lag)
    fixed = baseline.fixed_share * base_cost * price_index
    stepped = step_cost * held * price_index
    variable = baseline.variable_share * baseline.unit_cost * activity * price_index
    dims = [d for d in ("draw", "year", "org", "pod") if d in variable.dims]

    def tidy(array: xr.DataArray, long_name: str, units: str = "GBP") -> xr.DataArray:
        return array.broadcast_like(variable).transpose(*dims).assign_attrs(units=units, long_name=long_name)

    return xr.Dataset(
        {
            "cost_fixed": tidy(fixed, "Fixed cost"),
            "cost_stepped": tidy(stepped, "Stepped capacity cost"),
            "cost_variable": tidy(variable, "Variable cost"),
            "provider_cost": tidy(fixed + stepped + variable, "Provider cost of Sefton activity"),
            "steps": tidy(held, "Capacity steps held", units="steps"),
        }
    )
