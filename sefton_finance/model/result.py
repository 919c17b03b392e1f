"""Result: the chain's numpy records as one labelled xarray Dataset, with units.

Variables keep the draw axis only where something varies by draw (see
:class:`~sefton_finance.model.draws.Draws`); provenance and the derived board
views are added by :mod:`sefton_finance.api`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from sefton_finance.interventions import Intervention
from sefton_finance.model.bridge import Bridge
from sefton_finance.model.evaluation import Evaluation, coordinates
from sefton_finance.model.interventions import InterventionFunding, Shifted
from sefton_finance.model.savings import KINDS, savings_by_kind

if TYPE_CHECKING:
    from sefton_finance.model.context import Context

GBP = "GBP"

COST_ATTRS: dict[str, dict[str, str]] = {
    "cost_fixed": {"units": GBP, "long_name": "Fixed cost of the capacity held"},
    "cost_stranded": {"units": GBP, "long_name": "Stranded fixed cost of capacity released"},
    "cost_stepped": {"units": GBP, "long_name": "Stepped capacity cost"},
    "cost_variable": {"units": GBP, "long_name": "Variable cost"},
    "provider_cost": {"units": GBP, "long_name": "Provider cost of Sefton activity"},
    "steps": {"units": "steps", "long_name": "Capacity steps held"},
}
LEDGER_VARIABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "ledger": (("year", "org", "line"), "Ledger line (income +, spend -)"),
    "surplus": (("year", "org"), "Surplus (+) or deficit (-)"),
    "system_surplus": (("year",), "Sefton system surplus (+) or deficit (-)"),
    "surplus_before_risk_share": (("year", "org"), "Surplus before the capitated risk share"),
    "payments": (("year", "payer", "payee"), "Payments between organisations"),
}


def result_dataset(
    context: Context,
    interventions: Sequence[Intervention],
    plan: Evaluation,
    result: Evaluation,
    shifted: Shifted,
    funding: InterventionFunding,
    bridge: Bridge | None,
) -> xr.Dataset:
    """The result of one run (one draw or many) as a labelled Dataset."""
    v = context.draws.variable
    capacity = result.capacity
    data: dict[str, xr.Variable] = {
        "activity": v(
            np.moveaxis(capacity.realised, 0, -1),
            ("year", "month", "locality", "pod"),
            {"units": "activity units per month", "long_name": "Realised activity"},
        ),
        "provider_activity": v(
            context.baseline.arrays.provider_pairs.by_org_pod(capacity.provider_activity),
            ("year", "org", "pod"),
            {
                "units": "activity units per year",
                "long_name": "Provider activity for Sefton residents",
            },
        ),
        "capacity_required": v(
            context.baseline.arrays.provider_pairs.by_org_pod(capacity.required),
            ("year", "org", "pod"),
            {"units": "capacity units", "long_name": "Capacity required"},
        ),
        "waiting_list": v(
            np.moveaxis(capacity.waiting_list, 0, -1),
            ("year", "locality", "pod"),
            {"units": "patients", "long_name": "Waiting list at year end"},
        ),
    }
    for name, values in result.costs.items():
        attrs = COST_ATTRS.get(name) or result.congestion.attrs
        data[name] = v(values, ("year", "org", "pod"), dict(attrs))
    for name, (dims, long_name) in LEDGER_VARIABLES.items():
        data[name] = v(getattr(result.ledger, name), dims, {"units": GBP, "long_name": long_name})
    if result.congestion is not None:
        # The discrete-event model's figures, labelled: they bring their own dims.
        data.update(result.congestion.parts.data_vars)
        data.update(result.congestion.performance.data_vars)

    plan_local = context.demand.local
    data["demand"] = v(
        np.moveaxis(plan_local, 0, -1),
        ("year", "month", "locality", "pod"),
        {
            "units": "activity units per month",
            "long_name": "Demand before interventions (do-nothing)",
        },
    )
    data["plan_surplus"] = v(
        plan.ledger.surplus,
        ("year", "org"),
        {"units": GBP, "long_name": "Surplus with no interventions"},
    )
    data["plan_system_surplus"] = v(
        plan.ledger.system_surplus,
        ("year",),
        {"units": GBP, "long_name": "System surplus with no interventions"},
    )
    data["plan_provider_cost"] = v(
        plan.costs["provider_cost"],
        ("year", "org", "pod"),
        {"units": GBP, "long_name": "Provider cost with no interventions"},
    )
    organisations = context.baseline.organisations
    # Funding is by commissioner; the other organisations have none (NaN).
    by_commissioner = context.funding.by_commissioner
    allocation = np.full((*by_commissioner.shape[:2], len(organisations)), np.nan)
    allocation[..., organisations.commissioner_index] = by_commissioner
    data["allocation"] = v(
        allocation, ("year", "org"), {"units": GBP, "long_name": "Allocation and council funding"}
    )

    labels = [i.name for i in interventions] if bridge is None else bridge.labels
    locality_change = _changes_by_locality(plan_local, shifted.changes, len(labels))
    cost = _padded(funding.cost, len(labels))
    data["intervention_cost"] = v(
        cost, ("year", "intervention"), {"units": GBP, "long_name": "Intervention cost"}
    )
    data["intervention_activity_change"] = v(
        locality_change.sum(axis=2),
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
    data["savings"] = v(
        savings_by_kind(context, plan, result),
        ("year", "org", "kind"),
        {
            "units": GBP,
            "long_name": "Savings against do nothing by kind (cash-releasing, cost avoidance, "
            "non-cash-releasing)",
        },
    )
    if bridge is not None:
        data["bridge"] = v(
            bridge.bars,
            ("year", "intervention"),
            {"units": GBP, "long_name": "Change in system surplus by intervention"},
        )
        data["bridge_by_org"] = v(
            _padded_axis(bridge.by_org, len(labels), axis=3),
            ("year", "org", "intervention"),
            {
                "units": GBP,
                "long_name": "Change in each organisation's surplus by intervention, on its own",
            },
        )
        data["bridge_savings"] = v(
            _padded_axis(bridge.savings, len(labels), axis=2),
            ("year", "intervention", "kind"),
            {"units": GBP, "long_name": "Each intervention's savings on its own, by kind"},
        )
    coords: dict = coordinates(context)
    if context.draws.coord is not None and context.draws.sampled:
        coords["draw"] = context.draws.coord
    coords["intervention"] = labels
    coords["kind"] = list(KINDS)
    return xr.Dataset(data, coords=coords)


def _changes_by_locality(
    plan_local: np.ndarray, changes: Sequence[dict[int, np.ndarray]], width: int
) -> np.ndarray:
    """``(draw, year, locality, pod, intervention)``: only the pods each intervention touched
    are written (a 1,000-draw run would otherwise build a zero array per intervention);
    columns past the interventions (the bridge's extra bars) are zero."""
    size = max([plan_local.shape[1], *(v.shape[0] for c in changes for v in c.values())])
    out = np.zeros((size, plan_local.shape[2], plan_local.shape[4], plan_local.shape[0], width))
    for i, change in enumerate(changes):
        for index, block in change.items():
            out[:, :, :, index, i] = block
    return out


def _padded_axis(values: np.ndarray, width: int, axis: int) -> np.ndarray:
    """``values`` with zeros along ``axis`` up to ``width``."""
    pad = [(0, 0)] * values.ndim
    pad[axis] = (0, width - values.shape[axis])
    return np.pad(values, pad)


def _padded(values: np.ndarray, width: int) -> np.ndarray:
    """``values (..., n)`` with zero columns up to ``width``."""
    pad = width - values.shape[-1]
    return np.concatenate([values, np.zeros((*values.shape[:-1], pad))], axis=-1)
