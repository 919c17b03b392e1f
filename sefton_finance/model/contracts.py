"""Contract forms: how commissioners pay providers, and who bears the risk.

Contracts are agreed ex ante (:class:`Agreement`): each year's plan value at the
agreed prices, fixed at the planning point (do nothing, every lever central). A
draw then varies demand and cost, and each form leaves that risk where a real
contract leaves it.

Each commissioner-provider pair is paid under one :class:`ContractForm`. A form
gives the share ``v`` of the price paid on activity away from plan, for planned,
urgent and other activity (:data:`~sefton_finance.codes.PAYMENT_GROUPS`), and the
plan value it pays (the agreed value; a low-volume block's rolling average):

    payment = paid plan + v x (actual - plan), summed over the payment groups

PbR ``v = 1`` (volume risk with commissioners), a block ``v = 0`` (with providers),
blended ``0 < v < 1``, aligned payment and incentive (API) 1 for planned care and a
chosen share for urgent care. :class:`Contracts` chooses each pair's form (a pair
override, else the scenario's form for providers inside the system, else the
pair's own form and terms in contracts.csv) and, for a capitated budget, shares the pooled variance.

Adding a form is adding one :class:`ContractForm` subclass and one line in :data:`FORMS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sefton_finance.baseline import Baseline
from sefton_finance.baseline.loader import BaselineArrays, ContractTerms
from sefton_finance.codes import PAYMENT_GROUPS
from sefton_finance.config.scenario import Budget, Contract

GROUPS = len(PAYMENT_GROUPS)


@dataclass(frozen=True)
class Agreement:
    """What commissioners and providers agree at the planning point, before any draw."""

    price_index: np.ndarray
    """``(1, year)`` agreed tariff index (the central tariff uplift)."""
    plan_value: np.ndarray
    """``(1, year, commissioner, org, group)`` planned activity at the agreed prices."""
    planned_surplus: np.ndarray
    """``(1, year, org)`` each organisation's planned surplus before any risk share."""


@dataclass(frozen=True)
class PaymentTerms:
    """A form's parameters: from the scenario's ``contract`` section when the scenario
    chooses the form, from the pair's row in contracts.csv when the pair keeps its own."""

    variable_share: float | None = None
    """For 'blended': share of the price paid on activity away from plan."""
    urgent_variable_share: float = 0.0
    """For 'api': share of the price paid on urgent activity away from plan."""


class ContractForm:
    """How one commissioner pays one provider.

    Parameters
    ----------
    terms : PaymentTerms
        The form's parameters.
    """

    name: ClassVar[str] = ""
    rolling_years: ClassVar[int] = 0
    """Years of plan value averaged into what is paid (0: each year's own plan value)."""

    def __init__(self, terms: PaymentTerms):
        self.terms = terms

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.terms})"

    def variable_shares(self) -> np.ndarray:
        """``v`` of each payment group ``(group,)``."""
        raise NotImplementedError


class PaymentByResults(ContractForm):
    """Activity x unit price: commissioners bear the volume risk."""

    name = "pbr"

    def variable_shares(self) -> np.ndarray:
        return np.ones(GROUPS)


class Block(ContractForm):
    """The agreed plan value: providers bear the volume risk."""

    name = "block"

    def variable_shares(self) -> np.ndarray:
        return np.zeros(GROUPS)


class Blended(ContractForm):
    """The plan value plus ``variable_share`` of the price of activity away from plan."""

    name = "blended"

    def variable_shares(self) -> np.ndarray:
        return np.full(GROUPS, float(self.terms.variable_share))


class AlignedPayment(ContractForm):
    """Aligned payment and incentive (NHS Payment Scheme 2025/26): a fixed element plus a
    variable element: planned (elective) care at 100% of unit price, urgent care at
    ``urgent_variable_share``, other activity fixed."""

    name = "api"

    def variable_shares(self) -> np.ndarray:
        return np.array([1.0, float(self.terms.urgent_variable_share), 0.0])


class LowVolumeBlock(ContractForm):
    """A low-volume activity block: a fixed sum set from the three-year rolling average of
    the plan value, with no in-year adjustment (NHSPS 2025/26)."""

    name = "low_volume_block"
    rolling_years = 3

    def variable_shares(self) -> np.ndarray:
        return np.zeros(GROUPS)


FORMS: dict[str, type[ContractForm]] = {
    form.name: form for form in (PaymentByResults, Block, Blended, AlignedPayment, LowVolumeBlock)
}
"""Forms a pair can be paid under, by the name a scenario or contracts.csv gives them
('nhs_payment_scheme' picks API or the low-volume block by the pair's size)."""


class Contracts:
    """Every pair's contract form, and the risk share, of a scenario on a baseline.

    Parameters
    ----------
    spec : Contract
    baseline : Baseline
    """

    def __init__(self, spec: Contract, baseline: Baseline):
        self.spec = spec
        arrays = baseline.arrays
        organisations = arrays.organisations
        commissioners = organisations.commissioners
        base_value = _base_year_value(arrays)
        overrides = {(p.commissioner, p.provider): p.form for p in spec.pairs}
        chosen = PaymentTerms(spec.variable_share, spec.urgent_variable_share)
        self.forms: dict[tuple[str, str], ContractForm] = {}
        shares = np.zeros((len(commissioners), len(organisations), GROUPS))
        rolling = np.zeros((len(commissioners), len(organisations)), dtype=int)
        for c, commissioner in enumerate(commissioners):
            for o, provider in enumerate(organisations.codes):
                if not arrays.contract_exists[c, o]:
                    continue
                name = overrides.get((commissioner, provider), self._form_of(o, arrays))
                terms = chosen
                if name == "baseline":
                    name, terms = _as_contracted(arrays, c, o)
                if name == "nhs_payment_scheme":
                    small = base_value[c, o] <= spec.low_volume_threshold
                    name = "low_volume_block" if small else "api"
                form = FORMS[name](terms)
                self.forms[(commissioner, provider)] = form
                shares[c, o] = form.variable_shares()
                rolling[c, o] = form.rolling_years
        self.variable_share = shares
        """``(commissioner, org, group)`` share of price paid on activity away from plan."""
        self.rolling = rolling
        """``(commissioner, org)`` years of plan value averaged (low-volume blocks)."""
        pool = organisations.pooled_budget.copy()
        if spec.form == "capitated" and spec.council_in_pool and organisations.council:
            pool[organisations.index(organisations.council)] = True
        self.pool = pool
        """``(org,)`` members of the pooled budget (capitated only)."""
        self.holder: int | None = None
        """Position of a capitated budget's lead provider, if it has one."""
        if spec.form == "capitated" and spec.budget is not None:
            self.holder = organisations.index(organisations.resolve(spec.budget.holder))
            self.pool[self.holder] = True

    def _form_of(self, provider: int, arrays: BaselineArrays) -> str:
        """The scenario's form for a pair with no override: its own inside the system."""
        form = self.spec.form
        if form == "baseline" or not arrays.organisations.in_system[provider]:
            return "baseline"
        return "block" if form == "capitated" else form

    def payments(self, arrays: BaselineArrays, actual: np.ndarray, plan: np.ndarray) -> np.ndarray:
        """Contract payments ``(draw, year, commissioner, org)``.

        Parameters
        ----------
        actual, plan : numpy.ndarray
            Realised and planned activity at the agreed prices
            ``(draw, year, commissioner, org, group)``.
        """
        paid_plan = _rolled(plan, self.rolling)
        contract = paid_plan + self.variable_share * (actual - plan)
        total = contract[..., 0].copy()
        for group in range(1, GROUPS):
            total += contract[..., group]
        return np.where(arrays.contract_exists, total, 0.0)

    def risk_transfers(
        self,
        arrays: BaselineArrays,
        before: np.ndarray,
        planned_surplus: np.ndarray | None,
        funding: np.ndarray,
        contract_income: np.ndarray,
        urgent_over_plan: np.ndarray | None = None,
    ) -> np.ndarray:
        """Transfers that share the pooled variance against the planned position
        ``(draw, year, org)``; they sum to zero. None unless the budget is capitated.

        ``urgent_over_plan`` ``(draw, year)`` bool says where the pool's urgent activity
        ran above plan (a budget's withhold is then kept by the commissioners).
        """
        if self.spec.form != "capitated" or planned_surplus is None:
            return np.zeros_like(before)
        if self.spec.budget is not None:
            return budget_transfers(
                arrays,
                self.pool,
                self.holder,
                self.spec.budget,
                before,
                planned_surplus,
                funding,
                contract_income,
                urgent_over_plan,
            )
        return risk_share_transfers(
            arrays,
            self.pool,
            before,
            planned_surplus,
            funding,
            contract_income,
            self.spec.risk_share,
        )


def contract_form(spec: Contract, baseline: Baseline) -> Contracts:
    """The contracts a scenario chooses."""
    return Contracts(spec, baseline)


def _as_contracted(arrays: BaselineArrays, c: int, o: int) -> tuple[str, PaymentTerms]:
    """A pair's own form and terms in contracts.csv."""
    share = float(arrays.contract_variable_share[c, o])
    terms = PaymentTerms(
        variable_share=None if np.isnan(share) else share,
        urgent_variable_share=float(arrays.contract_urgent_share[c, o]),
    )
    return str(arrays.contract_form[c, o]), terms


def _rolled(plan: np.ndarray, rolling: np.ndarray) -> np.ndarray:
    """Plan values ``(draw, year, commissioner, org, group)`` with each pair's rolling average
    of its previous ``rolling`` years (the base year's value before the base year)."""
    if not rolling.any():
        return plan
    out = np.array(plan)
    years = plan.shape[1]
    for window in np.unique(rolling[rolling > 0]):
        pairs = rolling == window
        for year in range(1, years):
            earlier = [plan[:, max(year - back, 0)] for back in range(1, int(window) + 1)]
            out[:, year][:, pairs] = (sum(earlier) / window)[:, pairs]
    return out


def _base_year_value(arrays: BaselineArrays) -> np.ndarray:
    """Each pair's base-year activity at tariff ``(commissioner, org)`` (which pairs are low
    volume)."""
    activity = arrays.activity.sum(axis=1)  # (locality, pod)
    return np.einsum("colp,lp->co", arrays.contract_weights, activity)


def risk_share_transfers(
    arrays: BaselineArrays,
    member: np.ndarray,
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
    member : numpy.ndarray
        ``(org,)`` bool: in the pool.
    before, plan_surplus : numpy.ndarray
        Surplus before risk share of this run and the planned one, ``(draw, year, org)``.
    funding : numpy.ndarray
        ``(draw, year, commissioner)``.
    contract_income : numpy.ndarray
        ``(draw, year, org)``.
    """
    organisations = arrays.organisations
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


def budget_transfers(
    arrays: BaselineArrays,
    member: np.ndarray,
    holder: int,
    budget: Budget,
    before: np.ndarray,
    plan_surplus: np.ndarray,
    funding: np.ndarray,
    contract_income: np.ndarray,
    urgent_over_plan: np.ndarray | None,
) -> np.ndarray:
    """A lead provider's capitated budget, as transfers ``(draw, year, org)`` summing to zero.

    The holder pays the other providers in the pool (they end at plan) and bears the
    pooled variance against plan alone within the corridor; beyond it the commissioners
    bear ``share_beyond``, and past the cap everything (cap and collar). Where the pool's
    urgent activity ran above plan the commissioners keep the withhold. The budget ``B``
    is the pool's providers' contract income: the agreed plan, as they are paid a block.
    """
    organisations = arrays.organisations
    commissioner = organisations.is_commissioner
    providers = member & ~commissioner
    size = np.where(providers, contract_income, 0.0).sum(axis=-1)  # (draw, year)
    variance = np.where(member, before - plan_surplus, 0.0)
    pooled = variance.sum(axis=-1)
    magnitude = np.abs(pooled)
    beyond_cap = np.clip(magnitude - budget.cap * size, 0.0, None)
    shared = np.clip(magnitude - budget.corridor * size, 0.0, None) - beyond_cap
    commissioners_bear = np.sign(pooled) * (budget.share_beyond * shared + beyond_cap)
    allocation = np.zeros((*funding.shape[:2], len(organisations)))
    allocation[..., organisations.commissioner_index] = funding
    weight = np.where(member & commissioner, allocation, 0.0)[:, :1]
    weight = weight / weight.sum(axis=-1, keepdims=True)
    final = weight * commissioners_bear[..., None]
    final[..., holder] = pooled - commissioners_bear
    transfers = np.where(member, final - variance, 0.0)
    if budget.withhold > 0 and urgent_over_plan is not None:
        kept = np.where(urgent_over_plan, budget.withhold * size, 0.0)
        transfers = transfers + weight * kept[..., None]
        transfers[..., holder] -= kept
    return transfers


def contract_values(arrays: BaselineArrays, realised: np.ndarray, tariff: np.ndarray) -> np.ndarray:
    """Value at the given prices of each commissioner's purchases from each provider.

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
        ``(draw, year, commissioner, org, group)``.
    """
    yearly = realised.sum(axis=3)  # (pod, draw, year, locality)
    terms = arrays.contract_terms
    organisations = arrays.organisations
    values = np.zeros(
        (*yearly.shape[1:3], len(organisations.commissioners), len(organisations), GROUPS)
    )
    values[:, :, terms.commissioner, terms.org, terms.group] = np.moveaxis(
        value_by_term(yearly, terms), 0, -1
    )
    return values * tariff[..., None, None, None]


def value_by_term(yearly: np.ndarray, terms: ContractTerms) -> np.ndarray:
    """Value of each (commissioner, provider, group) triple at base tariff ``(triple, draw, year)``.

    ``yearly`` is ``(pod, draw, year, locality)``.
    """
    # Rank by rank over all triples at once: the same adds, in the same order, as a
    # loop over each triple's own terms (padding adds exact zeros).
    total = None
    for rank in range(terms.locality.shape[0]):
        term = (
            yearly[terms.pod[rank], :, :, terms.locality[rank]] * terms.weight[rank][:, None, None]
        )
        total = term if total is None else total + term
    if total is None:
        return np.zeros((0, *yearly.shape[1:3]))
    return total
