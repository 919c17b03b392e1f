"""Demand: base-year activity grown by population and per-head growth, spread by month.

``demand[pod, age_band, draw, year, month, locality]`` =
base activity x population ratio (locality, age band) x (1 + non-demographic
growth of the pod) ^ years since base x seasonal share of the month.
Bed days are then derived from admissions, so they grow with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sefton_finance.baseline.loader import BaselineArrays
from sefton_finance.codes import DERIVED_PODS, PODS
from sefton_finance.model.draws import add_bands_by_pod


@dataclass(frozen=True)
class Demand:
    """Projected demand before interventions (the do-nothing plan)."""

    blocks: np.ndarray
    """``(pod, age_band, draw, year, month, locality)`` activity per month."""
    local: np.ndarray
    """The same summed over age bands ``(pod, draw, year, month, locality)``."""
    weighted_population: np.ndarray
    """Need-weighted population ``(year, locality)`` (the capitation formula's denominator)."""


def population_values(arrays: BaselineArrays, years: int, demographic: bool = True) -> np.ndarray:
    """Population ``(year, locality, age_band)``: base population grown at each band's rate.

    With ``demographic`` false the population is held at the base year.
    """
    offset = np.arange(years, dtype=float)
    growth = arrays.population_growth if demographic else np.zeros_like(arrays.population_growth)
    projected = arrays.population[..., None] * (1.0 + growth)[..., None] ** offset
    return np.moveaxis(projected, -1, 0)


def project_demand(
    arrays: BaselineArrays,
    years: int,
    growth: np.ndarray,
    bed_days_per_unit: Mapping[str, float],
    demographic: bool = True,
) -> Demand:
    """Project demand for ``years`` years from the base year.

    Parameters
    ----------
    arrays : BaselineArrays
    years : int
        Number of financial years, the base year included.
    growth : numpy.ndarray
        ``(draw, pod)`` yearly growth of activity per head beyond demography.
    bed_days_per_unit : mapping
        Bed days each unit of an admission pod brings.
    demographic : bool
        Grow with the population projection.
    """
    population = population_values(arrays, years, demographic)
    blocks = demand_blocks(arrays, population, growth, bed_days_per_unit)
    weighted = (population * arrays.need_weight).sum(axis=-1)
    return Demand(blocks, add_bands_by_pod(blocks), weighted)


def demand_blocks(
    arrays: BaselineArrays,
    population: np.ndarray,
    growth: np.ndarray,
    bed_days_per_unit: Mapping[str, float],
) -> np.ndarray:
    """Projected activity laid out ``(pod, age_band, draw, year, month, locality)``."""
    years = population.shape[0]
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
    # the model works on one pod's block at a time (interventions, age-band sums),
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
