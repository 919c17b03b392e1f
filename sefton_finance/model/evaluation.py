"""One evaluation: demand after interventions through capacity, costing, congestion,
contracts and the ledger.

The chain first evaluates the plan at the planning point: do nothing, every lever
at its central value. That evaluation is the reference of every other: it fixes
the base-year reference of the cost structure and the :class:`Agreement` (the
contracts' plan values and agreed prices, and the planned position a risk share
measures variance from). Each draw's do-nothing and the scenario are then
evaluated against it, so a contract never knows a draw's future.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from sefton_finance.codes import LOCALITIES, PODS
from sefton_finance.model.capacity import Capacity, realise
from sefton_finance.model.congestion import Congestion, simulate_congestion
from sefton_finance.model.contracts import Agreement, contract_values
from sefton_finance.model.costing import BaseYear, base_year, provider_costs
from sefton_finance.model.ledger import LINES, Ledger, ledgers

if TYPE_CHECKING:
    from sefton_finance.model.context import Context


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation computes (numpy, draw axis first)."""

    capacity: Capacity
    base: BaseYear
    costs: dict[str, np.ndarray]
    """Cost parts by ``(draw, year, org, pod)``: fixed, stepped, variable, total, steps held
    (and congestion on the discrete-event path)."""
    congestion: Congestion | None
    contract_value: np.ndarray
    """Activity at the agreed prices ``(draw, year, commissioner, org)``."""
    ledger: Ledger
    agreement: Agreement
    """The contracts this evaluation was paid under (its own, for the planning point)."""


def evaluate(
    context: Context,
    local: np.ndarray,
    spend: np.ndarray,
    reference: Evaluation | None = None,
    des: bool = True,
    owned: bool = False,
    freed_from: Evaluation | None = None,
) -> Evaluation:
    """Capacity, costing, congestion, contracts and ledgers for one set of activity.

    Parameters
    ----------
    context : Context
    local : numpy.ndarray
        Demand after interventions ``(pod, draw, year, month, locality)``.
    spend : numpy.ndarray
        Intervention funding ``(draw, year, payer, payee)``.
    reference : Evaluation, optional
        The evaluation whose base year and agreement this one uses (the planning
        point's, or one evaluated against it); ``None`` evaluates the planning point.
    des : bool
        With ``capacity.method: des``, run the discrete-event model (false for the
        bridge's standalone bars).
    owned : bool
        The caller hands ``local`` over (it becomes the realised activity).
    freed_from : Evaluation, optional
        The same draw's do nothing, when ``local`` is a scenario's: capacity the
        interventions free is released, reused or held as ``capacity.freed`` says.
    """
    arrays = context.baseline.arrays
    pairs = arrays.provider_pairs
    capacity = realise(context, local, owned)
    base = base_year(capacity) if reference is None else reference.base
    costs = {
        name: pairs.by_org_pod(values)
        for name, values in provider_costs(
            context, capacity, base, None if freed_from is None else freed_from.capacity
        ).items()
    }
    congestion = None
    if des and context.scenario.capacity.method == "des":
        congestion = simulate_congestion(
            context,
            label(
                context, np.moveaxis(capacity.realised, 0, -1), ("year", "month", "locality", "pod")
            ),
            label(context, costs["steps"], ("year", "org", "pod")),
        )
        costs["cost_congestion"] = congestion.cost
        costs["provider_cost"] = costs["provider_cost"] + congestion.cost
    agreement = None if reference is None else reference.agreement
    prices = context.prices.tariff if agreement is None else agreement.price_index
    values = contract_values(arrays, capacity.realised, prices)
    ledger = ledgers(
        arrays,
        context.contract,
        context.funding.by_commissioner,
        values,
        values if agreement is None else agreement.plan_value,
        costs["provider_cost"].sum(axis=-1),
        context.prices.other_spend,
        spend,
        context.funding.deficit_support,
        None if agreement is None else agreement.planned_surplus,
    )
    if agreement is None:
        agreement = Agreement(prices, values, ledger.surplus_before_risk_share)
    return Evaluation(capacity, base, costs, congestion, values, ledger, agreement)


def no_spend(context: Context) -> np.ndarray:
    """Intervention funding of no interventions ``(1, year, payer, payee)``."""
    count = len(context.baseline.organisations)
    return np.zeros((1, len(context.years), count, count))


def label(context: Context, values: np.ndarray, dims: tuple[str, ...]) -> xr.DataArray:
    """``values`` (draw axis first, then ``dims``) as a DataArray with the run's coords."""
    coords = coordinates(context)
    return context.draws.label(values, dims, {d: coords[d] for d in dims})


def coordinates(context: Context) -> dict[str, list]:
    """The labels of every dim a result has."""
    organisations = context.baseline.organisations
    orgs = list(organisations.codes)
    return {
        "year": context.years,
        "month": context.baseline.arrays.months,
        "locality": list(LOCALITIES),
        "pod": list(PODS),
        "org": orgs,
        "commissioner": list(organisations.commissioners),
        "provider": orgs,
        "line": list(LINES),
        "payer": orgs,
        "payee": orgs,
    }
