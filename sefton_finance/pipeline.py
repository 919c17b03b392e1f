"""One scenario, one draw: demand -> interventions -> capacity -> costing -> finance.

``run(scenario)`` is pure: it returns an xarray Dataset and writes nothing
(:func:`sefton_finance.results.save` does the I/O). Lever values come in as
a mapping so the Monte Carlo module can pass sampled values (DataArrays with a
``draw`` dim) through the very same code.

This module tells that story; the numpy work is done beside it, in
:mod:`sefton_finance.arrays` (the draw axis, a context's arrays),
:mod:`sefton_finance.shifts` (interventions applied to demand, and their costs)
and :mod:`sefton_finance.evaluation` (capacity, costing and finance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance import demand, finance
from sefton_finance.arrays import (
    ContextArrays,
    Draws,
    add_bands_by_pod,
    context_arrays,
    draws_of,
    lever_column,
    sum_age_bands,
)
from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.codes import COMMISSIONERS, LOCALITIES, ORGANISATIONS, PODS
from sefton_finance.evaluation import (
    dataset_coords,
    evaluate_values,
    evaluation_dataset,
    evaluation_variables,
    label,
    plan_values,
)
from sefton_finance.interventions import Intervention, library_fingerprint, resolve_cached
from sefton_finance.levers import Levers, central, intervention_levers
from sefton_finance.results import in_design_order
from sefton_finance.scenario import Scenario, scenario_levers
from sefton_finance.shifts import (
    apply_interventions,
    apply_values,
    intervention_payments,
    payment_values,
)

__all__ = [
    "Context",
    "ContextArrays",
    "Draws",
    "Levers",
    "apply_interventions",
    "bridge",
    "evaluate",
    "intervention_levers",
    "intervention_payments",
    "library_fingerprint",
    "make_context",
    "principal_levers",
    "resolve_cached",
    "run",
    "run_context",
]


def principal_levers(scenario: Scenario, interventions: Sequence[Intervention]) -> dict[str, Any]:
    """Lever values of the principal run (draw 0): every interval at its centre.

    Keys: ``growth.non_demographic``, ``growth.by_pod.<pod>``, ``finance.<field>``,
    ``intervention.<name>.<lever>``. Monte Carlo replaces them with sampled arrays;
    :func:`~sefton_finance.levers.intervention_levers` picks out one intervention's.
    """
    return {key: central(lever) for key, lever in scenario_levers(scenario, interventions).items()}


# ---------------------------------------------------------------- context


@dataclass(frozen=True)
class Context:
    """Everything a scenario fixes before interventions are applied."""

    scenario: Scenario
    baseline: Baseline
    years: list[str]
    levers: Levers
    prices: finance.Prices
    plan_demand: xr.DataArray
    weighted_population: xr.DataArray
    funding: xr.DataArray
    variable_share: xr.DataArray
    plan_by_locality: xr.DataArray
    """Do-nothing demand summed over age bands ``(year, month, locality, pod)`` (+ ``draw``)."""
    arrays: ContextArrays | None = field(default=None, repr=False, compare=False)
    """The same as numpy, for the fast path (set by :func:`make_context`)."""


def make_context(scenario: Scenario, baseline: Baseline, levers: Levers) -> Context:
    """Project demand and prices for a scenario."""
    years = scenario.years
    arrays = baseline.arrays
    draws = draws_of(levers)
    f = lambda name: lever_column(levers[f"finance.{name}"])  # noqa: E731
    offset = np.arange(len(years), dtype=float)

    def compound(rate: np.ndarray) -> np.ndarray:
        # as finance.compound: (1 + rate) ^ t
        return (1.0 + rate) ** offset

    tariff = compound((1 + f("cost_inflation")) * (1 - f("efficiency_requirement")) - 1)
    cost = compound((1 + f("cost_inflation")) * (1 - f("efficiency_delivered")) - 1)
    other_spend = compound(f("other_spend_growth"))
    per_head = compound(f("allocation_growth"))
    council = compound(f("council_funding_growth"))
    year_coords = {"year": years}
    prices = finance.Prices(
        *(
            draws.label(values, ("year",), year_coords)
            for values in (tariff, cost, other_spend, per_head, council)
        )
    )

    overrides = {
        key.split(".")[-1]: value
        for key, value in levers.items()
        if key.startswith("growth.by_pod.")
    }
    default = levers["growth.non_demographic"]
    columns = [lever_column(overrides.get(p, default)) for p in PODS]
    size = max(c.shape[0] for c in columns)
    growth = np.concatenate([np.broadcast_to(c, (size, 1)) for c in columns], axis=1)
    demographic = scenario.growth.demographic
    plan_blocks = demand.demand_blocks(
        arrays, len(years), growth, baseline.bed_days_per_unit, demographic
    )
    plan_local = add_bands_by_pod(plan_blocks)

    population = demand.population_values(arrays, len(years), demographic)
    weighted = (population * arrays.need_weight).sum(axis=-1)  # (year, locality)
    funding, ccg_split = finance.allocation_values(arrays, weighted, per_head, council)

    variable = finance.contract_variable_share(
        baseline, scenario.contract.form, scenario.contract.variable_share
    )
    fast = ContextArrays(
        draws=draws,
        plan_blocks=plan_blocks,
        plan_local=plan_local,
        tariff=tariff,
        cost=cost,
        other_spend=other_spend,
        funding=funding,
        variable_share=variable.sel(commissioner=list(COMMISSIONERS), provider=list(ORGANISATIONS))
        .transpose("commissioner", "provider")
        .values,
        ccg_split=ccg_split,
    )
    locs = list(LOCALITIES)
    plan = demand.demand_dataarray(
        arrays,
        years,
        plan_blocks,
        with_draw=draws.keep(plan_blocks[0, 0]),
        coords={} if draws.coord is None else {"draw": draws.coord},
    )
    by_locality = draws.label(
        np.moveaxis(plan_local, 0, -1),
        ("year", "month", "locality", "pod"),
        {"year": years, "month": arrays.months, "locality": locs, "pod": list(PODS)},
    )
    return Context(
        scenario,
        baseline,
        years,
        levers,
        prices,
        plan,
        xr.DataArray(weighted, dims=("year", "locality"), coords={"year": years, "locality": locs}),
        draws.label(funding, ("year", "org"), {"year": years, "org": list(COMMISSIONERS)}),
        variable,
        by_locality,
        fast,
    )


# ---------------------------------------------------------------- capacity, costing, finance


def evaluate(
    context: Context,
    activity: xr.DataArray,
    spend: xr.DataArray,
    plan: xr.Dataset | None = None,
    des: bool = True,
) -> xr.Dataset:
    """Capacity, costing and finance for one set of post-intervention activity.

    Parameters
    ----------
    context : Context
    activity : xarray.DataArray
        Demand after interventions ``(year, month, locality, pod)``, or with ``age_band``
        (summed here); ``draw`` first when it varies by draw.
    spend : xarray.DataArray
        Intervention funding ``(year, payer, payee)``.
    plan : xarray.Dataset, optional
        The evaluation of the plan (do-nothing demand); ``None`` evaluates the plan itself.
    des : bool
        With ``capacity.method: des``, run the discrete-event model for congestion cost
        and performance (false for the bridge's standalone bars).
    """
    if activity is context.plan_demand:
        local = context_arrays(context).plan_local
    else:
        if "age_band" in activity.dims:
            activity = sum_age_bands(activity)
        if "draw" not in activity.dims:
            activity = activity.expand_dims("draw")
        local = activity.sel(pod=list(PODS), locality=list(LOCALITIES))
        local = local.transpose("pod", "draw", "year", "month", "locality").values
    orgs = list(ORGANISATIONS)
    spend = spend.reindex(payer=orgs, payee=orgs, fill_value=0.0)
    if "draw" not in spend.dims:
        spend = spend.expand_dims("draw")
    values = evaluate_values(
        context,
        local,
        spend.transpose("draw", "year", "payer", "payee").values,
        None if plan is None else plan_values(context, plan),
        des,
    )
    return evaluation_dataset(context, values)


# ---------------------------------------------------------------- run, run_context, bridge


def run(
    scenario: Scenario,
    baseline: Baseline | None = None,
    levers: Levers | None = None,
    with_bridge: bool = True,
    interventions: Sequence[Intervention] | None = None,
) -> xr.Dataset:
    """Run one scenario (one draw, or many as a ``draw`` dim) through the whole pipeline.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged Sefton baseline.
    levers : mapping, optional
        Lever values; default the principal (central) values.
    with_bridge : bool
        Also attribute the change in surplus to each intervention (one extra
        evaluation per intervention).
    interventions : sequence of Intervention, optional
        The scenario's interventions already resolved (saves re-reading the library).

    Returns
    -------
    xarray.Dataset
        Results with the design's dims; see :mod:`sefton_finance.results`.
    """
    baseline = load_baseline() if baseline is None else baseline
    interventions = resolve_cached(scenario) if interventions is None else interventions
    levers = principal_levers(scenario, interventions) if levers is None else levers
    context = make_context(scenario, baseline, levers)
    return run_context(context, interventions, with_bridge)


def run_context(
    context: Context, interventions: Sequence[Intervention], with_bridge: bool = True
) -> xr.Dataset:
    """:func:`run` from a context already made (see :func:`make_context`).

    The context fixes everything but the interventions (demand, prices, funding,
    contracts), so a caller that changes only the interventions, like the what-if
    page, can make it once and reuse it. ``context.levers`` must hold the
    interventions' levers (as :func:`principal_levers` gives them).

    Parameters
    ----------
    context : Context
    interventions : sequence of Intervention
    with_bridge : bool

    Returns
    -------
    xarray.Dataset
        As :func:`run`.
    """
    fast = context_arrays(context)
    draws = fast.draws
    no_spend = np.zeros((1, len(context.years), len(ORGANISATIONS), len(ORGANISATIONS)))
    plan = evaluate_values(context, fast.plan_local, no_spend)
    local, changes = apply_values(context, interventions)
    spend, cost_by_intervention = payment_values(context, interventions)
    # `local` is the plan's own array when there are no interventions: not ours to change.
    result = evaluate_values(context, local, spend, plan, owned=local is not fast.plan_local)

    names: list[str] = [i.name for i in interventions]
    plan_local = fast.plan_local
    # (draw, year, locality, pod, intervention): only the pods each intervention touched
    # are written (a 1,000-draw run would otherwise build a zero array per intervention).
    size = max([plan_local.shape[1], *(v.shape[0] for c in changes for v in c.values())])
    locality_change = np.zeros(
        (size, plan_local.shape[2], plan_local.shape[4], plan_local.shape[0], len(changes))
    )
    for i, change in enumerate(changes):
        for index, block in change.items():
            locality_change[:, :, :, index, i] = block
    activity_change = locality_change.sum(axis=2)
    labels: list[str] = names
    bars = None
    if with_bridge:
        bars, labels = _bridge_values(context, interventions, plan, result)
        pad = len(labels) - len(names)

        def padded(values: np.ndarray) -> np.ndarray:
            return np.concatenate([values, np.zeros((*values.shape[:-1], pad))], axis=-1)

        locality_change, activity_change = padded(locality_change), padded(activity_change)
        cost_by_intervention = padded(cost_by_intervention)

    data = evaluation_variables(context, result)
    del data["contract_value"]
    v = draws.variable
    data["demand"] = v(
        np.moveaxis(plan_local, 0, -1),
        ("year", "month", "locality", "pod"),
        {
            "units": "activity units per month",
            "long_name": "Demand before interventions (do-nothing)",
        },
    )
    data["plan_surplus"] = v(
        plan["surplus"],
        ("year", "org"),
        {"units": "GBP", "long_name": "Surplus with no interventions"},
    )
    data["plan_system_surplus"] = v(
        plan["system_surplus"],
        ("year",),
        {"units": "GBP", "long_name": "System surplus with no interventions"},
    )
    data["plan_provider_cost"] = v(
        plan["costs"]["provider_cost"],
        ("year", "org", "pod"),
        {"units": "GBP", "long_name": "Provider cost with no interventions"},
    )
    # Funding is by commissioner; the other organisations have none (NaN, as when aligned).
    allocation = np.full((*fast.funding.shape[:2], len(ORGANISATIONS)), np.nan)
    allocation[..., [ORGANISATIONS.index(c) for c in COMMISSIONERS]] = fast.funding
    data["allocation"] = v(
        allocation, ("year", "org"), {"units": "GBP", "long_name": "Allocation and council funding"}
    )
    data["intervention_cost"] = v(
        cost_by_intervention,
        ("year", "intervention"),
        {"units": "GBP", "long_name": "Intervention cost"},
    )
    data["intervention_activity_change"] = v(
        activity_change,
        ("year", "pod", "intervention"),
        {
            "units": "activity units per year",
            "long_name": "Change in demand made by each intervention (in order)",
        },
    )
    data["locality_activity_change"] = v(
        locality_change,
        ("year", "locality", "pod", "intervention"),
        {
            "units": "activity units per year",
            "long_name": "Change in demand by locality and intervention",
        },
    )
    if bars is not None:
        data["bridge"] = v(
            bars,
            ("year", "intervention"),
            {"units": "GBP", "long_name": "Change in system surplus by intervention"},
        )
    coords = dataset_coords(context)
    coords["intervention"] = labels
    return xr.Dataset(data, coords=coords)


def _bridge_values(
    context: Context,
    interventions: Sequence[Intervention],
    plan: Mapping[str, Any],
    result: Mapping[str, Any],
) -> tuple[np.ndarray, list[str]]:
    """:func:`bridge` on numpy: bars ``(draw, year, bar)`` and their labels."""
    names = [i.name for i in interventions]
    total = result["system_surplus"] - plan["system_surplus"]
    reference, extra_bars = plan, []
    if "cost_congestion" in result["costs"]:
        no_spend = np.zeros((1, len(context.years), len(ORGANISATIONS), len(ORGANISATIONS)))
        reference = evaluate_values(
            context, context_arrays(context).plan_local, no_spend, des=False
        )
        congestion = label(context, result["costs"]["cost_congestion"], ("year", "org", "pod")).sum(
            ("org", "pod")
        ) - label(context, plan["costs"]["cost_congestion"], ("year", "org", "pod")).sum(
            ("org", "pod")
        )
        congestion = congestion.expand_dims([d for d in ("draw",) if d not in congestion.dims])
        extra_bars = [("congestion", -congestion.transpose("draw", "year").values)]
    bars = []
    for intervention in interventions:
        alone, _ = apply_values(context, [intervention])
        spend, _ = payment_values(context, [intervention])
        owned = alone is not context_arrays(context).plan_local
        alone_result = evaluate_values(context, alone, spend, reference, des=False, owned=owned)
        bars.append(alone_result["system_surplus"] - reference["system_surplus"])
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else np.zeros_like(total)
    bars.append(total - explained)
    size = max(b.shape[0] for b in bars)
    out = np.stack([np.broadcast_to(b, (size, b.shape[1])) for b in bars], axis=-1)
    return out, [*names, *[name for name, _ in extra_bars], "interaction"]


def bridge(
    context: Context, interventions: Sequence[Intervention], plan: xr.Dataset, result: xr.Dataset
) -> xr.DataArray:
    """System surplus change from the no-intervention plan, by intervention.

    Each intervention's bar is its effect on its own (standalone, against the
    plan); on the discrete-event path a ``congestion`` bar holds the change in
    congestion cost; the ``interaction`` bar is what remains because interventions
    on the same flows overlap (and backfill and capacity steps are not additive).
    The bars sum to the total change exactly.
    """
    names = [i.name for i in interventions]
    total = result["system_surplus"] - plan["system_surplus"]
    reference, extra_bars = plan, []
    if "cost_congestion" in result:
        # Standalone bars on the analytic path (a DES run per bar would be slow and noisy);
        # the change in congestion cost gets its own bar.
        no_spend, _ = intervention_payments(context, [])
        reference = evaluate(context, context.plan_demand, no_spend, des=False)
        congestion = result["cost_congestion"].sum(("org", "pod")) - plan["cost_congestion"].sum(
            ("org", "pod")
        )
        extra_bars = [("congestion", -congestion)]
    bars = []
    for intervention in interventions:
        alone, _ = apply_interventions(context, [intervention])
        spend, _ = intervention_payments(context, [intervention])
        alone_result = evaluate(context, alone, spend, reference, des=False)
        bars.append(alone_result["system_surplus"] - reference["system_surplus"])
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else xr.zeros_like(total)
    bars.append(total - explained)
    labels = [*names, *[name for name, _ in extra_bars], "interaction"]
    out = xr.concat(bars, dim="intervention", coords="minimal").assign_coords(intervention=labels)
    return in_design_order(out).assign_attrs(
        units="GBP", long_name="Change in system surplus by intervention"
    )
