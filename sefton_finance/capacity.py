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

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.codes import DAYS_IN_MONTH, PODS
from sefton_finance.queueing import servers_for_occupancy

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
    first = np.maximum(np.floor(a) + 1, 1)  # fewest servers of a stable queue
    found = np.zeros(a.shape)
    blocking = np.ones(a.shape)
    open_ = np.ones(a.shape, dtype=bool)
    k = 0
    while open_.any():
        k += 1
        if k > MAX_SERVERS:
            raise ValueError(f"more than {MAX_SERVERS} servers needed for load {a[open_].max()}")
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

    The sizing rule of :func:`capacity_required` for one pod, on plain numpy (the
    pipeline calls it on the (pod, provider) pairs that have activity).

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


def capacity_required(provider_activity: xr.DataArray, baseline: Baseline) -> xr.DataArray:
    """Capacity units needed in the busiest month of each year.

    Parameters
    ----------
    provider_activity : xarray.DataArray
        Activity per month by provider, dims ``(year, month, org, pod)`` (+ ``draw``).
    baseline : Baseline
        Gives each pod's capacity method, target and service time.

    Returns
    -------
    xarray.DataArray
        ``(year, org, pod)`` capacity units (beds, cubicles, sessions, staff).
    """
    # Every sizing rule is non-decreasing in the load, so the busiest month's load
    # gives the busiest month's capacity: size once per year, not twelve times.
    dims = [d for d in ("draw", "year", "org", "pod") if d in provider_activity.dims]
    monthly = provider_activity.transpose(*dims, "month").values
    arrays = baseline.arrays
    index = {p: i for i, p in enumerate(PODS)}
    units = np.zeros(monthly.shape[:-1])
    for position, pod in enumerate(provider_activity.pod.values):
        i = index[str(pod)]
        units[..., position] = units_for_pod(
            monthly[..., position, :],
            arrays.capacity_method[i],
            float(arrays.target[i]),
            float(arrays.service_hours[i]),
            float(arrays.throughput_per_unit[i]),
        )
    coords = {d: provider_activity[d].values for d in dims if d in provider_activity.coords}
    required = xr.DataArray(units, dims=dims, coords=coords)
    return required.assign_attrs(units="capacity units", long_name="Capacity required")


def backfill_values(
    wanted: np.ndarray,
    planned: np.ndarray,
    opening: np.ndarray,
    year_axis: int,
    month_axis: int,
    enabled: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The arithmetic of :func:`backfill` for the services with a waiting list, on numpy.

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


def backfill(
    demand: xr.DataArray,
    planned: xr.DataArray,
    opening_waiting_list: xr.DataArray,
    has_waiting_list: xr.DataArray,
    enabled: bool,
) -> tuple[xr.DataArray, xr.DataArray]:
    """Realised activity and closing waiting lists, year by year.

    For services with a waiting list, the capacity planned for the do-nothing
    demand is kept: when an intervention lowers demand the freed capacity treats
    patients from the list (activity stays, the list shrinks) until the list is
    empty. Other services, or all when ``enabled`` is false, realise their demand.

    Parameters
    ----------
    demand : xarray.DataArray
        Demand after interventions, ``(year, month, locality, pod)`` (+ ``draw``).
    planned : xarray.DataArray
        Do-nothing demand with the same dims (the capacity providers plan for).
    opening_waiting_list : xarray.DataArray
        Patients waiting at the start of the base year, ``(locality, pod)``.
    has_waiting_list : xarray.DataArray
        Boolean by ``pod``.
    enabled : bool
        Backfill from the list; false means freed capacity is removed.

    Returns
    -------
    (realised, closing)
        Realised activity with the dims of ``demand``; closing waiting list
        ``(year, locality, pod)``. Opening + demand - treated = closing, exactly.
    """
    dims = list(demand.dims)
    month = dims.index("month")
    planned = planned.broadcast_like(demand).transpose(*dims)
    pods = list(demand.pod.values)
    flags = has_waiting_list.sel(pod=pods).values.astype(bool)
    with_list = [i for i, flag in enumerate(flags) if flag]
    values = demand.transpose(*dims).values
    # Services without a list (or with backfill off) realise their demand unchanged.
    realised = np.array(values)
    year_axis = dims.index("year")
    closing_dims = [d for d in dims if d != "month"]
    closing = np.zeros([demand.sizes[d] for d in closing_dims])
    if with_list:
        pod_axis = dims.index("pod")
        opening = (
            opening_waiting_list.where(has_waiting_list, 0.0)
            .isel(pod=with_list)
            .transpose(*[d for d in closing_dims if d in opening_waiting_list.dims])
        )
        treated, lists = backfill_values(
            np.take(values, with_list, axis=pod_axis),
            np.take(planned.values, with_list, axis=pod_axis),
            opening.values,
            year_axis,
            month,
            enabled,
        )
        closing_index = [slice(None)] * closing.ndim
        closing_index[closing_dims.index("pod")] = with_list
        closing[tuple(closing_index)] = lists
        if treated is not None:
            index = [slice(None)] * realised.ndim
            index[pod_axis] = with_list
            realised[tuple(index)] = treated
    coords = {d: demand[d].values for d in dims if d in demand.coords}
    realised_array = xr.DataArray(realised, dims=dims, coords=coords)
    closing_array = xr.DataArray(
        closing, dims=closing_dims, coords={d: c for d, c in coords.items() if d != "month"}
    )
    return realised_array, closing_array
