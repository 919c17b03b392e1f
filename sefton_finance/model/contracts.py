"""Contract forms: how commissioners pay providers, and who bears the risk.

Every form is a :class:`ContractForm`. The model asks a form two things:

``payments(arrays, actual, plan)``
    what each commissioner pays each provider ``(draw, year, commissioner, org)``,
    given the value of realised and of planned activity at the agreed prices
    (:class:`Agreement`);
``risk_transfers(arrays, before, plan_surplus, funding, contract_income)``
    transfers between organisations that share the system's variance against plan
    (zero unless the form pools risk).

The forms here pay ``plan + v x (actual - plan)`` at tariff, ``v`` being the
share of price paid on activity above or below plan: PbR ``v = 1``, a block
``v = 0``, blended ``0 < v < 1``. ``baseline`` keeps each pair's form from
contracts.csv; any other form applies to every pair whose provider is inside the
system (providers outside keep their own contracts). The capitated form pays the
plan (a block) and shares the pooled variance: the commissioners in the pooled
budget bear ``risk_share`` of it pro rata to allocation, the providers in it the
rest pro rata to contract income.

Adding a form is adding one class and one line in :data:`FORMS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sefton_finance.baseline import Baseline
from sefton_finance.baseline.loader import BaselineArrays, ContractTerms
from sefton_finance.config.scenario import Contract


@dataclass(frozen=True)
class Agreement:
    """What commissioners and providers agree at the planning point, before any draw.

    Contracts are agreed ex ante from the plan forecast (do nothing, every lever
    central): each year's plan value at the agreed price uplift, and the planned
    position. A draw then varies demand and cost; each form leaves that risk where
    a real contract leaves it: a block with providers, PbR's volume risk with
    commissioners, a risk share pooled.
    """

    price_index: np.ndarray
    """``(1, year)`` agreed tariff index (the central tariff uplift)."""
    plan_value: np.ndarray
    """``(1, year, commissioner, org)`` planned activity at the agreed prices."""
    planned_surplus: np.ndarray
    """``(1, year, org)`` each organisation's planned surplus before any risk share."""


class ContractForm:
    """A contract form applied to the commissioner-provider pairs of a baseline.

    Parameters
    ----------
    spec : Contract
        The scenario's ``contract`` section.
    baseline : Baseline
    """

    name: ClassVar[str] = ""

    def __init__(self, spec: Contract, baseline: Baseline):
        self.spec = spec
        self.variable_share = self.variable_shares(baseline.arrays)
        """``(commissioner, org)`` share of price paid on activity away from plan."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def share(self) -> float:
        """The variable share this form sets for pairs inside the system."""
        raise NotImplementedError

    def variable_shares(self, arrays: BaselineArrays) -> np.ndarray:
        """``v`` of every (commissioner, org) pair: this form's inside the system."""
        inside = arrays.organisations.in_system[None, :]
        return np.where(inside, float(self.share()), arrays.contract_variable_share)

    def payments(self, arrays: BaselineArrays, actual: np.ndarray, plan: np.ndarray) -> np.ndarray:
        """Contract payments ``(draw, year, commissioner, org)``: plan + v x (actual - plan),
        only where a contract exists."""
        contract = plan + self.variable_share * (actual - plan)
        return np.where(arrays.contract_exists, contract, 0.0)

    def risk_transfers(
        self,
        arrays: BaselineArrays,
        before: np.ndarray,
        plan_surplus: np.ndarray | None,
        funding: np.ndarray,
        contract_income: np.ndarray,
    ) -> np.ndarray:
        """Risk-share transfers ``(draw, year, org)``; they sum to zero. None by default."""
        return np.zeros_like(before)


class AsContracted(ContractForm):
    """Each pair keeps its own form from contracts.csv."""

    name = "baseline"

    def variable_shares(self, arrays: BaselineArrays) -> np.ndarray:
        return arrays.contract_variable_share


class PaymentByResults(ContractForm):
    """Activity x tariff: commissioners bear the volume risk."""

    name = "pbr"

    def share(self) -> float:
        return 1.0


class Block(ContractForm):
    """A fixed sum on plan: providers bear the volume risk."""

    name = "block"

    def share(self) -> float:
        return 0.0


class Blended(ContractForm):
    """Fixed on plan plus ``variable_share`` of the price of activity away from plan."""

    name = "blended"

    def share(self) -> float:
        return float(self.spec.variable_share)


class Capitated(ContractForm):
    """A whole-system budget: providers are paid the plan and the pooled budget's members
    share the system's variance against plan."""

    name = "capitated"

    def share(self) -> float:
        return 0.0

    def risk_transfers(self, arrays, before, plan_surplus, funding, contract_income):
        if plan_surplus is None:
            # The plan itself: nothing to share against.
            return np.zeros_like(before)
        return risk_share_transfers(
            arrays, before, plan_surplus, funding, contract_income, self.spec.risk_share
        )


FORMS: dict[str, type[ContractForm]] = {
    form.name: form for form in (AsContracted, PaymentByResults, Block, Blended, Capitated)
}
"""Contract forms by the name a scenario gives them."""


def contract_form(spec: Contract, baseline: Baseline) -> ContractForm:
    """The contract form a scenario chooses."""
    return FORMS[spec.form](spec, baseline)


def risk_share_transfers(
    arrays: BaselineArrays,
    before: np.ndarray,
    plan_surplus: np.ndarray,
    funding: np.ndarray,
    contract_income: np.ndarray,
    risk_share: float,
) -> np.ndarray:
    """Transfers that share the pooled variance against plan ``(draw, year, org)``.

    Each pool member ends at ``plan surplus + its share x pooled variance``; the
    commissioners in the pool hold ``risk_share`` of it (pro rata to allocation),
    the providers in it the rest (pro rata to contract income in the base year).

    Parameters
    ----------
    before, plan_surplus : numpy.ndarray
        Surplus before risk share of this run and of the plan, ``(draw, year, org)``.
    funding : numpy.ndarray
        ``(draw, year, commissioner)``.
    contract_income : numpy.ndarray
        ``(draw, year, org)``.
    """
    organisations = arrays.organisations
    member = organisations.pooled_budget
    commissioner = organisations.is_commissioner
    allocation = np.zeros((*funding.shape[:2], len(organisations)))
    allocation[..., organisations.commissioner_index] = funding
    commissioner_weight = np.where(member & commissioner, allocation, 0.0)[:, 0]
    provider_weight = np.where(member & ~commissioner, contract_income, 0.0)[:, 0]
    shares = risk_share * commissioner_weight / commissioner_weight.sum(axis=-1, keepdims=True) + (
        1 - risk_share
    ) * provider_weight / provider_weight.sum(axis=-1, keepdims=True)
    variance = np.where(member, before - plan_surplus, 0.0)
    pooled = variance.sum(axis=-1)
    return np.where(member, shares[:, None, :] * pooled[..., None] - variance, 0.0)


def contract_values(arrays: BaselineArrays, realised: np.ndarray, tariff: np.ndarray) -> np.ndarray:
    """Tariff value of each commissioner's purchases from each provider.

    Parameters
    ----------
    arrays : BaselineArrays
    realised : numpy.ndarray
        Monthly activity ``(pod, draw, year, month, locality)``.
    tariff : numpy.ndarray
        ``(draw, year)`` tariff price index.

    Returns
    -------
    numpy.ndarray
        ``(draw, year, commissioner, org)``.
    """
    yearly = realised.sum(axis=3)  # (pod, draw, year, locality)
    terms = arrays.contract_terms
    values = np.zeros(
        (*yearly.shape[1:3], len(arrays.organisations.commissioners), len(arrays.organisations))
    )
    values[:, :, terms.commissioner, terms.org] = np.moveaxis(value_by_pair(yearly, terms), 0, -1)
    return values * tariff[..., None, None]


def value_by_pair(yearly: np.ndarray, terms: ContractTerms) -> np.ndarray:
    """Value of each contract pair's activity at base tariff, ``(pair, draw, year)``.

    ``yearly`` is ``(pod, draw, year, locality)``.
    """
    # Rank by rank over all pairs at once: the same adds, in the same order, as a
    # loop over each pair's own terms (padding adds exact zeros).
    total = None
    for rank in range(terms.locality.shape[0]):
        term = (
            yearly[terms.pod[rank], :, :, terms.locality[rank]] * terms.weight[rank][:, None, None]
        )
        total = term if total is None else total + term
    if total is None:
        return np.zeros((0, *yearly.shape[1:3]))
    return total
