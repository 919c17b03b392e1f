"""Capacity, costing and finance of one set of post-intervention activity, on numpy.

:func:`evaluate_values` takes activity ``(pod, draw, year, month, locality)`` and
intervention funding through backfill, capacity, provider cost (plus congestion
cost on the discrete-event path), contracts and ledgers; the rest labels its
arrays as the Dataset variables :func:`sefton_finance.pipeline.evaluate` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from sefton_finance import capacity, costing, finance
from sefton_finance.arrays import context_arrays
from sefton_finance.codes import COMMISSIONERS, LOCALITIES, ORGANISATIONS, PODS

if TYPE_CHECKING:
    from sefton_finance.pipeline import Context


def evaluate_values(
    context: Context,
    local: np.ndarray,
    spend: np.ndarray,
    plan: Mapping[str, Any] | None = None,
    des: bool = True,
    owned: bool = False,
) -> dict[str, Any]:
    """``pipeline.evaluate`` on numpy: activity ``(pod, draw, year, month, locality)``, spend
    ``(draw, year, payer, payee)``; ``plan`` is this function's result for the plan.

    Returns a dict of numpy arrays (draw axis first) named as ``evaluate``'s
    variables, plus the plan's base-year figures of the (pod, provider) pairs.
    With ``owned`` the caller hands ``local`` over: it becomes the realised activity
    (saving a copy of the largest array in a many-draw run).
    """
    baseline = context.baseline
    scenario = context.scenario
    arrays = baseline.arrays
    fast = context_arrays(context)
    plan_local = fast.plan_local

    # Backfill (capacity.backfill): services with a list keep the plan's capacity.
    with_list = np.flatnonzero(arrays.has_waiting_list)
    stays = baseline.bed_days_per_unit
    if owned:
        # Only the pods read again after they change are kept.
        kept = {*with_list.tolist(), *(PODS.index(p) for p in stays)}
        before = {index: local[index].copy() for index in kept}
        realised = local
    else:
        before = local
        realised = np.array(local)  # a copy: changed below
    closing = np.zeros((local.shape[0], local.shape[1], local.shape[2], local.shape[4]))
    if with_list.size:
        wanted = local[with_list]
        planned = np.broadcast_to(plan_local[with_list], wanted.shape)
        opening = arrays.waiting_list[:, with_list].T[:, None, :]  # (pod, 1, locality)
        treated, lists = capacity.backfill_values(
            wanted, planned, opening, 2, 3, scenario.capacity.backfill
        )
        closing[with_list] = lists
        if treated is not None:
            realised[with_list] = treated
    # Admissions treated from the waiting list bring their stays with them.
    extra_bed_days = None
    for pod, stay in stays.items():
        index = PODS.index(pod)
        extra = (realised[index] - before[index]) * stay
        extra_bed_days = extra if extra_bed_days is None else extra_bed_days + extra
    if extra_bed_days is not None:
        bed = PODS.index("bed_days")
        realised[bed] = np.clip(realised[bed] + extra_bed_days, 0.0, None)

    # Activity of each (pod, provider) pair with provision, locality terms added in order.
    pairs = arrays.provider_pairs
    monthly = None
    for rank in range(pairs.locality.shape[0]):
        term = (
            realised[pairs.pod, :, :, :, pairs.locality[rank]]
            * pairs.share[rank][:, None, None, None]
        )
        monthly = term if monthly is None else monthly + term
    yearly = monthly[..., 0].copy()  # months added one after another, as a labelled sum does
    for month in range(1, monthly.shape[-1]):
        yearly += monthly[..., month]
    required = np.zeros(yearly.shape)
    for pod in np.unique(pairs.pod):
        rows = pairs.pod == pod
        required[rows] = capacity.units_for_pod(
            monthly[rows],
            arrays.capacity_method[pod],
            float(arrays.target[pod]),
            float(arrays.service_hours[pod]),
            float(arrays.throughput_per_unit[pod]),
        )
    if plan is None:
        base_activity, base_required = yearly[..., 0], required[..., 0]
    else:
        base_activity, base_required = plan["base_activity"], plan["base_required"]
    parts = costing.cost_values(
        yearly,
        required,
        base_activity,
        base_required,
        fast.cost,
        arrays.unit_cost[pairs.pod],
        arrays.fixed_share[pairs.org, pairs.pod],
        arrays.stepped_share[pairs.org, pairs.pod],
        arrays.variable_share[pairs.org, pairs.pod],
        arrays.units_per_step[pairs.org, pairs.pod],
        arrays.decision_lag[pairs.org, pairs.pod],
    )

    def by_org_pod(series: np.ndarray) -> np.ndarray:
        out = np.zeros((series.shape[1], series.shape[2], len(ORGANISATIONS), len(PODS)))
        out[:, :, pairs.org, pairs.pod] = np.moveaxis(series, 0, -1)
        return out

    out: dict[str, Any] = {
        "activity": realised,
        "provider_activity": by_org_pod(yearly),
        "capacity_required": by_org_pod(required),
        "waiting_list": closing,
        "base_activity": base_activity,
        "base_required": base_required,
    }
    costs = {name: by_org_pod(values) for name, values in parts.items()}
    simulated = None
    if scenario.capacity.method == "des" and des:
        steps = label(context, costs["steps"], ("year", "org", "pod"))
        simulated = _congestion(context, _label_activity(context, realised), steps)
        template = label(context, costs["provider_cost"], ("year", "org", "pod"))
        extra = simulated["congestion_cost"].reindex_like(template, fill_value=0.0)
        extra = extra.expand_dims([d for d in ("draw",) if d not in extra.dims])
        costs["cost_congestion"] = extra.transpose("draw", "year", "org", "pod").values
        costs["provider_cost"] = costs["provider_cost"] + costs["cost_congestion"]
        out["congestion_attrs"] = dict(simulated["congestion_cost"].attrs)
    out["costs"] = costs

    # Contract values (finance.contract_values): yearly activity at tariff.
    yearly_local = realised.sum(axis=3)  # (pod, draw, year, locality)
    terms = arrays.contract_terms
    values = np.zeros((*yearly_local.shape[1:3], len(COMMISSIONERS), len(ORGANISATIONS)))
    values[:, :, terms.commissioner, terms.org] = np.moveaxis(
        finance.contract_value_totals(yearly_local, terms), 0, -1
    )
    values = values * fast.tariff[..., None, None]
    out["contract_value"] = values
    capitated = scenario.contract.form == "capitated"
    out.update(
        finance.ledger_values(
            arrays,
            fast.funding,
            values,
            values if plan is None else plan["contract_value"],
            fast.variable_share,
            costs["provider_cost"].sum(axis=-1),
            fast.other_spend,
            spend,
            capitated=capitated and plan is not None,
            risk_share=scenario.contract.risk_share,
            plan_surplus=None if plan is None else plan["surplus_before_risk_share"],
        )
    )
    out["simulated"] = simulated
    return out


def _congestion(context: Context, realised: xr.DataArray, steps: xr.DataArray) -> xr.Dataset:
    """Run the discrete-event model on realised activity: congestion cost and performance.

    Each year runs with the capacity the cost model holds that year (steps held relative
    to the base year), so congestion is what the costed capacity cannot absorb. The DES
    replications draw from their own streams (apart from the lever draws), and the plan
    and the scenario use the same ones, so their difference is not noise.
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
        capacity_growth=(steps / steps.isel(year=0)).where(steps.isel(year=0) > 0),
    )
    # Every organisation, in the baseline's order (only the acute sites have congestion).
    out = congestion_cost(des, context.baseline, context.prices.cost).reindex(
        org=list(context.baseline.organisations.org.values), fill_value=0.0
    )
    return out.merge(performance_summary(des))


def _coords(context: Context) -> dict[str, Any]:
    orgs = list(ORGANISATIONS)
    return {
        "year": context.years,
        "month": context.baseline.arrays.months,
        "locality": list(LOCALITIES),
        "pod": list(PODS),
        "org": orgs,
        "commissioner": list(COMMISSIONERS),
        "provider": orgs,
        "line": list(finance.LINES),
        "payer": orgs,
        "payee": orgs,
    }


def label(context: Context, values: np.ndarray, dims: Sequence[str]) -> xr.DataArray:
    """``values`` (draw axis first, then ``dims``) as a DataArray with the run's coords."""
    coords = _coords(context)
    return context_arrays(context).draws.label(values, dims, {d: coords[d] for d in dims})


def _label_activity(context: Context, realised: np.ndarray) -> xr.DataArray:
    return label(context, np.moveaxis(realised, 0, -1), ("year", "month", "locality", "pod"))


_EVALUATION_VARIABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "activity": (
        ("year", "month", "locality", "pod"),
        {"units": "activity units per month", "long_name": "Realised activity"},
    ),
    "provider_activity": (
        ("year", "org", "pod"),
        {"units": "activity units per year", "long_name": "Provider activity for Sefton residents"},
    ),
    "capacity_required": (
        ("year", "org", "pod"),
        {"units": "capacity units", "long_name": "Capacity required"},
    ),
    "waiting_list": (
        ("year", "locality", "pod"),
        {"units": "patients", "long_name": "Waiting list at year end"},
    ),
    "contract_value": (
        ("year", "commissioner", "provider"),
        {"units": "GBP", "long_name": "Activity at tariff"},
    ),
}
_COST_ATTRS = {
    "cost_fixed": {"units": "GBP", "long_name": "Fixed cost"},
    "cost_stepped": {"units": "GBP", "long_name": "Stepped capacity cost"},
    "cost_variable": {"units": "GBP", "long_name": "Variable cost"},
    "provider_cost": {"units": "GBP", "long_name": "Provider cost of Sefton activity"},
    "steps": {"units": "steps", "long_name": "Capacity steps held"},
}


def evaluation_variables(context: Context, out: Mapping[str, Any]) -> dict[str, xr.Variable]:
    """The variables of ``pipeline.evaluate``'s Dataset, in its order."""
    draws = context_arrays(context).draws
    data: dict[str, xr.Variable] = {}
    values = {
        "activity": np.moveaxis(out["activity"], 0, -1),
        "waiting_list": np.moveaxis(out["waiting_list"], 0, -1),
    }
    for name, (dims, attrs) in _EVALUATION_VARIABLES.items():
        data[name] = draws.variable(values.get(name, out.get(name)), dims, dict(attrs))
    for name, array in out["costs"].items():
        attrs = _COST_ATTRS.get(name) or out["congestion_attrs"]
        data[name] = draws.variable(array, ("year", "org", "pod"), dict(attrs))
    for name, dims in finance.LEDGER_DIMS.items():
        data[name] = draws.variable(out[name], dims, dict(finance.LEDGER_ATTRS[name]))
    simulated = out["simulated"]
    if simulated is not None:
        # The discrete-event model's performance figures (labelled: they bring their own dims).
        data.update({n: simulated[n] for n in simulated.data_vars if n != "congestion_cost"})
    return data


def evaluation_dataset(context: Context, out: Mapping[str, Any]) -> xr.Dataset:
    """:func:`evaluate_values`' result as the Dataset ``pipeline.evaluate`` returns."""
    return xr.Dataset(evaluation_variables(context, out), coords=dataset_coords(context))


def dataset_coords(context: Context) -> dict[str, Any]:
    """The coords of a result Dataset (with ``draw`` when the levers label their draws)."""
    coords = _coords(context)
    draws = context_arrays(context).draws
    if draws.coord is not None and draws.sampled:
        coords = {**coords, "draw": draws.coord}
    return coords


def plan_values(context: Context, plan: xr.Dataset) -> dict[str, Any]:
    """What an evaluation needs of the plan, from its Dataset."""
    pairs = context.baseline.arrays.provider_pairs

    def with_draw(array: xr.DataArray, *dims: str) -> np.ndarray:
        if "draw" not in array.dims:
            array = array.expand_dims("draw")
        return array.transpose("draw", *dims).values

    def base(name: str) -> np.ndarray:
        values = with_draw(
            plan[name].isel(year=0).sel(org=list(ORGANISATIONS), pod=list(PODS)), "org", "pod"
        )
        return values[:, pairs.org, pairs.pod].T  # (pair, draw)

    return {
        "base_activity": base("provider_activity"),
        "base_required": base("capacity_required"),
        "contract_value": with_draw(plan["contract_value"], "year", "commissioner", "provider"),
        "surplus_before_risk_share": with_draw(
            plan["surplus_before_risk_share"].sel(org=list(ORGANISATIONS)), "year", "org"
        ),
    }
