"""Savings by kind: what an intervention's saving is, as a finance director means it.

Against the same draw's do nothing, for every (pod, provider):

``cash_releasing``
    cost that falls below today's budget (the base year's cost at this year's
    prices): capacity released, variable cost saved below the current level;
``cost_avoidance``
    cost that do nothing would have added above today's budget and the scenario
    does not (growth avoided: a ward never opened);
``non_cash_releasing``
    capacity freed and used again: appointments taken by other patients (a
    provider that reuses freed capacity, GP time by default) and waiting-list
    patients treated in freed slots, valued at unit cost. No cash moves.

The first two sum to the change in provider cost exactly:
``min(plan, budget) - min(scenario, budget)`` is cash-releasing and
``max(plan, budget) - max(scenario, budget)`` is cost avoidance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sefton_finance.model.costing import REUSE, provider_price_index

if TYPE_CHECKING:
    from sefton_finance.model.context import Context
    from sefton_finance.model.evaluation import Evaluation

KINDS: tuple[str, ...] = ("cash_releasing", "cost_avoidance", "non_cash_releasing")


def savings_by_kind(context: Context, plan: Evaluation, result: Evaluation) -> np.ndarray:
    """Savings of ``result`` against ``plan`` (the same draw's do nothing), GBP, cash.

    Returns
    -------
    numpy.ndarray
        ``(draw, year, org, kind)``, kinds in :data:`KINDS` order; positive is a saving.
    """
    arrays = context.baseline.arrays
    pairs = arrays.provider_pairs
    price = provider_price_index(context)  # (pair, draw, year), as provider cost
    unit_cost = arrays.unit_cost[pairs.pod][:, None, None]
    budget = (result.base.activity * arrays.unit_cost[pairs.pod][:, None])[..., None] * price
    planned = _by_pair(plan.costs["provider_cost"], pairs)
    actual = _by_pair(result.costs["provider_cost"], pairs)
    cash = np.minimum(planned, budget) - np.minimum(actual, budget)
    avoided = np.maximum(planned, budget) - np.maximum(actual, budget)
    reuse = (np.array(context.freed)[pairs.org] == REUSE)[:, None, None]
    freed = np.clip(plan.capacity.provider_activity - result.capacity.provider_activity, 0, None)
    reused = (np.where(reuse, freed, 0.0) + result.capacity.backfilled) * unit_cost * price
    parts = [
        pairs.by_org_pod(np.broadcast_to(p, np.broadcast_shapes(p.shape, cash.shape)))
        for p in (cash, avoided, reused)
    ]
    return np.stack([p.sum(axis=-1) for p in parts], axis=-1)


def _by_pair(by_org_pod: np.ndarray, pairs) -> np.ndarray:
    """``(draw, year, org, pod)`` as ``(pair, draw, year)``."""
    return np.moveaxis(by_org_pod[:, :, pairs.org, pairs.pod], -1, 0)
