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
    plan_by_locality: xr.DataArray
    """Do-nothing demand summed over age bands ``(year, month, locality, pod)`` (+ ``draw``)."""


def make_context(scenario: Scenario, baseline: Baseline, levers: Levers) -> Context:
    """Project demand and prices for a scenario."""
    years = scenario.years
    f = lambda name: levers[f"finance.{name}"]  # noqa: E731
    prices = finance.Prices(
        tariff=finance.compound(
            (1 + f("cost_inflation")) * (1 - f("efficiency_requirement")) - 1, years
        ),
        cost=finance.compound(
            (1 + f("cost_inflation")) * (1 - f("efficiency_delivered")) - 1, years
        ),
        other_spend=finance.compound(f("other_spend_growth"), years),
        allocation_per_head=finance.compound(f("allocation_growth"), years),
        council_funding=finance.compound(f("council_funding_growth"), years),
    )
    overrides = {
        key.split(".")[-1]: value
        for key, value in levers.items()
        if key.startswith("growth.by_pod.")
    }
    growth = demand.growth_by_pod(levers["growth.non_demographic"], overrides)
    plan = demand.project_demand(baseline, years, growth, scenario.growth.demographic)
    population = demand.population_projection(baseline, years, scenario.growth.demographic)
    weighted = demand.weighted_population(population, baseline.need_weight)
    funding = finance.allocations(baseline, weighted, prices)
    variable = finance.contract_variable_share(
        baseline, scenario.contract.form, scenario.contract.variable_share
    )
    by_locality = _sum_age_bands(plan)
    return Context(
        scenario, baseline, years, levers, prices, plan, weighted, funding, variable, by_locality
    )


def _sum_age_bands(activity: xr.DataArray) -> xr.DataArray:
    """Sum over age bands, adding the bands in a fixed order.

    Elementwise adds in a fixed order give the same last bit whether a pod was
    touched by an intervention or not, and whatever the number of draws: so a
    zero-effect intervention changes nothing, exactly, and draw 0 of a Monte
    Carlo run equals the single run.
    """
    rest = [d for d in activity.dims if d not in ("age_band", "pod")]
    blocks = activity.transpose("pod", "age_band", *rest).values
    memory = np.empty((blocks.shape[0], *blocks.shape[2:]))
    for pod in range(blocks.shape[0]):
        memory[pod] = _add_bands(blocks[pod])
    dims = [*rest, "pod"]
    coords = {d: activity[d].values for d in dims if d in activity.coords}
    return xr.DataArray(np.moveaxis(memory, 0, -1), dims=dims, coords=coords)


def _add_bands(block: np.ndarray) -> np.ndarray:
    """``block[0] + block[1] + ...`` over the leading (age band) axis."""
    total = block[0].copy()
    for band in range(1, block.shape[0]):
        total += block[band]
    return total


def _has_draws(levers: Levers) -> bool:
    return any(isinstance(v, xr.DataArray) and "draw" in v.dims for v in levers.values())


class _Overlay:
    """Demand after interventions, kept as the plan plus the pods that changed.

    An intervention touches a few pods; copying the whole (draws x years x months
    x localities x age bands x pods) array for each one would dominate a
    1,000-draw run. Each pod is a numpy block with dims ``(age_band, draw, year,
    month, locality)`` (the plan's memory order, see :func:`demand.project_demand`);
    the draw axis has length 1 where nothing varies by draw.
    """

    def __init__(self, context: Context):
        plan = context.plan_demand
        self.dims = ["age_band", "draw", "year", "month", "locality"]
        self.plan = plan
        self.plan_has_draw = "draw" in plan.dims
        self.blocks = plan.transpose("pod", *[d for d in self.dims if d in plan.dims]).values
        self.pods = list(plan.pod.values)
        self.changed: dict[int, np.ndarray] = {}
        self.touched: set[int] = set()

    def get(self, pod: str) -> np.ndarray:
        index = self.pods.index(pod)
        if index in self.changed:
            return self.changed[index]
        values = self.blocks[index]
        return values if self.plan_has_draw else values[:, None]

    def set(self, pod: str, values: np.ndarray) -> None:
        index = self.pods.index(pod)
        self.changed[index] = values
        self.touched.add(index)

    def align(self, array: xr.DataArray) -> np.ndarray:
        """A DataArray (share, moved activity) as numpy, broadcastable against the blocks."""
        missing = [d for d in self.dims if d not in array.dims]
        return array.expand_dims(missing).transpose(*self.dims).values

    def as_dataarray(self, values: np.ndarray) -> xr.DataArray:
        coords = {d: self.plan[d].values for d in self.dims if d in self.plan.coords}
        array = xr.DataArray(values, dims=self.dims, coords=coords)
        return array if values.shape[1] > 1 or self.plan_has_draw else array.isel(draw=0)

    def full(self) -> xr.DataArray:
        """The whole activity array (for mechanisms that override ``shift``)."""
        draws = max([v.shape[1] for v in self.changed.values()], default=1)
        blocks = self.blocks if self.plan_has_draw else self.blocks[:, :, None]
        blocks = np.array(
            np.broadcast_to(
                blocks, (*blocks.shape[:2], max(draws, blocks.shape[2]), *blocks.shape[3:])
            )
        )
        for index, values in self.changed.items():
            blocks[index] = values
        dims = ["pod", *self.dims]
        coords = {d: self.plan[d].values for d in dims if d in self.plan.coords}
        array = xr.DataArray(blocks, dims=dims, coords=coords)
        if not self.plan_has_draw and blocks.shape[2] == 1:
            array = array.isel(draw=0)
        return array.transpose(*[d for d in ("draw", *self.plan.dims) if d in array.dims])

    def by_locality(self, index: int) -> np.ndarray:
        """One pod's activity summed over age bands ``(draw, year, month, locality)``."""
        return _add_bands(self.changed[index])


def _shift(
    overlay: _Overlay, intervention: Intervention, share: xr.DataArray, stays: Mapping[str, float]
) -> None:
    """Apply one intervention to the overlay (same arithmetic as ``Intervention.shift``)."""
    if type(intervention).shift is not Intervention.shift:
        # A plugin with its own shift sees the whole array, as its contract says.
        after = intervention.shift(overlay.full(), share, stays)
        if "draw" not in after.dims:
            after = after.expand_dims("draw")
        values = after.transpose("pod", *overlay.dims).values
        for index, pod in enumerate(overlay.pods):
            overlay.set(pod, values[index])
        return
    fraction = overlay.align(share)
    params = intervention.params
    for pod in params.pods:
        source = overlay.get(pod)
        moved = source * fraction
        overlay.set(pod, source - moved)
        stay = stays.get(pod, 0.0)
        if stay > 0 and "bed_days" not in params.pods:
            overlay.set("bed_days", np.clip(overlay.get("bed_days") - moved * stay, 0.0, None))
        for target, added in intervention.destination(overlay.as_dataarray(moved), pod).items():
            extra = overlay.align(added) if isinstance(added, xr.DataArray) else added
            overlay.set(target, overlay.get(target) + extra)


def apply_interventions(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[xr.DataArray, list[xr.DataArray]]:
    """Apply interventions in order; return the activity and each one's activity change.

    Each acts on what the previous ones left, so effects on one flow combine
    multiplicatively and the changes telescope to the total change exactly.

    Returns
    -------
    (activity, changes)
        Activity summed over age bands ``(year, month, locality, pod)`` and, per
        intervention, its yearly change ``(year, locality, pod)`` (both + ``draw``).
    """
    overlay = _Overlay(context)
    plan = context.plan_by_locality
    stays = context.baseline.bed_days_per_unit
    plan_blocks = plan.transpose(
        "pod", *[d for d in ("draw", "year", "month", "locality") if d in plan.dims]
    ).values
    if "draw" not in plan.dims:
        plan_blocks = plan_blocks[:, None]
    current: dict[
        int, np.ndarray
    ] = {}  # pod -> (draw, year, month, locality) after the interventions so far
    changes = []
    yearly_plan = plan.sum("month", skipna=False)
    for intervention in interventions:
        share = intervention.affected_share(
            context.years, intervention_levers(context.levers, intervention.name)
        )
        overlay.touched = set()
        _shift(overlay, intervention, share, stays)
        change: dict[int, np.ndarray] = {}
        for index in sorted(overlay.touched):
            old = current.get(index, plan_blocks[index])
            new = overlay.by_locality(index)
            current[index] = new
            change[index] = (new - old).sum(axis=2)  # over months
        changes.append(_from_blocks(yearly_plan, change, zeros=True))
    return _from_blocks(plan, current), changes


def _from_blocks(
    template: xr.DataArray, blocks: Mapping[int, np.ndarray], zeros: bool = False
) -> xr.DataArray:
    """``template`` (dims ``(draw?, ..., pod)``) with the given pods' blocks replaced.

    Blocks have a leading draw axis (length 1 where nothing varies by draw). With
    ``zeros`` the other pods are zero instead of the template's values.
    """
    rest = [d for d in template.dims if d not in ("draw", "pod")]
    base = template.transpose("pod", *[d for d in template.dims if d != "pod"]).values
    if not blocks:
        return xr.zeros_like(template) if zeros else template
    if "draw" not in template.dims:
        base = base[:, None]
    draws = max(base.shape[1], *(v.shape[0] for v in blocks.values()))
    shape = (base.shape[0], draws, *base.shape[2:])
    memory = np.zeros(shape) if zeros else np.array(np.broadcast_to(base, shape))
    for index, values in blocks.items():
        memory[index] = values
    dims = ["pod", "draw", *rest]
    coords = {d: template[d].values for d in dims if d in template.coords}
    array = xr.DataArray(memory, dims=dims, coords=coords)
    if draws == 1 and "draw" not in template.dims:
        array = array.isel(draw=0)
    return array.transpose(*[d for d in ("draw", *rest, "pod") if d in array.dims])


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
    ccg_split = {
        str(o): float(ccg_heads.sel(org=o) / ccg_heads.sum()) for o in ccg_heads.org.values
    }
    costs = [
        intervention.yearly_cost(
            context.years,
            intervention_levers(context.levers, intervention.name),
            context.prices.cost,
        )
        for intervention in interventions
    ]
    draws = max([c.sizes.get("draw", 1) for c in costs], default=1)
    with_draw = any("draw" in c.dims for c in costs)
    data = np.zeros((draws, len(context.years), len(orgs), len(orgs)))
    for intervention, cost in zip(interventions, costs, strict=True):
        payers = (
            ccg_split if intervention.params.payer == "ccgs" else {intervention.params.payer: 1.0}
        )
        values = (
            cost.expand_dims([d for d in ("draw",) if d not in cost.dims])
            .transpose("draw", "year")
            .values
        )
        payee = orgs.index(intervention.params.delivered_by)
        for payer, share in payers.items():
            data[:, :, orgs.index(payer), payee] += values * share
    coords = {"year": context.years, "payer": orgs, "payee": orgs}
    if with_draw:
        payments = xr.DataArray(data, dims=("draw", "year", "payer", "payee"), coords=coords)
    else:
        payments = xr.DataArray(data[0], dims=("year", "payer", "payee"), coords=coords)
    if costs:
        by_intervention = xr.concat(costs, dim="intervention", coords="minimal").assign_coords(
            intervention=[i.name for i in interventions]
        )
    else:
        by_intervention = xr.DataArray(
            np.zeros((len(context.years), 0)),
            dims=("year", "intervention"),
            coords={"year": context.years, "intervention": []},
        )
    dims = [d for d in ("draw", "year", "intervention") if d in by_intervention.dims]
    return payments, by_intervention.transpose(*dims)


def _by_provider(realised: xr.DataArray, provision: xr.DataArray) -> xr.DataArray:
    """Activity by provider ``(..., month, org, pod)``: localities' activity x provision shares.

    Only the (pod, provider) pairs with a provision share are summed, locality by
    locality in a fixed order: exact and independent of the number of draws.
    """
    values = realised.transpose(..., "locality", "pod").values
    shares = provision.transpose("pod", "locality", "org")
    pods = list(realised.pod.values)
    orgs = list(shares.org.values)
    share_values = shares.sel(pod=pods).values
    out = np.zeros((*values.shape[:-2], len(orgs), len(pods)))
    for p in range(len(pods)):
        for o in range(len(orgs)):
            localities = np.flatnonzero(share_values[p, :, o])
            if localities.size == 0:
                continue
            total = values[..., localities[0], p] * share_values[p, localities[0], o]
            for loc in localities[1:]:
                total = total + values[..., loc, p] * share_values[p, loc, o]
            out[..., o, p] = total
    dims = [d for d in realised.dims if d not in ("locality", "pod")] + ["org", "pod"]
    coords = {d: realised[d].values for d in dims if d in realised.coords}
    coords["org"] = orgs
    return xr.DataArray(out, dims=dims, coords=coords)


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
    baseline = context.baseline
    scenario = context.scenario
    if activity is context.plan_demand:
        by_locality = context.plan_by_locality
    elif "age_band" in activity.dims:
        by_locality = _sum_age_bands(activity)
    else:
        by_locality = activity
    realised, waiting = capacity.backfill(
        by_locality,
        context.plan_by_locality,
        baseline.waiting_list,
        baseline.pods["has_waiting_list"].astype(bool),
        scenario.capacity.backfill,
    )
    # Admissions treated from the waiting list bring their stays with them.
    pods = list(realised.pod.values)
    values = realised.values  # a new array from backfill: safe to change in place
    extra_bed_days = None
    for pod, stay in baseline.bed_days_per_unit.items():
        index = pods.index(pod)
        extra = (values[..., index] - by_locality.values[..., index]) * stay
        extra_bed_days = extra if extra_bed_days is None else extra_bed_days + extra
    if extra_bed_days is not None:
        bed = pods.index("bed_days")
        values[..., bed] = np.clip(values[..., bed] + extra_bed_days, 0.0, None)

    provider_monthly = _by_provider(realised, baseline.provision)
    required = capacity.capacity_required(provider_monthly, baseline)
    provider_yearly = provider_monthly.sum("month", skipna=False)
    if plan is None:
        base_activity, base_required = provider_yearly.isel(year=0), required.isel(year=0)
    else:
        base_activity, base_required = (
            plan["provider_activity"].isel(year=0),
            plan["capacity_required"].isel(year=0),
        )
    costs = costing.provider_cost(
        provider_yearly, required, base_activity, base_required, context.prices.cost, baseline
    )
    simulated = xr.Dataset()
    if scenario.capacity.method == "des" and des:
        simulated = _congestion(context, realised)
        extra = simulated["congestion_cost"].reindex_like(costs["provider_cost"], fill_value=0.0)
        costs["cost_congestion"] = extra.assign_attrs(simulated["congestion_cost"].attrs)
        costs["provider_cost"] = (costs["provider_cost"] + extra).assign_attrs(
            costs["provider_cost"].attrs
        )

    yearly = realised.sum("month", skipna=False)
    values = finance.contract_values(yearly, baseline, context.prices.tariff)
    plan_values = values if plan is None else plan["contract_value"]
    capitated = scenario.contract.form == "capitated"
    books = finance.ledgers(
        baseline=baseline,
        funding=context.funding,
        values=values,
        plan_values=plan_values,
        variable_share=context.variable_share,
        provider_costs=costs["provider_cost"].sum("pod", skipna=False),
        other_spend_index=context.prices.other_spend,
        intervention_spend=spend,
        capitated=capitated and plan is not None,
        risk_share=scenario.contract.risk_share,
        plan_surplus=None if plan is None else plan["surplus_before_risk_share"],
    )
    out = xr.Dataset(
        {
            "activity": realised.assign_attrs(
                units="activity units per month", long_name="Realised activity"
            ),
            "provider_activity": provider_yearly.assign_attrs(
                units="activity units per year", long_name="Provider activity for Sefton residents"
            ),
            "capacity_required": required,
            "waiting_list": waiting.assign_attrs(
                units="patients", long_name="Waiting list at year end"
            ),
            "contract_value": values.assign_attrs(units="GBP", long_name="Activity at tariff"),
            **costs.data_vars,
            **books.data_vars,
            **{name: simulated[name] for name in simulated.data_vars if name != "congestion_cost"},
        }
    )
    return out


def _congestion(context: Context, realised: xr.DataArray) -> xr.Dataset:
    """Run the discrete-event model on realised activity: congestion cost and performance.

    The DES replications draw from their own streams (apart from the lever draws),
    and the plan and the scenario use the same ones, so their difference is not noise.
    """
    from sefton_finance.des.link import congestion_cost, performance_summary, run_des
    from sefton_finance.montecarlo import REPLICATION_STREAM

    if "draw" in realised.dims:
        raise ValueError("the discrete-event path runs replications of the principal draw only")
    scenario = context.scenario
    seed = np.random.SeedSequence(entropy=scenario.seed, spawn_key=(REPLICATION_STREAM, 0))
    des = run_des(
        realised,
        context.baseline,
        seed=seed,
        replications=scenario.capacity.replications,
        warmup_days=scenario.capacity.warmup_days,
    )
    # Every organisation, in the baseline's order (only the acute sites have congestion).
    out = congestion_cost(des, context.baseline, context.prices.cost).reindex(
        org=list(context.baseline.organisations.org.values), fill_value=0.0
    )
    return out.merge(performance_summary(des))


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
    interventions = resolve_interventions(scenario) if interventions is None else interventions
    levers = principal_levers(scenario, interventions) if levers is None else levers
    context = make_context(scenario, baseline, levers)
    no_spend, _ = intervention_payments(context, [])
    plan = evaluate(context, context.plan_demand, no_spend)
    activity, changes = apply_interventions(context, interventions)
    spend, cost_by_intervention = intervention_payments(context, interventions)
    result = evaluate(context, activity, spend, plan)

    names = [i.name for i in interventions]
    if changes:
        locality_change = xr.concat(changes, dim="intervention", coords="minimal")
    else:
        locality_change = xr.zeros_like(context.plan_by_locality.sum("month")).expand_dims(
            intervention=0
        )
    activity_change = locality_change.sum("locality", skipna=False)
    activity_change = activity_change.assign_coords(intervention=names)
    locality_change = locality_change.assign_coords(intervention=names)

    ds = result.drop_vars(["contract_value"])
    ds["demand"] = context.plan_by_locality.assign_attrs(
        units="activity units per month", long_name="Demand before interventions (do-nothing)"
    )
    ds["plan_surplus"] = plan["surplus"].assign_attrs(
        units="GBP", long_name="Surplus with no interventions"
    )
    ds["plan_system_surplus"] = plan["system_surplus"].assign_attrs(
        units="GBP", long_name="System surplus with no interventions"
    )
    ds["plan_provider_cost"] = plan["provider_cost"].assign_attrs(
        units="GBP", long_name="Provider cost with no interventions"
    )
    ds["allocation"] = context.funding.assign_attrs(
        units="GBP", long_name="Allocation and council funding"
    )
    ds["intervention_cost"] = cost_by_intervention.assign_attrs(
        units="GBP", long_name="Intervention cost"
    )
    ds["intervention_activity_change"] = _order(activity_change).assign_attrs(
        units="activity units per year",
        long_name="Change in demand made by each intervention (in order)",
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
    return _order(out).assign_attrs(
        units="GBP", long_name="Change in system surplus by intervention"
    )


def _order(array: xr.DataArray) -> xr.DataArray:
    order = ("scenario", "draw", "year", "month", "org", "locality", "pod", "intervention")
    dims = [d for d in order if d in array.dims] + [d for d in array.dims if d not in order]
    return array.transpose(*dims)
