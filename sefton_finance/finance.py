"""Finance: allocations, contract payments, risk share, one ledger per organisation.

Money flows (all GBP, cash, per financial year):

- the CCGs receive the capitated allocation: base allocation x growth in their
  need-weighted population x (1 + allocation growth per weighted head) ^ years;
  the council receives its adult social care and public health funding;
- commissioners pay providers under each pair's contract form. One formula
  covers them all: ``payment = plan value + v x (actual value - plan value)``,
  values at tariff, where the plan is the do-nothing activity; ``v = 1`` is
  activity x tariff (PbR), ``v = 0`` a block, ``0 < v < 1`` a blended contract;
- under the whole-system capitated budget, Sefton providers are paid the plan
  (a block) and the system's variance against plan is shared: the CCGs bear
  ``risk_share`` of it pro rata to allocation, providers the rest pro rata to
  planned income;
- other commissioner spend and intervention funding go to the payee; a payee
  inside Sefton passes it straight into delivery (income = cost);
- providers bear the cost from :mod:`sefton_finance.costing`.

Surplus = income - cost. Payments between Sefton organisations cancel in the
system position (the sum over organisations inside the system).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.codes import COMMISSIONERS, ORGANISATIONS

LINES: tuple[str, ...] = (
    "allocation",
    "contract_income",
    "contract_payments",
    "other_spend",
    "intervention_spend",
    "pass_through_income",
    "pass_through_cost",
    "provider_cost",
    "risk_share",
)
"""Ledger lines; income positive, spend negative; their sum is the surplus."""

CCGS: tuple[str, ...] = ("south_sefton_ccg", "southport_formby_ccg")


@dataclass(frozen=True)
class Prices:
    """Yearly indices (1 in the base year)."""

    tariff: xr.DataArray
    cost: xr.DataArray
    other_spend: xr.DataArray
    allocation_per_head: xr.DataArray
    council_funding: xr.DataArray


def compound(rate: float | xr.DataArray, years: list[str]) -> xr.DataArray:
    """``(1 + rate) ^ t`` by year, t = 0 in the base year."""
    offset = xr.DataArray(np.arange(len(years), dtype=float), dims="year", coords={"year": years})
    return (1.0 + rate) ** offset


def allocations(
    baseline: Baseline, weighted_population: xr.DataArray, prices: Prices
) -> xr.DataArray:
    """Funding of each commissioner by year ``(year, org)``.

    Parameters
    ----------
    weighted_population : xarray.DataArray
        Need-weighted population ``(year, locality)``.
    """
    by_ccg = (
        weighted_population.groupby(baseline.locality_commissioner.rename("org")).sum()
        .reindex(org=list(COMMISSIONERS), fill_value=0.0)
    )
    growth_in_heads = (by_ccg / by_ccg.isel(year=0)).fillna(1.0)
    per_head = baseline.allocation * growth_in_heads * prices.allocation_per_head
    fixed = baseline.allocation * prices.council_funding
    funding = xr.where(baseline.allocation_basis == "weighted_population", per_head, fixed)
    dims = [d for d in ("draw", "year", "org") if d in funding.dims]
    return funding.transpose(*dims)


def contract_variable_share(baseline: Baseline, form: str, variable_share: float | None) -> xr.DataArray:
    """Share ``v`` of price paid on activity above or below plan, ``(commissioner, provider)``.

    ``form='baseline'`` keeps contracts.csv; any other form applies to every pair with
    a provider inside Sefton ('capitated' pays the plan: v = 0). Pairs with providers
    outside Sefton keep their own contracts.
    """
    base = baseline.contract_variable_share
    if form == "baseline":
        return base
    chosen = {"pbr": 1.0, "block": 0.0, "blended": variable_share, "capitated": 0.0}[form]
    inside = xr.DataArray(
        [bool(baseline.organisations["in_system"].sel(org=o)) for o in ORGANISATIONS],
        dims="provider",
        coords={"provider": list(ORGANISATIONS)},
    )
    return xr.where(inside, float(chosen), base)


def contract_values(
    realised: xr.DataArray, baseline: Baseline, tariff_index: xr.DataArray
) -> xr.DataArray:
    """Value at tariff of each commissioner's purchases from each provider, ``(year, commissioner, provider)``.

    Parameters
    ----------
    realised : xarray.DataArray
        Yearly activity ``(year, locality, pod)``.
    """
    # value[commissioner, provider] = tariff index x sum over (locality, pod) of
    # activity x provision share x tariff x commissioner flag. Only the non-zero
    # (locality, pod) terms are added, in a fixed order, so the sum is exact and the
    # same whatever the number of draws.
    weights = (baseline.provision * baseline.tariff * baseline.commissioner_of()).transpose(
        "commissioner", "org", "locality", "pod"
    )
    activity = realised.transpose(..., "locality", "pod")
    weights = weights.sel(locality=activity.locality.values, pod=activity.pod.values)
    w = weights.values
    a = activity.values
    out = np.zeros((*a.shape[:-2], w.shape[0], w.shape[1]))
    for c in range(w.shape[0]):
        for o in range(w.shape[1]):
            terms = np.argwhere(w[c, o] != 0)
            if terms.size == 0:
                continue
            total = a[..., terms[0][0], terms[0][1]] * w[c, o, terms[0][0], terms[0][1]]
            for loc, pod in terms[1:]:
                total = total + a[..., loc, pod] * w[c, o, loc, pod]
            out[..., c, o] = total
    dims = [*activity.dims[:-2], "commissioner", "provider"]
    coords = {d: activity[d].values for d in activity.dims[:-2] if d in activity.coords}
    coords.update(commissioner=weights.commissioner.values, provider=weights.org.values)
    value = xr.DataArray(out, dims=dims, coords=coords) * tariff_index
    return value.transpose(*[d for d in ("draw", "year", "commissioner", "provider") if d in value.dims])


def ledgers(
    *,
    baseline: Baseline,
    funding: xr.DataArray,
    values: xr.DataArray,
    plan_values: xr.DataArray,
    variable_share: xr.DataArray,
    provider_costs: xr.DataArray,
    other_spend_index: xr.DataArray,
    intervention_spend: xr.DataArray,
    capitated: bool = False,
    risk_share: float = 0.5,
    plan_surplus: xr.DataArray | None = None,
) -> xr.Dataset:
    """Build every organisation's ledger and the payments between organisations.

    Parameters
    ----------
    funding : xarray.DataArray
        ``(year, org)`` over commissioners: allocations and council funding.
    values, plan_values : xarray.DataArray
        Tariff value of realised and of planned activity ``(year, commissioner, provider)``.
    variable_share : xarray.DataArray
        ``(commissioner, provider)`` share of price on the difference from plan.
    provider_costs : xarray.DataArray
        ``(year, org)`` total provider cost of Sefton activity.
    other_spend_index : xarray.DataArray
        ``(year,)`` growth index of commissioners' other spend.
    intervention_spend : xarray.DataArray
        ``(year, payer, payee)`` intervention funding.
    capitated : bool
        Apply the whole-system risk share against plan.
    risk_share : float
        Commissioners' share of the system variance (capitated only).
    plan_surplus : xarray.DataArray, optional
        Surplus before risk share of the plan run ``(year, org)``; needed when capitated.

    Returns
    -------
    xarray.Dataset
        ``ledger (year, org, line)``, ``surplus (year, org)``, ``system_surplus (year)``,
        ``payments (year, payer, payee)``, ``surplus_before_risk_share (year, org)``.
    """
    orgs = list(ORGANISATIONS)
    contract = plan_values + variable_share * (values - plan_values)
    contract = contract.where(baseline.contract_exists > 0, 0.0)
    payments_contract = (
        contract.rename(commissioner="payer", provider="payee").reindex(payer=orgs, fill_value=0.0)
    )
    other = (baseline.other_spend * other_spend_index).rename(org="payer").reindex(payer=orgs, fill_value=0.0)
    interventions = intervention_spend.reindex(payer=orgs, payee=orgs, fill_value=0.0)
    payments = payments_contract + other + interventions
    in_system = xr.DataArray(
        [bool(baseline.organisations["in_system"].sel(org=o)) for o in orgs], dims="org", coords={"org": orgs}
    )

    def received(flows: xr.DataArray) -> xr.DataArray:
        return flows.sum("payer").rename(payee="org")

    def paid(flows: xr.DataArray) -> xr.DataArray:
        return flows.sum("payee").rename(payer="org")

    pass_through = received(other + interventions).where(in_system, 0.0)
    lines = {
        "allocation": funding.reindex(org=orgs, fill_value=0.0),
        "contract_income": received(payments_contract),
        "contract_payments": -paid(payments_contract),
        "other_spend": -paid(other),
        "intervention_spend": -paid(interventions),
        "pass_through_income": pass_through,
        "pass_through_cost": -pass_through,
        "provider_cost": -provider_costs.reindex(org=orgs, fill_value=0.0),
    }
    before = sum(lines.values())
    if capitated:
        if plan_surplus is None:
            raise ValueError("a capitated budget needs the plan's surplus to share the variance against")
        lines["risk_share"] = risk_share_transfers(
            before, plan_surplus, funding, received(payments_contract), baseline, risk_share
        )
    else:
        lines["risk_share"] = xr.zeros_like(before)
    ledger = xr.concat(
        [lines[name].broadcast_like(before) for name in LINES],
        dim=xr.DataArray(list(LINES), dims="line", name="line"),
        coords="minimal",
    )
    dims = [d for d in ("draw", "year", "org", "line") if d in ledger.dims]
    ledger = ledger.transpose(*dims)
    # Sum the lines in a fixed order so the same inputs always give the same last bit.
    surplus = ledger.sum("line")
    system = surplus.where(in_system, 0.0).sum("org")
    return xr.Dataset(
        {
            "ledger": ledger.assign_attrs(units="GBP", long_name="Ledger line (income +, spend -)"),
            "surplus": surplus.assign_attrs(units="GBP", long_name="Surplus (+) or deficit (-)"),
            "system_surplus": system.assign_attrs(units="GBP", long_name="Sefton system surplus (+) or deficit (-)"),
            "surplus_before_risk_share": before.transpose(*surplus.dims).assign_attrs(
                units="GBP", long_name="Surplus before the capitated risk share"
            ),
            "payments": payments.transpose(*[d for d in ("draw", "year", "payer", "payee") if d in payments.dims]).assign_attrs(
                units="GBP", long_name="Payments between organisations"
            ),
        }
    )


def risk_share_transfers(
    before: xr.DataArray,
    plan_surplus: xr.DataArray,
    funding: xr.DataArray,
    contract_income: xr.DataArray,
    baseline: Baseline,
    risk_share: float,
) -> xr.DataArray:
    """Transfers that share the system's variance against plan; they sum to zero.

    Each pool member ends at ``plan surplus + its share x pooled variance``; the
    CCGs hold ``risk_share`` of the pool (pro rata to allocation), Sefton providers
    the rest (pro rata to their planned contract income from the CCGs).
    """
    orgs = list(ORGANISATIONS)
    is_ccg = xr.DataArray([o in CCGS for o in orgs], dims="org", coords={"org": orgs})
    providers = [
        o
        for o in orgs
        if bool(baseline.organisations["in_system"].sel(org=o)) and o not in COMMISSIONERS
    ]
    is_provider = xr.DataArray([o in providers for o in orgs], dims="org", coords={"org": orgs})
    ccg_weight = funding.reindex(org=orgs, fill_value=0.0).where(is_ccg, 0.0).isel(year=0)
    provider_weight = contract_income.where(is_provider, 0.0).isel(year=0)
    shares = risk_share * ccg_weight / ccg_weight.sum("org") + (1 - risk_share) * provider_weight / provider_weight.sum(
        "org"
    )
    member = is_ccg | is_provider
    variance = (before - plan_surplus).where(member, 0.0)
    pooled = variance.sum("org")
    return (shares * pooled - variance).where(member, 0.0)
