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
``destination(moved, pod)``
    where the activity moved out of ``pod`` goes (``{}``: it is avoided).

It may override ``affected_share(years, levers)`` (the share of each targeted
flow affected) and ``yearly_cost(years, levers, price_index)``. All three work
on the model's working form: numpy arrays with a draw axis (see each method).
The model removes the share from each targeted pod, frees the bed days of
admissions that leave, and adds what :meth:`Intervention.destination` returns.
Everything else (phasing, lag, targeting, costs) is shared and lives here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, field_validator, model_validator

from sefton_finance.codes import AGE_BANDS, LOCALITIES, PODS
from sefton_finance.config.base import Frozen, Text
from sefton_finance.config.levers import Cost, People, Share, central, year_start
from sefton_finance.model.draws import lever_column

LeverValues = Mapping[str, Any]
"""Resolved lever values: floats for one run, or DataArrays with a ``draw`` dim."""


class InterventionParams(Frozen):
    """Parameters every intervention has."""

    description: Text = ""
    """One line saying what the intervention does."""
    pods: tuple[str, ...] = Field(min_length=1)
    """Points of delivery whose activity the intervention acts on."""
    effect: Share
    """Share of the eligible activity affected at full effect (0 to 1)."""
    eligible_share: Share = 1.0
    """Share of the targeted activity (pods, localities, age bands) that belongs to the
    population the evidence covers (0 to 1): the falls-related share of older people's
    emergency activity, say. Default 1: all of it."""
    reach: People | None = None
    """People the service can see in a year (e.g. 13 link workers x 225 referrals). With
    ``use_per_person``, caps the eligible activity a year at ``reach x use_per_person[pod]``;
    default none: no cap."""
    use_per_person: dict[str, float] = Field(default_factory=dict)
    """Units of each targeted pod a person reached uses in a year before the intervention
    (e.g. ``{gp_appointment: 8}``); required, for every pod, when ``reach`` is set."""
    in_seeds_plan: bool = False
    """Whether the seeds' plan (the Sefton plan documents) names this intervention."""
    seeds_reference: Text = ""
    """Where the seeds name it (the plan element, in a few words); required when
    ``in_seeds_plan`` is true."""
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
    setup_cost: Cost = 0.0
    """One-off cost in the start year (GBP, base-year prices)."""
    recurring_cost: Cost = 0.0
    """Cost each year from the start year (GBP a year, base-year prices, inflated)."""
    payer: str = "nhs_commissioners"
    """Who pays: an organisation code, a kind that one organisation holds (``council``), or
    ``nhs_commissioners`` (``ccgs``): the NHS commissioners pro rata to weighted population."""
    delivered_by: str = "external"
    """Who delivers the intervention and receives its funding: a code, or a kind that one
    organisation holds (``community_mental_health``)."""
    intensity: float = Field(1.0, ge=0, le=10)
    """Scale of the intervention: multiplies the effect (capped at 100%) and the costs."""
    evidence: Text = ""
    """What the evidence says, in a sentence."""
    source: Text = ""
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
    def _party_code(cls, value: str) -> str:
        # Which organisations exist is the baseline's business: checked when a run meets
        # one (sefton_finance.model.interventions.check_parties).
        if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise ValueError(
                f"an organisation code or role (lower case, digits, _), like 'nhs_commissioners', got {value!r}"
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
        self._check_reach()
        if self.in_seeds_plan and not self.seeds_reference.strip():
            raise ValueError("in_seeds_plan is true: say where in seeds_reference")
        return self

    def _check_reach(self) -> None:
        if self.reach is None:
            if self.use_per_person:
                raise ValueError("use_per_person is set without reach (people a year)")
            return
        missing = [pod for pod in self.pods if pod not in self.use_per_person]
        if missing:
            raise ValueError(
                f"reach is set: use_per_person needs a value for every pod, missing {missing}"
            )
        extra = [pod for pod in self.use_per_person if pod not in self.pods]
        if extra:
            raise ValueError(f"use_per_person names pods the intervention does not target: {extra}")
        for pod, value in self.use_per_person.items():
            # bool is an int to Python; a number of attendances is not true or false.
            if isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise ValueError(f"use_per_person[{pod}] must be a finite number >= 0, got {value}")


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
    uncertain_levers: ClassVar[tuple[str, ...]] = (
        "effect",
        "eligible_share",
        "reach",
        "setup_cost",
        "recurring_cost",
    )
    """Parameters that may be intervals and are sampled per Monte Carlo draw (one left
    unset, ``None``, such as ``reach`` without a cap, is not a lever)."""

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
        return {
            name: central(getattr(self.params, name))
            for name in self.uncertain_levers
            if getattr(self.params, name, None) is not None
        }

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

    def targeted(self) -> np.ndarray:
        """1 where the intervention acts, 0 elsewhere, ``(locality, age_band)``."""
        params = self.params
        where = np.ones((len(LOCALITIES), len(AGE_BANDS)))
        if params.localities is not None:
            where = where * np.array([n in params.localities for n in LOCALITIES])[:, None]
        if params.age_bands is not None:
            where = where * np.array([b in params.age_bands for b in AGE_BANDS])[None, :]
        return where

    def affected_share(self, years: list[str], levers: LeverValues) -> np.ndarray:
        """Share of each targeted flow affected, ``(age_band, draw, year, 1, locality)``.

        The lever ``effect`` x ``eligible_share`` x intensity x phasing, on the targeted
        localities and age bands only, capped at 1 so no intervention removes more than
        all of a flow. The month axis has length 1: the share is the same in every month.
        A reach cap (:meth:`reach_factor`) may lower it further.
        """
        params = self.params
        share = (lever_column(levers["effect"]) * params.intensity) * self.phasing(years)
        share = np.clip(
            share[:, :, None, None] * self.targeted(), 0.0, 1.0
        )  # (draw, year, loc, age)
        # The effect applies to the eligible part of each flow only.
        share = share * lever_column(levers.get("eligible_share", 1.0))[:, :, None, None]
        return np.transpose(share, (3, 0, 1, 2))[:, :, :, None, :]

    def reach_factor(
        self, pod: str, activity: np.ndarray, levers: LeverValues
    ) -> np.ndarray | None:
        """How much of the eligible activity the service can reach, ``(1, draw, year, 1, 1)``.

        ``activity`` is the pod's current block ``(age_band, draw, year, month, locality)``.
        The eligible activity of a year (targeted, times ``eligible_share``) is capped at
        ``reach x use_per_person[pod]``: the factor is the cap over the eligible activity,
        at most 1. ``None`` when the intervention has no reach cap.
        """
        reach = levers.get("reach")
        if reach is None or self.params.reach is None:
            return None
        where = np.transpose(self.targeted())[:, None, None, None, :]  # (age, 1, 1, 1, loc)
        eligible = (activity * where).sum(axis=(0, 3, 4)) * lever_column(
            levers.get("eligible_share", 1.0)
        )  # (draw, year)
        cap = lever_column(reach) * self.params.use_per_person[pod]
        eligible, cap = np.broadcast_arrays(eligible, cap)
        # Only where the cap binds (eligible > cap >= 0): a share at most 1, never a division
        # by zero or an overflow.
        binds = eligible > cap
        factor = np.divide(cap, eligible, out=np.ones(eligible.shape), where=binds)
        return factor[None, :, :, None, None]

    def destination(self, moved: np.ndarray, pod: str) -> dict[str, np.ndarray]:
        """Activity that appears elsewhere when ``moved`` leaves ``pod`` (none: it is avoided).

        ``moved`` is laid out ``(age_band, draw, year, month, locality)``; return arrays
        that broadcast against it, keyed by destination pod.
        """
        return {}

    def yearly_cost(
        self, years: list[str], levers: LeverValues, price_index: np.ndarray
    ) -> np.ndarray:
        """Cost ``(draw, year)`` (GBP, cash): set-up in the start year, recurring from then
        on, inflated by ``price_index`` ``(draw, year)``, scaled by intensity."""
        start = self.start_index(years)
        index = np.arange(len(years))
        setup = (index == start).astype(float)
        running = (index >= start).astype(float)
        cost = (
            lever_column(levers["setup_cost"]) * setup
            + lever_column(levers["recurring_cost"]) * running
        ) * price_index
        return cost * self.params.intensity
