"""Capacity parameters, the simulation calendar and the pre-sampled random inputs.

Why everything random is sampled here, before any engine runs: both engines
(the SimPy process model and the compiled kernel) then consume *the same*
arrival times, service times, lengths of stay and routing draws, so they can be
compared patient by patient, and two runs that differ only in capacity see
identical patients (common random numbers). Each source of randomness has its
own ``numpy.random.Generator``, derived from the run's ``SeedSequence`` by a
fixed key ``(replication, site, stream)``; adding a stream or a site never
shifts the others.

Time unit: hours. ``t = 0`` is 00:00 on 1 April of the first financial year;
the warm-up runs over ``[-warmup, 0)`` at the first month's rates.

Arrivals are a non-homogeneous Poisson process with a piecewise-constant rate
per clock hour: the monthly count is spread over the month's hours in
proportion to ``hour-of-day weight x day-of-week weight``. Sampling a Poisson
count per hour and placing the arrivals uniformly inside it is exact for such a
process and vectorises (no thinning loop).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
PODS = ("ae_type1", "ae_type3", "nel_admission", "elective", "op_first", "op_followup")

# Illustrative shapes (relative weights, not calibrated): A&E arrivals peak late morning to
# evening and on Mondays, as in NHS England's published hourly A&E arrival profiles; planned
# work (elective admissions, outpatient referrals) happens in weekday working hours.
_ED_HOUR = np.array(
    [
        *(0.45, 0.35, 0.3, 0.25, 0.25, 0.3, 0.45, 0.7, 1.0, 1.35, 1.5, 1.5),  # 00:00-11:00
        *(1.45, 1.4, 1.35, 1.3, 1.3, 1.35, 1.35, 1.3, 1.2, 1.05, 0.85, 0.65),  # 12:00-23:00
    ]
)
_ED_DOW = np.array([1.15, 1.02, 0.98, 0.98, 0.98, 0.93, 0.96])  # Monday first
_WORK_HOUR = np.array([0.0] * 8 + [1.0] * 9 + [0.0] * 7)  # 08:00-17:00
_WORK_DOW = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
PROFILES = {
    "ed": (_ED_HOUR, _ED_DOW),
    "planned": (_WORK_HOUR, _WORK_DOW),
}
# Clinic slots run 09:00-17:00 on weekdays.
CLINIC_OPEN_HOUR, CLINIC_HOURS = 9.0, 8.0

# Stream keys: fixed integers so that adding a stream never changes the others.
STREAMS = {
    "ed_arrivals": 0,
    "ed_service": 1,
    "ed_routing": 2,
    "ed_los": 3,
    "direct_arrivals": 4,
    "direct_routing": 5,
    "direct_los": 6,
    "utc_arrivals": 7,
    "utc_service": 8,
    "elective_arrivals": 9,
    "elective_routing": 10,
    "elective_los": 11,
    "op_first_arrivals": 12,
    "op_followup_arrivals": 13,
    "op_backlog": 14,
    "rtt_after_first": 15,
    "rtt_opening": 16,
}

# The referral-to-treatment (RTT) clock after a first outpatient appointment.
RTT_CONTINUES_SHARE = 0.5
"""ASSUMPTION: half of first outpatient appointments leave the RTT clock running (diagnostics,
a decision to admit, an admitted waiting list) until first definitive treatment; the other
half are treated or discharged at the appointment. No public split was found (DATA.md)."""
RTT_AFTER_FIRST_WEEKS = 11.2
"""Mean time from a first appointment to first definitive treatment for a clock that keeps
running (exponential). Calibrated, with ``RTT_CONTINUES_SHARE``, so that the packaged Sefton
baseline on the discrete-event path has about 83% of incomplete RTT pathways within 18 weeks,
England's figure for early 2020 (NHS England RTT statistics; DATA.md, trust M); see
``tests/integration/test_des_rtt.py``. ASSUMPTION: one distribution for every specialty."""

_CAPACITY_FIELDS = (
    "ed_cubicles",
    "utc_cubicles",
    "acute_beds",
    "escalation_beds",
    "op_slots_per_week",
    "virtual_ward_beds",
)
YEARLY_FIELDS = _CAPACITY_FIELDS
"""The fields that may change from one year to the next (capacity held); every other field
describes patients and pathways and is the same throughout a run."""


@dataclass(frozen=True)
class SiteCapacity:
    """Capacity and service parameters of one site, resolved to plain numbers."""

    ed_cubicles: int
    utc_cubicles: int
    acute_beds: int
    escalation_beds: int
    op_slots_per_week: float
    virtual_ward_beds: int
    ed_mean_hours: float
    utc_mean_hours: float
    nel_los_days: float
    elective_los_days: float
    los_cv: float
    virtual_ward_los_days: float
    elective_inpatient_share: float
    nel_virtual_ward_eligible_share: float
    treatment_cv: float
    op_waiting_at_start: float
    op_waiting_max_age_weeks: float
    elective_deferral_days: float
    rtt_after_first_weeks: float = RTT_AFTER_FIRST_WEEKS


@dataclass(frozen=True)
class DesCapacity:
    """Capacity and pathway parameters of the discrete-event model.

    Every field takes either one number (the same at every site) or a mapping
    ``{site: number}``. Counts (cubicles, beds, slots) are per site; times are
    means of lognormal distributions whose coefficient of variation is
    ``treatment_cv`` (cubicle treatment) or ``los_cv`` (stays).

    Attributes
    ----------
    ed_cubicles, utc_cubicles : int
        Type-1 A&E cubicles and urgent treatment centre (type-3) cubicles.
    acute_beds : int
        Funded general and acute beds.
    escalation_beds : int
        Maximum extra beds opened only while every funded bed is full.
    op_slots_per_week : float
        Outpatient appointment slots per week, first and follow-up together.
    virtual_ward_beds : int
        Virtual ward (community urgent response) places.
    ed_mean_hours, utc_mean_hours : float
        Mean treatment time in a cubicle, hours (excluding waiting and boarding).
    nel_los_days, elective_los_days, virtual_ward_los_days : float
        Mean length of stay, days. Elective applies to inpatients only: day
        cases use no overnight bed.
    los_cv : float
        Coefficient of variation of lengths of stay (acute bed, virtual ward);
        0 makes them fixed.
    elective_inpatient_share : float
        Share of elective admissions that need an overnight bed.
    nel_virtual_ward_eligible_share : float
        Share of non-elective admissions a virtual ward could take instead.
    treatment_cv : float
        Coefficient of variation of ED and UTC cubicle treatment times (default
        0.6). ASSUMPTION: treatment times are less skewed than stays (a stay
        waits on tests, social care and transport; a treatment is a bounded
        sequence of tasks), so they get their own, smaller CV. One CV of 1 for
        both would cap 4-hour performance near 78% with a 3-hour mean treatment
        however many cubicles there are.
    op_waiting_at_start : float
        Outpatient waiting list (first and follow-up) when the run starts
        (default 0: an empty list). The opening patients join the list at
        ``t = -warmup`` ahead of every new referral; their referral times are
        spread uniformly over the ``op_waiting_max_age_weeks`` before that, and
        each is a first appointment with the first-month share of first
        referrals in outpatient demand (ASSUMPTION: the list has the same
        first / follow-up mix as new referrals). Rounded to whole patients.
    op_waiting_max_age_weeks : float
        Age of the oldest referral on the opening list, weeks. The default 0
        means ``2 x op_waiting_at_start / op_slots_per_week`` (52 weeks if there
        are no slots). ASSUMPTION: with referral ages uniform on ``[0, max]``
        the mean age is ``backlog / weekly slots``, the wait Little's law gives
        a list cleared at the slot rate; twice the FIFO profile's mean age,
        because urgent referrals overtake routine ones and leave the list older
        than a pure queue would. Set it explicitly (``link.des_capacity`` does)
        so that a what-if on slots does not change the opening list's history.
    elective_deferral_days : float
        Days after which an elective inpatient cancelled for want of a bed
        comes back for another try (default 14). ASSUMPTION: rebooked two weeks
        later at the same time of day and week (a multiple of 7 days keeps the
        rebooked admission in working hours); a patient may be cancelled again,
        and one whose next try would fall after the end of the horizon is never
        admitted (unmet demand).
    rtt_after_first_weeks : float
        Mean time from a first appointment to first definitive treatment for an RTT
        clock that keeps running, weeks. Default :data:`RTT_AFTER_FIRST_WEEKS`
        (calibrated on 2019/20); a baseline of another year states its own calibration
        (about.csv's ``des_rtt_after_first_weeks``).
    """

    ed_cubicles: float | Mapping[str, float]
    utc_cubicles: float | Mapping[str, float]
    acute_beds: float | Mapping[str, float]
    escalation_beds: float | Mapping[str, float] = 0
    op_slots_per_week: float | Mapping[str, float] = 0.0
    virtual_ward_beds: float | Mapping[str, float] = 0
    ed_mean_hours: float | Mapping[str, float] = 3.0
    utc_mean_hours: float | Mapping[str, float] = 1.5
    nel_los_days: float | Mapping[str, float] = 5.0
    elective_los_days: float | Mapping[str, float] = 3.0
    los_cv: float | Mapping[str, float] = 1.0
    virtual_ward_los_days: float | Mapping[str, float] = 7.0
    elective_inpatient_share: float | Mapping[str, float] = 0.2
    nel_virtual_ward_eligible_share: float | Mapping[str, float] = 0.0
    treatment_cv: float | Mapping[str, float] = 0.6
    op_waiting_at_start: float | Mapping[str, float] = 0.0
    op_waiting_max_age_weeks: float | Mapping[str, float] = 0.0
    elective_deferral_days: float | Mapping[str, float] = 14.0
    rtt_after_first_weeks: float | Mapping[str, float] = RTT_AFTER_FIRST_WEEKS

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            values = value.values() if isinstance(value, Mapping) else [value]
            for number in values:
                _check_number(field.name, number)

    def for_site(self, site: str) -> SiteCapacity:
        """Resolve every field for one site; a missing site key is an error."""
        resolved = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Mapping):
                if site not in value:
                    raise ValueError(f"DesCapacity.{field.name} has no value for site {site!r}")
                value = value[site]
            value = float(value)
            if field.name in _CAPACITY_FIELDS and field.name != "op_slots_per_week":
                if value != int(value):
                    raise ValueError(
                        f"DesCapacity.{field.name} must be a whole number, got {value}"
                    )
                value = int(value)
            resolved[field.name] = value
        return SiteCapacity(**resolved)

    def replace(self, **changes: object) -> DesCapacity:
        """A copy with some fields changed (a what-if on capacity)."""
        return dataclasses.replace(self, **changes)


def _check_number(name: str, value: object) -> None:
    number = float(value)  # type: ignore[arg-type]
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"DesCapacity.{name} must be a finite number >= 0, got {value!r}")
    if name.endswith("_share") and number > 1:
        raise ValueError(f"DesCapacity.{name} must be in [0, 1], got {value!r}")
    if name.endswith(("_hours", "_days")) and number == 0:
        raise ValueError(f"DesCapacity.{name} must be > 0, got {value!r}")


@dataclass(frozen=True)
class Calendar:
    """Days and month boundaries of the simulated horizon (hours from 1 April, year 1)."""

    years: tuple[str, ...]
    warmup_days: int
    day_start: np.ndarray  # start hour of each simulated day, warm-up included
    day_month: np.ndarray  # month index 0..12*years-1 whose rates apply (warm-up: 0)
    day_dow: np.ndarray  # 0 = Monday
    month_edges: np.ndarray  # 12*years + 1 boundaries, hours

    @property
    def year_edges(self) -> np.ndarray:
        return self.month_edges[::12]

    @property
    def n_months(self) -> int:
        return len(self.month_edges) - 1


def make_calendar(years: tuple[str, ...], warmup_days: float) -> Calendar:
    """Build the calendar of consecutive financial years labelled like ``"2019/20"``."""
    starts = [_first_year(label) for label in years]
    if any(b != a + 1 for a, b in itertools.pairwise(starts)):
        raise ValueError(f"monthly_demand years must be consecutive, got {list(years)}")
    if not np.isfinite(warmup_days) or warmup_days < 0:
        raise ValueError(f"warmup_days must be >= 0, got {warmup_days}")
    warm = int(np.ceil(warmup_days))
    origin = dt.date(starts[0], 4, 1)
    month_edges = []
    for year in starts:
        for month in range(12):
            y, m = (year, 4 + month) if month < 9 else (year + 1, month - 8)
            month_edges.append((dt.date(y, m, 1) - origin).days)
    month_edges.append((dt.date(starts[-1] + 1, 4, 1) - origin).days)
    edges_days = np.array(month_edges)
    days = np.arange(-warm, edges_days[-1])
    day_month = np.clip(np.searchsorted(edges_days, days, side="right") - 1, 0, None)
    day_dow = (days + origin.weekday()) % 7
    return Calendar(
        years=tuple(years),
        warmup_days=warm,
        day_start=days * HOURS_PER_DAY,
        day_month=day_month,
        day_dow=day_dow,
        month_edges=edges_days * HOURS_PER_DAY,
    )


def _first_year(label: str) -> int:
    try:
        first, second = str(label).split("/")
        year = int(first)
        if len(second) != 2 or int(second) != (year + 1) % 100:
            raise ValueError
    except ValueError:
        raise ValueError(f"year labels must look like '2019/20', got {label!r}") from None
    return year


def hourly_rates(calendar: Calendar, monthly: np.ndarray, profile: str) -> np.ndarray:
    """Arrival rate per clock hour whose sum over each month equals ``monthly``.

    Warm-up hours take the first month's rate level (same weights, same scale).
    """
    hour_w, dow_w = PROFILES[profile]
    weights = dow_w[calendar.day_dow][:, None] * hour_w[None, :]  # (days, 24)
    in_horizon = calendar.day_start >= 0
    per_month = np.bincount(
        calendar.day_month[in_horizon],
        weights=weights[in_horizon].sum(axis=1),
        minlength=calendar.n_months,
    )
    scale = np.divide(monthly, per_month, out=np.zeros(calendar.n_months), where=per_month > 0)
    return (weights * scale[calendar.day_month][:, None]).ravel()


def poisson_arrivals(rng: np.random.Generator, rates: np.ndarray, t0: float) -> np.ndarray:
    """Sorted arrival times of a Poisson process with a constant rate in each 1-hour bin."""
    counts = rng.poisson(rates)
    starts = np.repeat(t0 + np.arange(len(rates), dtype=float), counts)
    return np.sort(starts + rng.random(starts.size))


def lognormal(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    """Lognormal draws with the given mean and coefficient of variation."""
    if cv == 0:
        # Consume the stream anyway so that cv never shifts later draws.
        rng.standard_normal(size)
        return np.full(size, float(mean))
    sigma2 = np.log1p(cv * cv)
    return rng.lognormal(np.log(mean) - 0.5 * sigma2, np.sqrt(sigma2), size)


def clinic_slots(calendar: Calendar, slots_per_week: float | Sequence[float]) -> np.ndarray:
    """Times of outpatient slots: ``slots_per_week / 5`` per weekday, evenly spaced.

    ``slots_per_week`` is one number, or one per year (the warm-up uses the first year's).
    """
    weekly = np.broadcast_to(np.asarray(slots_per_week, dtype=float), (len(calendar.years),))
    weekday = calendar.day_dow < 5
    day_hours = calendar.day_start[weekday]
    year = calendar.day_month[weekday] // 12
    if np.all(weekly == weekly[0]):
        weekly, year = weekly[:1], np.zeros_like(year)  # one running total for the whole run
    # Whole slots per day from a running total within each year (exact multiples, no drift).
    counts = np.empty(day_hours.size, np.int64)
    for y, per_week in enumerate(weekly):
        days = np.flatnonzero(year == y)
        total = np.floor(per_week / 5.0 * np.arange(days.size + 1) + 1e-9).astype(np.int64)
        counts[days] = np.diff(total)
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    first = np.repeat(cumulative[:-1], counts)
    index = np.arange(counts.sum()) - first
    spacing = CLINIC_HOURS / np.maximum(np.repeat(counts, counts), 1)
    return np.repeat(day_hours, counts) + CLINIC_OPEN_HOUR + (index + 0.5) * spacing


@dataclass(frozen=True)
class SiteInputs:
    """Every patient of one site and replication, with all random attributes drawn."""

    site: str
    capacity: SiteCapacity
    ed_arr: np.ndarray
    ed_service: np.ndarray
    ed_admit: np.ndarray  # bool: needs admission after ED treatment
    ed_vw_eligible: np.ndarray
    ed_bed_los: np.ndarray  # hours, used if admitted to an acute bed
    ed_vw_los: np.ndarray  # hours, used if admitted to the virtual ward
    direct_arr: np.ndarray
    direct_vw_eligible: np.ndarray
    direct_bed_los: np.ndarray
    direct_vw_los: np.ndarray
    utc_arr: np.ndarray
    utc_service: np.ndarray
    el_arr: np.ndarray
    el_inpatient: np.ndarray
    el_los: np.ndarray
    op_arr: np.ndarray  # referral times: the opening list, then new referrals; sorted
    op_kind: np.ndarray  # 0 first, 1 follow-up
    slot_times: np.ndarray
    op_opening: int = 0  # the first ``op_opening`` of ``op_arr`` are on the list at the start
    horizon: float = np.inf  # end of the simulated horizon, hours (no elective retry after it)
    # RTT clock after a first appointment (empty arrays: every clock stops at the appointment).
    op_rtt_after: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))  # hours
    # Pathways already past their first appointment when the run starts: referral, clock stop.
    rtt_open_referral: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    rtt_open_stop: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    periods: tuple[SiteCapacity, ...] = ()  # capacity held each year (empty: ``capacity``)
    period_starts: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))  # hours

    def capacity_in(self, period: int) -> SiteCapacity:
        """The capacity held in one period (year); ``capacity`` when there is one period."""
        return self.periods[period] if self.periods else self.capacity

    def schedule(self) -> tuple[np.ndarray, list[SiteCapacity]]:
        """When each period's capacity takes over (the first from the start) and what it is."""
        if not self.periods:
            return np.array([-np.inf]), [self.capacity]
        starts = np.asarray(self.period_starts, dtype=float).copy()
        starts[0] = -np.inf
        return starts, list(self.periods)

    @property
    def journeys(self) -> int:
        """Patient journeys simulated (ED, direct NEL, UTC, elective, outpatient)."""
        return int(
            self.ed_arr.size
            + self.direct_arr.size
            + self.utc_arr.size
            + self.el_arr.size
            + self.op_arr.size
        )


def patient_keys(inputs: SiteInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each hospital patient's key in the tie-break rule, for ED, direct and elective patients.

    The rule, the same in both engines: events happen in order of time, and
    events at the same time in order of the key of the patient they belong to
    (an arrival, the end of a treatment or a stay, an elective retry). Keys
    number the ED, direct and elective patients together in order of arrival;
    equal arrival times go ED, then direct, then elective, each in its own
    order. So among simultaneous events the patient who arrived first acts
    first, and queues formed at the same moment are joined in that order. Ties
    happen only with deterministic times (a coefficient of variation of 0).
    """
    arrivals = np.concatenate([inputs.ed_arr, inputs.direct_arr, inputs.el_arr])
    keys = np.empty(arrivals.size, np.int64)
    keys[np.argsort(arrivals, kind="stable")] = np.arange(arrivals.size)
    n_ed, n_direct = inputs.ed_arr.size, inputs.direct_arr.size
    return keys[:n_ed], keys[n_ed : n_ed + n_direct], keys[n_ed + n_direct :]


def root_seed(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """The run's root ``SeedSequence`` (an int seed is wrapped, a sequence used as is)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int or a SeedSequence, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def stream(
    root: np.random.SeedSequence, replication: int, site: str, name: str
) -> np.random.Generator:
    """The generator of one source of randomness, keyed by (replication, site, stream)."""
    key = (*root.spawn_key, replication, zlib.crc32(site.encode()), STREAMS[name])
    child = np.random.SeedSequence(root.entropy, spawn_key=key, pool_size=root.pool_size)
    return np.random.Generator(np.random.PCG64(child))


def check_demand(monthly_demand: xr.DataArray) -> xr.DataArray:
    """Validate the demand array and return it as ``(year, month, site, pod)`` floats."""
    if not isinstance(monthly_demand, xr.DataArray):
        raise ValueError(f"monthly_demand must be an xarray.DataArray, got {type(monthly_demand)}")
    dims = ("year", "month", "site", "pod")
    if set(monthly_demand.dims) != set(dims):
        raise ValueError(f"monthly_demand dims must be {dims}, got {monthly_demand.dims}")
    demand = monthly_demand.transpose(*dims).astype(float)
    months = [int(m) for m in demand["month"].values]
    if months != list(range(1, 13)):
        raise ValueError(f"monthly_demand month must be 1..12 (April..March), got {months}")
    unknown = set(map(str, demand["pod"].values)) - set(PODS)
    if unknown:
        raise ValueError(f"monthly_demand has unknown pod(s) {sorted(unknown)}; known: {PODS}")
    values = demand.values
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("monthly_demand must be finite and >= 0 everywhere")
    return demand


def sample_site(
    demand: xr.DataArray,
    site: str,
    capacity: SiteCapacity | Sequence[SiteCapacity],
    calendar: Calendar,
    root: np.random.SeedSequence,
    replication: int,
) -> SiteInputs:
    """Draw every patient of one site for one replication.

    ``capacity`` is one ``SiteCapacity`` for the whole run, or one per year (the
    capacity held that year); patients are drawn from the first year's pathway
    parameters, which every year shares.
    """
    periods = (capacity,) if isinstance(capacity, SiteCapacity) else tuple(capacity)
    if len(periods) not in (1, len(calendar.years)):
        raise ValueError(
            f"capacity must be one SiteCapacity or one per year ({len(calendar.years)}), "
            f"got {len(periods)}"
        )
    capacity = periods[0]
    pods = set(map(str, demand["pod"].values))

    def monthly(pod: str) -> np.ndarray:
        if pod not in pods:
            return np.zeros(calendar.n_months)
        return demand.sel(site=site, pod=pod).values.reshape(-1)

    def rng(name: str) -> np.random.Generator:
        return stream(root, replication, site, name)

    t0 = float(calendar.day_start[0])
    cv, treatment_cv = capacity.los_cv, capacity.treatment_cv
    ae1, nel = monthly("ae_type1"), monthly("nel_admission")
    # The admitted share of type-1 attendances; NEL demand beyond ED arrivals comes in directly.
    admit_share = np.divide(np.minimum(nel, ae1), ae1, out=np.zeros_like(ae1), where=ae1 > 0)
    direct = np.maximum(nel - ae1, 0.0)

    ed_arr = poisson_arrivals(rng("ed_arrivals"), hourly_rates(calendar, ae1, "ed"), t0)
    n_ed = ed_arr.size
    month_of = _month_index(calendar, ed_arr)
    routing = rng("ed_routing").random((2, n_ed))
    los = rng("ed_los")
    direct_arr = poisson_arrivals(rng("direct_arrivals"), hourly_rates(calendar, direct, "ed"), t0)
    n_direct = direct_arr.size
    direct_los = rng("direct_los")
    utc_arr = poisson_arrivals(
        rng("utc_arrivals"), hourly_rates(calendar, monthly("ae_type3"), "ed"), t0
    )
    el_arr = poisson_arrivals(
        rng("elective_arrivals"), hourly_rates(calendar, monthly("elective"), "planned"), t0
    )
    first = poisson_arrivals(
        rng("op_first_arrivals"), hourly_rates(calendar, monthly("op_first"), "planned"), t0
    )
    follow = poisson_arrivals(
        rng("op_followup_arrivals"), hourly_rates(calendar, monthly("op_followup"), "planned"), t0
    )
    opening, opening_kind = _opening_list(
        rng("op_backlog"), capacity, t0, monthly("op_first")[0], monthly("op_followup")[0]
    )
    # The opening list is older than every new referral, so sorting keeps it at the front.
    op_arr = np.concatenate([opening, first, follow])
    op_kind = np.concatenate(
        [opening_kind, np.zeros(first.size, np.int64), np.ones(follow.size, np.int64)]
    )
    order = np.argsort(op_arr, kind="stable")
    rtt_after, open_referral, open_stop = _rtt_clock(
        rng("rtt_after_first"),
        rng("rtt_opening"),
        op_arr.size,
        t0,
        monthly("op_first")[0] / (calendar.month_edges[1] - calendar.month_edges[0]),
        opening_max_age_weeks(capacity),
        capacity.rtt_after_first_weeks,
    )
    day = HOURS_PER_DAY
    return SiteInputs(
        site=site,
        capacity=capacity,
        ed_arr=ed_arr,
        ed_service=lognormal(rng("ed_service"), capacity.ed_mean_hours, treatment_cv, n_ed),
        ed_admit=routing[0] < admit_share[month_of],
        ed_vw_eligible=routing[1] < capacity.nel_virtual_ward_eligible_share,
        ed_bed_los=lognormal(los, capacity.nel_los_days * day, cv, n_ed),
        ed_vw_los=lognormal(los, capacity.virtual_ward_los_days * day, cv, n_ed),
        direct_arr=direct_arr,
        direct_vw_eligible=rng("direct_routing").random(n_direct)
        < capacity.nel_virtual_ward_eligible_share,
        direct_bed_los=lognormal(direct_los, capacity.nel_los_days * day, cv, n_direct),
        direct_vw_los=lognormal(direct_los, capacity.virtual_ward_los_days * day, cv, n_direct),
        utc_arr=utc_arr,
        utc_service=lognormal(
            rng("utc_service"), capacity.utc_mean_hours, treatment_cv, utc_arr.size
        ),
        el_arr=el_arr,
        el_inpatient=rng("elective_routing").random(el_arr.size)
        < capacity.elective_inpatient_share,
        el_los=lognormal(rng("elective_los"), capacity.elective_los_days * day, cv, el_arr.size),
        op_arr=op_arr[order],
        op_kind=op_kind[order],
        slot_times=clinic_slots(calendar, [p.op_slots_per_week for p in periods]),
        op_opening=int(opening.size),
        horizon=float(calendar.month_edges[-1]),
        op_rtt_after=rtt_after[order],
        rtt_open_referral=open_referral,
        rtt_open_stop=open_stop,
        periods=periods if len(periods) > 1 else (),
        period_starts=calendar.year_edges[:-1] if len(periods) > 1 else np.zeros(0),
    )


def _rtt_clock(
    after: np.random.Generator,
    opening: np.random.Generator,
    n_referrals: int,
    t0: float,
    first_per_hour: float,
    first_wait_weeks: float,
    after_first_weeks: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The RTT clock beyond the first appointment, and the pathways open at the start.

    Each referral's clock runs on after its first appointment with probability
    ``RTT_CONTINUES_SHARE``, for an exponential time of mean
    ``after_first_weeks`` (0 otherwise; drawn for every referral, used for
    first appointments). Pathways past their first appointment when the run
    starts are the steady state of that process: about ``first appointments
    per hour x share x mean`` of them (Little's law), each referred a
    first-appointment wait (uniform up to the opening list's oldest age) plus
    an exponential time before ``t0``, its clock stopping an exponential time
    after ``t0`` (the exponential forgets how long it has run).
    """
    mean = after_first_weeks * HOURS_PER_WEEK
    draws = after.random((2, n_referrals))
    runs_on = draws[0] < RTT_CONTINUES_SHARE
    rtt_after = np.where(runs_on, -mean * np.log1p(-draws[1]), 0.0)
    n_open = opening.poisson(first_per_hour * RTT_CONTINUES_SHARE * mean)
    waited = opening.random(n_open) * first_wait_weeks * HOURS_PER_WEEK
    elapsed = opening.exponential(mean, n_open)
    remaining = opening.exponential(mean, n_open)
    return rtt_after, t0 - waited - elapsed, t0 + remaining


def opening_max_age_weeks(capacity: SiteCapacity) -> float:
    """Age of the oldest referral on the opening outpatient list (see ``DesCapacity``)."""
    if capacity.op_waiting_max_age_weeks > 0:
        return capacity.op_waiting_max_age_weeks
    if capacity.op_slots_per_week > 0:
        return 2.0 * capacity.op_waiting_at_start / capacity.op_slots_per_week
    return 52.0


def _opening_list(
    rng: np.random.Generator, capacity: SiteCapacity, t0: float, first: float, follow: float
) -> tuple[np.ndarray, np.ndarray]:
    """Referral times (sorted, all before ``t0``) and kinds of the opening outpatient list.

    Ages are uniform on ``[0, max age]`` before ``t0``; the kind is a first
    appointment with probability ``first / (first + follow)`` (the first month's
    referral mix). The uniform draws are scaled, not redrawn, when the list's size
    or age changes, so paired runs keep common random numbers.
    """
    n = round(capacity.op_waiting_at_start)
    draws = rng.random((2, n))
    total = first + follow
    first_share = first / total if total > 0 else 1.0
    # Oldest first: the list is FIFO and every array of referrals is sorted.
    ages = np.sort(draws[0])[::-1] * opening_max_age_weeks(capacity) * HOURS_PER_WEEK
    return t0 - ages, (draws[1] >= first_share).astype(np.int64)


def _month_index(calendar: Calendar, times: np.ndarray) -> np.ndarray:
    """Month whose rates apply at each time (warm-up counts as month 0)."""
    index = np.searchsorted(calendar.month_edges, times, side="right") - 1
    return np.clip(index, 0, calendar.n_months - 1)
