"""Levers and context: everything a scenario fixes before interventions are applied.

The principal run takes every lever at its central value; Monte Carlo passes
sampled values (DataArrays with a ``draw`` dim) through the very same code. From
them come the price indices, the do-nothing demand, the commissioners' funding
and the contract form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sefton_finance.baseline import Baseline
from sefton_finance.baseline.loader import BaselineArrays
from sefton_finance.codes import PODS
from sefton_finance.config.levers import central, year_start
from sefton_finance.config.scenario import Scenario, scenario_levers
from sefton_finance.interventions import Intervention
from sefton_finance.model.contracts import Contracts, contract_form
from sefton_finance.model.costing import freed_policy
from sefton_finance.model.demand import Demand, project_demand
from sefton_finance.model.draws import Draws, Levers, draws_of, lever_column


def principal_levers(scenario: Scenario, interventions: Sequence[Intervention]) -> dict[str, Any]:
    """Lever values of the principal run (draw 0): every interval at its centre.

    Keys are the scenario's field paths (see :func:`sefton_finance.config.scenario.scenario_levers`).
    Monte Carlo replaces them with sampled arrays.
    """
    return {key: central(lever) for key, lever in scenario_levers(scenario, interventions).items()}


@dataclass(frozen=True)
class Prices:
    """Yearly indices ``(draw, year)``, 1 in the base year."""

    tariff: np.ndarray
    """What commissioners pay: inflation less the national efficiency requirement."""
    cost: np.ndarray
    """What providers' inputs cost: inflation less the efficiency they deliver."""
    other_spend: np.ndarray
    allocation_per_head: np.ndarray
    council_funding: np.ndarray


@dataclass(frozen=True)
class Funding:
    """What the commissioners receive."""

    by_commissioner: np.ndarray
    """``(draw, year, commissioner)`` allocation and council funding."""
    deficit_support: np.ndarray
    """``(1, year, commissioner)`` non-recurrent deficit support: the baseline's cash sum in
    each year up to the scenario's last year of support, none after."""
    nhs_split: dict[str, float]
    """Each NHS commissioner's share of base-year weighted population (who pays for
    an intervention paid by the NHS commissioners together)."""


@dataclass(frozen=True)
class Context:
    """A scenario's levers, prices, do-nothing demand, funding and contract form."""

    scenario: Scenario
    baseline: Baseline
    years: list[str]
    levers: Levers
    draws: Draws
    prices: Prices
    demand: Demand
    funding: Funding
    contract: Contracts
    freed: tuple[str, ...]
    """What each organisation does with capacity interventions free (release, reuse, hold)."""


def make_context(scenario: Scenario, baseline: Baseline, levers: Levers) -> Context:
    """Project prices, demand and funding for a scenario at the given lever values."""
    years = scenario.years
    arrays = baseline.arrays
    prices = price_indices(levers, len(years))
    demand = project_demand(
        arrays,
        len(years),
        growth_by_pod(levers),
        baseline.bed_days_per_unit,
        scenario.growth.demographic,
    )
    funding = allocations(
        arrays, demand.weighted_population, prices, years, scenario.finance.deficit_support_until
    )
    contract = contract_form(scenario.contract, baseline)
    freed = freed_policy(scenario.capacity.freed, baseline.organisations)
    return Context(
        scenario,
        baseline,
        years,
        levers,
        draws_of(levers),
        prices,
        demand,
        funding,
        contract,
        freed,
    )


def price_indices(levers: Levers, years: int) -> Prices:
    """The yearly price indices ``(1 + rate) ^ t`` of the finance levers."""
    offset = np.arange(years, dtype=float)

    def lever(name: str) -> np.ndarray:
        return lever_column(levers[f"finance.{name}"])

    def compound(rate: np.ndarray) -> np.ndarray:
        return (1.0 + rate) ** offset

    inflation = lever("cost_inflation")
    return Prices(
        tariff=compound((1 + inflation) * (1 - lever("efficiency_requirement")) - 1),
        cost=compound((1 + inflation) * (1 - lever("efficiency_delivered")) - 1),
        other_spend=compound(lever("other_spend_growth")),
        allocation_per_head=compound(lever("allocation_growth")),
        council_funding=compound(lever("council_funding_growth")),
    )


def growth_by_pod(levers: Levers) -> np.ndarray:
    """Non-demographic growth ``(draw, pod)``: the default, or a pod's own lever."""
    default = levers["growth.non_demographic"]
    columns = [lever_column(levers.get(f"growth.by_pod.{pod}", default)) for pod in PODS]
    size = max(c.shape[0] for c in columns)
    return np.concatenate([np.broadcast_to(c, (size, 1)) for c in columns], axis=1)


def allocations(
    arrays: BaselineArrays,
    weighted: np.ndarray,
    prices: Prices,
    year_labels: Sequence[str],
    support_until: str,
) -> Funding:
    """Funding of each commissioner by year.

    An NHS allocation grows with its need-weighted population and the allocation
    per weighted head; fixed funding (the council's) grows at its own rate.
    Deficit support is non-recurrent: the base year's cash sum, flat, up to
    ``support_until`` (an ASSUMPTION for the years after the base year), then none.

    Parameters
    ----------
    arrays : BaselineArrays
    weighted : numpy.ndarray
        Need-weighted population ``(year, locality)``.
    prices : Prices
    year_labels : sequence of str
        The financial years modelled.
    support_until : str
        Last year of deficit support.
    """
    commissioners = arrays.organisations.commissioners
    years = weighted.shape[0]
    # Heads summed locality by locality, in order.
    by_commissioner = np.zeros((years, len(commissioners)))
    for c in range(len(commissioners)):
        localities = np.flatnonzero(arrays.locality_commissioner == c)
        if localities.size:
            total = weighted[:, localities[0]]
            for loc in localities[1:]:
                total = total + weighted[:, loc]
            by_commissioner[:, c] = total
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_in_heads = by_commissioner / by_commissioner[0]
    growth_in_heads = np.where(np.isnan(growth_in_heads), 1.0, growth_in_heads)
    by_head = arrays.allocation * growth_in_heads * prices.allocation_per_head[..., None]
    fixed = arrays.allocation * prices.council_funding[..., None]
    funding = np.where(arrays.weighted_basis, by_head, fixed)
    heads = by_commissioner[0]
    nhs = [c for c in range(len(commissioners)) if (arrays.locality_commissioner == c).any()]
    split = {commissioners[c]: float(heads[c] / heads[nhs].sum()) for c in nhs}
    last = year_start(support_until)
    received = np.array([year_start(y) <= last for y in year_labels], dtype=float)
    support = (received[:, None] * arrays.deficit_support)[None]
    return Funding(by_commissioner=funding, deficit_support=support, nhs_split=split)
