"""Interventions applied to demand, on numpy: the pods each one shifts, and what it costs.

A scenario's interventions act one after another on the do-nothing demand; each
changes a few pods, so demand is kept as the plan plus the changed pods
(:class:`_Overlay`). The same arithmetic as the labelled
:class:`~sefton_finance.interventions.Intervention` methods, in the same order,
so a result does not depend on which path computed it. Their costs become
funding from payer to provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from sefton_finance.arrays import add_bands, context_arrays, lever_column
from sefton_finance.codes import AGE_BANDS, LOCALITIES, ORGANISATIONS, PODS
from sefton_finance.interventions import Intervention
from sefton_finance.interventions.mechanisms import Substitute
from sefton_finance.levers import intervention_levers

if TYPE_CHECKING:
    from sefton_finance.pipeline import Context


class _Overlay:
    """Demand after interventions, kept as the plan plus the pods that changed.

    An intervention touches a few pods; copying the whole (draws x years x months
    x localities x age bands x pods) array for each one would dominate a
    1,000-draw run. Each pod is a numpy block with dims ``(age_band, draw, year,
    month, locality)`` (the plan's memory order, see :func:`demand.demand_blocks`);
    the draw axis has length 1 where nothing varies by draw.
    """

    dims = ("age_band", "draw", "year", "month", "locality")

    def __init__(self, context: Context):
        self.context = context
        self.blocks = context_arrays(context).plan_blocks
        self.pods = list(PODS)
        self.changed: dict[int, np.ndarray] = {}
        self.touched: set[int] = set()

    def get(self, pod: str) -> np.ndarray:
        index = self.pods.index(pod)
        if index in self.changed:
            return self.changed[index]
        return self.blocks[index]

    def set(self, pod: str, values: np.ndarray) -> None:
        index = self.pods.index(pod)
        self.changed[index] = values
        self.touched.add(index)

    def update(self, pod: str, operation: np.ufunc, operand: Any, clip: bool = False) -> None:
        """``pod = operation(pod, operand)`` (then clipped at zero with ``clip``).

        In place when the pod's block is one this overlay made and keeps its shape:
        the same values, without allocating a new block (large in a many-draw run).
        """
        index = self.pods.index(pod)
        block = self.changed.get(index)
        if (
            block is not None
            and block.flags.writeable
            and np.broadcast_shapes(block.shape, np.shape(operand)) == block.shape
        ):
            operation(block, operand, out=block)
            if clip:
                np.clip(block, 0.0, None, out=block)
            self.touched.add(index)
            return
        values = operation(self.get(pod), operand)
        self.set(pod, np.clip(values, 0.0, None) if clip else values)

    def align(self, array: xr.DataArray) -> np.ndarray:
        """A DataArray (share, moved activity) as numpy, broadcastable against the blocks."""
        missing = [d for d in self.dims if d not in array.dims]
        return array.expand_dims(missing).transpose(*self.dims).values

    def _coords(self, dims: Sequence[str]) -> dict:
        plan = self.context.plan_demand
        return {d: plan[d].values for d in dims if d in plan.coords}

    def as_dataarray(self, values: np.ndarray) -> xr.DataArray:
        array = xr.DataArray(values, dims=self.dims, coords=self._coords(self.dims))
        keep = values.shape[1] > 1 or "draw" in self.context.plan_demand.dims
        return array if keep else array.isel(draw=0)

    def full(self) -> xr.DataArray:
        """The whole activity array (for mechanisms that override ``shift``)."""
        plan = self.context.plan_demand
        draws = max([v.shape[1] for v in self.changed.values()], default=1)
        blocks = self.blocks
        blocks = np.array(
            np.broadcast_to(
                blocks, (*blocks.shape[:2], max(draws, blocks.shape[2]), *blocks.shape[3:])
            )
        )
        for index, values in self.changed.items():
            blocks[index] = values
        dims = ["pod", *self.dims]
        array = xr.DataArray(blocks, dims=dims, coords=self._coords(dims))
        if "draw" not in plan.dims and blocks.shape[2] == 1:
            array = array.isel(draw=0)
        return array.transpose(*[d for d in ("draw", *plan.dims) if d in array.dims])

    def by_locality(self, index: int) -> np.ndarray:
        """One pod's activity summed over age bands ``(draw, year, month, locality)``."""
        return add_bands(self.changed[index])


def _share_values(
    intervention: Intervention, years: list[str], levers: Mapping[str, Any]
) -> np.ndarray:
    """:meth:`Intervention.affected_share` as numpy ``(age_band, draw, year, 1, locality)``."""
    params = intervention.params
    phase = intervention.phasing(years)
    where = np.ones((len(LOCALITIES), len(AGE_BANDS)))
    if params.localities is not None:
        where = where * np.array([n in params.localities for n in LOCALITIES])[:, None]
    if params.age_bands is not None:
        where = where * np.array([b in params.age_bands for b in AGE_BANDS])[None, :]
    # The same products, in the same order, as the labelled version.
    share = (lever_column(levers["effect"]) * params.intensity) * phase  # (draw, year)
    share = np.clip(share[:, :, None, None] * where, 0.0, 1.0)  # (draw, year, locality, age_band)
    return np.transpose(share, (3, 0, 1, 2))[:, :, :, None, :]


def _shift(
    overlay: _Overlay,
    intervention: Intervention,
    years: list[str],
    levers: Mapping[str, Any],
    stays: Mapping[str, float],
) -> None:
    """Apply one intervention to the overlay (same arithmetic as ``Intervention.shift``)."""
    kind = type(intervention)
    if kind.shift is not Intervention.shift:
        # A plugin with its own shift sees the whole array, as its contract says.
        share = intervention.affected_share(years, levers)
        after = intervention.shift(overlay.full(), share, stays)
        if "draw" not in after.dims:
            after = after.expand_dims("draw")
        values = after.transpose("pod", *overlay.dims).values
        for index, pod in enumerate(overlay.pods):
            overlay.set(pod, values[index])
        return
    if kind.affected_share is Intervention.affected_share:
        fraction = _share_values(intervention, years, levers)
    else:
        fraction = overlay.align(intervention.affected_share(years, levers))
    params = intervention.params
    for pod in params.pods:
        source = overlay.get(pod)
        moved = source * fraction
        overlay.update(pod, np.subtract, moved)
        stay = stays.get(pod, 0.0)
        if stay > 0 and "bed_days" not in params.pods:
            overlay.update("bed_days", np.subtract, moved * stay, clip=True)
        if kind.destination is Intervention.destination:
            continue  # avoided: it appears nowhere else
        if kind.destination is Substitute.destination:
            # Substitute.destination on numpy: the moved activity x ratio, in to_pod.
            destinations = {params.to_pod: moved * params.ratio}
        else:
            destinations = intervention.destination(overlay.as_dataarray(moved), pod)
        for target, added in destinations.items():
            extra = overlay.align(added) if isinstance(added, xr.DataArray) else added
            overlay.update(target, np.add, extra)


def apply_values(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[np.ndarray, list[dict[int, np.ndarray]]]:
    """:func:`apply_interventions` on numpy.

    Returns
    -------
    (local, changes)
        Activity summed over age bands ``(pod, draw, year, month, locality)``, and per
        intervention the yearly change of each pod it touched ``{pod: (draw, year, locality)}``.
    """
    fast = context_arrays(context)
    overlay = _Overlay(context)
    plan_local = fast.plan_local
    stays = context.baseline.bed_days_per_unit
    current: dict[int, np.ndarray] = {}  # pod -> (draw, year, month, locality) so far
    changes = []
    for intervention in interventions:
        overlay.touched = set()
        levers = intervention_levers(context.levers, intervention.name)
        _shift(overlay, intervention, context.years, levers, stays)
        change: dict[int, np.ndarray] = {}
        for index in sorted(overlay.touched):
            old = current.get(index, plan_local[index])
            new = overlay.by_locality(index)
            current[index] = new
            change[index] = (new - old).sum(axis=2)  # over months
        changes.append(change)
    return _replace_pods(plan_local, current), changes


def _replace_pods(base: np.ndarray, blocks: Mapping[int, np.ndarray]) -> np.ndarray:
    """``base (pod, draw, ...)`` with the given pods replaced (draw axis broadcast to the longest)."""
    if not blocks:
        return base
    draws = max(base.shape[1], *(v.shape[0] for v in blocks.values()))
    memory = np.array(np.broadcast_to(base, (base.shape[0], draws, *base.shape[2:])))
    for index, values in blocks.items():
        memory[index] = values
    return memory


def apply_interventions(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[xr.DataArray, list[xr.DataArray]]:
    """Apply interventions in order; return the activity and each one's activity change.

    Each acts on what the previous ones left, so effects on one flow combine
    multiplicatively and the changes telescope to the total change exactly.

    Returns
    -------
    (activity, changes)
        Activity summed over age bands ``(year, month, locality, pod)`` and, per
        intervention, its yearly change ``(year, locality, pod)`` (both + ``draw``).
    """
    local, changes = apply_values(context, interventions)
    draws = context_arrays(context).draws
    plan = context.plan_by_locality
    coords = {d: plan[d].values for d in ("year", "month", "locality", "pod")}
    activity = draws.label(np.moveaxis(local, 0, -1), ("year", "month", "locality", "pod"), coords)
    yearly = _change_values(context, changes)
    del coords["month"]
    labelled = [
        draws.label(np.moveaxis(values, 0, -1), ("year", "locality", "pod"), coords)
        for values in yearly
    ]
    return activity, labelled


def _change_values(
    context: Context, changes: Sequence[Mapping[int, np.ndarray]]
) -> list[np.ndarray]:
    """Each intervention's yearly change as ``(pod, draw, year, locality)`` (zeros elsewhere)."""
    plan = context_arrays(context).plan_local
    out = []
    for change in changes:
        draws = max([plan.shape[1], *(v.shape[0] for v in change.values())])
        values = np.zeros((plan.shape[0], draws, plan.shape[2], plan.shape[4]))
        for index, block in change.items():
            values[index] = block
        out.append(values)
    return out


def payment_values(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[np.ndarray, np.ndarray]:
    """Intervention funding ``(draw, year, payer, payee)`` and costs ``(draw, year, intervention)``."""
    fast = context_arrays(context)
    orgs = list(ORGANISATIONS)
    years = context.years
    costs = []
    for intervention in interventions:
        levers = intervention_levers(context.levers, intervention.name)
        if type(intervention).yearly_cost is Intervention.yearly_cost:
            # Intervention.yearly_cost on numpy (same products, same order).
            start = intervention.start_index(years)
            index = np.arange(len(years))
            setup = (index == start).astype(float)
            running = (index >= start).astype(float)
            cost = (
                lever_column(levers["setup_cost"]) * setup
                + lever_column(levers["recurring_cost"]) * running
            ) * fast.cost
            cost = cost * intervention.params.intensity
        else:
            labelled = intervention.yearly_cost(years, levers, context.prices.cost)
            if "draw" not in labelled.dims:
                labelled = labelled.expand_dims("draw")
            cost = labelled.transpose("draw", "year").values
        costs.append(cost)
    draws = max([c.shape[0] for c in costs], default=1)
    data = np.zeros((draws, len(years), len(orgs), len(orgs)))
    for intervention, values in zip(interventions, costs, strict=True):
        payer = intervention.params.payer
        payers = fast.ccg_split if payer == "ccgs" else {payer: 1.0}
        payee = orgs.index(intervention.params.delivered_by)
        for who, share in payers.items():
            data[:, :, orgs.index(who), payee] += values * share
    if costs:
        by_intervention = np.stack([np.broadcast_to(c, (draws, len(years))) for c in costs], -1)
    else:
        by_intervention = np.zeros((1, len(years), 0))
    return data, by_intervention


def intervention_payments(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[xr.DataArray, xr.DataArray]:
    """Intervention funding ``(year, payer, payee)`` and each intervention's cost ``(year, intervention)``."""
    orgs = list(ORGANISATIONS)
    draws = context_arrays(context).draws
    data, by_intervention = payment_values(context, interventions)
    payments = draws.label(
        data, ("year", "payer", "payee"), {"year": context.years, "payer": orgs, "payee": orgs}
    )
    costs = draws.label(
        by_intervention,
        ("year", "intervention"),
        {"year": context.years, "intervention": [i.name for i in interventions]},
    )
    return payments, costs
