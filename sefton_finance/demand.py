"""Demand projection: base-year activity grown by population and per-head growth, spread by month.

``demand[year, month, locality, age_band, pod]`` =
base activity x population ratio (locality, age band) x (1 + non-demographic
growth of the pod) ^ years since base x seasonal share of the month.
Bed days are then derived from admissions, so they grow with them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.codes import DERIVED_PODS, PODS


def population_projection(baseline: Baseline, years: list[str], demographic: bool = True) -> xr.DataArray:
    """Population ``(year, locality, age_band)``: base population grown at each band's yearly rate.

    Parameters
    ----------
    baseline : Baseline
    years : list of str
        Financial years, base year first.
    demographic : bool
        If false, the population is held at the base year.
    """
    offset = xr.DataArray(np.arange(len(years), dtype=float), dims="year", coords={"year": years})
    growth = baseline.population_growth if demographic else xr.zeros_like(baseline.population_growth)
    projected = baseline.population * (1.0 + growth) ** offset
    return projected.transpose("year", "locality", "age_band").assign_attrs(units="people", long_name="Resident population")


def weighted_population(population: xr.DataArray, need_weight: xr.DataArray) -> xr.DataArray:
    """Need-weighted population (the capitation formula's denominator), summed over age bands."""
    return (population * need_weight).sum("age_band")


def project_demand(
    baseline: Baseline,
    years: list[str],
    non_demographic: xr.DataArray,
    demographic: bool = True,
) -> xr.DataArray:
    """Projected activity before interventions.

    Parameters
    ----------
    baseline : Baseline
    years : list of str
        Financial years, base year first.
    non_demographic : xarray.DataArray
        Yearly growth in activity per head, dim ``pod`` (may also carry ``draw``).
    demographic : bool
        Grow with the population projection.

    Returns
    -------
    xarray.DataArray
        ``(year, month, locality, age_band, pod)`` activity per month (units of each pod).
    """
    population = population_projection(baseline, years, demographic)
    ratio = (population / baseline.population).fillna(0.0)
    offset = xr.DataArray(np.arange(len(years), dtype=float), dims="year", coords={"year": years})
    per_head = (1.0 + non_demographic) ** offset
    monthly_share = baseline.seasonality / 12.0
    direct = [p for p in PODS if p not in DERIVED_PODS]
    base = baseline.activity.sel(pod=direct)
    demand = base * ratio * per_head.sel(pod=direct) * monthly_share.sel(pod=direct)
    demand = demand.reindex(pod=list(PODS), fill_value=0.0)
    demand = derive_bed_days(demand, baseline.bed_days_per_unit)
    # Bed-day seasonality follows admissions (winter pressure comes through them).
    dims = ["year", "month", "locality", "age_band", "pod"]
    extra = [d for d in demand.dims if d not in dims]
    return demand.transpose(*extra, *dims).assign_attrs(units="activity units per month", long_name="Demand")


def derive_bed_days(activity: xr.DataArray, bed_days_per_unit: Mapping[str, float]) -> xr.DataArray:
    """Set ``bed_days`` to the stays that admissions bring (admissions x mean stay)."""
    stays = xr.DataArray(
        [bed_days_per_unit.get(p, 0.0) for p in activity.pod.values], dims="pod", coords={"pod": activity.pod.values}
    )
    activity = activity.copy()
    activity.loc[{"pod": "bed_days"}] = (activity * stays).sum("pod")
    return activity


def growth_by_pod(default: float | xr.DataArray, overrides: Mapping[str, float | xr.DataArray]) -> xr.DataArray:
    """Non-demographic growth as a ``pod`` array from a default and per-pod overrides."""
    values = [overrides.get(p, default) for p in PODS]
    arrays = [v if isinstance(v, xr.DataArray) else xr.DataArray(float(v)) for v in values]
    return xr.concat(arrays, dim=xr.DataArray(list(PODS), dims="pod", name="pod"), coords="minimal", join="outer")

