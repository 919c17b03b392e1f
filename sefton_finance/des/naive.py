"""A naive SimPy model of the same flows, written the way a typical hand-built model is.

It exists only as the benchmark's yardstick: one process per patient, one
event per step, time-varying arrivals by thinning, every random number drawn
with a scalar call at the moment it is needed, and statistics gathered in
Python lists and a time-weighted bed monitor. Same pathways and rules as
``model`` (exit block, escalation pool, virtual-ward diversion, elective
cancellation and deferral, slot-based clinics with the opening waiting list,
separate CVs for treatment and stays), but its own random draws, so its results
agree with the other engines only statistically.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import simpy
import xarray as xr

from .inputs import (
    HOURS_PER_DAY,
    DesCapacity,
    check_demand,
    clinic_slots,
    hourly_rates,
    make_calendar,
    root_seed,
)


class _NaiveSite:
    def __init__(self, env, rng, cap, rates, slots, t0, month_edges):
        self.env, self.rng, self.cap, self.t0 = env, rng, cap, t0
        self.month_edges = month_edges
        self.horizon = float(month_edges[-1])
        self.cubicles = simpy.Resource(env, max(cap.ed_cubicles, 1))
        self.utc = simpy.Resource(env, max(cap.utc_cubicles, 1))
        self.beds = simpy.Resource(env, max(cap.acute_beds + cap.escalation_beds, 1))
        self.vw = simpy.Resource(env, max(cap.virtual_ward_beds, 1))
        self.waiting = deque()
        self.ed_times: list[float] = []
        self.cancelled = 0
        self.op_seen = 0
        self.bed_area = 0.0
        self._last, self._level = t0, 0
        self.admit_share = rates["admit_share"]
        for name, patient in (
            ("ed", self.ed_patient),
            ("direct", self.direct_patient),
            ("utc", self.utc_patient),
            ("elective", self.elective_patient),
            ("op", self.op_patient),
        ):
            env.process(self.arrivals(rates[name], patient))
        env.process(self.clinic(slots))
        # The opening waiting list is there from the start, ahead of every new referral.
        for _ in range(round(cap.op_waiting_at_start)):
            env.process(self.op_patient())

    def _lognormal(self, mean: float, cv: float | None = None) -> float:
        cv = self.cap.los_cv if cv is None else cv
        sigma2 = np.log1p(cv**2)
        return self.rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2))

    def arrivals(self, rate: np.ndarray, patient):
        top = rate.max()
        if top <= 0:
            return
        while True:
            yield self.env.timeout(self.rng.exponential(1 / top))
            hour = int(self.env.now - self.t0)
            if hour >= rate.size:
                return
            if self.rng.random() < rate[hour] / top:  # thinning
                self.env.process(patient())

    def _bed_change(self) -> None:
        """Call after every change in beds in use: integrates the previous level."""
        now = self.env.now
        if now > 0:
            self.bed_area += self._level * (now - max(self._last, 0.0))
        self._last, self._level = now, self.beds.count

    def _bed_stay(self, request, days: float):
        yield self.env.timeout(self._lognormal(days * HOURS_PER_DAY))
        self.beds.release(request)
        self._bed_change()

    def _leave_ed(self, cubicle, arrived) -> None:
        if cubicle is not None:
            self.cubicles.release(cubicle)
            if arrived >= 0:
                self.ed_times.append(self.env.now - arrived)

    def _admit(self, cubicle=None, arrived=0.0):
        cap, rng = self.cap, self.rng
        if rng.random() < cap.nel_virtual_ward_eligible_share and self.vw.count < self.vw.capacity:
            self._leave_ed(cubicle, arrived)
            with self.vw.request() as place:
                yield place
                yield self.env.timeout(self._lognormal(cap.virtual_ward_los_days * HOURS_PER_DAY))
            return
        bed = self.beds.request()
        yield bed  # boarding in the cubicle until a bed frees
        self._bed_change()
        self._leave_ed(cubicle, arrived)
        yield from self._bed_stay(bed, cap.nel_los_days)

    def ed_patient(self):
        env, arrived = self.env, self.env.now
        month = max(int(np.searchsorted(self.month_edges, arrived, "right")) - 1, 0)
        cubicle = self.cubicles.request()
        yield cubicle
        yield env.timeout(self._lognormal(self.cap.ed_mean_hours, self.cap.treatment_cv))
        if self.rng.random() < self.admit_share[month]:
            yield from self._admit(cubicle, arrived)
        else:
            self._leave_ed(cubicle, arrived)

    def direct_patient(self):
        yield from self._admit()

    def utc_patient(self):
        with self.utc.request() as cubicle:
            yield cubicle
            yield self.env.timeout(self._lognormal(self.cap.utc_mean_hours, self.cap.treatment_cv))

    def elective_patient(self):
        if self.rng.random() >= self.cap.elective_inpatient_share:
            return
        deferral = self.cap.elective_deferral_days * HOURS_PER_DAY
        while self.beds.count >= self.beds.capacity:
            if self.env.now >= 0:
                self.cancelled += 1
            if self.env.now + deferral >= self.horizon:
                return
            yield self.env.timeout(deferral)
        bed = self.beds.request()
        yield bed
        self._bed_change()
        yield from self._bed_stay(bed, self.cap.elective_los_days)

    def op_patient(self):
        seen = self.env.event()
        self.waiting.append(seen)
        yield seen
        if self.env.now >= 0:
            self.op_seen += 1

    def clinic(self, slots: np.ndarray):
        for slot in slots:
            yield self.env.timeout(slot - self.env.now)
            if self.waiting:
                self.waiting.popleft().succeed()


def simulate_naive(
    monthly_demand: xr.DataArray, capacity: DesCapacity, *, seed: int, warmup_days: float = 28.0
) -> dict[str, float]:
    """One replication of every site, naive style; returns a few headline figures.

    Returns
    -------
    dict
        ``ed_4hr_performance``, ``ed_mean_time_hours``, ``bed_occupancy_mean``
        (summed over sites), ``elective_cancellations`` and ``op_seen``.
    """
    demand = check_demand(monthly_demand)
    cal = make_calendar(tuple(str(y) for y in demand["year"].values), warmup_days)
    rng = np.random.default_rng(root_seed(seed))
    t0 = float(cal.day_start[0])
    env = simpy.Environment(initial_time=t0)
    pods = set(map(str, demand["pod"].values))
    sites = []
    for site in map(str, demand["site"].values):

        def monthly(pod: str, site: str = site) -> np.ndarray:
            if pod not in pods:
                return np.zeros(cal.n_months)
            return demand.sel(site=site, pod=pod).values.reshape(-1)

        ae1, nel = monthly("ae_type1"), monthly("nel_admission")
        share = np.divide(np.minimum(nel, ae1), ae1, out=np.zeros_like(ae1), where=ae1 > 0)
        rates = {
            "ed": hourly_rates(cal, ae1, "ed"),
            "direct": hourly_rates(cal, np.maximum(nel - ae1, 0), "ed"),
            "utc": hourly_rates(cal, monthly("ae_type3"), "ed"),
            "elective": hourly_rates(cal, monthly("elective"), "planned"),
            "op": hourly_rates(cal, monthly("op_first") + monthly("op_followup"), "planned"),
            "admit_share": share,
        }
        cap = capacity.for_site(site)
        slots = clinic_slots(cal, cap.op_slots_per_week)
        sites.append(_NaiveSite(env, rng, cap, rates, slots, t0, cal.month_edges))
    horizon = float(cal.month_edges[-1])
    env.run(until=horizon)
    for model in sites:
        model._bed_change()
    ed = np.concatenate([np.asarray(m.ed_times) for m in sites])
    return {
        "ed_4hr_performance": float(np.mean(ed <= 4.0)),
        "ed_mean_time_hours": float(ed.mean()),
        "bed_occupancy_mean": sum(m.bed_area for m in sites) / horizon,
        "elective_cancellations": float(sum(m.cancelled for m in sites)),
        "op_seen": float(sum(m.op_seen for m in sites)),
    }
