"""Bridge: the change in system surplus from the do-nothing plan, by intervention.

Each intervention's bar is its effect on its own (standalone, against the plan);
on the discrete-event path a ``congestion`` bar holds the change in congestion
cost (standalone bars use the analytic path: a DES run per bar would be slow and
noisy); the ``interaction`` bar is what remains because interventions on the same
flows overlap (and backfill and capacity steps are not additive). The bars sum
to the total change exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sefton_finance.interventions import Intervention
from sefton_finance.model.evaluation import Evaluation, evaluate, no_spend
from sefton_finance.model.interventions import apply_interventions, intervention_funding

if TYPE_CHECKING:
    from sefton_finance.model.context import Context

CONGESTION = "congestion"
INTERACTION = "interaction"


@dataclass(frozen=True)
class Bridge:
    """Bars ``(draw, year, bar)`` and their labels, in order."""

    bars: np.ndarray
    labels: list[str]


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
    bars = []
    for intervention in interventions:
        alone = apply_interventions(context, [intervention])
        funding = intervention_funding(context, [intervention])
        owned = alone.owned(context.demand.local)
        alone_result = evaluate(
            context, alone.local, funding.spend, reference, des=False, owned=owned
        )
        bars.append(alone_result.ledger.system_surplus - reference.ledger.system_surplus)
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else np.zeros_like(total)
    bars.append(total - explained)
    size = max(b.shape[0] for b in bars)
    out = np.stack([np.broadcast_to(b, (size, b.shape[1])) for b in bars], axis=-1)
    labels = [i.name for i in interventions] + [name for name, _ in extra_bars] + [INTERACTION]
    return Bridge(out, labels)
