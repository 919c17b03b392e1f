"""Interventions: each transforms demand in turn and adds its own cost.

A scenario's interventions act one after another on the do-nothing demand, each
on what the previous ones left, so effects on one flow combine multiplicatively
and the changes telescope to the total change exactly. Each changes a few pods,
so demand is kept as the plan plus the changed pods (:class:`Overlay`). Their
costs become funding from payer to deliverer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sefton_finance.baseline.organisations import Organisations
from sefton_finance.codes import PODS
from sefton_finance.config.levers import intervention_levers
from sefton_finance.errors import InterventionError
from sefton_finance.interventions import Intervention
from sefton_finance.model.draws import add_bands

if TYPE_CHECKING:
    from sefton_finance.model.context import Context


@dataclass(frozen=True)
class Shifted:
    """Demand after interventions, and what each one changed."""

    local: np.ndarray
    """Activity summed over age bands ``(pod, draw, year, month, locality)``; the plan's own
    array (not to be written to) when nothing changed."""
    changes: list[dict[int, np.ndarray]]
    """Per intervention, the yearly change of each pod it touched ``{pod: (draw, year, locality)}``."""

    def owned(self, plan: np.ndarray) -> bool:
        """Whether ``local`` is a new array (the caller may write to it)."""
        return self.local is not plan


@dataclass(frozen=True)
class InterventionFunding:
    """What interventions cost, and who pays whom."""

    spend: np.ndarray
    """``(draw, year, payer, payee)`` over every organisation."""
    cost: np.ndarray
    """``(draw, year, intervention)``."""


class Overlay:
    """Demand after interventions, kept as the plan plus the pods that changed.

    An intervention touches a few pods; copying the whole (draws x years x months
    x localities x age bands x pods) array for each one would dominate a
    1,000-draw run. Each pod is a numpy block with dims ``(age_band, draw, year,
    month, locality)`` (the plan's memory order); the draw axis has length 1
    where nothing varies by draw.
    """

    def __init__(self, blocks: np.ndarray):
        self.blocks = blocks
        self.changed: dict[int, np.ndarray] = {}
        self.touched: set[int] = set()

    def get(self, pod: str) -> np.ndarray:
        """One pod's current block."""
        index = PODS.index(pod)
        return self.changed.get(index, self.blocks[index])

    def update(self, pod: str, operation: np.ufunc, operand: Any, clip: bool = False) -> None:
        """``pod = operation(pod, operand)`` (then clipped at zero with ``clip``).

        In place when the pod's block is one this overlay made and keeps its shape:
        the same values, without allocating a new block (large in a many-draw run).
        """
        index = PODS.index(pod)
        block = self.changed.get(index)
        self.touched.add(index)
        if (
            block is not None
            and block.flags.writeable
            and np.broadcast_shapes(block.shape, np.shape(operand)) == block.shape
        ):
            operation(block, operand, out=block)
            if clip:
                np.clip(block, 0.0, None, out=block)
            return
        values = operation(self.get(pod), operand)
        self.changed[index] = np.clip(values, 0.0, None) if clip else values

    def by_locality(self, index: int) -> np.ndarray:
        """One changed pod summed over age bands ``(draw, year, month, locality)``."""
        return add_bands(self.changed[index])


def shift(
    overlay: Overlay,
    intervention: Intervention,
    years: list[str],
    levers: Mapping[str, Any],
    stays: Mapping[str, float],
) -> None:
    """Apply one intervention: remove its share of each targeted pod, free the bed days of
    admissions that leave, and add what its mechanism sends elsewhere."""
    fraction = intervention.affected_share(years, levers)
    params = intervention.params
    for pod in params.pods:
        current = overlay.get(pod)
        moved = current * fraction
        reach = intervention.reach_factor(pod, current, levers)
        if reach is not None:  # the service sees no more people than it can reach
            moved = moved * reach
        overlay.update(pod, np.subtract, moved)
        stay = stays.get(pod, 0.0)
        if stay > 0 and "bed_days" not in params.pods:
            overlay.update("bed_days", np.subtract, moved * stay, clip=True)
        for target, added in intervention.destination(moved, pod).items():
            overlay.update(target, np.add, added)


def apply_interventions(context: Context, interventions: Sequence[Intervention]) -> Shifted:
    """Apply interventions in order to the do-nothing demand."""
    plan = context.demand
    overlay = Overlay(plan.blocks)
    stays = context.baseline.bed_days_per_unit
    current: dict[int, np.ndarray] = {}  # pod -> (draw, year, month, locality) so far
    changes = []
    for intervention in interventions:
        overlay.touched = set()
        levers = intervention_levers(context.levers, intervention.name)
        shift(overlay, intervention, context.years, levers, stays)
        change: dict[int, np.ndarray] = {}
        for index in sorted(overlay.touched):
            old = current.get(index, plan.local[index])
            new = overlay.by_locality(index)
            current[index] = new
            change[index] = (new - old).sum(axis=2)  # over months
        changes.append(change)
    return Shifted(_replace_pods(plan.local, current), changes)


def _replace_pods(base: np.ndarray, blocks: Mapping[int, np.ndarray]) -> np.ndarray:
    """``base (pod, draw, ...)`` with the given pods replaced (draw axis broadcast to the longest)."""
    if not blocks:
        return base
    draws = max(base.shape[1], *(v.shape[0] for v in blocks.values()))
    memory = np.array(np.broadcast_to(base, (base.shape[0], draws, *base.shape[2:])))
    for index, values in blocks.items():
        memory[index] = values
    return memory


def check_parties(interventions: Sequence[Intervention], organisations: Organisations) -> None:
    """Every payer and deliverer names an organisation of the baseline.

    Raises
    ------
    InterventionError
        Naming the intervention, the field and the value.
    """
    for intervention in interventions:
        for field in ("payer", "delivered_by"):
            who = getattr(intervention.params, field)
            try:
                if field == "payer":
                    organisations.payers(who, {})
                else:
                    organisations.deliverer(who)
            except KeyError as error:
                raise InterventionError(
                    f"intervention '{intervention.name}'", [f"field '{field}': {error.args[0]}"]
                ) from None


def intervention_funding(
    context: Context, interventions: Sequence[Intervention]
) -> InterventionFunding:
    """Each intervention's yearly cost, paid by its payer to its deliverer."""
    organisations = context.baseline.organisations
    years = context.years
    costs = [
        intervention.yearly_cost(
            years, intervention_levers(context.levers, intervention.name), context.prices.cost
        )
        for intervention in interventions
    ]
    draws = max([c.shape[0] for c in costs], default=1)
    spend = np.zeros((draws, len(years), len(organisations), len(organisations)))
    for intervention, values in zip(interventions, costs, strict=True):
        payers = organisations.payers(intervention.params.payer, context.funding.nhs_split)
        payee = organisations.index(organisations.deliverer(intervention.params.delivered_by))
        for who, share in payers.items():
            spend[:, :, organisations.index(who), payee] += values * share
    if costs:
        by_intervention = np.stack([np.broadcast_to(c, (draws, len(years))) for c in costs], -1)
    else:
        by_intervention = np.zeros((1, len(years), 0))
    return InterventionFunding(spend, by_intervention)
