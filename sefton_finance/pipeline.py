"""One scenario, one draw: demand -> interventions -> capacity -> costing -> finance.

``run(scenario)`` is pure: it returns an xarray Dataset and writes nothing
(:func:`sefton_finance.results.save` does the I/O). Lever values come in as
a mapping so the Monte Carlo module can pass sampled values (DataArrays with a
``draw`` dim) through the very same code.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance import capacity, costing, demand, finance
from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.codes import AGE_BANDS, COMMISSIONERS, LOCALITIES, ORGANISATIONS, PODS
from sefton_finance.interventions import Intervention, resolve_interventions
from sefton_finance.interventions.mechanisms import Substitute
from sefton_finance.interventions.registry import ENTRY_POINT_GROUP, model_directories
from sefton_finance.levers import central
from sefton_finance.scenario import Scenario

Levers = Mapping[str, Any]


def principal_levers(scenario: Scenario, interventions: Sequence[Intervention]) -> dict[str, Any]:
    """Lever values of the principal run (draw 0): every interval at its centre.

    Keys: ``growth.non_demographic``, ``growth.by_pod.<pod>``, ``finance.<field>``,
    ``intervention.<name>.<lever>``. Monte Carlo replaces them with sampled arrays.
    """
    levers: dict[str, Any] = {"growth.non_demographic": central(scenario.growth.non_demographic)}
    for pod, lever in scenario.growth.by_pod.items():
        levers[f"growth.by_pod.{pod}"] = central(lever)
    for name in (
        "allocation_growth",
        "council_funding_growth",
        "cost_inflation",
        "efficiency_requirement",
        "efficiency_delivered",
        "other_spend_growth",
    ):
        levers[f"finance.{name}"] = central(getattr(scenario.finance, name))
    for intervention in interventions:
        for name, value in intervention.central_levers().items():
            levers[f"intervention.{intervention.name}.{name}"] = value
    return levers


def intervention_levers(levers: Levers, name: str) -> dict[str, Any]:
    """The levers of one intervention, keyed by parameter name."""
    prefix = f"intervention.{name}."
    return {key[len(prefix) :]: value for key, value in levers.items() if key.startswith(prefix)}


# ---------------------------------------------------------------- resolved interventions

_RESOLVED: OrderedDict[tuple, tuple[Intervention, ...]] = OrderedDict()
_RESOLVED_LOCK = threading.Lock()
_RESOLVED_SIZE = 64


def library_fingerprint() -> tuple:
    """What the intervention library is built from: model files (name, mtime, size) and plugins.

    Reading and validating the library takes ~150 ms, more than the rest of a run;
    this costs a few milliseconds, so a run still sees a model file added, changed
    or removed, a new ``SEFTON_FINANCE_MODELS`` directory, or a newly installed plugin.
    """
    files = []
    for directory in model_directories():
        for path in sorted(directory.glob("*.yaml")):
            stat = path.stat()
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
    plugins = tuple((entry.name, entry.value) for entry in entry_points(group=ENTRY_POINT_GROUP))
    return (os.environ.get("SEFTON_FINANCE_MODELS", ""), tuple(files), plugins)


def resolve_cached(scenario: Scenario) -> list[Intervention]:
    """:func:`resolve_interventions`, remembered for the same scenario uses and library.

    Interventions are immutable (frozen parameters), so runs may share them. Errors
    are not remembered: a bad scenario raises every time.
    """
    uses = tuple((use.name, repr(use.overrides)) for use in scenario.interventions)
    key = (uses, tuple(scenario.years), library_fingerprint())
    with _RESOLVED_LOCK:
        hit = _RESOLVED.get(key)
        if hit is not None:
            _RESOLVED.move_to_end(key)
            return list(hit)
    built = resolve_interventions(scenario)
    with _RESOLVED_LOCK:
        _RESOLVED[key] = tuple(built)
        while len(_RESOLVED) > _RESOLVED_SIZE:
            _RESOLVED.popitem(last=False)
    return built


# ---------------------------------------------------------------- context


@dataclass(frozen=True)
class Draws:
    """How a run varies by draw: every internal array has a leading draw axis.

    The axis has length ``size`` where an array depends on a sampled lever and 1
    where it does not (numpy broadcasting keeps it so); at the boundary a length-1
    axis is dropped, as the labelled arrays had no ``draw`` dim there.
    """

    size: int
    """Number of draws (1 for a single run)."""
    sampled: bool
    """Some lever is an array with a ``draw`` dim."""
    coord: np.ndarray | None
    """The levers' ``draw`` labels, if they have them."""

    def keep(self, values: np.ndarray) -> bool:
        """Whether ``values`` (draw axis first) keeps its draw axis when labelled."""
        return values.shape[0] > 1 or (self.sampled and self.size == 1)

    def label(
        self, values: np.ndarray, dims: Sequence[str], coords: Mapping, attrs=None
    ) -> xr.DataArray:
        """``values`` (draw axis first, then ``dims``) as a DataArray."""
        coords = dict(coords)
        if self.keep(values):
            dims = ("draw", *dims)
            if self.coord is not None:
                coords["draw"] = self.coord
        else:
            values = values[0]
        return xr.DataArray(values, dims=tuple(dims), coords=coords, attrs=attrs)

    def variable(self, values: np.ndarray, dims: Sequence[str], attrs=None) -> xr.Variable:
        """``values`` (draw axis first) as an unlabelled Variable, for building a Dataset."""
        if self.keep(values):
            return xr.Variable(("draw", *dims), values, attrs)
        return xr.Variable(tuple(dims), values[0], attrs)


def _draws_of(levers: Levers) -> Draws:
    size, sampled, coord = 1, False, None
    for value in levers.values():
        if isinstance(value, xr.DataArray) and "draw" in value.dims:
            sampled = True
            size = max(size, value.sizes["draw"])
            if coord is None and "draw" in value.coords:
                coord = value["draw"].values
    return Draws(size, sampled, coord)


def _column(value: Any) -> np.ndarray:
    """A lever as a ``(draw, 1)`` column (``(1, 1)`` when it does not vary)."""
    if isinstance(value, xr.DataArray):
        if value.dims not in ((), ("draw",)):
            raise ValueError(f"a lever may only vary by draw, got dims {value.dims}")
        return np.asarray(value.values, dtype=float).reshape(-1, 1)
    return np.array([[float(value)]])


@dataclass(frozen=True)
class ContextArrays:
    """The numpy side of a :class:`Context` (draw axis first; see :class:`Draws`)."""

    draws: Draws
    plan_blocks: np.ndarray
    """Do-nothing demand ``(pod, age_band, draw, year, month, locality)``."""
    plan_local: np.ndarray
    """Do-nothing demand summed over age bands ``(pod, draw, year, month, locality)``."""
    tariff: np.ndarray
    """``(draw, year)`` tariff price index."""
    cost: np.ndarray
    """``(draw, year)`` cost price index."""
    other_spend: np.ndarray
    """``(draw, year)`` other-spend index."""
    funding: np.ndarray
    """``(draw, year, commissioner)``."""
    variable_share: np.ndarray
    """``(commissioner, org)`` contract variable share."""
    ccg_split: dict[str, float]
    """Each CCG's share of base-year weighted population (who pays for 'ccgs')."""


@dataclass(frozen=True)
class Context:
    """Everything a scenario fixes before interventions are applied."""

    scenario: Scenario
    baseline: Baseline
    years: list[str]
    levers: Levers
    prices: finance.Prices
    plan_demand: xr.DataArray
    weighted_population: xr.DataArray
    funding: xr.DataArray
    variable_share: xr.DataArray
    plan_by_locality: xr.DataArray
    """Do-nothing demand summed over age bands ``(year, month, locality, pod)`` (+ ``draw``)."""
    arrays: ContextArrays | None = field(default=None, repr=False, compare=False)
    """The same as numpy, for the fast path (set by :func:`make_context`)."""


def make_context(scenario: Scenario, baseline: Baseline, levers: Levers) -> Context:
    """Project demand and prices for a scenario."""
    years = scenario.years
    arrays = baseline.arrays
    draws = _draws_of(levers)
    f = lambda name: _column(levers[f"finance.{name}"])  # noqa: E731
    offset = np.arange(len(years), dtype=float)

    def compound(rate: np.ndarray) -> np.ndarray:
        # as finance.compound: (1 + rate) ^ t
        return (1.0 + rate) ** offset

    tariff = compound((1 + f("cost_inflation")) * (1 - f("efficiency_requirement")) - 1)
    cost = compound((1 + f("cost_inflation")) * (1 - f("efficiency_delivered")) - 1)
    other_spend = compound(f("other_spend_growth"))
    per_head = compound(f("allocation_growth"))
    council = compound(f("council_funding_growth"))
    year_coords = {"year": years}
    prices = finance.Prices(
        *(
            draws.label(values, ("year",), year_coords)
            for values in (tariff, cost, other_spend, per_head, council)
        )
    )

    overrides = {
        key.split(".")[-1]: value
        for key, value in levers.items()
        if key.startswith("growth.by_pod.")
    }
    default = levers["growth.non_demographic"]
    columns = [_column(overrides.get(p, default)) for p in PODS]
    size = max(c.shape[0] for c in columns)
    growth = np.concatenate([np.broadcast_to(c, (size, 1)) for c in columns], axis=1)
    demographic = scenario.growth.demographic
    plan_blocks = demand.demand_blocks(
        arrays, len(years), growth, baseline.bed_days_per_unit, demographic
    )
    plan_local = _add_bands_by_pod(plan_blocks)

    population = demand.population_values(arrays, len(years), demographic)
    weighted = (population * arrays.need_weight).sum(axis=-1)  # (year, locality)
    # Allocations (finance.allocations): CCG heads summed locality by locality, in order.
    by_ccg = np.zeros((len(years), len(COMMISSIONERS)))
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

    variable = finance.contract_variable_share(
        baseline, scenario.contract.form, scenario.contract.variable_share
    )
    fast = ContextArrays(
        draws=draws,
        plan_blocks=plan_blocks,
        plan_local=plan_local,
        tariff=tariff,
        cost=cost,
        other_spend=other_spend,
        funding=funding,
        variable_share=variable.sel(commissioner=list(COMMISSIONERS), provider=list(ORGANISATIONS))
        .transpose("commissioner", "provider")
        .values,
        ccg_split=ccg_split,
    )
    locs = list(LOCALITIES)
    plan = demand.demand_dataarray(
        arrays,
        years,
        plan_blocks,
        with_draw=draws.keep(plan_blocks[0, 0]),
        coords={} if draws.coord is None else {"draw": draws.coord},
    )
    by_locality = draws.label(
        np.moveaxis(plan_local, 0, -1),
        ("year", "month", "locality", "pod"),
        {"year": years, "month": arrays.months, "locality": locs, "pod": list(PODS)},
    )
    return Context(
        scenario,
        baseline,
        years,
        levers,
        prices,
        plan,
        xr.DataArray(weighted, dims=("year", "locality"), coords={"year": years, "locality": locs}),
        draws.label(funding, ("year", "org"), {"year": years, "org": list(COMMISSIONERS)}),
        variable,
        by_locality,
        fast,
    )


def _sum_age_bands(activity: xr.DataArray) -> xr.DataArray:
    """Sum over age bands, adding the bands in a fixed order.

    Elementwise adds in a fixed order give the same last bit whether a pod was
    touched by an intervention or not, and whatever the number of draws: so a
    zero-effect intervention changes nothing, exactly, and draw 0 of a Monte
    Carlo run equals the single run.
    """
    rest = [d for d in activity.dims if d not in ("age_band", "pod")]
    blocks = activity.transpose("pod", "age_band", *rest).values
    memory = _add_bands_by_pod(blocks)
    dims = [*rest, "pod"]
    coords = {d: activity[d].values for d in dims if d in activity.coords}
    return xr.DataArray(np.moveaxis(memory, 0, -1), dims=dims, coords=coords)


def _add_bands_by_pod(blocks: np.ndarray) -> np.ndarray:
    """``(pod, age_band, ...)`` summed over age bands, pod by pod: ``(pod, ...)``."""
    memory = np.empty((blocks.shape[0], *blocks.shape[2:]))
    for pod in range(blocks.shape[0]):
        memory[pod] = _add_bands(blocks[pod])
    return memory


def _add_bands(block: np.ndarray) -> np.ndarray:
    """``block[0] + block[1] + ...`` over the leading (age band) axis."""
    total = block[0].copy()
    for band in range(1, block.shape[0]):
        total += block[band]
    return total


def _has_draws(levers: Levers) -> bool:
    return any(isinstance(v, xr.DataArray) and "draw" in v.dims for v in levers.values())


def _fast(context: Context) -> ContextArrays:
    if context.arrays is None:
        raise ValueError("a Context needs its arrays: build it with make_context()")
    return context.arrays


# ---------------------------------------------------------------- interventions


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
        self.blocks = _fast(context).plan_blocks
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
        return _add_bands(self.changed[index])


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
    share = (_column(levers["effect"]) * params.intensity) * phase  # (draw, year)
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


def _apply(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[np.ndarray, list[dict[int, np.ndarray]]]:
    """Interventions applied in order, on numpy.

    Returns
    -------
    (local, changes)
        Activity summed over age bands ``(pod, draw, year, month, locality)``, and per
        intervention the yearly change of each pod it touched ``{pod: (draw, year, locality)}``.
    """
    fast = _fast(context)
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
    local, changes = _apply(context, interventions)
    draws = _fast(context).draws
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
    plan = _fast(context).plan_local
    out = []
    for change in changes:
        draws = max([plan.shape[1], *(v.shape[0] for v in change.values())])
        values = np.zeros((plan.shape[0], draws, plan.shape[2], plan.shape[4]))
        for index, block in change.items():
            values[index] = block
        out.append(values)
    return out


def _payment_values(
    context: Context, interventions: Sequence[Intervention]
) -> tuple[np.ndarray, np.ndarray]:
    """Intervention funding ``(draw, year, payer, payee)`` and costs ``(draw, year, intervention)``."""
    fast = _fast(context)
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
                _column(levers["setup_cost"]) * setup + _column(levers["recurring_cost"]) * running
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
    draws = _fast(context).draws
    data, by_intervention = _payment_values(context, interventions)
    payments = draws.label(
        data, ("year", "payer", "payee"), {"year": context.years, "payer": orgs, "payee": orgs}
    )
    costs = draws.label(
        by_intervention,
        ("year", "intervention"),
        {"year": context.years, "intervention": [i.name for i in interventions]},
    )
    return payments, costs


# ---------------------------------------------------------------- capacity, costing, finance


def _evaluate_values(
    context: Context,
    local: np.ndarray,
    spend: np.ndarray,
    plan: Mapping[str, Any] | None = None,
    des: bool = True,
    owned: bool = False,
) -> dict[str, Any]:
    """:func:`evaluate` on numpy: activity ``(pod, draw, year, month, locality)``, spend
    ``(draw, year, payer, payee)``; ``plan`` is this function's result for the plan.

    Returns a dict of numpy arrays (draw axis first) named as :func:`evaluate`'s
    variables, plus the plan's base-year figures of the (pod, provider) pairs.
    With ``owned`` the caller hands ``local`` over: it becomes the realised activity
    (saving a copy of the largest array in a many-draw run).
    """
    baseline = context.baseline
    scenario = context.scenario
    arrays = baseline.arrays
    fast = _fast(context)
    plan_local = fast.plan_local

    # Backfill (capacity.backfill): services with a list keep the plan's capacity.
    with_list = np.flatnonzero(arrays.has_waiting_list)
    stays = baseline.bed_days_per_unit
    if owned:
        # Only the pods read again after they change are kept.
        kept = {*with_list.tolist(), *(PODS.index(p) for p in stays)}
        before = {index: local[index].copy() for index in kept}
        realised = local
    else:
        before = local
        realised = np.array(local)  # a copy: changed below
    closing = np.zeros((local.shape[0], local.shape[1], local.shape[2], local.shape[4]))
    if with_list.size:
        wanted = local[with_list]
        planned = np.broadcast_to(plan_local[with_list], wanted.shape)
        opening = arrays.waiting_list[:, with_list].T[:, None, :]  # (pod, 1, locality)
        treated, lists = capacity.backfill_values(
            wanted, planned, opening, 2, 3, scenario.capacity.backfill
        )
        closing[with_list] = lists
        if treated is not None:
            realised[with_list] = treated
    # Admissions treated from the waiting list bring their stays with them.
    extra_bed_days = None
    for pod, stay in stays.items():
        index = PODS.index(pod)
        extra = (realised[index] - before[index]) * stay
        extra_bed_days = extra if extra_bed_days is None else extra_bed_days + extra
    if extra_bed_days is not None:
        bed = PODS.index("bed_days")
        realised[bed] = np.clip(realised[bed] + extra_bed_days, 0.0, None)

    # Activity of each (pod, provider) pair with provision, locality terms added in order.
    pairs = arrays.provider_pairs
    monthly = None
    for rank in range(pairs.locality.shape[0]):
        term = (
            realised[pairs.pod, :, :, :, pairs.locality[rank]]
            * pairs.share[rank][:, None, None, None]
        )
        monthly = term if monthly is None else monthly + term
    yearly = monthly[..., 0].copy()  # months added one after another, as a labelled sum does
    for month in range(1, monthly.shape[-1]):
        yearly += monthly[..., month]
    required = np.zeros(yearly.shape)
    for pod in np.unique(pairs.pod):
        rows = pairs.pod == pod
        required[rows] = capacity.units_for_pod(
            monthly[rows],
            arrays.capacity_method[pod],
            float(arrays.target[pod]),
            float(arrays.service_hours[pod]),
            float(arrays.throughput_per_unit[pod]),
        )
    if plan is None:
        base_activity, base_required = yearly[..., 0], required[..., 0]
    else:
        base_activity, base_required = plan["base_activity"], plan["base_required"]
    parts = costing.cost_values(
        yearly,
        required,
        base_activity,
        base_required,
        fast.cost,
        arrays.unit_cost[pairs.pod],
        arrays.fixed_share[pairs.org, pairs.pod],
        arrays.stepped_share[pairs.org, pairs.pod],
        arrays.variable_share[pairs.org, pairs.pod],
        arrays.units_per_step[pairs.org, pairs.pod],
        arrays.decision_lag[pairs.org, pairs.pod],
    )

    def by_org_pod(series: np.ndarray) -> np.ndarray:
        out = np.zeros((series.shape[1], series.shape[2], len(ORGANISATIONS), len(PODS)))
        out[:, :, pairs.org, pairs.pod] = np.moveaxis(series, 0, -1)
        return out

    out: dict[str, Any] = {
        "activity": realised,
        "provider_activity": by_org_pod(yearly),
        "capacity_required": by_org_pod(required),
        "waiting_list": closing,
        "base_activity": base_activity,
        "base_required": base_required,
    }
    costs = {name: by_org_pod(values) for name, values in parts.items()}
    simulated = None
    if scenario.capacity.method == "des" and des:
        steps = _label(context, costs["steps"], ("year", "org", "pod"))
        simulated = _congestion(context, _label_activity(context, realised), steps)
        template = _label(context, costs["provider_cost"], ("year", "org", "pod"))
        extra = simulated["congestion_cost"].reindex_like(template, fill_value=0.0)
        extra = extra.expand_dims([d for d in ("draw",) if d not in extra.dims])
        costs["cost_congestion"] = extra.transpose("draw", "year", "org", "pod").values
        costs["provider_cost"] = costs["provider_cost"] + costs["cost_congestion"]
        out["congestion_attrs"] = dict(simulated["congestion_cost"].attrs)
    out["costs"] = costs

    # Contract values (finance.contract_values): yearly activity at tariff.
    yearly_local = realised.sum(axis=3)  # (pod, draw, year, locality)
    terms = arrays.contract_terms
    values = np.zeros((*yearly_local.shape[1:3], len(COMMISSIONERS), len(ORGANISATIONS)))
    values[:, :, terms.commissioner, terms.org] = np.moveaxis(
        finance.contract_value_totals(yearly_local, terms), 0, -1
    )
    values = values * fast.tariff[..., None, None]
    out["contract_value"] = values
    capitated = scenario.contract.form == "capitated"
    out.update(
        finance.ledger_values(
            arrays,
            fast.funding,
            values,
            values if plan is None else plan["contract_value"],
            fast.variable_share,
            costs["provider_cost"].sum(axis=-1),
            fast.other_spend,
            spend,
            capitated=capitated and plan is not None,
            risk_share=scenario.contract.risk_share,
            plan_surplus=None if plan is None else plan["surplus_before_risk_share"],
        )
    )
    out["simulated"] = simulated
    return out


def _coords(context: Context) -> dict[str, Any]:
    orgs = list(ORGANISATIONS)
    return {
        "year": context.years,
        "month": context.baseline.arrays.months,
        "locality": list(LOCALITIES),
        "pod": list(PODS),
        "org": orgs,
        "commissioner": list(COMMISSIONERS),
        "provider": orgs,
        "line": list(finance.LINES),
        "payer": orgs,
        "payee": orgs,
    }


def _label(context: Context, values: np.ndarray, dims: Sequence[str]) -> xr.DataArray:
    coords = _coords(context)
    return _fast(context).draws.label(values, dims, {d: coords[d] for d in dims})


def _label_activity(context: Context, realised: np.ndarray) -> xr.DataArray:
    return _label(context, np.moveaxis(realised, 0, -1), ("year", "month", "locality", "pod"))


_EVALUATION_VARIABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "activity": (
        ("year", "month", "locality", "pod"),
        {"units": "activity units per month", "long_name": "Realised activity"},
    ),
    "provider_activity": (
        ("year", "org", "pod"),
        {"units": "activity units per year", "long_name": "Provider activity for Sefton residents"},
    ),
    "capacity_required": (
        ("year", "org", "pod"),
        {"units": "capacity units", "long_name": "Capacity required"},
    ),
    "waiting_list": (
        ("year", "locality", "pod"),
        {"units": "patients", "long_name": "Waiting list at year end"},
    ),
    "contract_value": (
        ("year", "commissioner", "provider"),
        {"units": "GBP", "long_name": "Activity at tariff"},
    ),
}
_COST_ATTRS = {
    "cost_fixed": {"units": "GBP", "long_name": "Fixed cost"},
    "cost_stepped": {"units": "GBP", "long_name": "Stepped capacity cost"},
    "cost_variable": {"units": "GBP", "long_name": "Variable cost"},
    "provider_cost": {"units": "GBP", "long_name": "Provider cost of Sefton activity"},
    "steps": {"units": "steps", "long_name": "Capacity steps held"},
}


def _evaluation_variables(context: Context, out: Mapping[str, Any]) -> dict[str, xr.Variable]:
    """The variables of :func:`evaluate`'s Dataset, in its order."""
    draws = _fast(context).draws
    data: dict[str, xr.Variable] = {}
    values = {
        "activity": np.moveaxis(out["activity"], 0, -1),
        "waiting_list": np.moveaxis(out["waiting_list"], 0, -1),
    }
    for name, (dims, attrs) in _EVALUATION_VARIABLES.items():
        data[name] = draws.variable(values.get(name, out.get(name)), dims, dict(attrs))
    for name, array in out["costs"].items():
        attrs = _COST_ATTRS.get(name) or out["congestion_attrs"]
        data[name] = draws.variable(array, ("year", "org", "pod"), dict(attrs))
    for name, dims in finance.LEDGER_DIMS.items():
        data[name] = draws.variable(out[name], dims, dict(finance.LEDGER_ATTRS[name]))
    simulated = out["simulated"]
    if simulated is not None:
        # The discrete-event model's performance figures (labelled: they bring their own dims).
        data.update({n: simulated[n] for n in simulated.data_vars if n != "congestion_cost"})
    return data


def _evaluation_dataset(context: Context, out: Mapping[str, Any]) -> xr.Dataset:
    return xr.Dataset(_evaluation_variables(context, out), coords=_dataset_coords(context))


def _dataset_coords(context: Context) -> dict[str, Any]:
    coords = _coords(context)
    draws = _fast(context).draws
    if draws.coord is not None and draws.sampled:
        coords = {**coords, "draw": draws.coord}
    return coords


def _plan_values(context: Context, plan: xr.Dataset) -> dict[str, Any]:
    """What an evaluation needs of the plan, from its Dataset."""
    pairs = context.baseline.arrays.provider_pairs

    def with_draw(array: xr.DataArray, *dims: str) -> np.ndarray:
        if "draw" not in array.dims:
            array = array.expand_dims("draw")
        return array.transpose("draw", *dims).values

    def base(name: str) -> np.ndarray:
        values = with_draw(
            plan[name].isel(year=0).sel(org=list(ORGANISATIONS), pod=list(PODS)), "org", "pod"
        )
        return values[:, pairs.org, pairs.pod].T  # (pair, draw)

    return {
        "base_activity": base("provider_activity"),
        "base_required": base("capacity_required"),
        "contract_value": with_draw(plan["contract_value"], "year", "commissioner", "provider"),
        "surplus_before_risk_share": with_draw(
            plan["surplus_before_risk_share"].sel(org=list(ORGANISATIONS)), "year", "org"
        ),
    }


def evaluate(
    context: Context,
    activity: xr.DataArray,
    spend: xr.DataArray,
    plan: xr.Dataset | None = None,
    des: bool = True,
) -> xr.Dataset:
    """Capacity, costing and finance for one set of post-intervention activity.

    Parameters
    ----------
    context : Context
    activity : xarray.DataArray
        Demand after interventions ``(year, month, locality, pod)``, or with ``age_band``
        (summed here); ``draw`` first when it varies by draw.
    spend : xarray.DataArray
        Intervention funding ``(year, payer, payee)``.
    plan : xarray.Dataset, optional
        The evaluation of the plan (do-nothing demand); ``None`` evaluates the plan itself.
    des : bool
        With ``capacity.method: des``, run the discrete-event model for congestion cost
        and performance (false for the bridge's standalone bars).
    """
    if activity is context.plan_demand:
        local = _fast(context).plan_local
    else:
        if "age_band" in activity.dims:
            activity = _sum_age_bands(activity)
        if "draw" not in activity.dims:
            activity = activity.expand_dims("draw")
        local = activity.sel(pod=list(PODS), locality=list(LOCALITIES))
        local = local.transpose("pod", "draw", "year", "month", "locality").values
    orgs = list(ORGANISATIONS)
    spend = spend.reindex(payer=orgs, payee=orgs, fill_value=0.0)
    if "draw" not in spend.dims:
        spend = spend.expand_dims("draw")
    values = _evaluate_values(
        context,
        local,
        spend.transpose("draw", "year", "payer", "payee").values,
        None if plan is None else _plan_values(context, plan),
        des,
    )
    return _evaluation_dataset(context, values)


def _congestion(context: Context, realised: xr.DataArray, steps: xr.DataArray) -> xr.Dataset:
    """Run the discrete-event model on realised activity: congestion cost and performance.

    Each year runs with the capacity the cost model holds that year (steps held relative
    to the base year), so congestion is what the costed capacity cannot absorb. The DES
    replications draw from their own streams (apart from the lever draws), and the plan
    and the scenario use the same ones, so their difference is not noise.
    """
    from sefton_finance.des.link import congestion_cost, performance_summary, run_des
    from sefton_finance.montecarlo import REPLICATION_STREAM

    if "draw" in realised.dims:
        raise ValueError("the discrete-event path runs replications of the principal draw only")
    scenario = context.scenario
    seed = np.random.SeedSequence(entropy=scenario.seed, spawn_key=(REPLICATION_STREAM, 0))
    des = run_des(
        realised,
        context.baseline,
        seed=seed,
        replications=scenario.capacity.replications,
        warmup_days=scenario.capacity.warmup_days,
        capacity_growth=(steps / steps.isel(year=0)).where(steps.isel(year=0) > 0),
    )
    # Every organisation, in the baseline's order (only the acute sites have congestion).
    out = congestion_cost(des, context.baseline, context.prices.cost).reindex(
        org=list(context.baseline.organisations.org.values), fill_value=0.0
    )
    return out.merge(performance_summary(des))


def run(
    scenario: Scenario,
    baseline: Baseline | None = None,
    levers: Levers | None = None,
    with_bridge: bool = True,
    interventions: Sequence[Intervention] | None = None,
) -> xr.Dataset:
    """Run one scenario (one draw, or many as a ``draw`` dim) through the whole pipeline.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged Sefton baseline.
    levers : mapping, optional
        Lever values; default the principal (central) values.
    with_bridge : bool
        Also attribute the change in surplus to each intervention (one extra
        evaluation per intervention).
    interventions : sequence of Intervention, optional
        The scenario's interventions already resolved (saves re-reading the library).

    Returns
    -------
    xarray.Dataset
        Results with the design's dims; see :mod:`sefton_finance.results`.
    """
    baseline = load_baseline() if baseline is None else baseline
    interventions = resolve_cached(scenario) if interventions is None else interventions
    levers = principal_levers(scenario, interventions) if levers is None else levers
    context = make_context(scenario, baseline, levers)
    return run_context(context, interventions, with_bridge)


def run_context(
    context: Context, interventions: Sequence[Intervention], with_bridge: bool = True
) -> xr.Dataset:
    """:func:`run` from a context already made (see :func:`make_context`).

    The context fixes everything but the interventions (demand, prices, funding,
    contracts), so a caller that changes only the interventions, like the what-if
    page, can make it once and reuse it. ``context.levers`` must hold the
    interventions' levers (as :func:`principal_levers` gives them).

    Parameters
    ----------
    context : Context
    interventions : sequence of Intervention
    with_bridge : bool

    Returns
    -------
    xarray.Dataset
        As :func:`run`.
    """
    fast = _fast(context)
    draws = fast.draws
    no_spend = np.zeros((1, len(context.years), len(ORGANISATIONS), len(ORGANISATIONS)))
    plan = _evaluate_values(context, fast.plan_local, no_spend)
    local, changes = _apply(context, interventions)
    spend, cost_by_intervention = _payment_values(context, interventions)
    # `local` is the plan's own array when there are no interventions: not ours to change.
    result = _evaluate_values(context, local, spend, plan, owned=local is not fast.plan_local)

    names: list[str] = [i.name for i in interventions]
    plan_local = fast.plan_local
    # (draw, year, locality, pod, intervention): only the pods each intervention touched
    # are written (a 1,000-draw run would otherwise build a zero array per intervention).
    size = max([plan_local.shape[1], *(v.shape[0] for c in changes for v in c.values())])
    locality_change = np.zeros(
        (size, plan_local.shape[2], plan_local.shape[4], plan_local.shape[0], len(changes))
    )
    for i, change in enumerate(changes):
        for index, block in change.items():
            locality_change[:, :, :, index, i] = block
    activity_change = locality_change.sum(axis=2)
    labels: list[str] = names
    bars = None
    if with_bridge:
        bars, labels = _bridge_values(context, interventions, plan, result)
        pad = len(labels) - len(names)

        def padded(values: np.ndarray) -> np.ndarray:
            return np.concatenate([values, np.zeros((*values.shape[:-1], pad))], axis=-1)

        locality_change, activity_change = padded(locality_change), padded(activity_change)
        cost_by_intervention = padded(cost_by_intervention)

    data = _evaluation_variables(context, result)
    del data["contract_value"]
    v = draws.variable
    data["demand"] = v(
        np.moveaxis(plan_local, 0, -1),
        ("year", "month", "locality", "pod"),
        {
            "units": "activity units per month",
            "long_name": "Demand before interventions (do-nothing)",
        },
    )
    data["plan_surplus"] = v(
        plan["surplus"],
        ("year", "org"),
        {"units": "GBP", "long_name": "Surplus with no interventions"},
    )
    data["plan_system_surplus"] = v(
        plan["system_surplus"],
        ("year",),
        {"units": "GBP", "long_name": "System surplus with no interventions"},
    )
    data["plan_provider_cost"] = v(
        plan["costs"]["provider_cost"],
        ("year", "org", "pod"),
        {"units": "GBP", "long_name": "Provider cost with no interventions"},
    )
    # Funding is by commissioner; the other organisations have none (NaN, as when aligned).
    allocation = np.full((*fast.funding.shape[:2], len(ORGANISATIONS)), np.nan)
    allocation[..., [ORGANISATIONS.index(c) for c in COMMISSIONERS]] = fast.funding
    data["allocation"] = v(
        allocation, ("year", "org"), {"units": "GBP", "long_name": "Allocation and council funding"}
    )
    data["intervention_cost"] = v(
        cost_by_intervention,
        ("year", "intervention"),
        {"units": "GBP", "long_name": "Intervention cost"},
    )
    data["intervention_activity_change"] = v(
        activity_change,
        ("year", "pod", "intervention"),
        {
            "units": "activity units per year",
            "long_name": "Change in demand made by each intervention (in order)",
        },
    )
    data["locality_activity_change"] = v(
        locality_change,
        ("year", "locality", "pod", "intervention"),
        {
            "units": "activity units per year",
            "long_name": "Change in demand by locality and intervention",
        },
    )
    if bars is not None:
        data["bridge"] = v(
            bars,
            ("year", "intervention"),
            {"units": "GBP", "long_name": "Change in system surplus by intervention"},
        )
    coords = _dataset_coords(context)
    coords["intervention"] = labels
    return xr.Dataset(data, coords=coords)


def _bridge_values(
    context: Context,
    interventions: Sequence[Intervention],
    plan: Mapping[str, Any],
    result: Mapping[str, Any],
) -> tuple[np.ndarray, list[str]]:
    """:func:`bridge` on numpy: bars ``(draw, year, bar)`` and their labels."""
    names = [i.name for i in interventions]
    total = result["system_surplus"] - plan["system_surplus"]
    reference, extra_bars = plan, []
    if "cost_congestion" in result["costs"]:
        no_spend = np.zeros((1, len(context.years), len(ORGANISATIONS), len(ORGANISATIONS)))
        reference = _evaluate_values(context, _fast(context).plan_local, no_spend, des=False)
        congestion = _label(
            context, result["costs"]["cost_congestion"], ("year", "org", "pod")
        ).sum(("org", "pod")) - _label(
            context, plan["costs"]["cost_congestion"], ("year", "org", "pod")
        ).sum(("org", "pod"))
        congestion = congestion.expand_dims([d for d in ("draw",) if d not in congestion.dims])
        extra_bars = [("congestion", -congestion.transpose("draw", "year").values)]
    bars = []
    for intervention in interventions:
        alone, _ = _apply(context, [intervention])
        spend, _ = _payment_values(context, [intervention])
        owned = alone is not _fast(context).plan_local
        alone_result = _evaluate_values(context, alone, spend, reference, des=False, owned=owned)
        bars.append(alone_result["system_surplus"] - reference["system_surplus"])
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else np.zeros_like(total)
    bars.append(total - explained)
    size = max(b.shape[0] for b in bars)
    out = np.stack([np.broadcast_to(b, (size, b.shape[1])) for b in bars], axis=-1)
    return out, [*names, *[name for name, _ in extra_bars], "interaction"]


def bridge(
    context: Context, interventions: Sequence[Intervention], plan: xr.Dataset, result: xr.Dataset
) -> xr.DataArray:
    """System surplus change from the no-intervention plan, by intervention.

    Each intervention's bar is its effect on its own (standalone, against the
    plan); on the discrete-event path a ``congestion`` bar holds the change in
    congestion cost; the ``interaction`` bar is what remains because interventions
    on the same flows overlap (and backfill and capacity steps are not additive).
    The bars sum to the total change exactly.
    """
    names = [i.name for i in interventions]
    total = result["system_surplus"] - plan["system_surplus"]
    reference, extra_bars = plan, []
    if "cost_congestion" in result:
        # Standalone bars on the analytic path (a DES run per bar would be slow and noisy);
        # the change in congestion cost gets its own bar.
        no_spend, _ = intervention_payments(context, [])
        reference = evaluate(context, context.plan_demand, no_spend, des=False)
        congestion = result["cost_congestion"].sum(("org", "pod")) - plan["cost_congestion"].sum(
            ("org", "pod")
        )
        extra_bars = [("congestion", -congestion)]
    bars = []
    for intervention in interventions:
        alone, _ = apply_interventions(context, [intervention])
        spend, _ = intervention_payments(context, [intervention])
        alone_result = evaluate(context, alone, spend, reference, des=False)
        bars.append(alone_result["system_surplus"] - reference["system_surplus"])
    bars += [bar for _, bar in extra_bars]
    explained = sum(bars) if bars else xr.zeros_like(total)
    bars.append(total - explained)
    labels = [*names, *[name for name, _ in extra_bars], "interaction"]
    out = xr.concat(bars, dim="intervention", coords="minimal").assign_coords(intervention=labels)
    return _order(out).assign_attrs(
        units="GBP", long_name="Change in system surplus by intervention"
    )


def _order(array: xr.DataArray) -> xr.DataArray:
    order = ("scenario", "draw", "year", "month", "org", "locality", "pod", "intervention")
    dims = [d for d in order if d in array.dims] + [d for d in array.dims if d not in order]
    return array.transpose(*dims)
