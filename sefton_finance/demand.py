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
        ``(year, month, locality, age_band, pod)`` activity per month (units of each pod),
        with ``draw`` first when the growth has draws.
    """
    population = population_projection(baseline, years, demographic)
    ratio = (population / baseline.population).fillna(0.0).transpose("year", "locality", "age_band")
    offset = np.arange(len(years), dtype=float)
    growth = non_demographic.transpose(..., "pod").sel(pod=list(PODS))
    extra = [d for d in growth.dims if d != "pod"]
    # (draw?, year, pod): growth of activity per head since the base year
    per_head = (1.0 + growth.values[..., None, :]) ** offset[:, None]
    monthly_share = (baseline.seasonality / 12.0).transpose("month", "pod").sel(pod=list(PODS)).values
    base = baseline.activity.transpose("locality", "age_band", "pod").sel(pod=list(PODS)).values.copy()
    derived = [PODS.index(p) for p in DERIVED_PODS]
    base[..., derived] = 0.0
    # Built pod by pod into memory laid out (pod, age_band, draw, year, month, locality):
    # the pipeline works on one pod's block at a time (interventions, age-band sums),
    # and a contiguous block is ~20x cheaper to read than a strided slice.
    grown = (base * ratio.values[..., None])[None] * per_head[..., :, None, None, :]  # (draw, y, l, a, p)
    grown = np.moveaxis(grown, (-1, -2), (0, 1))  # (pod, age_band, draw, year, locality)
    memory = np.empty((len(PODS), grown.shape[1], grown.shape[2], len(years), monthly_share.shape[0], grown.shape[-1]))
    for index, pod in enumerate(PODS):
        if pod in DERIVED_PODS:
            continue
        np.multiply(grown[index][..., None, :], monthly_share[:, index, None], out=memory[index])
    bed = PODS.index("bed_days")
    memory[bed] = 0.0
    for pod, stay in baseline.bed_days_per_unit.items():
        # Bed-day seasonality follows admissions (winter pressure comes through them).
        memory[bed] = memory[bed] + memory[PODS.index(pod)] * stay
    view = np.moveaxis(memory, (0, 1), (-1, -2))  # (draw, year, month, locality, age_band, pod)
    if not extra:
        view = view[0]
    dims = [*extra, "year", "month", "locality", "age_band", "pod"]
    coords = {
        "year": years,
        "month": baseline.seasonality.month.values,
        "locality": baseline.activity.locality.values,
        "age_band": baseline.activity.age_band.values,
        "pod": list(PODS),
    }
    out = xr.DataArray(view, dims=dims, coords=coords)
    return out.assign_attrs(units="activity units per month", long_name="Demand")


def derive_bed_days(activity: xr.DataArray, bed_days_per_unit: Mapping[str, float]) -> xr.DataArray:
    """Set ``bed_days`` to the stays that admissions bring (admissions x mean stay).

    Works in place on a copy, pod by pod, so a large (many-draw) array is not
    multiplied through for the few pods that have stays.
    """
    pods = list(activity.pod.values)
    values = np.array(activity.transpose(..., "pod").values)
    stays = np.zeros(values.shape[:-1])
    for pod, stay in bed_days_per_unit.items():
        if stay > 0 and pod in pods:
            stays = stays + values[..., pods.index(pod)] * stay
    values[..., pods.index("bed_days")] = stays
    return activity.transpose(..., "pod").copy(data=values).transpose(*activity.dims)


def growth_by_pod(default: float | xr.DataArray, overrides: Mapping[str, float | xr.DataArray]) -> xr.DataArray:
    """Non-demographic growth as a ``pod`` array from a default and per-pod overrides."""
    values = [overrides.get(p, default) for p in PODS]
    arrays = [v if isinstance(v, xr.DataArray) else xr.DataArray(float(v)) for v in values]
    return xr.concat(arrays, dim=xr.DataArray(list(PODS), dims="pod", name="pod"), coords="minimal", join="outer")

