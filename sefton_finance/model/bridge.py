"""Bridge: the change in system surplus from the do-nothing plan, by intervention.

Each intervention's bar is its effect on its own (standalone, against the plan);
on the discrete-event path a ``congestion`` bar holds the change in congestion
cost (standalone bars use the analytic path: a DES run per bar would be slow and
noisy). What the standalone bars do not add up to is split in two:
``capacity_steps``, the part in the cost of capacity (fixed, stranded and stepped
cost: a ward closes only when enough interventions together empty it), and
``overlap``, the rest (interventions acting on the same flows, waiting lists
refilled). The bars sum to the total change exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sefton_finance.interventions import Intervention
from sefton_finance.model.evaluation import Evaluation, evaluate, no_spend
from sefton_finance.model.interventions import apply_interventions, intervention_funding
from sefton_finance.model.savings import savings_by_kind

if TYPE_CHECKING:
    from sefton_finance.model.context import Context

CONGESTION = "congestion"
CAPACITY_STEPS = "capacity_steps"
OVERLAP = "overlap"
NOT_INTERVENTIONS: tuple[str, ...] = (CONGESTION, CAPACITY_STEPS, OVERLAP)
"""Bars that are not an intervention's own."""
CAPACITY_COSTS: tuple[str, ...] = ("cost_fixed", "cost_stranded", "cost_stepped")


@dataclass(frozen=True)
class Bridge:
    """Bars ``(draw, year, bar)``, their labels in order, and each intervention's savings
    by kind ``(draw, year, intervention, kind)`` and change in every organisation's
    surplus ``(draw, year, org, intervention)`` (standalone: the wrong-pocket matrix)."""

    bars: np.ndarray
    labels: list[str]
    savings: np.ndarray
    by_org: np.ndarray


def bridge(
    context: Context,
    interventions: Sequence[Intervention],
    plan: Evaluation,
    result: Evaluation,
) -> Bridge:
    """Attribute the change in system surplus to each intervention (one evaluation each)."""
    total = result.ledger.system_surplus - plan.ledger.system_surplus
    reference, extra_bars = plan, []
    if result.congestion is not None:
        reference = evaluate(context, context.demand.local, no_spend(context), plan, des=False)
        congestion = result.congestion.cost.sum(axis=(2, 3)) - plan.congestion.cost.sum(axis=(2, 3))
        extra_bars = [(CONGESTION, -congestion)]
    bars, capacity_bars, savings, by_org = [], [], [], []
    for intervention in interventions:
        alone = apply_interventions(context, [intervention])
        funding = intervention_funding(context, [intervention])
        owned = alone.owned(context.demand.local)
        alone_result = evaluate(
            context, alone.local, funding.spend, reference, False, owned, freed_from=reference
        )
        bars.append(alone_result.ledger.system_surplus - reference.ledger.system_surplus)
        capacity_bars.append(_capacity_cost(reference) - _capacity_cost(alone_result))
        savings.append(savings_by_kind(context, reference, alone_result))
        by_org.append(alone_result.ledger.surplus - reference.ledger.surplus)
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else np.zeros_like(total)
    steps = _capacity_cost(plan) - _capacity_cost(result)
    steps = steps - (sum(capacity_bars) if capacity_bars else 0.0)
    bars += [steps, total - explained - steps]
    size = max(b.shape[0] for b in bars)
    out = np.stack([np.broadcast_to(b, (size, b.shape[1])) for b in bars], axis=-1)
    labels = [i.name for i in interventions] + [name for name, _ in extra_bars]
    labels += [CAPACITY_STEPS, OVERLAP]
    if savings:
        width = max(s.shape[0] for s in savings)
        by_kind = np.stack([np.broadcast_to(s, (width, *s.shape[1:])) for s in savings], axis=2)
        by_kind = by_kind.sum(axis=3)  # over organisations: (draw, year, intervention, kind)
    else:
        by_kind = np.zeros((1, len(context.years), 0, 3))
    count = len(context.baseline.organisations)
    if by_org:
        width = max(o.shape[0] for o in by_org)
        org_bars = np.stack([np.broadcast_to(o, (width, *o.shape[1:])) for o in by_org], axis=-1)
    else:
        org_bars = np.zeros((1, len(context.years), count, 0))
    return Bridge(out, labels, by_kind, org_bars)


def _capacity_cost(evaluation: Evaluation) -> np.ndarray:
    """Providers' cost of capacity ``(draw, year)`` (only providers inside the system
    have a cost structure: the others' cost is what they are paid)."""
    return sum(evaluation.costs[name].sum(axis=(-2, -1)) for name in CAPACITY_COSTS)
