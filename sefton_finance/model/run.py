"""The model chain: one scenario, one set of lever values (one draw, or many as an axis).

::

    context        levers -> prices, do-nothing demand, funding, contract form
    planning point do nothing at central levers: the contracts agreed ex ante
    evaluate(plan) capacity -> costing -> congestion -> contracts -> ledger (each draw)
    interventions  demand after each intervention in turn, and what they cost
    evaluate       the same chain on the scenario's demand, under the same agreement
    bridge         the change in system surplus by intervention
    result         labelled xarray at the edge

Pure: returns a Dataset and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.config.scenario import Scenario
from sefton_finance.interventions import Intervention
from sefton_finance.model.bridge import Bridge, bridge
from sefton_finance.model.context import Context, make_context, principal_levers
from sefton_finance.model.draws import Levers
from sefton_finance.model.evaluation import Evaluation, evaluate, no_spend
from sefton_finance.model.interventions import (
    InterventionFunding,
    Shifted,
    apply_interventions,
    check_parties,
    intervention_funding,
)
from sefton_finance.model.result import result_dataset


def run_model(
    scenario: Scenario,
    baseline: Baseline,
    levers: Levers,
    interventions: Sequence[Intervention],
    with_bridge: bool = True,
) -> xr.Dataset:
    """Run the chain.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline
    levers : mapping
        Lever values by the scenario's field paths: numbers, or DataArrays with a
        ``draw`` dim (see :func:`sefton_finance.model.context.principal_levers`).
    interventions : sequence of Intervention
        The scenario's interventions, resolved, in order.
    with_bridge : bool
        Also attribute the change in surplus to each intervention (one extra
        evaluation per intervention).
    """
    chain = run_chain(scenario, baseline, levers, interventions, with_bridge)
    return result_dataset(
        chain.context,
        interventions,
        chain.plan,
        chain.result,
        chain.shifted,
        chain.funding,
        chain.bridge,
    )


class Chain(NamedTuple):
    """What each stage of one run computed, before labelling (numpy, draw axis first)."""

    context: Context
    plan: Evaluation
    """Do nothing: the planning point the contracts were agreed on."""
    result: Evaluation
    """The scenario, paid under the plan's agreement."""
    shifted: Shifted
    funding: InterventionFunding
    bridge: Bridge | None


def run_chain(
    scenario: Scenario,
    baseline: Baseline,
    levers: Levers,
    interventions: Sequence[Intervention],
    with_bridge: bool = True,
) -> Chain:
    """The stages of :func:`run_model` without the labelled Dataset at its end.

    For a caller that reads a few arrays (the what-if page reads the ledgers only):
    building the Dataset took most of a one-draw run's remaining time.
    """
    check_parties(interventions, baseline.organisations)
    context = make_context(scenario, baseline, levers)
    plan = planning_point(context, interventions)
    if context.draws.sampled:
        plan = evaluate(context, context.demand.local, no_spend(context), plan)
    shifted = apply_interventions(context, interventions)
    funding = intervention_funding(context, interventions)
    owned = shifted.owned(context.demand.local)
    result = evaluate(context, shifted.local, funding.spend, plan, owned=owned, freed_from=plan)
    bars = bridge(context, interventions, plan, result) if with_bridge else None
    return Chain(context, plan, result, shifted, funding, bars)


def planning_point(context: Context, interventions: Sequence[Intervention]) -> Evaluation:
    """Do nothing with every lever at its central value: the plan contracts are agreed on.

    A run at central levers is its own planning point; a run of sampled draws
    evaluates the central plan once, and every draw is paid under its agreement.
    """
    if context.draws.sampled:
        central = principal_levers(context.scenario, interventions)
        context = make_context(context.scenario, context.baseline, central)
    return evaluate(context, context.demand.local, no_spend(context))
