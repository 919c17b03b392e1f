"""The SimPy process model: the reference that modellers read and extend.

Each patient is a SimPy process (a plain generator) and each kind of capacity
is a ``simpy.Resource``: ED cubicles, UTC cubicles, acute beds (funded plus
escalation in one pool), virtual-ward places. Outpatient clinics are a process
that, at each slot, takes the longest waiter off the waiting list; a slot with
nobody waiting is lost. The opening waiting list joins at the start, ahead of
every new referral. An elective inpatient who finds no bed is cancelled and
comes back ``elective_deferral_days`` later, as often as needed while the
retry falls inside the horizon.

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

import numpy as np
import simpy

from .inputs import HOURS_PER_DAY, SiteInputs
from .records import BED, HOME, VIRTUAL_WARD, SiteRecords


def _resource(env: simpy.Environment, capacity: int) -> simpy.Resource:
    """A resource of ``capacity`` places; zero places is modelled as one place held forever.

    SimPy refuses a capacity of 0, and a site may have no virtual ward or no beds.
    """
    if capacity > 0:
        return simpy.Resource(env, capacity=capacity)
    resource = simpy.Resource(env, capacity=1)
    resource.request()  # never released: the resource is always full
    return resource


class SiteModel:
    """One site's pathways as SimPy processes writing into ``SiteRecords``."""

    def __init__(self, env: simpy.Environment, inputs: SiteInputs) -> None:
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
        env.process(self._arrivals(inputs.ed_arr, self.ed_patient))
        env.process(self._arrivals(inputs.direct_arr, self.direct_admission))
        env.process(self._arrivals(inputs.utc_arr, self.utc_patient))
        env.process(self._arrivals(inputs.el_arr, self.elective_patient))
        # The opening list was referred before the run starts: it joins at once, in order.
        for k in range(inputs.op_opening):
            env.process(self.op_patient(k))
        env.process(self._arrivals(inputs.op_arr, self.op_patient, first=inputs.op_opening))
        env.process(self.clinic())

    def _arrivals(self, times: np.ndarray, patient, first: int = 0) -> Generator:
        for i in range(first, times.size):
            yield self.env.timeout(float(times[i]) - self.env.now)
            self.env.process(patient(i))

    def ed_patient(self, i: int) -> Generator:
        env, rec, inp = self.env, self.rec, self.inputs
        cubicle = self.cubicles.request()
        yield cubicle
        rec.ed_start[i] = env.now
        yield env.timeout(inp.ed_service[i])
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
            yield from self._stay(self.virtual_ward, inp.ed_vw_los[i])
            return
        bed = self.beds.request()
        yield bed  # exit block: the patient boards in the cubicle until a bed frees
        rec.ed_route[i] = BED
        self.cubicles.release(cubicle)
        rec.ed_leave[i] = env.now
        yield env.timeout(inp.ed_bed_los[i])
        self.beds.release(bed)

    def direct_admission(self, k: int) -> Generator:
        env, rec, inp = self.env, self.rec, self.inputs
        if inp.direct_vw_eligible[k] and self.virtual_ward.count < self.virtual_ward.capacity:
            rec.direct_route[k] = VIRTUAL_WARD
            rec.direct_start[k] = env.now
            yield from self._stay(self.virtual_ward, inp.direct_vw_los[k])
            return
        bed = self.beds.request()
        yield bed
        rec.direct_route[k] = BED
        rec.direct_start[k] = env.now
        yield env.timeout(inp.direct_bed_los[k])
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
            yield env.timeout(self.deferral)
        rec.el_admitted[e] = True
        rec.el_start[e] = env.now
        yield from self._stay(self.beds, inp.el_los[e])

    def utc_patient(self, u: int) -> Generator:
        env, rec = self.env, self.rec
        with self.utc.request() as cubicle:
            yield cubicle
            rec.utc_start[u] = env.now
            yield env.timeout(self.inputs.utc_service[u])
        rec.utc_leave[u] = env.now

    def op_patient(self, k: int) -> Generator:
        seen = self.env.event()
        self.waiting_list.append((k, seen))
        yield seen
        self.rec.op_seen[k] = self.env.now

    def clinic(self) -> Generator:
        for slot in self.inputs.slot_times.tolist():
            yield self.env.timeout(slot - self.env.now)
            if self.waiting_list:
                _, seen = self.waiting_list.popleft()  # freed slots go to the longest waiter
                seen.succeed()

    def _stay(self, resource: simpy.Resource, duration: float) -> Generator:
        with resource.request() as place:
            yield place
            yield self.env.timeout(duration)


def run_site(inputs: SiteInputs, start: float) -> SiteRecords:
    """Simulate one site with SimPy until every patient has finished."""
    env = simpy.Environment(initial_time=start)
    model = SiteModel(env, inputs)
    env.run()
    return model.rec
