"""Ledger: one per organisation, income positive and spend negative; surplus is their sum.

Money flows (GBP, cash, per financial year):

- commissioners receive their funding (:mod:`sefton_finance.model.context`);
- commissioners pay providers what the contract form says
  (:mod:`sefton_finance.model.contracts`);
- other commissioner spend and intervention funding go to the payee; a payee
  inside the system passes it straight into delivery (income = cost);
- providers bear the cost from :mod:`sefton_finance.model.costing`;
- a form that pools risk adds its transfers.

Payments between organisations inside the system cancel in the system
position (the sum over organisations inside the system).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sefton_finance.baseline.loader import BaselineArrays
from sefton_finance.codes import PAYMENT_GROUPS
from sefton_finance.model.contracts import Contracts

URGENT_GROUP = PAYMENT_GROUPS.index("urgent")
PENNY = 0.005
"""Urgent activity more than half a penny over plan counts as over plan."""

LINES: tuple[str, ...] = (
    "allocation",
    "deficit_support",
    "contract_income",
    "contract_payments",
    "other_spend",
    "intervention_spend",
    "pass_through_income",
    "pass_through_cost",
    "provider_cost",
    "risk_share",
    "savings_required",
)
"""Ledger lines; income positive, spend negative; their sum is the surplus.

``deficit_support`` is non-recurrent funding from NHS England to a system in deficit
(Cheshire & Merseyside's in 2024/25 and 2025/26), received by the commissioner and
removed from 2026/27: the surplus before it is the recurrent position.
``savings_required`` is the council's gap: a council must set a balanced budget every
year, so a shortfall is savings it has to find (spend it cuts), not a deficit."""


@dataclass(frozen=True)
class Ledger:
    """Every organisation's ledger and the payments between organisations (draw axis first)."""

    ledger: np.ndarray
    """``(draw, year, org, line)``"""
    surplus: np.ndarray
    """``(draw, year, org)``"""
    system_surplus: np.ndarray
    """``(draw, year)``: the sum over organisations inside the system."""
    surplus_before_risk_share: np.ndarray
    """``(draw, year, org)``"""
    payments: np.ndarray
    """``(draw, year, payer, payee)``"""


def ledgers(
    arrays: BaselineArrays,
    contract: Contracts,
    funding: np.ndarray,
    values: np.ndarray,
    plan_values: np.ndarray,
    provider_costs: np.ndarray,
    other_spend_index: np.ndarray,
    intervention_spend: np.ndarray,
    deficit_support: np.ndarray,
    plan_surplus: np.ndarray | None = None,
) -> Ledger:
    """Build every organisation's ledger.

    Parameters
    ----------
    arrays : BaselineArrays
    contract : Contracts
    funding : numpy.ndarray
        ``(draw, year, commissioner)``.
    values, plan_values : numpy.ndarray
        Tariff value of realised and of planned activity ``(draw, year, commissioner, org)``.
    provider_costs : numpy.ndarray
        ``(draw, year, org)``.
    other_spend_index : numpy.ndarray
        ``(draw, year)``.
    intervention_spend : numpy.ndarray
        ``(draw, year, payer, payee)`` over every organisation.
    deficit_support : numpy.ndarray
        ``(draw, year, commissioner)`` non-recurrent deficit support.
    plan_surplus : numpy.ndarray, optional
        The plan's surplus before risk share ``(draw, year, org)``; ``None`` for the plan.
    """
    organisations = arrays.organisations
    commissioners = organisations.commissioner_index
    count = len(organisations)
    contract_paid = contract.payments(arrays, values, plan_values)
    payments_contract = np.zeros((*contract_paid.shape[:2], count, count))
    payments_contract[:, :, commissioners] = contract_paid
    # Other spend (payer, payee, draw, year), laid out as the payer's rows.
    other_by_payer = arrays.other_spend[:, :, None, None] * other_spend_index
    other = np.zeros((count, *other_by_payer.shape[1:]))
    other[commissioners] = other_by_payer
    other = np.moveaxis(other, (0, 1), (-2, -1))  # (draw, year, payer, payee), a view
    payments = payments_contract + other + intervention_spend
    in_system = organisations.in_system
    pass_through = np.where(in_system, (other + intervention_spend).sum(axis=-2), 0.0)
    allocation = np.zeros((*funding.shape[:2], count))
    allocation[..., commissioners] = funding
    support = np.zeros((*deficit_support.shape[:2], count))
    support[..., commissioners] = deficit_support
    contract_income = payments_contract.sum(axis=-2)
    other_paid = np.zeros((*other.shape[:2], count))
    other_paid[..., commissioners] = np.moveaxis(other_by_payer.sum(axis=1), 0, -1)
    lines = {
        "allocation": allocation,
        "deficit_support": support,
        "contract_income": contract_income,
        "contract_payments": -payments_contract.sum(axis=-1),
        "other_spend": -other_paid,
        "intervention_spend": -intervention_spend.sum(axis=-1),
        "pass_through_income": pass_through,
        "pass_through_cost": -pass_through,
        "provider_cost": -provider_costs,
    }
    before = None
    for line in lines.values():
        before = line if before is None else before + line
    # The pool's urgent activity against plan (a budget's outcome-linked withhold).
    pool = contract.pool & ~organisations.is_commissioner
    urgent = (values - plan_values)[..., URGENT_GROUP]
    urgent_over_plan = np.where(pool, urgent.sum(axis=-2), 0.0).sum(axis=-1) > PENNY
    lines["risk_share"] = contract.risk_transfers(
        arrays, before, plan_surplus, funding, contract_income, urgent_over_plan
    )
    lines["savings_required"] = np.zeros_like(before)
    ledger = np.stack([np.broadcast_to(lines[name], before.shape) for name in LINES], axis=-1)
    # Sum the lines one after another, in a fixed order: the same inputs always give
    # the same last bit, whatever the number of draws.
    surplus = ledger[..., 0].copy()
    for line in range(1, len(LINES) - 1):
        surplus += ledger[..., line]
    # The council balances by law: its gap is savings it must find.
    council = np.array([kind == "council" for kind in organisations.kinds])
    savings = np.where(council, np.clip(-surplus, 0.0, None), 0.0)
    ledger[..., -1] = savings
    surplus += savings
    return Ledger(
        ledger=ledger,
        surplus=surplus,
        system_surplus=np.where(in_system, surplus, 0.0).sum(axis=-1),
        surplus_before_risk_share=before,
        payments=payments,
    )
