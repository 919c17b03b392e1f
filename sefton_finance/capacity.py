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
from sefton_finance.codes import DAYS_IN_MONTH, MONTHS
from sefton_finance.queueing import servers_for_occupancy

MAX_SERVERS = 100_000
"""Search bound for queue sizing (as in :func:`sefton_finance.queueing.servers_for_wait`)."""


def _days() -> xr.DataArray:
    return xr.DataArray(np.array(DAYS_IN_MONTH, dtype=float), dims="month", coords={"month": list(MONTHS)})


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
    days = _days()
    per_day = (provider_activity / days).max("month")
    per_month = provider_activity.max("month")
    per_hour = (provider_activity / (days * 24.0)).max("month")
    dims = [d for d in ("draw", "year", "org", "pod") if d in per_month.dims]
    per_day, per_month, per_hour = (x.transpose(*dims) for x in (per_day, per_month, per_hour))
    units = np.zeros(per_month.shape)
    pods = list(per_month.pod.values)
    for index, pod in enumerate(pods):
        info = baseline.pods.sel(pod=pod)
        method = str(info["capacity_method"].values)
        if method == "beds":
            units[..., index] = servers_for_occupancy(per_day.values[..., index], float(info["target"]))
        elif method == "erlang_c":
            load = per_hour.values[..., index] * float(info["service_hours"])
            units[..., index] = _erlang_c_servers(load, float(info["target"]))
        elif method == "linear":
            throughput = float(info["throughput_per_unit"])
            if throughput > 0:
                units[..., index] = per_month.values[..., index] * 12.0 / throughput
    required = per_month.copy(data=units)
    return required.assign_attrs(units="capacity units", long_name="Capacity required")


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
    with_list = [pods.index(p) for p in pods if bool(has_waiting_list.sel(pod=p))]
    values = demand.transpose(*dims).values
    # Services without a list (or with backfill off) realise their demand unchanged.
    realised = np.array(values)
    year_axis = dims.index("year")
    closing_dims = [d for d in dims if d != "month"]
    closing = np.zeros([demand.sizes[d] for d in closing_dims])
    if with_list:
        pod_axis = dims.index("pod")
        wanted_all = np.take(values, with_list, axis=pod_axis)
        plan_all = np.take(planned.values, with_list, axis=pod_axis)
        yearly_demand = wanted_all.sum(axis=month)
        yearly_plan = plan_all.sum(axis=month)
        opening = (
            opening_waiting_list.where(has_waiting_list, 0.0)
            .isel(pod=with_list)
            .transpose(*[d for d in closing_dims if d in opening_waiting_list.dims])
        )
        waiting = np.broadcast_to(opening.values, np.take(yearly_demand, 0, axis=year_axis).shape)
        treated = np.empty_like(yearly_demand)
        lists = np.empty_like(yearly_demand)
        for year in range(demand.sizes["year"]):
            wanted = np.take(yearly_demand, year, axis=year_axis)
            if enabled:
                done = np.minimum(np.take(yearly_plan, year, axis=year_axis), wanted + waiting)
            else:
                done = wanted
            waiting = waiting + wanted - done
            index = [slice(None)] * treated.ndim
            index[year_axis] = year
            treated[tuple(index)] = done
            lists[tuple(index)] = waiting
        closing_index = [slice(None)] * closing.ndim
        closing_index[closing_dims.index("pod")] = with_list
        closing[tuple(closing_index)] = lists
        if enabled:
            # Spread treated activity over months like demand (or like the plan where demand is zero).
            expanded_demand = np.expand_dims(yearly_demand, month)
            source = np.where(expanded_demand > 0, wanted_all, plan_all)
            total = source.sum(axis=month, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(total > 0, source / total, 1.0 / 12.0)
            index = [slice(None)] * realised.ndim
            index[pod_axis] = with_list
            realised[tuple(index)] = np.expand_dims(treated, month) * share
    coords = {d: demand[d].values for d in dims if d in demand.coords}
    realised_array = xr.DataArray(realised, dims=dims, coords=coords)
    closing_array = xr.DataArray(closing, dims=closing_dims, coords={d: c for d, c in coords.items() if d != "month"})
    return realised_array, closing_array
