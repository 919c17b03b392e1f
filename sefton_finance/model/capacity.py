"""Analytic capacity model: how much capacity each provider needs for its activity.

Capacity is sized for the busiest month of each year, because wards and
cubicles cannot be opened and closed month by month at no cost:

``beds``
    mean occupied beds = bed days / days in month; beds needed to keep mean
    occupancy at the pod's target (0.92 for general and acute beds).
``erlang_c``
    cubicles for an M/M/c queue whose probability of waiting stays at or
    below the pod's target (Erlang C), with arrivals spread evenly over the month.
``linear``
    capacity units (clinic sessions, staff) = yearly-rate activity / throughput per unit.
``none``
    no capacity modelled (cost is variable or fixed only).

It also keeps the waiting lists of services that have one: capacity freed by
an intervention is refilled from the list (backfill) unless the scenario says
the capacity is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sefton_finance.codes import DAYS_IN_MONTH, PODS
from sefton_finance.errors import BeyondModelError
from sefton_finance.queueing import servers_for_occupancy

if TYPE_CHECKING:
    from sefton_finance.model.context import Context


@dataclass(frozen=True)
class Capacity:
    """Realised activity and the capacity it needs."""

    realised: np.ndarray
    """Activity after backfill ``(pod, draw, year, month, locality)``."""
    waiting_list: np.ndarray
    """Waiting list at year end ``(pod, draw, year, locality)`` (zero for pods without one)."""
    provider_activity: np.ndarray
    """Yearly activity of each (pod, provider) pair ``(pair, draw, year)``."""
    required: np.ndarray
    """Capacity units each pair needs ``(pair, draw, year)``."""
    backfilled: np.ndarray
    """Yearly activity of each pair treated from its waiting list in capacity that demand
    no longer used ``(pair, draw, year)`` (capacity freed and reused)."""


def realise(context: Context, local: np.ndarray, owned: bool = False) -> Capacity:
    """Realised activity, waiting lists and the capacity each provider needs.

    Parameters
    ----------
    context : Context
    local : numpy.ndarray
        Demand after interventions ``(pod, draw, year, month, locality)``.
    owned : bool
        The caller hands ``local`` over: it becomes the realised activity (saving a
        copy of the largest array in a many-draw run).
    """
    baseline = context.baseline
    arrays = baseline.arrays
    plan_local = context.demand.local
    # Services with a list keep the plan's capacity (backfill).
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
    from_list = np.zeros((local.shape[0], 1, local.shape[2], local.shape[4]))
    if with_list.size:
        wanted = local[with_list]
        planned = np.broadcast_to(plan_local[with_list], wanted.shape)
        opening = arrays.waiting_list[:, with_list].T[:, None, :]  # (pod, 1, locality)
        treated, lists = backfill_values(
            wanted, planned, opening, 2, 3, context.scenario.capacity.backfill
        )
        closing[with_list] = lists
        if treated is not None:
            extra = (treated - wanted).sum(axis=3)
            from_list = np.zeros((local.shape[0], *extra.shape[1:]))
            from_list[with_list] = extra
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
        try:
            required[rows] = units_for_pod(
                monthly[rows],
                arrays.capacity_method[pod],
                float(arrays.target[pod]),
                float(arrays.service_hours[pod]),
                float(arrays.throughput_per_unit[pod]),
            )
        except BeyondModelError as error:
            raise BeyondModelError(
                f"{PODS[pod]}: {error}: the scenario's growth takes demand beyond what the "
                "capacity model sizes; lower the growth levers or the horizon"
            ) from None
    backfilled = sum(
        from_list[pairs.pod, :, :, pairs.locality[rank]] * pairs.share[rank][:, None, None]
        for rank in range(pairs.locality.shape[0])
    )
    return Capacity(realised, closing, yearly, required, np.asarray(backfilled))


MAX_SERVERS = 100_000
"""Search bound for queue sizing (as in :func:`sefton_finance.queueing.servers_for_wait`)."""


def _erlang_c_servers(load: np.ndarray, target: float) -> np.ndarray:
    """Smallest server count with Erlang C ``P(wait) <= target``, for a whole array at once.

    The same recursion and formulas as :func:`sefton_finance.queueing.erlang_c` (so the
    same numbers to the last bit), but advanced one server at a time for every element
    together instead of a Python loop per element: a 1,000-draw run sizes ~100,000
    queues.
    """
    load = np.asarray(load, dtype=float)
    out = np.zeros(load.shape, dtype=float)
    positive = load > 0
    if not positive.any():
        return out
    if not 0 < target < 1:
        raise ValueError(f"target_wait_probability must be in (0, 1), got {target}")
    a = load[positive]
    if a.max() >= MAX_SERVERS:
        # A stable queue needs more servers than its load: no search can succeed.
        raise BeyondModelError(
            f"demand needs more than {MAX_SERVERS:,} servers (an offered load of {a.max():,.0f})"
        )
    first = np.maximum(np.floor(a) + 1, 1)  # fewest servers of a stable queue
    found = np.zeros(a.shape)
    blocking = np.ones(a.shape)
    open_ = np.ones(a.shape, dtype=bool)
    k = 0
    while open_.any():
        k += 1
        if k > MAX_SERVERS:
            raise BeyondModelError(
                f"demand needs more than {MAX_SERVERS:,} servers (an offered load of "
                f"{a[open_].max():,.0f})"
            )
        blocking = a * blocking / (k + a * blocking)
        if k < first[open_].min():
            continue
        rho = a / k
        with np.errstate(divide="ignore", invalid="ignore"):
            waiting = np.where(rho < 1.0, blocking / (1.0 - rho * (1.0 - blocking)), 1.0)
        done = open_ & (k >= first) & (waiting <= target)
        found[done] = k
        open_ &= ~done
    out[positive] = found
    return out


DAYS = np.array(DAYS_IN_MONTH, dtype=float)
"""Days in each month, April first, as floats (the divisor of monthly activity)."""


def units_for_pod(
    monthly: np.ndarray,
    method: str,
    target: float,
    service_hours: float,
    throughput_per_unit: float,
) -> np.ndarray:
    """Capacity units one pod needs in the busiest month, from monthly activity ``(..., month)``.

    The model calls it on the (pod, provider) pairs that have activity.

    Returns
    -------
    numpy.ndarray
        ``monthly.shape[:-1]`` capacity units (float).
    """
    if method == "beds":
        per_day = (monthly / DAYS).max(axis=-1)
        return servers_for_occupancy(per_day, target).astype(float)
    if method == "erlang_c":
        per_hour = (monthly / (DAYS * 24.0)).max(axis=-1)
        return _erlang_c_servers(per_hour * service_hours, target)
    if method == "linear" and throughput_per_unit > 0:
        return monthly.max(axis=-1) * 12.0 / throughput_per_unit
    return np.zeros(monthly.shape[:-1])


def backfill_values(
    wanted: np.ndarray,
    planned: np.ndarray,
    opening: np.ndarray,
    year_axis: int,
    month_axis: int,
    enabled: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Freed capacity refilled from the waiting list, for the services that have one.

    Each year a service treats what it planned to (the do-nothing capacity), or less
    if demand plus the list is smaller; what is not treated joins the list. Without
    backfill demand is realised as it is and the list grows by nothing.

    Parameters
    ----------
    wanted, planned : numpy.ndarray
        Demand and do-nothing demand of the services with a list, same shape, with a
        year and a month axis (year before month).
    opening : numpy.ndarray
        Opening lists, broadcastable to one year of the yearly (month-summed) shape.
    year_axis : int
        Year axis of the yearly arrays (the same as in the monthly arrays).
    month_axis : int
    enabled : bool

    Returns
    -------
    (treated, lists)
        Realised monthly activity (``None`` when not ``enabled``: demand is realised
        unchanged) and closing lists with the yearly shape.
    """
    yearly_demand = wanted.sum(axis=month_axis)
    yearly_plan = planned.sum(axis=month_axis)
    waiting = np.broadcast_to(opening, np.take(yearly_demand, 0, axis=year_axis).shape)
    treated = np.empty_like(yearly_demand)
    lists = np.empty_like(yearly_demand)
    for year in range(yearly_demand.shape[year_axis]):
        want = np.take(yearly_demand, year, axis=year_axis)
        if enabled:
            done = np.minimum(np.take(yearly_plan, year, axis=year_axis), want + waiting)
        else:
            done = want
        waiting = waiting + want - done
        index = [slice(None)] * treated.ndim
        index[year_axis] = year
        treated[tuple(index)] = done
        lists[tuple(index)] = waiting
    if not enabled:
        return None, lists
    # Spread treated activity over months like demand (or like the plan where demand is zero).
    expanded_demand = np.expand_dims(yearly_demand, month_axis)
    source = np.where(expanded_demand > 0, wanted, planned)
    total = source.sum(axis=month_axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, source / total, 1.0 / 12.0)
    return np.expand_dims(treated, month_axis) * share, lists
