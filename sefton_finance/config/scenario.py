"""Scenario models: frozen pydantic models, the scenario's levers, YAML and JSON Schema export.

A scenario is what a finance director edits: the horizon, growth and price
assumptions, the contract form, the interventions (by name, with overrides)
and the seed. Unknown keys are errors, so a typo never silently falls back
to a default. Reading a file is :mod:`sefton_finance.config.loading`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sefton_finance.baseline.packaged import PACKAGED_BASELINES, available
from sefton_finance.codes import PAIR_FORMS, PODS
from sefton_finance.config.base import Frozen, Text
from sefton_finance.config.levers import (
    Efficiency,
    GrowthRate,
    Lever,
    Share,
    year_labels,
    year_start,
)

MAX_SEED = 2**63 - 1
"""Largest seed: results store the seed as a 64-bit integer (netCDF has no bigger one)."""


class Horizon(Frozen):
    """The financial years modelled."""

    base_year: str = "2019/20"
    """First financial year (the baseline's year), e.g. '2019/20'."""
    years_ahead: int = Field(5, ge=1, le=30)
    """Number of years projected after the base year (5 gives 2019/20 to 2024/25)."""

    @field_validator("base_year")
    @classmethod
    def _valid_year(cls, value: str) -> str:
        year_start(value)
        return value

    @property
    def labels(self) -> list[str]:
        """Financial-year labels, base year first."""
        return year_labels(self.base_year, self.years_ahead)


class Growth(Frozen):
    """Demand growth beyond the base year."""

    demographic: bool = True
    """Grow demand with the baseline's population projection by locality and age band."""
    non_demographic: GrowthRate = 0.015
    """Yearly growth in activity per head for every point of delivery (fraction, e.g. 0.015)."""
    by_pod: dict[str, GrowthRate] = Field(default_factory=dict)
    """Per point of delivery overrides of non-demographic growth, e.g. {ae_type1: 0.02}."""

    @field_validator("by_pod")
    @classmethod
    def _known_pods(cls, value: dict[str, Lever]) -> dict[str, Lever]:
        unknown = sorted(set(value) - set(PODS))
        if unknown:
            raise ValueError(f"unknown point of delivery {unknown}; known: {', '.join(PODS)}")
        return value


GROWTH_RATE_LEVERS: tuple[str, ...] = (
    "acute_cost_level",
    "allocation_growth",
    "council_funding_growth",
    "cost_inflation",
    "other_spend_growth",
)
"""Finance levers that are yearly growth rates (:data:`~sefton_finance.config.levers.GrowthRate`)."""
EFFICIENCY_LEVERS: tuple[str, ...] = ("efficiency_requirement", "efficiency_delivered")
"""Finance levers that are shares of cost (in [0, 1))."""
SHARE_LEVERS: tuple[str, ...] = ("stranded_share",)
"""Finance levers that are shares in [0, 1]."""
FINANCE_LEVERS: tuple[str, ...] = (
    "acute_cost_level",
    "allocation_growth",
    "council_funding_growth",
    "cost_inflation",
    "efficiency_requirement",
    "efficiency_delivered",
    "other_spend_growth",
    "stranded_share",
)
"""Every uncertain finance lever, in the order runs key them."""


class Finance(Frozen):
    """Money: allocations, prices and efficiency (all yearly fractions, cash terms)."""

    allocation_growth: GrowthRate = 0.029
    """Yearly growth in the capitated allocation per weighted head (population growth comes on top)."""
    council_funding_growth: GrowthRate = 0.0687
    """Yearly growth in the council's adult social care and public health funding: Sefton's
    net budget went from £237.0m (2019/20) to £330.4m (2024/25), +6.87% a year (Sefton
    Council, "How your Council Tax is spent"; DATA.md). Was a 2% default."""
    cost_inflation: GrowthRate = 0.028
    """Yearly pay and price inflation of provider costs."""
    efficiency_requirement: Efficiency = 0.011
    """Efficiency deducted from tariff prices each year (NHS payment scheme)."""
    efficiency_delivered: Efficiency = 0.008
    """Efficiency providers actually deliver on their costs each year."""
    other_spend_growth: GrowthRate = 0.04
    """Yearly growth of commissioners' spend outside the modelled activity (prescribing, CHC)."""
    acute_cost_level: GrowthRate = (-0.02, 0.02)
    """Relative change of the acute hospitals' base-year unit costs: the uncertainty of the
    baseline's ASSUMPTION that they cost 4% above tariff (their 2019/20 accounts are not
    among the sources), so [-0.02, 0.02] spans about 2% to 6% above tariff. Its centre, 0,
    is the principal run; Monte Carlo samples it."""
    stranded_share: Share = 0.15
    """Share of a provider's fixed cost that stays when the capacity behind it is released
    (estates, leases, contracts): the long run is 70-100% variable (DATA.md), so 0-30%."""
    discount_rate: float = Field(0.035, ge=0, le=0.2)
    """Discount rate for net present values (HM Treasury Green Book 3.5%)."""
    deficit_support_until: str = "2025/26"
    """Last financial year in which the baseline's non-recurrent deficit support (its
    ``deficit_support`` rows in allocations.csv) is received, flat in cash: NHS England
    removes deficit support from 2026/27 (Medium Term Planning Framework, DATA.md), so
    2025/26. A baseline without such rows has none whatever this says."""

    @field_validator("deficit_support_until")
    @classmethod
    def _support_year(cls, value: str) -> str:
        year_start(value)
        return value


PairForm = Literal[("baseline", *PAIR_FORMS)]
"""A pair's form: its own in contracts.csv ('baseline') or one of :data:`PAIR_FORMS`."""
ContractForm = Literal[("baseline", *PAIR_FORMS, "capitated")]
"""The scenario's form: a pair form for every pair inside the system, or 'capitated'."""


class PairContract(Frozen):
    """The form of one commissioner-provider pair, overriding the scenario's form."""

    commissioner: str
    """Commissioner code (organisations.csv)."""
    provider: str
    """Provider code."""
    form: PairForm
    """As :attr:`Contract.form`, for this pair only."""


class Budget(Frozen):
    """A capitated whole-population budget held by a lead provider (an integrated health
    organisation) that pays the other providers in the pool, with a gain/loss corridor and
    an outcome-linked withhold (NHS England, ICP contract and AFT guide: ../shared/DATA.md)."""

    holder: str
    """The lead provider holding the budget: a code or a kind one organisation holds."""
    corridor: float = Field(0.01, ge=0, le=1)
    """The holder bears gains and losses against plan up to this share of the budget alone."""
    share_beyond: float = Field(0.5, ge=0, le=1)
    """Beyond the corridor, the commissioners bear this share."""
    cap: float = Field(0.05, ge=0, le=1)
    """Beyond this share of the budget the commissioners bear everything (cap and collar)."""
    withhold: float = Field(0.0, ge=0, le=0.2)
    """Share of the budget withheld each year and paid only if the outcome is met: urgent
    activity (A&E, emergency admissions, bed days) at or below plan."""

    @model_validator(mode="after")
    def _cap_beyond_corridor(self) -> Budget:
        if self.cap < self.corridor:
            raise ValueError(f"cap {self.cap} must be at least the corridor {self.corridor}")
        return self


class Contract(Frozen):
    """How commissioners pay providers, and who bears the risk.

    Contracts are agreed ex ante: each year's plan value is fixed at the planning
    point (do nothing, every lever central) at the agreed prices, and a draw's
    demand and cost then fall where the form leaves them.
    """

    form: ContractForm = "baseline"
    """'baseline' keeps each pair's form from contracts.csv; for every pair whose provider
    is inside the system: 'pbr' (activity x unit price: volume risk with commissioners),
    'block' (the plan value: volume risk with providers), 'blended' (plan + variable_share
    of the price of activity away from plan), 'api' (aligned payment and incentive: planned
    care at 100% of unit price, urgent care at urgent_variable_share, the rest fixed),
    'low_volume_block' (a fixed sum: the three-year rolling average of the plan value, no
    in-year adjustment), 'nhs_payment_scheme' (API above low_volume_threshold a year, the
    low-volume block below it: NHSPS 2025/26), or 'capitated' (a whole-system budget:
    providers are paid the plan and the pooled budget shares the variance)."""
    variable_share: float | None = Field(None, ge=0, le=1)
    """For 'blended': share of the price paid for activity above or below plan (0.2 in 2019/20)."""
    urgent_variable_share: float = Field(0.0, ge=0, le=1)
    """For 'api': share of the price paid on urgent activity away from plan (0 in 2025/26; a
    20% blended urgent payment is proposed for 2026/27, not confirmed)."""
    low_volume_threshold: float = Field(1_500_000.0, ge=0, le=1e9)
    """For 'nhs_payment_scheme': a pair whose base-year value is at most this (GBP a year) is
    paid a low-volume block (GBP 1.5m from 2025/26, GBP 0.5m in 2023/25)."""
    risk_share: float = Field(0.5, ge=0, le=1)
    """For 'capitated': share of the pooled variance against the planned position borne by
    the commissioners in the pool; its providers bear the rest, pro rata to planned income."""
    council_in_pool: bool = False
    """For 'capitated': whether the council's budget joins the pool (besides the organisations
    organisations.csv puts in it)."""
    budget: Budget | None = None
    """For 'capitated': a lead provider holds the budget with a corridor (otherwise the pool
    shares the variance at ``risk_share``)."""
    pairs: tuple[PairContract, ...] = ()
    """Forms of single pairs, overriding ``form`` (e.g. a block with the community provider)."""

    @model_validator(mode="after")
    def _blended_needs_share(self) -> Contract:
        blended = self.form == "blended" or any(p.form == "blended" for p in self.pairs)
        if blended and self.variable_share is None:
            raise ValueError("form 'blended' needs variable_share (e.g. 0.2)")
        return self


class Capacity(Frozen):
    """How realised activity and capacity are worked out."""

    method: Literal["analytic", "des"] = "analytic"
    """'analytic' (queueing formulas, milliseconds) or 'des' (SimPy discrete-event model)."""
    backfill: bool = True
    """Refill capacity freed in services with a waiting list from that list (no cash released);
    false means the freed capacity is removed."""
    freed: dict[str, Literal["release", "reuse", "hold"]] = Field(
        default_factory=lambda: {"primary_care": "reuse"}
    )
    """What each provider does with capacity an intervention frees, by organisation code or
    kind: 'release' (capacity goes after the decision lag: cash), 'reuse' (filled by other
    patients, e.g. GP appointments taken by latent demand: no cash, a non-cash-releasing
    saving) or 'hold' (kept idle: its cost stays). Unnamed providers release; GP time is
    reused unless the scenario says otherwise."""
    replications: int = Field(10, ge=1, le=1000)
    """Discrete-event replications per draw (method 'des'): their spread is the stochastic
    uncertainty, the spread across draws the parameter uncertainty."""
    warmup_days: float = Field(28.0, ge=0, le=365)
    """Discrete-event warm-up discarded from statistics (method 'des')."""


class Correlation(Frozen):
    """Two levers drawn together: their standard normal draws have correlation ``rho``."""

    levers: tuple[str, str]
    """The levers, by their scenario field paths (e.g. ``finance.cost_inflation``)."""
    rho: float = Field(ge=-0.99, le=0.99)
    """Correlation of the two levers' draws."""
    source: str = ""
    """Where the correlation comes from, or 'ASSUMPTION: ...'."""

    @model_validator(mode="after")
    def _two_levers(self) -> Correlation:
        if self.levers[0] == self.levers[1]:
            raise ValueError(
                f"a correlation needs two different levers, got {self.levers[0]} twice"
            )
        return self


class Uncertainty(Frozen):
    """How uncertain levers are drawn together in Monte Carlo draws."""

    correlations: tuple[Correlation, ...] = ()
    """Pairs of levers that move together (all other levers are drawn independently)."""


class InterventionUse(BaseModel):
    """An intervention from the library, by name, with parameter overrides.

    Overrides are checked against the named intervention's own parameters when
    the scenario is loaded (unknown keys are errors there).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str
    """Name of an intervention (see `sefton-finance interventions`)."""

    @property
    def overrides(self) -> dict[str, Any]:
        """Parameters given in the scenario besides the name."""
        return dict(self.model_extra or {})


class Scenario(Frozen):
    """One what-if scenario for the Sefton system."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    """Short identifier (lower case, digits, underscores), used in results and file names."""
    title: Text = ""
    """Title shown on tables and charts."""
    description: Text = ""
    """What the scenario assumes, in plain English."""
    baseline: str | None = Field(None, json_schema_extra={"examples": list(PACKAGED_BASELINES)})
    """The packaged baseline the scenario runs on, by name (``sefton-finance baselines``),
    e.g. 'sefton-2024-25'; default the 2019/20 one (the seeds' plan period). The CLI's
    ``--baseline`` overrides it; ``horizon.base_year`` must be the baseline's year."""
    horizon: Horizon = Horizon()
    growth: Growth = Growth()
    finance: Finance = Finance()
    contract: Contract = Contract()
    capacity: Capacity = Capacity()
    uncertainty: Uncertainty = Uncertainty()
    interventions: tuple[InterventionUse, ...] = ()
    """Interventions applied in this order (order matters when two act on the same flow)."""
    seed: int = Field(20190401, ge=0, le=MAX_SEED)
    """Seed of the run's single SeedSequence (0 to 2^63 - 1)."""
    draws: int = Field(1, ge=1, le=100_000)
    """Monte Carlo draws (draw 0 is the principal run at central values). On the
    discrete-event path each draw runs ``capacity.replications`` replications."""

    @field_validator("baseline")
    @classmethod
    def _packaged_baseline(cls, value: str | None) -> str | None:
        if value is not None and value not in PACKAGED_BASELINES:
            raise ValueError(f"unknown baseline {value!r}; packaged baselines: {available()}")
        return value

    @model_validator(mode="after")
    def _unique_interventions(self) -> Scenario:
        names = [use.name for use in self.interventions]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"interventions listed twice: {repeated}")
        return self

    @property
    def years(self) -> list[str]:
        """Financial-year labels of the horizon."""
        return self.horizon.labels


def scenario_levers(scenario: Scenario, interventions: Sequence[Any]) -> dict[str, Lever]:
    """Every lever of a scenario as written (a number or an interval), keyed as runs take them.

    Keys: ``growth.non_demographic``, ``growth.by_pod.<pod>``, ``finance.<field>``,
    ``interventions.<name>.<lever>`` for each resolved intervention's uncertain levers.
    The principal run takes their centres; Monte Carlo samples the intervals.
    """
    levers: dict[str, Lever] = {"growth.non_demographic": scenario.growth.non_demographic}
    for pod, lever in scenario.growth.by_pod.items():
        levers[f"growth.by_pod.{pod}"] = lever
    for name in FINANCE_LEVERS:
        levers[f"finance.{name}"] = getattr(scenario.finance, name)
    for intervention in interventions:
        for name in intervention.uncertain_levers:
            value = getattr(intervention.params, name, None)
            if value is not None:  # an optional lever left unset (no reach cap) is no lever
                levers[f"interventions.{intervention.name}.{name}"] = value
    return levers


def scenario_text_hash(text: str) -> str:
    """SHA-256 of a scenario's text, recorded with every result."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_to_yaml(scenario: Scenario) -> str:
    """YAML text of a scenario (only fields that differ from the defaults)."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data["name"] = scenario.name
    data["interventions"] = [{"name": use.name, **use.overrides} for use in scenario.interventions]
    if not data["interventions"]:
        del data["interventions"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def json_schema() -> str:
    """JSON Schema of a scenario file, for editors."""
    return json.dumps(Scenario.model_json_schema(), indent=2)
