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
from sefton_finance.baseline.loader import BaselineArrays, ContractTerms
from sefton_finance.codes import COMMISSIONERS, LOCALITIES, ORGANISATIONS, PODS

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
        weighted_population.groupby(baseline.locality_commissioner.rename("org"))
        .sum()
        .reindex(org=list(COMMISSIONERS), fill_value=0.0)
    )
    growth_in_heads = (by_ccg / by_ccg.isel(year=0)).fillna(1.0)
    per_head = baseline.allocation * growth_in_heads * prices.allocation_per_head
    fixed = baseline.allocation * prices.council_funding
    funding = xr.where(baseline.allocation_basis == "weighted_population", per_head, fixed)
    dims = [d for d in ("draw", "year", "org") if d in funding.dims]
    return funding.transpose(*dims)


def allocation_values(
    arrays: BaselineArrays, weighted: np.ndarray, per_head: np.ndarray, council: np.ndarray
) -> tuple[np.ndarray, dict[str, float]]:
    """The arithmetic of :func:`allocations` on numpy, and who pays for ``'ccgs'``.

    Parameters
    ----------
    arrays : BaselineArrays
    weighted : numpy.ndarray
        Need-weighted population ``(year, locality)``.
    per_head, council : numpy.ndarray
        ``(draw, year)`` allocation-per-head and council-funding indices.

    Returns
    -------
    (funding, ccg_split)
        Funding ``(draw, year, commissioner)``, and each CCG's share of base-year
        weighted population.
    """
    years = weighted.shape[0]
    # CCG heads summed locality by locality, in order.
    by_ccg = np.zeros((years, len(COMMISSIONERS)))
    for c in range(len(COMMISSIONERS)):
        localities = np.flatnonzero(arrays.locality_commissioner == c)
        if localities.size:
            total = weighted[:, localities[0]]
            for loc in localities[1:]:
                total = total + weighted[:, loc]
            by_ccg[:, c] = total
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_in_heads = by_ccg / by_ccg[0]
    growth_in_heads = np.where(np.isnan(growth_in_heads), 1.0, growth_in_heads)
    by_head = arrays.allocation * growth_in_heads * per_head[..., None]
    fixed = arrays.allocation * council[..., None]
    funding = np.where(arrays.weighted_basis, by_head, fixed)
    heads = by_ccg[0]
    ccgs = [c for c in range(len(COMMISSIONERS)) if (arrays.locality_commissioner == c).any()]
    ccg_split = {COMMISSIONERS[c]: float(heads[c] / heads[ccgs].sum()) for c in ccgs}
    return funding, ccg_split


def contract_variable_share(
    baseline: Baseline, form: str, variable_share: float | None
) -> xr.DataArray:
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


def contract_value_totals(yearly: np.ndarray, terms: ContractTerms) -> np.ndarray:
    """Value of each contract pair's activity at base tariff, ``(pair, draw, year)``.

    Parameters
    ----------
    yearly : numpy.ndarray
        Yearly activity by pod first, ``(pod, draw, year, locality)``.
    terms : ContractTerms
        The baseline's (locality, pod) terms of each (commissioner, provider) pair.
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
    arrays = baseline.arrays
    terms = arrays.contract_terms
    activity = realised.expand_dims([d for d in ("draw",) if d not in realised.dims])
    yearly = activity.sel(pod=list(PODS), locality=list(LOCALITIES))
    yearly = yearly.transpose("pod", "draw", "year", "locality").values
    out = np.zeros((*yearly.shape[1:3], len(COMMISSIONERS), len(ORGANISATIONS)))
    out[:, :, terms.commissioner, terms.org] = np.moveaxis(
        contract_value_totals(yearly, terms), 0, -1
    )
    if "draw" not in realised.dims:
        out = out[0]
    dims = [d for d in ("draw", "year") if d in realised.dims] + ["commissioner", "provider"]
    coords = {d: realised[d].values for d in ("draw", "year") if d in realised.coords}
    coords.update(commissioner=list(COMMISSIONERS), provider=list(ORGANISATIONS))
    value = xr.DataArray(out, dims=dims, coords=coords) * tariff_index
    return value.transpose(
        *[d for d in ("draw", "year", "commissioner", "provider") if d in value.dims]
    )


def ledger_values(
    arrays: BaselineArrays,
    funding: np.ndarray,
    values: np.ndarray,
    plan_values: np.ndarray,
    variable_share: np.ndarray,
    provider_costs: np.ndarray,
    other_spend_index: np.ndarray,
    intervention_spend: np.ndarray,
    capitated: bool = False,
    risk_share: float = 0.5,
    plan_surplus: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The arithmetic of :func:`ledgers` on numpy, every array with a leading draw axis.

    Parameters
    ----------
    arrays : BaselineArrays
    funding : numpy.ndarray
        ``(draw, year, commissioner)``.
    values, plan_values : numpy.ndarray
        ``(draw, year, commissioner, org)``.
    variable_share : numpy.ndarray
        ``(commissioner, org)``.
    provider_costs : numpy.ndarray
        ``(draw, year, org)``.
    other_spend_index : numpy.ndarray
        ``(draw, year)``.
    intervention_spend : numpy.ndarray
        ``(draw, year, payer, payee)`` over every organisation.
    capitated, risk_share, plan_surplus
        As :func:`ledgers` (``plan_surplus`` is ``(draw, year, org)``).

    Returns
    -------
    dict
        ``ledger (draw, year, org, line)``, ``surplus``, ``system_surplus``,
        ``surplus_before_risk_share`` and ``payments (draw, year, payer, payee)``;
        a draw axis of length 1 where nothing varies by draw.
    """
    commissioners = [ORGANISATIONS.index(c) for c in COMMISSIONERS]
    contract = plan_values + variable_share * (values - plan_values)
    contract = np.where(arrays.contract_exists, contract, 0.0)
    payments_contract = np.zeros((*contract.shape[:2], len(ORGANISATIONS), len(ORGANISATIONS)))
    payments_contract[:, :, commissioners] = contract
    # Other spend (payer, payee, draw, year), as the labelled version lays it out.
    other_by_payer = arrays.other_spend[:, :, None, None] * other_spend_index
    other = np.zeros((len(ORGANISATIONS), *other_by_payer.shape[1:]))
    other[commissioners] = other_by_payer
    other = np.moveaxis(other, (0, 1), (-2, -1))  # (draw, year, payer, payee), a view
    payments = payments_contract + other + intervention_spend
    in_system = arrays.in_system
    pass_through = np.where(in_system, (other + intervention_spend).sum(axis=-2), 0.0)
    allocation = np.zeros((*funding.shape[:2], len(ORGANISATIONS)))
    allocation[..., commissioners] = funding
    contract_income = payments_contract.sum(axis=-2)
    other_paid = np.zeros((*other.shape[:2], len(ORGANISATIONS)))
    other_paid[..., commissioners] = np.moveaxis(other_by_payer.sum(axis=1), 0, -1)
    lines = {
        "allocation": allocation,
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
    if capitated:
        if plan_surplus is None:
            raise ValueError(
                "a capitated budget needs the plan's surplus to share the variance against"
            )
        lines["risk_share"] = risk_share_values(
            arrays, before, plan_surplus, funding, contract_income, risk_share
        )
    else:
        lines["risk_share"] = np.zeros_like(before)
    ledger = np.stack([np.broadcast_to(lines[name], before.shape) for name in LINES], axis=-1)
    # Sum the lines one after another, in a fixed order: the same inputs always give
    # the same last bit, whatever the number of draws.
    surplus = ledger[..., 0].copy()
    for line in range(1, len(LINES)):
        surplus += ledger[..., line]
    return {
        "ledger": ledger,
        "surplus": surplus,
        "system_surplus": np.where(in_system, surplus, 0.0).sum(axis=-1),
        "surplus_before_risk_share": before,
        "payments": payments,
    }


def risk_share_values(
    arrays: BaselineArrays,
    before: np.ndarray,
    plan_surplus: np.ndarray,
    funding: np.ndarray,
    contract_income: np.ndarray,
    risk_share: float,
) -> np.ndarray:
    """The arithmetic of :func:`risk_share_transfers` on numpy ``(draw, year, org)`` arrays.

    ``funding`` is ``(draw, year, commissioner)``.
    """
    orgs = list(ORGANISATIONS)
    is_ccg = np.array([o in CCGS for o in orgs])
    is_provider = arrays.in_system & np.array([o not in COMMISSIONERS for o in orgs])
    allocation = np.zeros((*funding.shape[:2], len(orgs)))
    allocation[..., [orgs.index(c) for c in COMMISSIONERS]] = funding
    ccg_weight = np.where(is_ccg, allocation, 0.0)[:, 0]
    provider_weight = np.where(is_provider, contract_income, 0.0)[:, 0]
    shares = risk_share * ccg_weight / ccg_weight.sum(axis=-1, keepdims=True) + (
        1 - risk_share
    ) * provider_weight / provider_weight.sum(axis=-1, keepdims=True)
    member = is_ccg | is_provider
    variance = np.where(member, before - plan_surplus, 0.0)
    pooled = variance.sum(axis=-1)
    return np.where(member, shares[:, None, :] * pooled[..., None] - variance, 0.0)


def _with_draw(array: xr.DataArray, *dims: str) -> np.ndarray:
    """``array`` as numpy with dims ``(draw, *dims)`` (a length-1 draw axis if it has none)."""
    if "draw" not in array.dims:
        array = array.expand_dims("draw")
    return array.transpose("draw", *dims).values


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
    orgs, commissioners = list(ORGANISATIONS), list(COMMISSIONERS)
    years = values["year"].values
    inputs = (funding, values, plan_values, provider_costs, other_spend_index, intervention_spend)
    inputs += (plan_surplus,) if plan_surplus is not None else ()
    with_draw = any("draw" in a.dims for a in inputs)
    out = ledger_values(
        baseline.arrays,
        _with_draw(
            funding.sel(year=years).reindex(org=commissioners, fill_value=0.0), "year", "org"
        ),
        _with_draw(values, "year", "commissioner", "provider"),
        _with_draw(plan_values.sel(year=years), "year", "commissioner", "provider"),
        variable_share.sel(commissioner=commissioners, provider=orgs)
        .transpose("commissioner", "provider")
        .values,
        _with_draw(provider_costs.sel(year=years).reindex(org=orgs, fill_value=0.0), "year", "org"),
        _with_draw(other_spend_index.sel(year=years), "year"),
        _with_draw(
            intervention_spend.sel(year=years).reindex(payer=orgs, payee=orgs, fill_value=0.0),
            "year",
            "payer",
            "payee",
        ),
        capitated,
        risk_share,
        None if plan_surplus is None else _with_draw(plan_surplus.sel(year=years), "year", "org"),
    )
    return ledger_dataset(out, years, with_draw)


LEDGER_DIMS: dict[str, tuple[str, ...]] = {
    "ledger": ("year", "org", "line"),
    "surplus": ("year", "org"),
    "system_surplus": ("year",),
    "surplus_before_risk_share": ("year", "org"),
    "payments": ("year", "payer", "payee"),
}
LEDGER_ATTRS: dict[str, dict[str, str]] = {
    "ledger": {"units": "GBP", "long_name": "Ledger line (income +, spend -)"},
    "surplus": {"units": "GBP", "long_name": "Surplus (+) or deficit (-)"},
    "system_surplus": {"units": "GBP", "long_name": "Sefton system surplus (+) or deficit (-)"},
    "surplus_before_risk_share": {
        "units": "GBP",
        "long_name": "Surplus before the capitated risk share",
    },
    "payments": {"units": "GBP", "long_name": "Payments between organisations"},
}


def ledger_dataset(out: dict[str, np.ndarray], years, with_draw: bool, draw=None) -> xr.Dataset:
    """Label the arrays of :func:`ledger_values` (dropping a length-1 draw axis unless ``with_draw``)."""
    orgs = list(ORGANISATIONS)
    coords = {"year": list(years), "org": orgs, "line": list(LINES), "payer": orgs, "payee": orgs}
    if draw is not None:
        coords["draw"] = draw
    data = {}
    for name, dims in LEDGER_DIMS.items():
        values = out[name]
        if with_draw or values.shape[0] > 1:
            dims = ("draw", *dims)
        else:
            values = values[0]
        data[name] = xr.Variable(dims, values, LEDGER_ATTRS[name])
    return xr.Dataset(data, coords=coords)


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
    years = before["year"].values
    inputs = (before, plan_surplus, funding, contract_income)
    values = risk_share_values(
        baseline.arrays,
        _with_draw(before.reindex(org=orgs), "year", "org"),
        _with_draw(plan_surplus.sel(year=years).reindex(org=orgs), "year", "org"),
        _with_draw(
            funding.sel(year=years).reindex(org=list(COMMISSIONERS), fill_value=0.0), "year", "org"
        ),
        _with_draw(
            contract_income.sel(year=years).reindex(org=orgs, fill_value=0.0), "year", "org"
        ),
        risk_share,
    )
    dims = ("draw", "year", "org")
    if not any("draw" in a.dims for a in inputs):
        values, dims = values[0], dims[1:]
    coords = {"year": years, "org": orgs}
    if "draw" in before.coords:
        coords["draw"] = before["draw"].values
    return xr.DataArray(values, dims=dims, coords=coords)
