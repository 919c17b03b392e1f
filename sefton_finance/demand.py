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
from sefton_finance.baseline.loader import BaselineArrays
from sefton_finance.codes import AGE_BANDS, DERIVED_PODS, LOCALITIES, PODS


def population_values(arrays: BaselineArrays, years: int, demographic: bool = True) -> np.ndarray:
    """:func:`population_projection` on numpy: ``(year, locality, age_band)`` for ``years`` years."""
    offset = np.arange(years, dtype=float)
    growth = arrays.population_growth if demographic else np.zeros_like(arrays.population_growth)
    projected = arrays.population[..., None] * (1.0 + growth)[..., None] ** offset
    return np.moveaxis(projected, -1, 0)


def population_projection(
    baseline: Baseline, years: list[str], demographic: bool = True
) -> xr.DataArray:
    """Population ``(year, locality, age_band)``: base population grown at each band's yearly rate.

    Parameters
    ----------
    baseline : Baseline
    years : list of str
        Financial years, base year first.
    demographic : bool
        If false, the population is held at the base year.
    """
    values = population_values(baseline.arrays, len(years), demographic)
    return xr.DataArray(
        values,
        dims=("year", "locality", "age_band"),
        coords={"year": years, "locality": list(LOCALITIES), "age_band": list(AGE_BANDS)},
        attrs={"units": "people", "long_name": "Resident population"},
    )


def weighted_population(population: xr.DataArray, need_weight: xr.DataArray) -> xr.DataArray:
    """Need-weighted population (the capitation formula's denominator), summed over age bands."""
    return (population * need_weight).sum("age_band")


def demand_blocks(
    arrays: BaselineArrays,
    years: int,
    growth: np.ndarray,
    bed_days_per_unit: Mapping[str, float],
    demographic: bool = True,
) -> np.ndarray:
    """Projected activity as numpy, laid out ``(pod, age_band, draw, year, month, locality)``.

    The arithmetic of :func:`project_demand`; ``growth`` is ``(draw, pod)`` (draw may be 1).
    """
    population = population_values(arrays, years, demographic)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = population / arrays.population
    ratio = np.where(np.isnan(ratio), 0.0, ratio)
    offset = np.arange(years, dtype=float)
    # (draw, year, pod): growth of activity per head since the base year
    per_head = (1.0 + growth[..., None, :]) ** offset[:, None]
    monthly_share = arrays.seasonality / 12.0
    base = arrays.activity.copy()
    derived = [PODS.index(p) for p in DERIVED_PODS]
    base[..., derived] = 0.0
    # Built pod by pod into memory laid out (pod, age_band, draw, year, month, locality):
    # the pipeline works on one pod's block at a time (interventions, age-band sums),
    # and a contiguous block is ~20x cheaper to read than a strided slice.
    grown = (base * ratio[..., None])[None] * per_head[..., :, None, None, :]  # (draw, y, l, a, p)
    grown = np.moveaxis(grown, (-1, -2), (0, 1))  # (pod, age_band, draw, year, locality)
    memory = np.empty(
        (len(PODS), grown.shape[1], grown.shape[2], years, monthly_share.shape[0], grown.shape[-1])
    )
    for index, pod in enumerate(PODS):
        if pod in DERIVED_PODS:
            continue
        np.multiply(grown[index][..., None, :], monthly_share[:, index, None], out=memory[index])
    bed = PODS.index("bed_days")
    memory[bed] = 0.0
    for pod, stay in bed_days_per_unit.items():
        # Bed-day seasonality follows admissions (winter pressure comes through them).
        memory[bed] = memory[bed] + memory[PODS.index(pod)] * stay
    return memory


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
    growth = non_demographic.transpose(..., "pod").sel(pod=list(PODS))
    extra = [d for d in growth.dims if d != "pod"]
    values = growth.values if extra else growth.values[None]
    memory = demand_blocks(
        baseline.arrays, len(years), values, baseline.bed_days_per_unit, demographic
    )
    coords = {d: growth[d].values for d in extra if d in growth.coords}
    return demand_dataarray(baseline.arrays, years, memory, with_draw=bool(extra), coords=coords)


def demand_dataarray(
    arrays: BaselineArrays,
    years: list[str],
    memory: np.ndarray,
    with_draw: bool,
    coords: Mapping | None = None,
) -> xr.DataArray:
    """Label the blocks of :func:`demand_blocks` as ``(draw?, year, month, locality, age_band, pod)``."""
    view = np.moveaxis(memory, (0, 1), (-1, -2))  # (draw, year, month, locality, age_band, pod)
    if not with_draw:
        view = view[0]
    dims = [*(["draw"] if with_draw else []), "year", "month", "locality", "age_band", "pod"]
    labels = {
        **(coords or {}),
        "year": years,
        "month": arrays.months,
        "locality": list(LOCALITIES),
        "age_band": list(AGE_BANDS),
        "pod": list(PODS),
    }
    out = xr.DataArray(view, dims=dims, coords=labels)
    return out.assign_attrs(units="activity units per month", long_name="Demand")


def growth_by_pod(
    default: float | xr.DataArray, overrides: Mapping[str, float | xr.DataArray]
) -> xr.DataArray:
    """Non-demographic growth as a ``pod`` array from a default and per-pod overrides."""
    values = [overrides.get(p, default) for p in PODS]
    arrays = [v if isinstance(v, xr.DataArray) else xr.DataArray(float(v)) for v in values]
    return xr.concat(
        arrays, dim=xr.DataArray(list(PODS), dims="pod", name="pod"), coords="minimal", join="outer"
    )
