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
from sefton_finance.queueing import servers_for_occupancy, servers_for_wait


def _days() -> xr.DataArray:
    return xr.DataArray(np.array(DAYS_IN_MONTH, dtype=float), dims="month", coords={"month": list(MONTHS)})


def _erlang_c_servers(load: np.ndarray, target: float) -> np.ndarray:
    out = np.zeros(load.shape, dtype=float)
    positive = load > 0
    if positive.any():
        out[positive] = servers_for_wait(load[positive], target)
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
    days = _days()
    pieces = []
    for pod in provider_activity.pod.values:
        info = baseline.pods.sel(pod=pod)
        method = str(info["capacity_method"].values)
        monthly = provider_activity.sel(pod=pod)
        if method == "beds":
            load = monthly / days
            units = xr.apply_ufunc(servers_for_occupancy, load, float(info["target"])).astype(float)
        elif method == "erlang_c":
            arrivals_per_hour = monthly / (days * 24.0)
            load = arrivals_per_hour * float(info["service_hours"])
            units = xr.apply_ufunc(_erlang_c_servers, load, float(info["target"]))
        elif method == "linear":
            throughput = float(info["throughput_per_unit"])
            yearly_rate = monthly * 12.0
            units = yearly_rate / throughput if throughput > 0 else xr.zeros_like(monthly)
        else:
            units = xr.zeros_like(monthly)
        pieces.append(units.max("month"))
    required = xr.concat(pieces, dim="pod", coords="minimal").assign_coords(pod=provider_activity.pod.values)
    dims = [d for d in ("draw", "year", "org", "pod") if d in required.dims]
    return required.transpose(*dims).assign_attrs(units="capacity units", long_name="Capacity required")


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
    yearly_demand = demand.sum("month")
    yearly_plan = planned.sum("month")
    years = list(demand.year.values)
    treated_years, closing_years = [], []
    waiting = opening_waiting_list.where(has_waiting_list, 0.0)
    for year in years:
        wanted = yearly_demand.sel(year=year)
        if enabled:
            capacity = yearly_plan.sel(year=year)
            treated = xr.where(has_waiting_list, np.minimum(capacity, wanted + waiting), wanted)
        else:
            treated = wanted
        waiting = (waiting + wanted - treated).where(has_waiting_list, 0.0)
        treated_years.append(treated)
        closing_years.append(waiting)
    treated = xr.concat(treated_years, dim="year").assign_coords(year=years)
    closing = xr.concat(closing_years, dim="year").assign_coords(year=years)
    # Spread treated activity over months like demand (or like the plan where demand is zero).
    shape_source = xr.where(yearly_demand > 0, demand, planned)
    shape_total = shape_source.sum("month")
    monthly_share = xr.where(shape_total > 0, shape_source / shape_total, 1.0 / 12.0)
    realised = (treated * monthly_share).transpose(*demand.dims)
    closing = closing.transpose(*[d for d in demand.dims if d != "month"])
    return realised, closing
