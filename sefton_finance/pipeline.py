"""One scenario, one draw: demand -> interventions -> capacity -> costing -> finance.

``run(scenario)`` is pure: it returns an xarray Dataset and writes nothing
(:func:`sefton_finance.results.save` does the I/O). Lever values come in as
a mapping so the Monte Carlo module can pass sampled values (DataArrays with a
``draw`` dim) through the very same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance import capacity, costing, demand, finance
from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.codes import ORGANISATIONS
from sefton_finance.interventions import Intervention, resolve_interventions
from sefton_finance.levers import central
from sefton_finance.scenario import Scenario

Levers = Mapping[str, Any]


def principal_levers(scenario: Scenario, interventions: Sequence[Intervention]) -> dict[str, Any]:
    """Lever values of the principal run (draw 0): every interval at its centre.

    Keys: ``growth.non_demographic``, ``growth.by_pod.<pod>``, ``finance.<field>``,
    ``intervention.<name>.<lever>``. Monte Carlo replaces them with sampled arrays.
    """
    levers: dict[str, Any] = {"growth.non_demographic": central(scenario.growth.non_demographic)}
    for pod, lever in scenario.growth.by_pod.items():
        levers[f"growth.by_pod.{pod}"] = central(lever)
    for name in (
        "allocation_growth",
        "council_funding_growth",
        "cost_inflation",
        "efficiency_requirement",
        "efficiency_delivered",
        "other_spend_growth",
    ):
        levers[f"finance.{name}"] = central(getattr(scenario.finance, name))
    for intervention in interventions:
        for name, value in intervention.central_levers().items():
            levers[f"intervention.{intervention.name}.{name}"] = value
    return levers


def intervention_levers(levers: Levers, name: str) -> dict[str, Any]:
    """The levers of one intervention, keyed by parameter name."""
    prefix = f"intervention.{name}."
    return {key[len(prefix) :]: value for key, value in levers.items() if key.startswith(prefix)}


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


def make_context(scenario: Scenario, baseline: Baseline, levers: Levers) -> Context:
    """Project demand and prices for a scenario."""
    years = scenario.years
    f = lambda name: levers[f"finance.{name}"]  # noqa: E731
    prices = finance.Prices(
        tariff=finance.compound((1 + f("cost_inflation")) * (1 - f("efficiency_requirement")) - 1, years),
        cost=finance.compound((1 + f("cost_inflation")) * (1 - f("efficiency_delivered")) - 1, years),
        other_spend=finance.compound(f("other_spend_growth"), years),
        allocation_per_head=finance.compound(f("allocation_growth"), years),
        council_funding=finance.compound(f("council_funding_growth"), years),
    )
    overrides = {key.split(".")[-1]: value for key, value in levers.items() if key.startswith("growth.by_pod.")}
    growth = demand.growth_by_pod(levers["growth.non_demographic"], overrides)
    plan = demand.project_demand(baseline, years, growth, scenario.growth.demographic)
    population = demand.population_projection(baseline, years, scenario.growth.demographic)
    weighted = demand.weighted_population(population, baseline.need_weight)
    funding = finance.allocations(baseline, weighted, prices)
    variable = finance.contract_variable_share(baseline, scenario.contract.form, scenario.contract.variable_share)
    return Context(scenario, baseline, years, levers, prices, plan, weighted, funding, variable)


def apply_interventions(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[xr.DataArray, list[xr.DataArray]]:
    """Apply interventions in order; return the activity and each one's activity change.

    Each acts on what the previous ones left, so effects on one flow combine
    multiplicatively and the changes telescope to the total change exactly.
    """
    activity = context.plan_demand
    changes = []
    stays = context.baseline.bed_days_per_unit
    for intervention in interventions:
        share = intervention.affected_share(context.years, intervention_levers(context.levers, intervention.name))
        after = intervention.shift(activity, share, stays)
        changes.append(after - activity)
        activity = after
    return activity, changes


def intervention_payments(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[xr.DataArray, xr.DataArray]:
    """Intervention funding ``(year, payer, payee)`` and each intervention's cost ``(year, intervention)``."""
    orgs = list(ORGANISATIONS)
    ccg_heads = (
        context.weighted_population.isel(year=0)
        .groupby(context.baseline.locality_commissioner.rename("org"))
        .sum()
    )
    ccg_split = {str(o): float(ccg_heads.sel(org=o) / ccg_heads.sum()) for o in ccg_heads.org.values}
    template = xr.DataArray(
        np.zeros((len(context.years), len(orgs), len(orgs))),
        dims=("year", "payer", "payee"),
        coords={"year": context.years, "payer": orgs, "payee": orgs},
    )
    payments = template
    costs = []
    for intervention in interventions:
        cost = intervention.yearly_cost(
            context.years, intervention_levers(context.levers, intervention.name), context.prices.cost
        )
        costs.append(cost)
        payers = ccg_split if intervention.params.payer == "ccgs" else {intervention.params.payer: 1.0}
        for payer, share in payers.items():
            one_hot = xr.zeros_like(template.isel(year=0))
            one_hot.loc[{"payer": payer, "payee": intervention.params.delivered_by}] = share
            payments = payments + cost * one_hot
    if costs:
        by_intervention = xr.concat(costs, dim="intervention", coords="minimal").assign_coords(
            intervention=[i.name for i in interventions]
        )
    else:
        by_intervention = xr.DataArray(
            np.zeros((len(context.years), 0)), dims=("year", "intervention"), coords={"year": context.years, "intervention": []}
        )
    dims = [d for d in ("draw", "year", "intervention") if d in by_intervention.dims]
    return payments, by_intervention.transpose(*dims)


def evaluate(
    context: Context,
    activity: xr.DataArray,
    spend: xr.DataArray,
    plan: xr.Dataset | None = None,
) -> xr.Dataset:
    """Capacity, costing and finance for one set of post-intervention activity.

    Parameters
    ----------
    context : Context
    activity : xarray.DataArray
        Demand after interventions ``(year, month, locality, age_band, pod)``.
    spend : xarray.DataArray
        Intervention funding ``(year, payer, payee)``.
    plan : xarray.Dataset, optional
        The evaluation of the plan (do-nothing demand); ``None`` evaluates the plan itself.
    """
    baseline = context.baseline
    scenario = context.scenario
    by_locality = activity.sum("age_band")
    plan_by_locality = context.plan_demand.sum("age_band")
    realised, waiting = capacity.backfill(
        by_locality,
        plan_by_locality,
        baseline.waiting_list,
        baseline.pods["has_waiting_list"].astype(bool),
        scenario.capacity.backfill,
    )
    # Admissions treated from the waiting list bring their stays with them.
    extra_admissions = realised - by_locality
    stays = xr.DataArray(
        [baseline.bed_days_per_unit.get(p, 0.0) for p in realised.pod.values], dims="pod", coords={"pod": realised.pod.values}
    )
    extra_bed_days = (extra_admissions * stays).sum("pod")
    realised = realised.copy()
    realised.loc[{"pod": "bed_days"}] = (realised.sel(pod="bed_days") + extra_bed_days).clip(min=0.0)

    provider_monthly = (realised * baseline.provision).sum("locality")
    required = capacity.capacity_required(provider_monthly, baseline)
    provider_yearly = provider_monthly.sum("month")
    if plan is None:
        base_activity, base_required = provider_yearly.isel(year=0), required.isel(year=0)
    else:
        base_activity, base_required = plan["provider_activity"].isel(year=0), plan["capacity_required"].isel(year=0)
    costs = costing.provider_cost(provider_yearly, required, base_activity, base_required, context.prices.cost, baseline)

    yearly = realised.sum("month")
    values = finance.contract_values(yearly, baseline, context.prices.tariff)
    plan_values = values if plan is None else plan["contract_value"]
    capitated = scenario.contract.form == "capitated"
    books = finance.ledgers(
        baseline=baseline,
        funding=context.funding,
        values=values,
        plan_values=plan_values,
        variable_share=context.variable_share,
        provider_costs=costs["provider_cost"].sum("pod"),
        other_spend_index=context.prices.other_spend,
        intervention_spend=spend,
        capitated=capitated and plan is not None,
        risk_share=scenario.contract.risk_share,
        plan_surplus=None if plan is None else plan["surplus_before_risk_share"],
    )
    out = xr.Dataset(
        {
            "activity": realised.assign_attrs(units="activity units per month", long_name="Realised activity"),
            "provider_activity": provider_yearly.assign_attrs(
                units="activity units per year", long_name="Provider activity for Sefton residents"
            ),
            "capacity_required": required,
            "waiting_list": waiting.assign_attrs(units="patients", long_name="Waiting list at year end"),
            "contract_value": values.assign_attrs(units="GBP", long_name="Activity at tariff"),
            **costs.data_vars,
            **books.data_vars,
        }
    )
    return out


def run(
    scenario: Scenario,
    baseline: Baseline | None = None,
    levers: Levers | None = None,
    with_bridge: bool = True,
) -> xr.Dataset:
    """Run one scenario (one draw) through the whole pipeline.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged Sefton baseline.
    levers : mapping, optional
        Lever values; default the principal (central) values.
    with_bridge : bool
        Also attribute the change in surplus to each intervention (one extra
        evaluation per intervention and prefix).

    Returns
    -------
    xarray.Dataset
        Results with the design's dims; see :mod:`sefton_finance.results`.
    """
    baseline = load_baseline() if baseline is None else baseline
    interventions = resolve_interventions(scenario)
    levers = principal_levers(scenario, interventions) if levers is None else levers
    context = make_context(scenario, baseline, levers)
    no_spend, _ = intervention_payments(context, [])
    plan = evaluate(context, context.plan_demand, no_spend)
    activity, changes = apply_interventions(context, interventions)
    spend, cost_by_intervention = intervention_payments(context, interventions)
    result = evaluate(context, activity, spend, plan)

    names = [i.name for i in interventions]
    if changes:
        activity_change = xr.concat([c.sum(("month", "age_band", "locality")) for c in changes], dim="intervention")
        locality_change = xr.concat([c.sum(("month", "age_band")) for c in changes], dim="intervention")
    else:
        activity_change = xr.zeros_like(context.plan_demand.sum(("month", "age_band", "locality"))).expand_dims(intervention=0)
        locality_change = xr.zeros_like(context.plan_demand.sum(("month", "age_band"))).expand_dims(intervention=0)
    activity_change = activity_change.assign_coords(intervention=names)
    locality_change = locality_change.assign_coords(intervention=names)

    ds = result.drop_vars(["contract_value"])
    ds["demand"] = context.plan_demand.sum("age_band").assign_attrs(
        units="activity units per month", long_name="Demand before interventions (do-nothing)"
    )
    ds["plan_surplus"] = plan["surplus"].assign_attrs(units="GBP", long_name="Surplus with no interventions")
    ds["plan_system_surplus"] = plan["system_surplus"].assign_attrs(
        units="GBP", long_name="System surplus with no interventions"
    )
    ds["plan_provider_cost"] = plan["provider_cost"].assign_attrs(units="GBP", long_name="Provider cost with no interventions")
    ds["allocation"] = context.funding.assign_attrs(units="GBP", long_name="Allocation and council funding")
    ds["intervention_cost"] = cost_by_intervention.assign_attrs(units="GBP", long_name="Intervention cost")
    ds["intervention_activity_change"] = _order(activity_change).assign_attrs(
        units="activity units per year", long_name="Change in demand made by each intervention (in order)"
    )
    ds["locality_activity_change"] = _order(locality_change).assign_attrs(
        units="activity units per year", long_name="Change in demand by locality and intervention"
    )
    if with_bridge:
        bars = bridge(context, interventions, plan, result)
        # The interaction bar joins the intervention dim; it has no cost or activity of its own.
        ds = ds.reindex(intervention=bars.intervention.values, fill_value=0.0)
        ds["bridge"] = bars
    return ds


def bridge(
    context: Context, interventions: Sequence[Intervention], plan: xr.Dataset, result: xr.Dataset
) -> xr.DataArray:
    """System surplus change from the no-intervention plan, by intervention.

    Each intervention's bar is its effect on its own (standalone, against the
    plan); the ``interaction`` bar is what remains because interventions on the
    same flows overlap (and backfill and capacity steps are not additive). The
    bars sum to the total change exactly.
    """
    names = [i.name for i in interventions]
    total = result["system_surplus"] - plan["system_surplus"]
    bars = []
    for intervention in interventions:
        alone, _ = apply_interventions(context, [intervention])
        spend, _ = intervention_payments(context, [intervention])
        bars.append(evaluate(context, alone, spend, plan)["system_surplus"] - plan["system_surplus"])
    standalone = sum(bars) if bars else xr.zeros_like(total)
    bars.append(total - standalone)
    out = xr.concat(bars, dim="intervention", coords="minimal").assign_coords(intervention=[*names, "interaction"])
    return _order(out).assign_attrs(units="GBP", long_name="Change in system surplus by intervention")


def _order(array: xr.DataArray) -> xr.DataArray:
    order = ("scenario", "draw", "year", "month", "org", "locality", "pod", "intervention")
    dims = [d for d in order if d in array.dims] + [d for d in array.dims if d not in order]
    return array.transpose(*dims)
