"""The ``Intervention`` base class: what a mechanism shall implement.

An intervention transforms projected activity and adds its own cost. The
pipeline applies a scenario's interventions one after another, each to the
activity the previous ones left, so effects on the same flow combine
multiplicatively on the remaining activity and can never remove more than
all of it. The pipeline records the change each one made (the step counts
behind the bridge chart).

A mechanism (``avoid``, ``substitute``, ``prevent``, or a plugin's own)
shall implement:

``Params``
    a frozen pydantic model of its parameters (subclass :class:`InterventionParams`);
``shift(activity, share, baseline)``
    given activity ``(year, month, locality, age_band, pod)`` and the share of
    each targeted flow affected ``(year, locality, age_band)``, return the new
    activity. The base class gives the common removal and bed-day linkage;
    most mechanisms only override :meth:`destination`.

Everything else (phasing, lag, targeting, costs) is shared and lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from pydantic import Field, field_validator, model_validator

from sefton_finance.codes import AGE_BANDS, LOCALITIES, ORGANISATIONS, PODS
from sefton_finance.levers import Lever, bounds, central, year_start
from sefton_finance.scenario import Frozen

LeverValues = Mapping[str, Any]
"""Resolved lever values: floats for one run, or DataArrays with a ``draw`` dim."""


class InterventionParams(Frozen):
    """Parameters every intervention has."""

    description: str = ""
    """One line saying what the intervention does."""
    pods: tuple[str, ...] = Field(min_length=1)
    """Points of delivery whose activity the intervention acts on."""
    effect: Lever
    """Share of the targeted activity affected at full effect (0 to 1)."""
    ramp: tuple[float, ...] = (1.0,)
    """Share of the full effect reached in the first, second, ... year of effect."""
    decay: float = Field(0.0, ge=0, le=1)
    """Yearly fall in the effect once the ramp is complete (e.g. relapse)."""
    start_year: str | None = None
    """Financial year the intervention starts (spend begins); default: the year after the base."""
    lag_years: int = Field(0, ge=0, le=30)
    """Years between the start of spend and the first effect on activity."""
    localities: tuple[str, ...] | None = None
    """Localities targeted; default all."""
    age_bands: tuple[str, ...] | None = None
    """Age bands targeted; default all."""
    setup_cost: Lever = 0.0
    """One-off cost in the start year (GBP, base-year prices)."""
    recurring_cost: Lever = 0.0
    """Cost each year from the start year (GBP a year, base-year prices, inflated)."""
    payer: str = "ccgs"
    """Who pays: an organisation code, or 'ccgs' (the two CCGs pro rata to population)."""
    delivered_by: str = "external"
    """Organisation that delivers the intervention and receives its funding."""
    intensity: float = Field(1.0, ge=0, le=10)
    """Scale of the intervention: multiplies the effect (capped at 100%) and the costs."""
    evidence: str = ""
    """What the evidence says, in a sentence."""
    source: str = ""
    """Source of the evidence, or 'ASSUMPTION: ...'."""

    @field_validator("pods")
    @classmethod
    def _known_pods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [pod for pod in value if pod not in PODS]
        if unknown:
            raise ValueError(f"unknown point of delivery {unknown}; known: {list(PODS)}")
        return value

    @field_validator("localities")
    @classmethod
    def _known_localities(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [name for name in value or () if name not in LOCALITIES]
        if unknown:
            raise ValueError(f"unknown locality {unknown}; known: {list(LOCALITIES)}")
        return value

    @field_validator("age_bands")
    @classmethod
    def _known_ages(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [name for name in value or () if name not in AGE_BANDS]
        if unknown:
            raise ValueError(f"unknown age band {unknown}; known: {list(AGE_BANDS)}")
        return value

    @field_validator("payer", "delivered_by")
    @classmethod
    def _known_org(cls, value: str) -> str:
        if value != "ccgs" and value not in ORGANISATIONS:
            raise ValueError(
                f"unknown organisation {value!r}; known: ccgs, {', '.join(ORGANISATIONS)}"
            )
        return value

    @field_validator("ramp")
    @classmethod
    def _ramp_shares(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not 0 <= share <= 1 for share in value):
            raise ValueError(f"ramp must be shares between 0 and 1, got {list(value)}")
        return value

    @field_validator("start_year")
    @classmethod
    def _year_format(cls, value: str | None) -> str | None:
        if value is not None:
            year_start(value)
        return value

    @model_validator(mode="after")
    def _ranges(self) -> InterventionParams:
        low, high = bounds(self.effect)
        if low < 0 or high > 1:
            raise ValueError(f"effect must be a share between 0 and 1, got {self.effect}")
        for name in ("setup_cost", "recurring_cost"):
            if bounds(getattr(self, name))[0] < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        return self


class Intervention:
    """Base of every intervention mechanism; see the module docstring for the contract.

    Parameters
    ----------
    name : str
        The intervention's name (its file name, e.g. in ``sefton_finance/library/``).
    params : InterventionParams
        Validated parameters (an instance of the mechanism's ``Params``).
    """

    mechanism: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams
    uncertain_levers: ClassVar[tuple[str, ...]] = ("effect", "setup_cost", "recurring_cost")
    """Parameters that may be intervals and are sampled per Monte Carlo draw."""

    def __init__(self, name: str, params: InterventionParams):
        if not isinstance(params, self.Params):
            raise TypeError(
                f"{type(self).__name__} needs {self.Params.__name__}, got {type(params)}"
            )
        self.name = name
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def description(self) -> str:
        """One-line description."""
        return self.params.description

    def central_levers(self) -> dict[str, float]:
        """Lever values of the principal run (interval midpoints)."""
        return {name: central(getattr(self.params, name)) for name in self.uncertain_levers}

    def start_index(self, years: list[str]) -> int:
        """Index in ``years`` of the start year (default: the first projected year)."""
        if self.params.start_year is None:
            return min(1, len(years) - 1)
        return year_start(self.params.start_year) - year_start(years[0])

    def phasing(self, years: list[str]) -> np.ndarray:
        """Share of the full effect in each year: zero before start + lag, then ramp and decay."""
        ramp = self.params.ramp
        out = np.zeros(len(years))
        first = self.start_index(years) + self.params.lag_years
        for index in range(max(first, 0), len(years)):
            k = index - first
            if k < len(ramp):
                out[index] = ramp[k]
            else:
                out[index] = ramp[-1] * (1 - self.params.decay) ** (k - len(ramp) + 1)
        return out

    def affected_share(self, years: list[str], levers: LeverValues) -> xr.DataArray:
        """Share of each targeted flow affected, dims ``(year, locality, age_band)`` (+ ``draw``).

        Capped at 1 so no intervention removes more than all of a flow.
        """
        phase = xr.DataArray(self.phasing(years), dims="year", coords={"year": years})
        where = xr.DataArray(
            np.ones((len(LOCALITIES), len(AGE_BANDS))),
            dims=("locality", "age_band"),
            coords={"locality": list(LOCALITIES), "age_band": list(AGE_BANDS)},
        )
        if self.params.localities is not None:
            where = where * xr.DataArray(
                [name in self.params.localities for name in LOCALITIES],
                dims="locality",
                coords={"locality": list(LOCALITIES)},
            )
        if self.params.age_bands is not None:
            where = where * xr.DataArray(
                [band in self.params.age_bands for band in AGE_BANDS],
                dims="age_band",
                coords={"age_band": list(AGE_BANDS)},
            )
        share = levers["effect"] * self.params.intensity * phase * where
        return share.clip(0.0, 1.0)

    def destination(self, moved: xr.DataArray, pod: str) -> dict[str, xr.DataArray]:
        """Activity that appears elsewhere when ``moved`` leaves ``pod`` (none: it is avoided)."""
        return {}

    def shift(
        self, activity: xr.DataArray, share: xr.DataArray, bed_days_per_unit: Mapping[str, float]
    ) -> xr.DataArray:
        """Apply the intervention to activity ``(year, month, locality, age_band, pod)``.

        Removes ``share`` of each targeted pod; bed days follow admissions that are
        removed (a diverted admission frees its stay); whatever :meth:`destination`
        returns is added to the destination pods.
        """
        new = activity.copy()
        for pod in self.params.pods:
            moved = activity.sel(pod=pod) * share
            new.loc[{"pod": pod}] = activity.sel(pod=pod) - moved
            stay = bed_days_per_unit.get(pod, 0.0)
            if stay > 0 and "bed_days" not in self.params.pods:
                freed = moved * stay
                new.loc[{"pod": "bed_days"}] = (new.sel(pod="bed_days") - freed).clip(min=0.0)
            for target, added in self.destination(moved, pod).items():
                new.loc[{"pod": target}] = new.sel(pod=target) + added
        return new

    def yearly_cost(
        self, years: list[str], levers: LeverValues, price_index: xr.DataArray
    ) -> xr.DataArray:
        """Cost by year (GBP, cash): set-up in the start year, recurring from then on, inflated."""
        start = self.start_index(years)
        index = np.arange(len(years))
        setup = xr.DataArray((index == start).astype(float), dims="year", coords={"year": years})
        running = xr.DataArray((index >= start).astype(float), dims="year", coords={"year": years})
        cost = (levers["setup_cost"] * setup + levers["recurring_cost"] * running) * price_index
        return cost * self.params.intensity
