"""The SimPy process model: the reference that modellers read and extend.

Each patient is a SimPy process (a plain generator) and each kind of capacity
is a ``simpy.Resource``: ED cubicles, UTC cubicles, acute beds (funded plus
escalation in one pool), virtual-ward places. Outpatient clinics are a process
that, at each slot, takes the longest waiter off the waiting list; a slot with
nobody waiting is lost. The opening waiting list joins at the start, ahead of
every new referral. An elective inpatient who finds no bed is cancelled and
comes back ``elective_deferral_days`` later, as often as needed while the
retry falls inside the horizon.

Ties follow one rule, the same as the compiled kernels': events happen in order
of time, then of the key of the patient they belong to (``inputs.patient_keys``:
order of arrival). SimPy alone would run simultaneous events in the order they
were scheduled, so ``TieBreakEnvironment`` puts every patient's own event (an
arrival, the end of a treatment or a stay, a retry) on the event queue at its
absolute time with the patient's key, and lets what follows at once from an
event (a bed handed to the head of the queue, the cubicle that frees) finish
before the next patient's event at the same time, as the kernels do in one step.

Random attributes are read from the pre-sampled ``SiteInputs`` rather than
drawn inside the processes, so this model and the compiled kernels (``fast``)
consume identical patients: the fast engine is checked against this one
patient by patient, and capacity changes keep common random numbers.
Extending the model (a new step on a pathway) means adding a stream in
``inputs``, a step here, and the same step in ``fast``; the engine-agreement
test then says whether the two still match.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from heapq import heappush

import numpy as np
import simpy

from .inputs import HOURS_PER_DAY, SiteInputs, patient_keys
from .records import BED, HOME, VIRTUAL_WARD, SiteRecords

LAST = 2**62
"""Key of the clinic's slots: a slot comes after every referral made at the same time."""


class TieBreakEnvironment(simpy.Environment):
    """A SimPy environment whose simultaneous events follow the model's tie-break rule.

    ``wake(at, key)`` is a patient's own event, queued at the absolute time
    ``at`` (so both engines compute every time with the same arithmetic) and
    ranked by ``key`` among patient events at that time. Every other event (a
    request granted, a release, a process starting or ending) follows from the
    event being processed and ranks before all patient events at its time.
    """

    def schedule(self, event, priority=simpy.core.NORMAL, delay=0) -> None:
        heappush(self._queue, (self._now + delay, (0, int(priority)), next(self._eid), event))

    def wake(self, at: float, key: int) -> simpy.Event:
        """An event at time ``at`` belonging to the patient with ``key``."""
        if at < self._now:
            raise ValueError(f"cannot wake at {at} before now ({self._now})")
        event = simpy.Event(self)
        event._ok, event._value = True, None  # triggered, as a Timeout is
        heappush(self._queue, (at, (1, int(key)), next(self._eid), event))
        return event


def _resource(env: simpy.Environment, capacity: int) -> simpy.Resource:
    """A resource of ``capacity`` places, zero allowed (a site may have no virtual ward).

    SimPy refuses a capacity of 0 when a resource is made, so it is made with one
    place and set to its capacity as ``_hold`` sets it at a change of period.
    """
    resource = simpy.Resource(env, capacity=1)
    _hold(resource, capacity)
    return resource


def _hold(resource: simpy.Resource, capacity: int) -> None:
    """Hold ``capacity`` places from now: places that open go to the queue at once, in
    order; places that close are taken out of use as their patients leave.

    SimPy has no public way to change a resource's capacity; its own ``_trigger_put``
    is what a release calls to grant waiting requests.
    """
    resource._capacity = int(capacity)
    resource._trigger_put(None)


class SiteModel:
    """One site's pathways as SimPy processes writing into ``SiteRecords``."""

    def __init__(self, env: TieBreakEnvironment, inputs: SiteInputs) -> None:
        cap = inputs.capacity
        self.env = env
        self.inputs = inputs
        self.rec = SiteRecords.empty(
            inputs.ed_arr.size, inputs.direct_arr.size, inputs.utc_arr.size,
            inputs.el_arr.size, inputs.op_arr.size,
        )  # fmt: skip
        self.cubicles = _resource(env, cap.ed_cubicles)
        self.utc = _resource(env, cap.utc_cubicles)
        self.beds = _resource(env, cap.acute_beds + cap.escalation_beds)
        self.virtual_ward = _resource(env, cap.virtual_ward_beds)
        self.waiting_list: deque[tuple[int, simpy.Event]] = deque()
        self.deferral = cap.elective_deferral_days * HOURS_PER_DAY  # hours, as in ``fast``
        self.ed_key, self.direct_key, self.el_key = patient_keys(inputs)
        # UTC patients and referrals meet nobody else: their own index is their key.
        utc_key, op_key = np.arange(inputs.utc_arr.size), np.arange(inputs.op_arr.size)
        env.process(self._arrivals(inputs.ed_arr, self.ed_key, self.ed_patient))
        env.process(self._arrivals(inputs.direct_arr, self.direct_key, self.direct_admission))
        env.process(self._arrivals(inputs.utc_arr, utc_key, self.utc_patient))
        env.process(self._arrivals(inputs.el_arr, self.el_key, self.elective_patient))
        # The opening list was referred before the run starts: it joins at once, in order.
        for k in range(inputs.op_opening):
            env.process(self.op_patient(k))
        env.process(self._arrivals(inputs.op_arr, op_key, self.op_patient, first=inputs.op_opening))
        env.process(self.clinic())
        starts, periods = inputs.schedule()
        if len(periods) > 1:
            env.process(self.capacity_changes(starts, periods))

    def capacity_changes(self, starts: np.ndarray, periods) -> Generator:
        """Each period's capacity from its start, before any patient event at that time."""
        for at, held in zip(starts[1:].tolist(), periods[1:], strict=True):
            yield self.env.wake(at, -1)
            # Beds first, as in the kernel: an admitted boarder then frees a cubicle.
            _hold(self.beds, held.acute_beds + held.escalation_beds)
            _hold(self.cubicles, held.ed_cubicles)
            _hold(self.virtual_ward, held.virtual_ward_beds)
            _hold(self.utc, held.utc_cubicles)

    def _arrivals(self, times: np.ndarray, keys: np.ndarray, patient, first: int = 0) -> Generator:
        for i in range(first, times.size):
            yield self.env.wake(float(times[i]), keys[i])
            self.env.process(patient(i))

    def ed_patient(self, i: int) -> Generator:
        env, rec, inp = self.env, self.rec, self.inputs
        cubicle = self.cubicles.request()
        yield cubicle
        rec.ed_start[i] = env.now
        yield env.wake(env.now + inp.ed_service[i], self.ed_key[i])
        rec.ed_done[i] = env.now
        if not inp.ed_admit[i]:
            rec.ed_route[i] = HOME
            self.cubicles.release(cubicle)
            rec.ed_leave[i] = env.now
            return
        if inp.ed_vw_eligible[i] and self.virtual_ward.count < self.virtual_ward.capacity:
            rec.ed_route[i] = VIRTUAL_WARD
            self.cubicles.release(cubicle)
            rec.ed_leave[i] = env.now
            yield from self._stay(self.virtual_ward, inp.ed_vw_los[i], self.ed_key[i])
            return
        bed = self.beds.request()
        yield bed  # exit block: the patient boards in the cubicle until a bed frees
        rec.ed_route[i] = BED
        self.cubicles.release(cubicle)
        rec.ed_leave[i] = env.now
        yield env.wake(env.now + inp.ed_bed_los[i], self.ed_key[i])
        self.beds.release(bed)

    def direct_admission(self, k: int) -> Generator:
        env, rec, inp = self.env, self.rec, self.inputs
        if inp.direct_vw_eligible[k] and self.virtual_ward.count < self.virtual_ward.capacity:
            rec.direct_route[k] = VIRTUAL_WARD
            rec.direct_start[k] = env.now
            yield from self._stay(self.virtual_ward, inp.direct_vw_los[k], self.direct_key[k])
            return
        bed = self.beds.request()
        yield bed
        rec.direct_route[k] = BED
        rec.direct_start[k] = env.now
        yield env.wake(env.now + inp.direct_bed_los[k], self.direct_key[k])
        self.beds.release(bed)

    def elective_patient(self, e: int) -> Generator:
        env, rec, inp = self.env, self.rec, self.inputs
        if not inp.el_inpatient[e]:
            rec.el_admitted[e] = True  # day case: no overnight bed
            rec.el_start[e] = env.now
            return
        while self.beds.count >= self.beds.capacity:
            # Cancelled (no funded or escalation bed free) and rebooked for a later day.
            rec.el_cancellations[e] += 1
            if not env.now + self.deferral < inp.horizon:
                return  # the next try would fall after the horizon: never admitted
            yield env.wake(env.now + self.deferral, self.el_key[e])
        rec.el_admitted[e] = True
        rec.el_start[e] = env.now
        yield from self._stay(self.beds, inp.el_los[e], self.el_key[e])

    def utc_patient(self, u: int) -> Generator:
        env, rec = self.env, self.rec
        with self.utc.request() as cubicle:
            yield cubicle
            rec.utc_start[u] = env.now
            yield env.wake(env.now + self.inputs.utc_service[u], u)
        rec.utc_leave[u] = env.now

    def op_patient(self, k: int) -> Generator:
        seen = self.env.event()
        self.waiting_list.append((k, seen))
        yield seen
        self.rec.op_seen[k] = self.env.now

    def clinic(self) -> Generator:
        for slot in self.inputs.slot_times.tolist():
            yield self.env.wake(slot, LAST)
            if self.waiting_list:
                _, seen = self.waiting_list.popleft()  # freed slots go to the longest waiter
                seen.succeed()

    def _stay(self, resource: simpy.Resource, duration: float, key: int) -> Generator:
        with resource.request() as place:
            yield place
            yield self.env.wake(self.env.now + duration, key)


def run_site(inputs: SiteInputs, start: float) -> SiteRecords:
    """Simulate one site with SimPy until every patient has finished."""
    env = TieBreakEnvironment(initial_time=start)
    model = SiteModel(env, inputs)
    env.run()
    return model.rec
