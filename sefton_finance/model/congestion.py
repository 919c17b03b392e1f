"""Congestion: the discrete-event model's cost of queues, and hospital performance.

On ``capacity.method: des`` the realised activity runs through the SimPy-verified
hospital model (:mod:`sefton_finance.des`) with, each year, the capacity the cost
model holds that year (steps held relative to the base year), so congestion is
what the costed capacity cannot absorb and is never counted twice. The DES
replications draw from their own streams (apart from the lever draws), and the
plan and the scenario use the same ones, so their difference is not noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from sefton_finance.des.link import congestion_cost, performance_summary, run_des
from sefton_finance.seeds import replication_seed

if TYPE_CHECKING:
    from sefton_finance.model.context import Context


@dataclass(frozen=True)
class Congestion:
    """What the discrete-event model adds to one evaluation."""

    cost: np.ndarray
    """Extra provider cost ``(draw, year, org, pod)`` (the draw axis has length 1)."""
    attrs: dict
    """Units and long name of the cost."""
    performance: xr.Dataset
    """Performance measures with 95% confidence intervals (labelled: they bring their dims)."""
    parts: xr.Dataset
    """The cost by kind: escalation, outsourcing, extra sessions ``(year, org)``."""


def simulate_congestion(
    context: Context, realised: xr.DataArray, steps: xr.DataArray
) -> Congestion:
    """Run the discrete-event model on realised activity.

    Parameters
    ----------
    context : Context
    realised : xarray.DataArray
        ``(year, month, locality, pod)`` realised activity (the principal draw).
    steps : xarray.DataArray
        ``(year, org, pod)`` capacity steps the cost model holds.
    """
    if "draw" in realised.dims:
        raise ValueError("the discrete-event path runs replications of the principal draw only")
    scenario = context.scenario
    baseline = context.baseline
    des = run_des(
        realised,
        baseline,
        seed=replication_seed(scenario.seed),
        replications=scenario.capacity.replications,
        warmup_days=scenario.capacity.warmup_days,
        capacity_growth=(steps / steps.isel(year=0)).where(steps.isel(year=0) > 0),
    )
    cost_index = xr.DataArray(context.prices.cost[0], dims="year", coords={"year": context.years})
    costs = congestion_cost(des, baseline, cost_index)
    orgs = list(baseline.organisations.codes)
    # Every organisation, in the baseline's order (only the hospitals have congestion).
    by_org_pod = costs["congestion_cost"].reindex(org=orgs, fill_value=0.0)
    template = xr.DataArray(
        np.zeros((len(context.years), len(orgs), len(steps.pod))),
        dims=("year", "org", "pod"),
        coords={"year": context.years, "org": orgs, "pod": steps.pod.values},
    )
    cost = by_org_pod.reindex_like(template, fill_value=0.0).transpose("year", "org", "pod")
    parts = costs.drop_vars("congestion_cost").reindex(org=orgs, fill_value=0.0)
    performance = performance_summary(des)
    overloaded = performance["des_overloaded"]
    attrs = dict(costs["congestion_cost"].attrs)
    # Overload anywhere makes the cost a function of how long the model ran: say so on it.
    attrs["horizon_dependent"] = "yes" if bool((overloaded > 0).any()) else "no"
    attrs["horizon_note"] = overloaded.attrs["warning"] or "Every queue settles: no overload."
    return Congestion(cost.values[None], attrs, performance, parts)
