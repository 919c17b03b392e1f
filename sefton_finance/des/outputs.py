"""Statistics from patient timestamps, and confidence intervals across replications.

Statistics are computed once, from ``SiteRecords``, whichever engine filled
them. Occupancy curves are built by sorting the +1/-1 steps of every stay and
integrating the step function exactly over each month and year, so means,
peaks, escalation bed-days and Little's-law areas carry no time-step error.
Only patients inside the horizon count: the warm-up (``t < 0``) is discarded.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import stats

from ..queueing import servers_for_occupancy
from .inputs import HOURS_PER_DAY, HOURS_PER_WEEK, PODS, Calendar, SiteInputs
from .records import BED, VIRTUAL_WARD, SiteRecords

FOUR_HOURS = 4.0
RTT_WEEKS = 18.0
OCCUPANCY_TARGET = 0.92  # general and acute bed occupancy NHS England plans against
STATIONS = (
    "ed_cubicles",
    "ed_department",
    "utc_cubicles",
    "utc_department",
    "acute_beds",
    "bed_queue",
    "virtual_ward",
    "op_waiting_list",
)
RESOURCES = ("ed_cubicles", "utc_cubicles", "acute_beds", "op_slots")
"""What overload is judged on: the cubicles, the beds (funded and escalation) and clinic slots."""
SETTLING_DAYS = 28
"""A queue that has not emptied once in the last 28 days of a year has not settled: with
demand that dips every night and weekend, a queue in a steady state empties far more often
(ASSUMPTION: four weeks, long against a stay, short against a year)."""


class StepCurve:
    """The number present over time, from the entry and exit times of every visit."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray) -> None:
        entered = np.isfinite(starts)
        starts, ends = starts[entered], ends[entered]
        ends = ends[np.isfinite(ends)]
        # Exits before entries at equal times, so a bed handed over is never counted twice.
        times = np.concatenate([ends, starts])
        steps = np.concatenate([-np.ones(ends.size), np.ones(starts.size)])
        order = np.argsort(times, kind="stable")
        self.times = times[order]
        self.level = np.cumsum(steps[order])

    def area(self, edges: np.ndarray, transform=None) -> np.ndarray:
        """Integral of ``transform(level)`` over each window ``[edges[i], edges[i+1])``."""
        level = self.level if transform is None else transform(self.level)
        if self.times.size == 0:
            return np.zeros(len(edges) - 1)
        cum = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(self.times))])
        k = np.searchsorted(self.times, edges, side="right") - 1
        inside = k >= 0
        upto = np.zeros(len(edges))
        upto[inside] = cum[k[inside]] + level[k[inside]] * (edges[inside] - self.times[k[inside]])
        return np.diff(upto)

    def peak(self, edges: np.ndarray) -> np.ndarray:
        """Maximum level in each window."""
        out = np.zeros(len(edges) - 1)
        first = np.searchsorted(self.times, edges[:-1], side="right") - 1
        last = np.searchsorted(self.times, edges[1:], side="left") - 1
        for i, (a, b) in enumerate(zip(first, last, strict=True)):
            segment = self.level[max(a, 0) : b + 1]
            at_start = self.level[a] if a >= 0 else 0.0
            out[i] = max(at_start, segment.max(initial=0.0))
        return out

    def trough(self, edges: np.ndarray) -> np.ndarray:
        """Minimum level in each window (the level entering it included)."""
        out = np.zeros(len(edges) - 1)
        first = np.searchsorted(self.times, edges[:-1], side="right") - 1
        last = np.searchsorted(self.times, edges[1:], side="left") - 1
        for i, (a, b) in enumerate(zip(first, last, strict=True)):
            at_start = self.level[a] if a >= 0 else 0.0
            out[i] = min(at_start, self.level[max(a, 0) : b + 1].min(initial=at_start))
        return out


def clipped_sojourn(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Sum over visits of the time each spends inside each window (Little's sample-path side)."""
    entered = np.isfinite(starts)
    starts, ends = starts[entered], ends[entered]
    out = np.empty(len(edges) - 1)
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        out[i] = np.sum(np.clip(ends, a, b) - np.clip(starts, a, b))
    return out


def _windows(times: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The window each time falls in as ``np.histogram`` bins it (the last window closed at
    its right edge; outside, nan and infinite times in none), without sorting: a binary
    search per time among the few edges (np.histogram sorts every time when the windows
    are unequal, as years are). Returns the window indices and which times are inside."""
    index = np.searchsorted(edges, times, side="right") - 1
    index[times == edges[-1]] = len(edges) - 2
    inside = (index >= 0) & (index < len(edges) - 1)
    return index, inside


def _counts(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """How many of ``times`` fall in each window (``np.histogram``'s counts, exactly)."""
    index, inside = _windows(times, edges)
    return np.bincount(index[inside], minlength=len(edges) - 1)


def _sums(times: np.ndarray, weights: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Sum of ``weights`` over the times in each window (``np.histogram`` with weights, to
    rounding: added in the times' order rather than sorted)."""
    index, inside = _windows(times, edges)
    return np.bincount(
        index[inside], weights=np.asarray(weights, dtype=float)[inside], minlength=len(edges) - 1
    )


def _count(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return _counts(times[np.isfinite(times)], edges).astype(float)


def _mean_by(times: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over the items whose ``times`` fall in each window.

    nan where a window has no items; inf where any item's value is infinite
    (a patient never served within the run).
    """
    keep = np.isfinite(times)
    times, values = times[keep], np.asarray(values, dtype=float)[keep]
    endless = ~np.isfinite(values)
    n = _counts(times, edges)
    total = _sums(times[~endless], values[~endless], edges)
    mean = np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)
    mean[_counts(times[endless], edges) > 0] = np.inf
    return mean


def _stays(inputs: SiteInputs, rec: SiteRecords) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Entry and exit times of every visit to each station."""
    ed_bed = rec.ed_route == BED
    ed_vw = rec.ed_route == VIRTUAL_WARD
    d_bed = rec.direct_route == BED
    d_vw = rec.direct_route == VIRTUAL_WARD
    el_bed = rec.el_admitted & inputs.el_inpatient
    bed_start = np.concatenate(
        [rec.ed_leave[ed_bed], rec.direct_start[d_bed], rec.el_start[el_bed]]
    )
    bed_end = bed_start + np.concatenate(
        [inputs.ed_bed_los[ed_bed], inputs.direct_bed_los[d_bed], inputs.el_los[el_bed]]
    )
    vw_start = np.concatenate([rec.ed_leave[ed_vw], rec.direct_start[d_vw]])
    vw_end = vw_start + np.concatenate([inputs.ed_vw_los[ed_vw], inputs.direct_vw_los[d_vw]])
    # Waiting for a bed: admitted ED patients from the end of treatment, direct ones from arrival.
    ed_wants = inputs.ed_admit & np.isfinite(rec.ed_done)
    queue_start = np.concatenate([rec.ed_done[ed_wants], inputs.direct_arr])
    queue_end = np.concatenate([rec.ed_leave[ed_wants], rec.direct_start])
    return {
        "ed_cubicles": (rec.ed_start, rec.ed_leave),
        "ed_department": (inputs.ed_arr, rec.ed_leave),
        "utc_cubicles": (rec.utc_start, rec.utc_leave),
        "utc_department": (inputs.utc_arr, rec.utc_leave),
        "acute_beds": (bed_start, bed_end),
        "bed_queue": (queue_start, queue_end),
        "virtual_ward": (vw_start, vw_end),
        "op_waiting_list": (inputs.op_arr, rec.op_seen),
    }


def summarise_site(inputs: SiteInputs, rec: SiteRecords, cal: Calendar) -> dict[str, np.ndarray]:
    """Every output of one site and replication, per year (and month, pod, station)."""
    years, months = cal.year_edges, cal.month_edges
    n_years = len(years) - 1
    held = [inputs.capacity_in(y) for y in range(n_years)] if inputs.periods else None
    held = held or [inputs.capacity] * n_years  # the capacity held each year
    out: dict[str, np.ndarray] = {}

    ed_time = rec.ed_leave - inputs.ed_arr
    utc_time = rec.utc_leave - inputs.utc_arr
    out["ed_4hr_performance"] = _mean_by(inputs.ed_arr, ed_time <= FOUR_HOURS, years)
    out["ed_4hr_performance_month"] = _mean_by(
        inputs.ed_arr, ed_time <= FOUR_HOURS, months
    ).reshape(n_years, 12)
    out["ed_mean_time_hours"] = _mean_by(inputs.ed_arr, ed_time, years)
    out["ed_mean_wait_hours"] = _mean_by(inputs.ed_arr, rec.ed_start - inputs.ed_arr, years)
    boarded = rec.ed_route == BED
    out["ed_boarding_hours_mean"] = _mean_by(
        inputs.ed_arr[boarded], rec.ed_leave[boarded] - rec.ed_done[boarded], years
    )
    out["utc_4hr_performance"] = _mean_by(inputs.utc_arr, utc_time <= FOUR_HOURS, years)
    out["utc_mean_time_hours"] = _mean_by(inputs.utc_arr, utc_time, years)
    out["ae_4hr_performance"] = _mean_by(
        np.concatenate([inputs.ed_arr, inputs.utc_arr]),
        np.concatenate([ed_time, utc_time]) <= FOUR_HOURS,
        years,
    )

    stays = _stays(inputs, rec)
    # Each station's curve is built once (sorting every entry and exit is the costly part)
    # and shared by occupancy, Little's law and overload.
    curves = {name: StepCurve(*visits) for name, visits in stays.items()}
    beds = curves["acute_beds"]
    year_hours = np.diff(years)
    occupancy = beds.area(years) / year_hours
    out["bed_occupancy_mean"] = occupancy
    out["bed_occupancy_mean_month"] = (beds.area(months) / np.diff(months)).reshape(n_years, 12)
    out["bed_occupancy_peak"] = beds.peak(years)
    funded = np.array([h.acute_beds for h in held], dtype=float)
    out["bed_occupancy_rate"] = np.divide(
        occupancy, funded, out=np.full(n_years, np.nan), where=funded > 0
    )
    out["beds_required_92"] = servers_for_occupancy(occupancy, OCCUPANCY_TARGET).astype(float)
    escalation, by_month = np.empty(n_years), np.empty((n_years, 12))
    for y in range(n_years):
        # Bed-days above the bed base funded that year.
        def above_funded(level: np.ndarray, base: float = funded[y]) -> np.ndarray:
            return np.maximum(level - base, 0.0)

        escalation[y] = beds.area(years[y : y + 2], above_funded)[0] / HOURS_PER_DAY
        by_month[y] = beds.area(months[12 * y : 12 * y + 13], above_funded) / HOURS_PER_DAY
    out["escalation_bed_days"] = escalation
    out["escalation_bed_days_month"] = by_month
    ed_bed = rec.ed_route == BED
    d_bed = rec.direct_route == BED
    nel_start = np.concatenate([rec.ed_leave[ed_bed], rec.direct_start[d_bed]])
    nel_end = nel_start + np.concatenate([inputs.ed_bed_los[ed_bed], inputs.direct_bed_los[d_bed]])
    out["nel_bed_days"] = clipped_sojourn(nel_start, nel_end, years) / HOURS_PER_DAY
    el_bed = rec.el_admitted & inputs.el_inpatient
    el_start, el_end = rec.el_start[el_bed], rec.el_start[el_bed] + inputs.el_los[el_bed]
    out["elective_bed_days"] = clipped_sojourn(el_start, el_end, years) / HOURS_PER_DAY
    deferred = rec.el_cancellations[el_bed] > 0
    out["elective_deferred_bed_days"] = (
        clipped_sojourn(el_start[deferred], el_end[deferred], years) / HOURS_PER_DAY
    )
    out["elective_cancellations"] = _count(_cancellation_times(inputs, rec), years)
    out["elective_not_admitted"] = _count(inputs.el_arr[~rec.el_admitted], years)
    vw_start = stays["virtual_ward"][0]
    out["virtual_ward_admissions"] = _count(vw_start, years)
    out["virtual_ward_occupancy_mean"] = curves["virtual_ward"].area(years) / year_hours

    first = inputs.op_kind == 0
    out["op_waiting_list_month"] = _waiting(inputs.op_arr, rec.op_seen, months[1:]).reshape(
        n_years, 12
    )
    out["op_waiting_list"] = out["op_waiting_list_month"][:, -1]
    rtt = _rtt_within_18_weeks(inputs, rec, months[1:])
    out["rtt_18wk_performance_month"] = rtt[0].reshape(n_years, 12)
    out["rtt_18wk_performance"] = out["rtt_18wk_performance_month"][:, -1]
    out["rtt_incomplete_pathways"] = rtt[1].reshape(n_years, 12)[:, -1]
    seen_first = rec.op_seen[first]
    waited = seen_first - inputs.op_arr[first]
    finite = np.isfinite(seen_first)
    out["op_seen_within_18wk"] = _mean_by(
        seen_first[finite], waited[finite] <= RTT_WEEKS * HOURS_PER_WEEK, years
    )

    out.update(_activity(inputs, rec, years))
    out.update(_little(stays, curves, held, years))
    out.update(_overload(inputs, rec, held, curves["bed_queue"], years))
    return out


def _overload(
    inputs: SiteInputs,
    rec: SiteRecords,
    held: list,
    bed_queue: StepCurve,
    years: np.ndarray,
) -> dict[str, np.ndarray]:
    """Offered load against capacity, and whether each queue settled, per year and resource.

    The offered load of a resource is the work arriving in the year (treatment
    hours, bed hours of every admission not sent to the virtual ward,
    referrals) over what it can do in the year (cubicle hours, bed hours,
    slots). At 1 or more no steady state exists: the queue grows for as long as
    the model runs. A queue that never empties in the last ``SETTLING_DAYS`` of
    a year has not settled either (outpatient lists never empty, so slots are
    judged on load alone: nan).
    """
    hours = np.diff(years)

    def places(name: str) -> np.ndarray:
        return np.array([getattr(h, name) for h in held], dtype=float)

    def work(times: np.ndarray, amount: np.ndarray) -> np.ndarray:
        return _sums(times, amount, years)

    def ratio(load: np.ndarray, capacity: np.ndarray | float) -> np.ndarray:
        capacity = np.broadcast_to(np.asarray(capacity, dtype=float), load.shape)
        out = np.where(load > 0, np.inf, 0.0)
        return np.divide(load, capacity, out=out, where=capacity > 0)

    ed_bed = inputs.ed_admit & (rec.ed_route != VIRTUAL_WARD)
    direct_bed = rec.direct_route != VIRTUAL_WARD
    bed_hours = (
        work(inputs.ed_arr[ed_bed], inputs.ed_bed_los[ed_bed])
        + work(inputs.direct_arr[direct_bed], inputs.direct_bed_los[direct_bed])
        + work(inputs.el_arr[inputs.el_inpatient], inputs.el_los[inputs.el_inpatient])
    )
    referrals = _count(inputs.op_arr[inputs.op_opening :], years)
    offered = np.stack(
        [
            ratio(work(inputs.ed_arr, inputs.ed_service), places("ed_cubicles") * hours),
            ratio(work(inputs.utc_arr, inputs.utc_service), places("utc_cubicles") * hours),
            ratio(bed_hours, (places("acute_beds") + places("escalation_beds")) * hours),
            ratio(referrals, _count(inputs.slot_times, years)),
        ],
        axis=-1,
    )
    settle = SETTLING_DAYS * HOURS_PER_DAY
    unsettled = np.full((hours.size, len(RESOURCES)), np.nan)
    for k, curve in enumerate(
        [
            StepCurve(inputs.ed_arr, rec.ed_start),
            StepCurve(inputs.utc_arr, rec.utc_start),
            bed_queue,
        ]
    ):
        for y in range(hours.size):
            window = np.array([max(years[y + 1] - settle, years[y]), years[y + 1]])
            unsettled[y, k] = float(curve.trough(window)[0] > 0)
    return {"offered_utilisation": offered, "queue_unsettled": unsettled}


def _cancellation_times(inputs: SiteInputs, rec: SiteRecords) -> np.ndarray:
    """When each cancellation happened: at booking, then every deferral after it."""
    deferral = inputs.capacity.elective_deferral_days * HOURS_PER_DAY
    counts = rec.el_cancellations
    first = np.repeat(np.cumsum(counts) - counts, counts)
    attempt = np.arange(counts.sum()) - first  # 0 for the first try, 1 for the first retry...
    return np.repeat(inputs.el_arr, counts) + attempt * deferral


def _waiting(arrivals: np.ndarray, seen: np.ndarray, at: np.ndarray) -> np.ndarray:
    arrived = np.searchsorted(arrivals, at, side="right")
    done = np.searchsorted(np.sort(seen), at, side="right")
    return (arrived - done).astype(float)


def _rtt_within_18_weeks(
    inputs: SiteInputs, rec: SiteRecords, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share of incomplete RTT pathways within 18 weeks at each time in ``at``, and their number.

    As NHS England counts them: a pathway is incomplete from referral until
    first definitive treatment, and "within 18 weeks" means it has been open 18
    weeks or less. Here a pathway is a first outpatient referral (follow-ups are
    after treatment has started, off the clock): open while it waits for its
    first appointment, then for ``op_rtt_after`` more hours (0: treated or
    discharged at the appointment), plus the pathways already past their first
    appointment at the start (``rtt_open_referral`` to ``rtt_open_stop``).
    """
    first = inputs.op_kind == 0
    referral = inputs.op_arr[first]
    after = inputs.op_rtt_after[first] if inputs.op_rtt_after.size else 0.0
    stop = np.concatenate([rec.op_seen[first] + after, inputs.rtt_open_stop])
    referral = np.concatenate([referral, inputs.rtt_open_referral])
    limit = RTT_WEEKS * HOURS_PER_WEEK
    share, count = np.empty(at.size), np.empty(at.size)
    for i, t in enumerate(at):
        open_ = (referral <= t) & (stop > t)
        n = open_.sum()
        count[i] = n
        share[i] = (open_ & (t - referral <= limit)).sum() / n if n else 1.0
    return share, count


def _activity(inputs: SiteInputs, rec: SiteRecords, years: np.ndarray) -> dict[str, np.ndarray]:
    """Realised activity, demand (sampled arrivals) and unmet demand per year and pod."""
    ends = years[1:]
    ed_bed = rec.ed_route == BED
    nel_bed_start = np.concatenate(
        [rec.ed_leave[ed_bed], rec.direct_start[rec.direct_route == BED]]
    )
    admitted_at = np.concatenate(
        [np.where(inputs.ed_admit, rec.ed_leave, np.nan), rec.direct_start]
    )
    nel_arrival = np.concatenate(
        [np.where(inputs.ed_admit, inputs.ed_arr, np.nan), inputs.direct_arr]
    )
    first = inputs.op_kind == 0
    demand = {
        "ae_type1": _count(inputs.ed_arr, years),
        "ae_type3": _count(inputs.utc_arr, years),
        "nel_admission": _count(nel_arrival, years),
        "elective": _count(inputs.el_arr, years),
        "op_first": _count(inputs.op_arr[first], years),
        "op_followup": _count(inputs.op_arr[~first], years),
    }
    activity = {
        "ae_type1": demand["ae_type1"],
        "ae_type3": demand["ae_type3"],
        "nel_admission": _count(nel_bed_start, years),
        "elective": _count(rec.el_start, years),
        "op_first": _count(rec.op_seen[first], years),
        "op_followup": _count(rec.op_seen[~first], years),
    }

    def late(arrive: np.ndarray, served: np.ndarray) -> np.ndarray:
        # Arrived in the year and not served by its end (elective: not yet admitted).
        index = np.searchsorted(years, arrive, side="right") - 1
        ok = np.isfinite(arrive) & (index >= 0) & (index < len(ends))
        waiting = ~(served[ok] < ends[index[ok]])
        return np.bincount(index[ok], weights=waiting, minlength=len(ends)).astype(float)

    unmet = {
        "ae_type1": late(inputs.ed_arr, rec.ed_leave),
        "ae_type3": late(inputs.utc_arr, rec.utc_leave),
        "nel_admission": late(nel_arrival, admitted_at),
        "elective": late(inputs.el_arr, rec.el_start),
        "op_first": late(inputs.op_arr[first], rec.op_seen[first]),
        "op_followup": late(inputs.op_arr[~first], rec.op_seen[~first]),
    }
    return {
        "activity": np.stack([activity[p] for p in PODS], axis=-1),
        "demand_arrivals": np.stack([demand[p] for p in PODS], axis=-1),
        "unmet_demand": np.stack([unmet[p] for p in PODS], axis=-1),
    }


def _little(stays, curves, held, years: np.ndarray) -> dict[str, np.ndarray]:
    """Little's law per station and year: exact areas and the approximate L = lambda W."""
    capacity = {
        "ed_cubicles": [h.ed_cubicles for h in held],
        "utc_cubicles": [h.utc_cubicles for h in held],
        "acute_beds": [h.acute_beds + h.escalation_beds for h in held],
        "virtual_ward": [h.virtual_ward_beds for h in held],
    }
    span = np.diff(years)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("area", "sojourn", "lw", "peak", "cap")}
    for name in STATIONS:
        starts, ends = stays[name]
        curve = curves[name]
        cols["area"].append(curve.area(years))
        cols["sojourn"].append(clipped_sojourn(starts, ends, years))
        cols["peak"].append(curve.peak(years))
        cols["cap"].append(np.asarray(capacity.get(name, [np.inf] * span.size), dtype=float))
        finite = np.isfinite(starts) & np.isfinite(ends)
        starts, ends = starts[finite], ends[finite]
        arrivals = _count(starts, years)
        mean_sojourn = _mean_by(starts, ends - starts, years)
        cols["lw"].append(arrivals / span * np.nan_to_num(mean_sojourn))
    stack = {k: np.stack(v, axis=-1) for k, v in cols.items()}
    return {
        "little_area_hours": stack["area"],
        "little_sojourn_hours": stack["sojourn"],
        "little_L": stack["area"] / span[:, None],
        "little_lambda_W": stack["lw"],
        "station_peak": stack["peak"],
        "station_capacity": stack["cap"],
    }


VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "activity": (("pod",), "count", "Realised activity (attendances, admissions, appointments)"),
    "demand_arrivals": (("pod",), "count", "Simulated demand arriving in the year"),
    "unmet_demand": (("pod",), "count", "Demand arriving in the year not served by its end"),
    "ed_4hr_performance": ((), "1", "Type-1 A&E attendances leaving within 4 hours (share)"),
    "ed_4hr_performance_month": (("month",), "1", "Type-1 A&E 4-hour performance by month"),
    "ed_mean_time_hours": ((), "hours", "Mean time in type-1 A&E department"),
    "ed_mean_wait_hours": ((), "hours", "Mean wait for a type-1 A&E cubicle"),
    "ed_boarding_hours_mean": ((), "hours", "Mean time admitted patients board in A&E"),
    "utc_4hr_performance": ((), "1", "Urgent treatment centre attendances within 4 hours (share)"),
    "utc_mean_time_hours": ((), "hours", "Mean time in the urgent treatment centre"),
    "ae_4hr_performance": ((), "1", "All-type A&E 4-hour performance (share)"),
    "bed_occupancy_mean": ((), "beds", "Mean occupied acute beds (funded and escalation)"),
    "bed_occupancy_mean_month": (("month",), "beds", "Mean occupied acute beds by month"),
    "bed_occupancy_peak": ((), "beds", "Peak occupied acute beds"),
    "bed_occupancy_rate": ((), "1", "Mean occupied beds / funded beds"),
    "beds_required_92": ((), "beds", "Beds needed to run the mean occupancy at 92%"),
    "escalation_bed_days": ((), "bed-days", "Bed-days used above the funded bed base"),
    "escalation_bed_days_month": (("month",), "bed-days", "Escalation bed-days by month"),
    "nel_bed_days": ((), "bed-days", "Acute bed-days used by non-elective admissions"),
    "elective_bed_days": ((), "bed-days", "Acute bed-days used by elective inpatients"),
    "elective_cancellations": (
        (),
        "count",
        "Elective admissions cancelled for want of a bed and deferred (a patient may count twice)",
    ),
    "elective_not_admitted": (
        (),
        "count",
        "Elective inpatients booked in the year never admitted in house (every retry cancelled)",
    ),
    "elective_deferred_bed_days": (
        (),
        "bed-days",
        "Acute bed-days of elective stays admitted after at least one cancellation",
    ),
    "virtual_ward_admissions": ((), "count", "Non-elective admissions diverted to virtual ward"),
    "virtual_ward_occupancy_mean": ((), "places", "Mean occupied virtual-ward places"),
    "op_waiting_list": ((), "patients", "Outpatient waiting list at year end"),
    "op_waiting_list_month": (("month",), "patients", "Outpatient waiting list at month end"),
    "rtt_18wk_performance": (
        (),
        "1",
        "Incomplete RTT pathways within 18 weeks at year end (share of patients waiting from "
        "referral for first definitive treatment 18 weeks or less)",
    ),
    "rtt_18wk_performance_month": (
        ("month",),
        "1",
        "Incomplete RTT pathways within 18 weeks at month end",
    ),
    "rtt_incomplete_pathways": (
        (),
        "patients",
        "Incomplete RTT pathways at year end (waiting from referral for first treatment)",
    ),
    "op_seen_within_18wk": (
        (),
        "1",
        "First outpatient appointments in the year within 18 weeks of referral",
    ),
    "little_area_hours": (("station",), "patient-hours", "Area under the number-present curve"),
    "little_sojourn_hours": (("station",), "patient-hours", "Sum of in-year times present"),
    "little_L": (("station",), "patients", "Time-average number present (L)"),
    "little_lambda_W": (("station",), "patients", "Arrival rate x mean time present (lambda W)"),
    "station_peak": (("station",), "patients", "Peak number present"),
    "station_capacity": (("station",), "places", "Places at the station (inf: unlimited)"),
    "offered_utilisation": (
        ("resource",),
        "1",
        "Work arriving in the year over what the resource can do in it (1 or more: overload)",
    ),
    "queue_unsettled": (
        ("resource",),
        "1",
        f"1 if the queue never emptied in the last {SETTLING_DAYS} days of the year "
        "(nan: not judged)",
    ),
}


def confidence_interval(
    data: xr.Dataset | xr.DataArray,
    dim: str = "replication",
    level: float = 0.95,
    bounds: tuple[object, object] | None = None,
) -> tuple[xr.Dataset | xr.DataArray, xr.Dataset | xr.DataArray, xr.Dataset | xr.DataArray]:
    """Mean and Student-t confidence interval across replications, kept inside ``bounds``.

    Parameters
    ----------
    data : xarray.Dataset or xarray.DataArray
        Outputs with a replication dimension.
    dim : str
        The dimension replications run along.
    level : float
        Confidence level, e.g. 0.95.
    bounds : (low, high), optional
        The values the quantity can take (numbers or arrays that broadcast
        against the mean; ``None`` for no bound on that side), e.g. ``(0,
        None)`` for a count, ``(0, 1)`` for a share, ``(0, beds)`` for occupied
        beds. The interval is clipped to them: the mean of a quantity that lies
        in ``[low, high]`` lies there too, so clipping drops only impossible
        values and never lowers the coverage.

    Returns
    -------
    tuple
        ``(mean, lower, upper)``; with one replication the bounds are nan.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    n = data.sizes[dim]
    mean = data.mean(dim)
    if n < 2:
        nan = mean * np.nan
        return mean, nan, nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * data.std(dim, ddof=1) / np.sqrt(n)
    lower, upper = mean - half, mean + half
    if bounds is not None:
        low, high = bounds
        if low is not None:
            lower = np.maximum(lower, low)
        if high is not None:
            upper = np.minimum(upper, high)
    return mean, lower, upper
