"""The fast engine: numba-compiled event kernels over pre-sampled patients.

Why this is fast and still the same model:

* All randomness is drawn up front with vectorised numpy (``inputs``), so the
  kernels are deterministic loops over plain float arrays with no Python
  objects, generators or callbacks per event.
* Stations that do not interact get the cheapest exact algorithm: a FIFO
  multi-server queue (UTC, the M/M/c verification) is the Kiefer-Wolfowitz
  recursion (each customer, in arrival order, takes the server that frees
  first: a min-heap of ``c`` free times); the outpatient waiting list is a
  two-pointer match of sorted slots against the sorted FIFO list.
* ED cubicles, acute beds (with escalation) and the virtual ward interact
  (exit block: an admitted patient keeps the cubicle until a bed frees), so
  they share one event loop with a binary heap of pending completions;
  arrivals are merged from their sorted arrays instead of going through the
  heap, which keeps the heap small.

The rules are exactly those of the SimPy process model (``model``): FIFO
cubicle queue; on finishing treatment an admitted patient goes to the virtual
ward if eligible and it has room, else to a free bed (funded first, then
escalation: the pool holds ``acute_beds + escalation_beds``), else boards in
the cubicle in a FIFO bed queue shared with direct admissions; an elective
inpatient who finds no bed is cancelled and tries again ``elective_deferral_days``
later (a retry event in the same heap), as often as needed while the retry falls
inside the horizon. Simultaneous events go in order of the patients' keys
(``inputs.patient_keys``: order of arrival), compared with the time in the
heap. With the same inputs both engines produce the same timestamps, to the
bit (tested, with random and with fixed times).

``@njit(cache=True)`` stores compiled code next to the module; the first call
in a fresh environment compiles (a few seconds), which the benchmark reports
separately.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import numpy as np
from numba import njit

from .inputs import HOURS_PER_DAY, SiteInputs, patient_keys
from .records import BED, HOME, VIRTUAL_WARD, SiteRecords

_ED_DONE, _BED_END, _VW_END, _EL_RETRY = 0, 1, 2, 3


@njit(cache=True)
def fifo_station(arrivals, services, servers):  # pragma: no cover - compiled
    """Start and departure times of a FIFO ``servers``-server queue (arrivals sorted)."""
    n = arrivals.size
    start = np.full(n, np.inf)
    leave = np.full(n, np.inf)
    if servers <= 0:
        return start, leave
    heap = np.full(servers, -np.inf)  # min-heap of the times servers become free
    for i in range(n):
        s = max(arrivals[i], heap[0])
        start[i] = s
        leave[i] = s + services[i]
        _replace_top(heap, servers, leave[i])
    return start, leave


@njit(cache=True)
def loss_station(arrivals, services, servers):  # pragma: no cover - compiled
    """Which customers an ``servers``-server loss system (M/G/c/c) admits."""
    n = arrivals.size
    served = np.zeros(n, np.bool_)
    if servers <= 0:
        return served
    heap = np.full(servers, -np.inf)
    for i in range(n):
        if heap[0] <= arrivals[i]:
            served[i] = True
            _replace_top(heap, servers, arrivals[i] + services[i])
    return served


@njit(cache=True)
def slot_match(arrivals, slots):  # pragma: no cover - compiled
    """Time each waiting-list patient is seen: every slot takes the longest waiter."""
    seen = np.full(arrivals.size, np.inf)
    nxt = 0
    for j in range(slots.size):
        if nxt < arrivals.size and arrivals[nxt] <= slots[j]:
            seen[nxt] = slots[j]
            nxt += 1
    return seen


@njit(cache=True)
def _replace_top(heap, size, value):  # pragma: no cover - compiled
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= value:
            break
        heap[i] = heap[child]
        i = child
    heap[i] = value


@njit(cache=True)
def _before(t1, c1, t2, c2):  # pragma: no cover - compiled
    """The tie-break rule: earlier time first, then the lower code (patient key, then kind)."""
    return t1 < t2 or (t1 == t2 and c1 < c2)


@njit(cache=True)
def _push(times, codes, size, t, code):  # pragma: no cover - compiled
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if not _before(t, code, times[parent], codes[parent]):
            break
        times[i] = times[parent]
        codes[i] = codes[parent]
        i = parent
    times[i] = t
    codes[i] = code
    return size + 1


@njit(cache=True)
def _pop(times, codes, size):  # pragma: no cover - compiled
    """Remove the earliest event; the caller has already read ``times[0], codes[0]``."""
    size -= 1
    t, code = times[size], codes[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _before(
            times[child + 1], codes[child + 1], times[child], codes[child]
        ):
            child += 1
        if not _before(times[child], codes[child], t, code):
            break
        times[i] = times[child]
        codes[i] = codes[child]
        i = child
    times[i] = t
    codes[i] = code
    return size


@njit(cache=True)
def hospital_kernel(  # pragma: no cover - compiled
    ed_arr, ed_service, ed_admit, ed_vw_elig, ed_bed_los, ed_vw_los,
    d_arr, d_vw_elig, d_bed_los, d_vw_los,
    el_arr, el_inpatient, el_los,
    ed_key, d_key, el_key, index_of_key,
    change_times, cubicles_by_period, beds_by_period, vw_by_period, deferral, horizon,
    ed_start, ed_done, ed_leave, ed_route, d_start, d_route,
    el_admitted, el_start, el_cancellations,
):  # fmt: skip
    """ED cubicles, acute beds with escalation and the virtual ward, with exit block.

    Capacity is held in periods: period ``p`` starts at ``change_times[p]`` (the
    first at ``-inf``) with ``cubicles_by_period[p]`` cubicles,
    ``beds_by_period[p]`` beds (funded and escalation) and ``vw_by_period[p]``
    virtual-ward places. A change comes before every patient event at its time;
    places that open go to the queues at once; places that close are taken
    out of use as their patients leave (nobody is moved).

    Elective inpatients who find no bed are deferred by ``deferral`` hours and
    retried while the retry time is before ``horizon``.

    Events happen in order of time, then of the patient's key (``ed_key``,
    ``d_key``, ``el_key``: see ``inputs.patient_keys``); ``index_of_key`` maps a
    key back to the patient's index in its own arrays. An event's code is
    ``4 * key + kind``, so comparing ``(time, code)`` applies the rule. After
    every event the queues take what has freed: free beds go to the bed queue
    (an admitted ED patient then leaves the cubicle), then free cubicles to the
    ED queue, both first come first served.
    """
    n_ed, n_d, n_el = ed_arr.size, d_arr.size, el_arr.size
    # Every patient has at most one pending event (a treatment end, a stay end or an
    # elective retry), so the heap never holds more than one entry per patient.
    cap = n_ed + n_d + n_el + 1
    times = np.empty(cap)
    codes = np.empty(cap, np.int64)
    size = 0
    ed_queue = np.empty(n_ed + 1, np.int64)
    ed_head, ed_tail = 0, 0
    bed_queue = np.empty(n_ed + n_d + 1, np.int64)  # code: 2 * id + (1 if direct)
    bed_head, bed_tail = 0, 0
    cubicles, bed_capacity, vw_capacity = cubicles_by_period[0], beds_by_period[0], vw_by_period[0]
    n_periods, period = change_times.size, 1
    busy, beds, vw = 0, 0, 0
    ie, idr, iel = 0, 0, 0
    while True:
        # The next arrival: the earliest, ties to the lower key (as for every event).
        t = np.inf
        key = 4 * (n_ed + n_d + n_el)
        source = -1
        if ie < n_ed:
            t, key, source = ed_arr[ie], 4 * ed_key[ie], 0
        if idr < n_d and _before(d_arr[idr], 4 * d_key[idr], t, key):
            t, key, source = d_arr[idr], 4 * d_key[idr], 1
        if iel < n_el and _before(el_arr[iel], 4 * el_key[iel], t, key):
            t, key, source = el_arr[iel], 4 * el_key[iel], 2
        if size > 0 and _before(times[0], codes[0], t, key):
            t, source = times[0], 3
        if period < n_periods and change_times[period] <= t:
            t, source = change_times[period], 4
        if source == 4:
            cubicles = cubicles_by_period[period]
            bed_capacity = beds_by_period[period]
            vw_capacity = vw_by_period[period]
            period += 1
        elif source == 3:
            code = codes[0]
            size = _pop(times, codes, size)
            kind, who = code % 4, index_of_key[code // 4]
            if kind == _EL_RETRY:
                if beds < bed_capacity:
                    beds += 1
                    el_admitted[who] = True
                    el_start[who] = t
                    size = _push(times, codes, size, t + el_los[who], 4 * el_key[who] + _BED_END)
                else:
                    el_cancellations[who] += 1
                    retry = t + deferral
                    if retry < horizon:
                        size = _push(times, codes, size, retry, 4 * el_key[who] + _EL_RETRY)
            elif kind == _ED_DONE:
                if not ed_admit[who]:
                    ed_route[who] = HOME
                    ed_leave[who] = t
                    busy -= 1
                elif ed_vw_elig[who] and vw < vw_capacity:
                    vw += 1
                    ed_route[who] = VIRTUAL_WARD
                    size = _push(times, codes, size, t + ed_vw_los[who], 4 * ed_key[who] + _VW_END)
                    ed_leave[who] = t
                    busy -= 1
                elif beds < bed_capacity:
                    beds += 1
                    ed_route[who] = BED
                    size = _push(
                        times, codes, size, t + ed_bed_los[who], 4 * ed_key[who] + _BED_END
                    )
                    ed_leave[who] = t
                    busy -= 1
                else:
                    bed_queue[bed_tail] = 2 * who  # exit block: boards in the cubicle
                    bed_tail += 1
            elif kind == _BED_END:
                beds -= 1
            else:
                vw -= 1
        elif source == 0:
            if busy < cubicles:
                busy += 1
                ed_start[ie] = t
                ed_done[ie] = t + ed_service[ie]
                size = _push(times, codes, size, ed_done[ie], 4 * ed_key[ie] + _ED_DONE)
            else:
                ed_queue[ed_tail] = ie
                ed_tail += 1
            ie += 1
        elif source == 1:
            if d_vw_elig[idr] and vw < vw_capacity:
                vw += 1
                d_route[idr] = VIRTUAL_WARD
                d_start[idr] = t
                size = _push(times, codes, size, t + d_vw_los[idr], 4 * d_key[idr] + _VW_END)
            elif beds < bed_capacity:
                beds += 1
                d_route[idr] = BED
                d_start[idr] = t
                size = _push(times, codes, size, t + d_bed_los[idr], 4 * d_key[idr] + _BED_END)
            else:
                bed_queue[bed_tail] = 2 * idr + 1
                bed_tail += 1
            idr += 1
        elif source == 2:
            if not el_inpatient[iel]:
                el_admitted[iel] = True  # day case: no overnight bed
                el_start[iel] = t
            elif beds < bed_capacity:
                beds += 1
                el_admitted[iel] = True
                el_start[iel] = t
                size = _push(times, codes, size, t + el_los[iel], 4 * el_key[iel] + _BED_END)
            else:
                el_cancellations[iel] += 1
                retry = t + deferral
                if retry < horizon:
                    size = _push(times, codes, size, retry, 4 * el_key[iel] + _EL_RETRY)
            iel += 1
        else:
            break
        # The queues take what has freed: beds first (a boarder then frees a cubicle).
        while beds < bed_capacity and bed_head < bed_tail:
            waiting = bed_queue[bed_head]
            bed_head += 1
            beds += 1
            who = waiting // 2
            if waiting % 2 == 0:
                ed_route[who] = BED
                size = _push(times, codes, size, t + ed_bed_los[who], 4 * ed_key[who] + _BED_END)
                ed_leave[who] = t
                busy -= 1
            else:
                d_route[who] = BED
                d_start[who] = t
                size = _push(times, codes, size, t + d_bed_los[who], 4 * d_key[who] + _BED_END)
        while busy < cubicles and ed_head < ed_tail:
            nxt = ed_queue[ed_head]
            ed_head += 1
            busy += 1
            ed_start[nxt] = t
            ed_done[nxt] = t + ed_service[nxt]
            size = _push(times, codes, size, ed_done[nxt], 4 * ed_key[nxt] + _ED_DONE)


@njit(cache=True)
def fifo_station_periods(arrivals, services, change_times, servers_by_period):  # pragma: no cover
    """``fifo_station`` with the number of servers held in periods (as ``hospital_kernel``).

    FIFO: customers start in arrival order, each at the first moment at or after
    its arrival (and the previous start) when fewer customers are in service
    than the servers of that moment; a period's servers take over at its start.
    """
    n = arrivals.size
    start = np.full(n, np.inf)
    leave = np.full(n, np.inf)
    n_periods = change_times.size
    most = 1
    for p in range(n_periods):
        most = max(most, servers_by_period[p])
    heap = np.empty(most + n_periods + 1)  # leave times of customers in service (min-heap)
    codes = np.zeros(heap.size, np.int64)
    size = 0
    period = 0
    s = -np.inf
    for i in range(n):
        s = max(s, arrivals[i])
        while True:
            while period + 1 < n_periods and change_times[period + 1] <= s:
                period += 1
            while size > 0 and heap[0] <= s:
                size = _pop(heap, codes, size)
            if size < servers_by_period[period]:
                break
            # Wait for the next departure or the next period, whichever comes first.
            nxt = heap[0] if size > 0 else np.inf
            if period + 1 < n_periods and change_times[period + 1] < nxt:
                nxt = change_times[period + 1]
            s = nxt
            if s == np.inf:
                break
        if s == np.inf:
            break  # nobody else is ever served
        start[i] = s
        leave[i] = s + services[i]
        size = _push(heap, codes, size, leave[i], 0)
    return start, leave


@contextlib.contextmanager
def interrupt_after() -> Iterator[None]:
    """Hold a Ctrl-C while compiled code runs and raise it as soon as that code returns.

    A KeyboardInterrupt raised while numba converts a kernel's arguments or results
    can become a SystemError ("returned a result with an exception set"): a Ctrl-C
    during a discrete-event scenario once ended in that traceback (1 of 18 tried
    here). The kernels run for well under a second,
    so the hold is not felt. Only the main thread's default handler is replaced.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def run_site(inputs: SiteInputs) -> SiteRecords:
    """Simulate one site with the compiled kernels (a Ctrl-C waits for them to return)."""
    with interrupt_after():
        return _run_site(inputs)


def _run_site(inputs: SiteInputs) -> SiteRecords:
    cap = inputs.capacity
    rec = SiteRecords.empty(
        inputs.ed_arr.size, inputs.direct_arr.size, inputs.utc_arr.size,
        inputs.el_arr.size, inputs.op_arr.size,
    )  # fmt: skip
    ed_key, d_key, el_key = patient_keys(inputs)
    index_of_key = np.concatenate([np.arange(k.size) for k in (ed_key, d_key, el_key)])[
        np.argsort(np.concatenate([ed_key, d_key, el_key]))
    ]
    starts, periods = inputs.schedule()

    def held(field) -> np.ndarray:
        return np.array([field(p) for p in periods], np.int64)

    hospital_kernel(
        inputs.ed_arr, inputs.ed_service, inputs.ed_admit, inputs.ed_vw_eligible,
        inputs.ed_bed_los, inputs.ed_vw_los,
        inputs.direct_arr, inputs.direct_vw_eligible, inputs.direct_bed_los, inputs.direct_vw_los,
        inputs.el_arr, inputs.el_inpatient, inputs.el_los,
        ed_key, d_key, el_key, index_of_key,
        starts,
        held(lambda p: p.ed_cubicles),
        held(lambda p: p.acute_beds + p.escalation_beds),
        held(lambda p: p.virtual_ward_beds),
        cap.elective_deferral_days * HOURS_PER_DAY, inputs.horizon,
        rec.ed_start, rec.ed_done, rec.ed_leave, rec.ed_route,
        rec.direct_start, rec.direct_route,
        rec.el_admitted, rec.el_start, rec.el_cancellations,
    )  # fmt: skip
    utc = held(lambda p: p.utc_cubicles)
    if utc.size == 1:
        rec.utc_start, rec.utc_leave = fifo_station(inputs.utc_arr, inputs.utc_service, utc[0])
    else:
        rec.utc_start, rec.utc_leave = fifo_station_periods(
            inputs.utc_arr, inputs.utc_service, starts, utc
        )
    rec.op_seen = slot_match(inputs.op_arr, inputs.slot_times)
    return rec
