"""Congestion: the discrete-event model's cost of queues, and hospital performance.

On ``capacity.method: des`` the realised activity runs through the SimPy-verified
hospital model (:mod:`sefton_finance.des`) with, each year, the capacity the cost
model holds that year (steps held relative to the base year), so congestion is
what the costed capacity cannot absorb and is never counted twice. The DES
replications draw from their own streams (apart from the lever draws), and the
plan and the scenario use the same ones, so their difference is not noise.

Two kinds of uncertainty
------------------------
In a Monte Carlo run every draw (one set of lever values: parameter uncertainty)
runs the scenario's ``capacity.replications`` replications of the hospital model
(the patients' random arrivals and stays: stochastic uncertainty). Draw ``d``'s
replications draw from the root :func:`sefton_finance.seeds.replication_seed`
``(seed, d)``, so the same draw has the same patients in every scenario with that
seed (common random numbers), whichever chunk or worker runs it. Results keep both:

- ``des_<measure>`` ``(draw, year, site)``: the mean over the draw's replications;
  its spread across draws is the parameter uncertainty (plus the noise left in a
  mean of R replications, ``within / R``);
- ``des_<measure>_replications`` ``(draw, replication, year, site)``: each replication;
- ``des_<measure>_within_variance`` ``(draw, year, site)``: the variance across the
  draw's replications (stochastic uncertainty);
- ``congestion_cost_replications`` ``(draw, replication, year, org)``: the congestion
  cost each replication alone would give (the cost in the ledger is the draw's mean).

:func:`uncertainty_split` turns them into the law of total variance: total =
parameter (variance of the draw means) + stochastic (mean within-draw variance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from sefton_finance.des.link import congestion_cost, performance_summary, run_des
from sefton_finance.seeds import replication_seed

if TYPE_CHECKING:
    from sefton_finance.model.context import Context

OVERLOAD_VARIABLE = "des_overloaded"
"""The variable whose ``warning`` attribute says, in words, where the model is overloaded."""


@dataclass(frozen=True)
class Congestion:
    """What the discrete-event model adds to one evaluation."""

    cost: np.ndarray
    """Extra provider cost ``(draw, year, org, pod)`` (mean over replications; the draw axis
    has length 1 on a single run)."""
    attrs: dict
    """Units and long name of the cost."""
    performance: xr.Dataset
    """Performance measures with 95% confidence intervals (labelled: they bring their dims,
    ``draw`` included in a Monte Carlo run)."""
    parts: xr.Dataset
    """The cost by kind: escalation, outsourcing, extra sessions ``(year, org)``, and each
    replication's congestion cost."""


def simulate_congestion(
    context: Context, realised: xr.DataArray, steps: xr.DataArray
) -> Congestion:
    """Run the discrete-event model on realised activity, once per draw.

    Parameters
    ----------
    context : Context
    realised : xarray.DataArray
        ``(year, month, locality, pod)`` realised activity, with a leading ``draw`` dim
        in a Monte Carlo chunk (absent, or of length 1, where it does not vary by draw).
    steps : xarray.DataArray
        ``(year, org, pod)`` capacity steps the cost model holds (``draw`` as above).

    Notes
    -----
    A single run (no sampled levers) simulates draw 0 and labels nothing by draw, as
    before Monte Carlo and DES were combined. A Monte Carlo chunk simulates each of its
    draws with that draw's replication seed, so draw ``d`` is the same whichever chunk,
    process or cluster runs it.
    """
    draws = context.draws
    if not draws.sampled:
        if "draw" in realised.dims:
            raise ValueError("a single run simulates the principal draw only")
        return _one_draw(context, realised, steps, 0, 0)
    labels = draws.coord if draws.coord is not None else np.arange(draws.size)
    runs = []
    for index, label in enumerate(int(d) for d in labels):
        runs.append(_one_draw(context, _pick(realised, index), _pick(steps, index), index, label))
    cost = np.concatenate([run.cost for run in runs])
    coord = xr.DataArray(np.asarray(labels), dims="draw")
    performance = xr.concat(
        [run.performance.expand_dims(draw=1) for run in runs], dim="draw", combine_attrs="override"
    ).assign_coords(draw=coord)
    parts = xr.concat(
        [run.parts.expand_dims(draw=1) for run in runs], dim="draw", combine_attrs="override"
    ).assign_coords(draw=coord)
    attrs = dict(runs[0].attrs)
    if OVERLOAD_VARIABLE in performance:
        warnings = {
            label: run.performance[OVERLOAD_VARIABLE].attrs.get("warning", "")
            for label, run in zip((int(d) for d in labels), runs, strict=True)
        }
        mark_overload(performance[OVERLOAD_VARIABLE], warnings, len(runs))
        attrs["horizon_dependent"] = "yes" if any(warnings.values()) else "no"
        attrs["horizon_note"] = performance[OVERLOAD_VARIABLE].attrs["warning"] or (
            "Every queue settles in every draw: no overload."
        )
    return Congestion(cost, attrs, performance, parts)


def _pick(array: xr.DataArray, index: int) -> xr.DataArray:
    """Draw ``index`` of an array that may or may not vary by draw."""
    if "draw" not in array.dims:
        return array
    return array.isel(draw=index if array.sizes["draw"] > 1 else 0, drop=True)


def _one_draw(
    context: Context, realised: xr.DataArray, steps: xr.DataArray, index: int, draw: int
) -> Congestion:
    """The replications of one draw: ``index`` into the chunk's arrays, ``draw`` its number."""
    scenario = context.scenario
    baseline = context.baseline
    des = run_des(
        realised,
        baseline,
        seed=replication_seed(scenario.seed, draw),
        replications=scenario.capacity.replications,
        warmup_days=scenario.capacity.warmup_days,
        capacity_growth=(steps / steps.isel(year=0)).where(steps.isel(year=0) > 0),
    )
    prices = context.prices.cost
    cost_index = xr.DataArray(
        prices[index if prices.shape[0] > 1 else 0], dims="year", coords={"year": context.years}
    )
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
    parts["congestion_cost_replications"] = (
        replication_costs(des, baseline, cost_index)
        .reindex(org=orgs, fill_value=0.0)
        .transpose("replication", "year", "org")
    )
    performance = performance_summary(des)
    overloaded = performance[OVERLOAD_VARIABLE]
    attrs = dict(costs["congestion_cost"].attrs)
    # Overload anywhere makes the cost a function of how long the model ran: say so on it.
    attrs["horizon_dependent"] = "yes" if bool((overloaded > 0).any()) else "no"
    attrs["horizon_note"] = overloaded.attrs["warning"] or "Every queue settles: no overload."
    return Congestion(cost.values[None], attrs, performance, parts)


def replication_costs(des: xr.Dataset, baseline, price_index: xr.DataArray) -> xr.DataArray:
    """The congestion cost each replication alone gives, ``(replication, year, org)`` in GBP.

    Its spread within a draw is the stochastic uncertainty of the cost; the cost in the
    ledger is :func:`~sefton_finance.des.link.congestion_cost` of all the draw's
    replications together (extra sessions are costed on the mean list's growth, so the
    mean of these is close to, not always equal to, the ledger's figure).
    """
    each = congestion_cost(des, baseline, price_index, by_replication=True)
    return (
        each["congestion_cost"]
        .sum("pod")
        .transpose("replication", ...)
        .assign_attrs(units="GBP", long_name="Congestion cost (DES) of each replication alone")
    )


def mark_overload(overloaded: xr.DataArray, warnings: dict[int, str], draws: int) -> None:
    """Say on ``des_overloaded`` how many draws are overloaded, and where, in words.

    ``warnings`` maps a draw number to its own overload warning ("" when none). The
    attributes ``warning`` (for the CLI, the pack and the dashboard) and
    ``draw_warnings`` (JSON, each overloaded draw's warning, so that chunks combine)
    are set in place.
    """
    bad = {d: text for d, text in sorted(warnings.items()) if text}
    overloaded.attrs["draw_warnings"] = json.dumps({str(d): t for d, t in bad.items()})
    if not bad:
        overloaded.attrs["warning"] = ""
        return
    first, text = next(iter(bad.items()))
    detail = text.removeprefix("Overloaded. ")
    overloaded.attrs["warning"] = (
        f"Overloaded in {len(bad)} of {draws} draws (draws {', '.join(map(str, bad))}). "
        f"In draw {first}: {detail}"
    )


def combine_overload(parts: list[xr.Dataset], combined: xr.Dataset) -> None:
    """After chunks of draws are concatenated: the overload warning over every draw."""
    if OVERLOAD_VARIABLE not in combined:
        return
    warnings: dict[int, str] = {}
    for part in parts:
        stored = part[OVERLOAD_VARIABLE].attrs.get("draw_warnings", "{}")
        warnings.update({int(d): t for d, t in json.loads(stored).items()})
    overloaded = combined[OVERLOAD_VARIABLE]
    mark_overload(overloaded, warnings, combined.sizes.get("draw", 1))
    if "cost_congestion" in combined:
        combined["cost_congestion"].attrs.update(
            horizon_dependent="yes" if warnings else "no",
            horizon_note=overloaded.attrs["warning"]
            or "Every queue settles in every draw: no overload.",
        )


def uncertainty_split(ds: xr.Dataset, measure: str) -> xr.Dataset:
    """Parameter and stochastic uncertainty of a discrete-event measure (law of total variance).

    Parameters
    ----------
    ds : xarray.Dataset
        A Monte Carlo result on the discrete-event path (``draw`` and ``replication`` dims).
    measure : str
        ``"congestion_cost"`` (GBP, by org) or a performance measure's name without the
        ``des_`` prefix, e.g. ``"ed_4hr_performance"`` (by site).

    Returns
    -------
    xarray.Dataset
        Over every (draw, replication) value ``x``, by year and site (or org):
        ``mean``; ``total_variance`` (variance of all values, ddof 0);
        ``parameter_variance`` (variance across draws of each draw's mean over its
        replications: what the levers' uncertainty does); ``stochastic_variance`` (mean
        over draws of the variance across a draw's replications: the hospital's own
        randomness). With the same replications in every draw, total = parameter +
        stochastic exactly. ``parameter_variance`` still holds ``stochastic / R`` of
        noise; ``parameter_variance_net`` removes it (floored at 0).
    """
    name = (
        "congestion_cost_replications"
        if measure == "congestion_cost"
        else f"des_{measure}_replications"
    )
    if name not in ds:
        raise KeyError(f"{measure!r}: the result has no {name!r} (is it a DES result?)")
    values = ds[name]
    if "draw" not in values.dims:
        values = values.expand_dims(draw=1)
    means = values.mean("replication")
    within = values.var("replication", ddof=0)
    replications = values.sizes["replication"]
    parameter = means.var("draw", ddof=0)
    stochastic = within.mean("draw")
    correction = (
        values.var("replication", ddof=1).mean("draw") / replications
        if replications > 1
        else xr.zeros_like(parameter)
    )
    units = values.attrs.get("units", "")
    squared = f"({units})^2" if units and units != "1" else "1"
    out = xr.Dataset(
        {
            "mean": values.mean(("draw", "replication")).assign_attrs(units=units),
            "total_variance": values.var(("draw", "replication"), ddof=0),
            "parameter_variance": parameter,
            "stochastic_variance": stochastic,
            "parameter_variance_net": (parameter - correction).clip(min=0.0),
        }
    )
    for key in ("total_variance", "parameter_variance", "stochastic_variance"):
        out[key].attrs["units"] = squared
    out["parameter_variance_net"].attrs["units"] = squared
    out.attrs.update(draws=int(values.sizes["draw"]), replications=int(replications))
    return out
