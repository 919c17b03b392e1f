"""Verification against textbook queues: Erlang C (M/M/c), Erlang B (M/M/c/c), Little's law.

Two levels. ``verify_path`` runs *the hospital code the board's numbers come
from* (``fast.run_site``, i.e. the hospital kernel with exit block, or the
SimPy ``model.run_site``) on a site whose patients are set up so that one of
its paths is a textbook queue:

* ``ed``: ED cubicles with no admissions (every patient goes home): M/M/c,
  the mean wait for a cubicle against Erlang C;
* ``beds``: acute beds fed only by direct admissions (no ED, no electives, no
  virtual ward): M/M/c, the mean wait for a bed against Erlang C;
* ``electives``: elective inpatients only, with no retry (a cancelled patient
  is lost): M/M/c/c, the share cancelled against Erlang B.

``verify_mmc`` / ``verify_mmcc`` check the standalone stations: the compiled
``fifo_station`` the urgent treatment centre runs on, and ``loss_station``,
against SimPy resources with one process per customer (``engine="simpy"``).

Each replication starts empty and discards its first ``warmup`` customers, so
the estimates target the steady state the formulas describe.

Little's law is checked twice per replication, over the window from the first
to the last counted arrival: exactly (the area under the number-present curve
equals the sum of each customer's time present inside the window, a
sample-path identity that holds to rounding error) and approximately
(``L = lambda W`` with ``W`` the mean over customers arriving in the window).

Streaming
---------
No per-customer array outlives a block: each replication runs in blocks of
``block`` customers (default :data:`BLOCK`), and every statistic is a running
one (:class:`RunningMean`, merged block by block as Chan, Golub and LeVeque's
pairwise update does; areas and sojourns are sums over blocks, the integral
being linear). A block starts in the state the last one left: the arrival clock
carries on (the same random numbers, summed in the same order) and each place
still busy at the block's last arrival is held, in the next block, by a
placeholder patient who arrives then and leaves when the place frees (the
queues are first come, first served, so nothing later changes an earlier
patient). A 20 million-customer replication needs a few tens of megabytes
beyond the interpreter; with one block the figures are those of the whole run
held at once, and any block size gives the same figures to rounding (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy
from scipy import stats

from ..queueing import erlang_b, erlang_c, mmc_mean_wait
from . import fast, model
from .fast import fifo_station, loss_station
from .inputs import HOURS_PER_DAY, DesCapacity, SiteInputs, root_seed
from .outputs import StepCurve, clipped_sojourn

ENGINES = ("fast", "simpy")


@dataclass(frozen=True)
class LittleCheck:
    """Little's law over one window: exact identity and the L = lambda W approximation."""

    area: float  # integral of the number present over the window
    sojourn_in_window: float  # sum of the time each customer is present inside the window
    L: float
    lambda_W: float

    @property
    def exact_rel_error(self) -> float:
        return abs(self.area - self.sojourn_in_window) / max(abs(self.area), 1e-300)

    @property
    def rel_error(self) -> float:
        return abs(self.L - self.lambda_W) / max(abs(self.L), 1e-300)


class _LittleChecked:
    """Little's-law summaries shared by the result classes, over ``_little_checks()``."""

    def _little_checks(self) -> tuple[LittleCheck, ...]:
        return self.little  # type: ignore[attr-defined]

    @property
    def little_rel_error(self) -> float:
        """Worst ``|L - lambda W| / L`` over the replications' checks."""
        return max(c.rel_error for c in self._little_checks())

    @property
    def little_exact_rel_error(self) -> float:
        """Worst error of the exact identity (area = time present in the window)."""
        return max(c.exact_rel_error for c in self._little_checks())


@dataclass(frozen=True)
class MMcResult(_LittleChecked):
    """Simulated M/M/c against Erlang C; CIs are Student-t over replications."""

    servers: int
    rho: float
    mean_wait: float
    mean_wait_ci: tuple[float, float]
    wait_probability: float
    wait_probability_ci: tuple[float, float]
    erlang_c_wait: float
    erlang_c_probability: float
    little_queue: tuple[LittleCheck, ...]
    little_system: tuple[LittleCheck, ...]

    @property
    def wait_rel_error(self) -> float:
        return abs(self.mean_wait - self.erlang_c_wait) / self.erlang_c_wait

    @property
    def probability_rel_error(self) -> float:
        return abs(self.wait_probability - self.erlang_c_probability) / self.erlang_c_probability

    def _little_checks(self) -> tuple[LittleCheck, ...]:
        return self.little_queue + self.little_system

    def ci_contains_textbook(self) -> bool:
        lo, hi = self.mean_wait_ci
        return lo <= self.erlang_c_wait <= hi


@dataclass(frozen=True)
class MMccResult(_LittleChecked):
    """Simulated M/M/c/c blocking against Erlang B."""

    servers: int
    offered_load: float
    blocking: float
    blocking_ci: tuple[float, float]
    erlang_b: float
    little: tuple[LittleCheck, ...]

    @property
    def rel_error(self) -> float:
        return abs(self.blocking - self.erlang_b) / self.erlang_b

    def ci_contains_textbook(self) -> bool:
        lo, hi = self.blocking_ci
        return lo <= self.erlang_b <= hi


def verify_mmc(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    *,
    customers: int,
    replications: int,
    seed: int | np.random.SeedSequence,
    engine: str = "fast",
    warmup: int | None = None,
    block: int | None = None,
) -> MMcResult:
    """Simulate an M/M/c queue and compare it with Erlang C.

    Parameters
    ----------
    servers : int
        Number of servers ``c`` (at least 1).
    arrival_rate, service_rate : float
        ``lambda`` and ``mu``; the queue must be stable (``lambda < c mu``).
    customers : int
        Customers counted per replication (after the warm-up).
    replications : int
        Independent replications (at least 2, for a confidence interval).
    seed : int or numpy.random.SeedSequence
        Root seed; replication ``r`` uses streams keyed ``(r, 0)`` (arrivals)
        and ``(r, 1)`` (services).
    engine : {"fast", "simpy"}
        Compiled kernel or SimPy processes.
    warmup : int, optional
        Customers discarded at the start of each replication (default: a tenth).
    block : int, optional
        Customers simulated at a time (default :data:`BLOCK`): memory is bounded by the
        block, not the replication (see "Streaming" above).

    Returns
    -------
    MMcResult
        Mean wait and P(wait > 0) with 95% CIs, the Erlang C values, relative
        errors and Little's-law checks for the queue and the whole system.
    """
    _check(servers, arrival_rate, service_rate, customers, replications, engine)
    if arrival_rate >= servers * service_rate:
        raise ValueError(
            f"arrival_rate must be < servers * service_rate for a stable queue, "
            f"got {arrival_rate} >= {servers * service_rate}"
        )
    skip = customers // 10 if warmup is None else warmup

    def station(arrivals: np.ndarray, services: np.ndarray):
        if engine == "fast":
            start, leave = fifo_station(arrivals, services, servers)
        else:
            start, leave = _simpy_fifo(arrivals, services, servers)
        return start, leave, None

    waits, probs, little_q, little_s = [], [], [], []
    for blocks, window in _replications(
        seed, replications, skip + customers, arrival_rate, service_rate, block, skip
    ):
        wait, waited = RunningMean(), RunningMean()
        queue, system = LittleSums(window), LittleSums(window)
        for part in _run_blocks(blocks, station, servers, loss=False):
            counted = part.counted(skip)
            delay = (part.start - part.arrivals)[counted]
            wait.add(delay)
            waited.add(delay > 0)
            queue.add(part.arrivals, part.start)
            system.add(part.arrivals, part.leave)
        waits.append(wait.mean)
        probs.append(waited.mean)
        little_q.append(queue.check())
        little_s.append(system.check())
    load = arrival_rate / service_rate
    return MMcResult(
        servers=servers,
        rho=load / servers,
        mean_wait=float(np.mean(waits)),
        mean_wait_ci=_t_interval(waits),
        wait_probability=float(np.mean(probs)),
        wait_probability_ci=_t_interval(probs),
        erlang_c_wait=float(mmc_mean_wait(servers, arrival_rate, service_rate)),
        erlang_c_probability=float(erlang_c(servers, load)),
        little_queue=tuple(little_q),
        little_system=tuple(little_s),
    )


def verify_mmcc(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    *,
    customers: int,
    replications: int,
    seed: int | np.random.SeedSequence,
    engine: str = "fast",
    warmup: int | None = None,
    block: int | None = None,
) -> MMccResult:
    """Simulate an M/M/c/c loss system and compare its blocking with Erlang B.

    Parameters are as for ``verify_mmc`` (any load is allowed: nobody queues).

    Returns
    -------
    MMccResult
        Blocking probability with its 95% CI, Erlang B, the relative error and
        Little's-law checks on the number in service.
    """
    _check(servers, arrival_rate, service_rate, customers, replications, engine)
    skip = customers // 10 if warmup is None else warmup

    def station(arrivals: np.ndarray, services: np.ndarray):
        if engine == "fast":
            served = loss_station(arrivals, services, servers)
        else:
            served = _simpy_loss(arrivals, services, servers)
        return arrivals, arrivals + services, served

    blocked, little = [], []
    for blocks, window in _replications(
        seed, replications, skip + customers, arrival_rate, service_rate, block, skip
    ):
        lost, present = RunningMean(), LittleSums(window)
        for part in _run_blocks(blocks, station, servers, loss=True):
            lost.add(~part.served[part.counted(skip)])
            present.add(part.arrivals[part.served], part.leave[part.served])
        blocked.append(lost.mean)
        little.append(present.check())
    return MMccResult(
        servers=servers,
        offered_load=arrival_rate / service_rate,
        blocking=float(np.mean(blocked)),
        blocking_ci=_t_interval(blocked),
        erlang_b=float(erlang_b(servers, arrival_rate / service_rate)),
        little=tuple(little),
    )


@dataclass(frozen=True)
class PathSpec:
    """What one model path is checked on: the textbook quantity and the service time."""

    quantity: str
    service_mean_hours: float
    queue: bool  # True: M/M/c (utilisation < 1); False: a loss system (any load)


def _default(field: str) -> float:
    return float(DesCapacity.__dataclass_fields__[field].default)


PATHS: dict[str, PathSpec] = {
    "ed": PathSpec(
        "mean wait for an ED cubicle, hours (M/M/c, Erlang C)", _default("ed_mean_hours"), True
    ),
    "beds": PathSpec(
        "mean wait for an acute bed, direct admissions, hours (M/M/c, Erlang C)",
        _default("nel_los_days") * HOURS_PER_DAY,
        True,
    ),
    "electives": PathSpec(
        "share of elective inpatients cancelled for want of a bed (M/M/c/c, Erlang B)",
        _default("elective_los_days") * HOURS_PER_DAY,
        False,
    ),
}
"""The model paths ``verify_path`` checks; service means are ``DesCapacity``'s defaults."""


@dataclass(frozen=True)
class PathResult(_LittleChecked):
    """One model path simulated against its textbook value (95% Student-t CI over replications)."""

    path: str
    servers: int
    utilisation: float
    quantity: str
    simulated: float
    ci_low: float
    ci_high: float
    textbook: float
    arrival_rate_per_hour: float
    service_mean_hours: float
    customers: int
    replications: int
    little: tuple[LittleCheck, ...]

    @property
    def rel_error(self) -> float:
        return abs(self.simulated - self.textbook) / self.textbook

    def ci_contains_textbook(self) -> bool:
        return self.ci_low <= self.textbook <= self.ci_high

    def as_json(self) -> dict[str, object]:
        """The figures ``verify-des --path ... --json`` prints, under fixed keys."""
        return {
            "quantity": self.quantity,
            "simulated": self.simulated,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "textbook": self.textbook,
            "arrival_rate_per_hour": self.arrival_rate_per_hour,
            "service_mean_hours": self.service_mean_hours,
        }


def verify_path(
    path: str,
    servers: int,
    utilisation: float,
    *,
    customers: int,
    replications: int,
    seed: int | np.random.SeedSequence,
    engine: str = "fast",
    warmup: int | None = None,
    block: int | None = None,
) -> PathResult:
    """Run one of the hospital model's own paths as a textbook queue and compare.

    Parameters
    ----------
    path : {"ed", "beds", "electives"}
        The path (see the module docstring and ``PATHS``).
    servers : int
        Cubicles (``ed``) or beds (``beds``, ``electives``), at least 1.
    utilisation : float
        Offered load per server, ``lambda x mean service / servers``; below 1
        for the queues (``ed``, ``beds``), any positive value for ``electives``.
    customers : int
        Patients counted per replication (after the warm-up).
    replications : int
        Independent replications (at least 2, for a confidence interval).
    seed : int or numpy.random.SeedSequence
        Root seed; replication ``r`` uses streams keyed ``(r, 0)`` (arrivals)
        and ``(r, 1)`` (service times), as ``verify_mmc`` does.
    engine : {"fast", "simpy"}
        The hospital kernel (``fast.run_site``) or the SimPy model (``model.run_site``).
    warmup : int, optional
        Patients discarded at the start of each replication (default: a tenth).
    block : int, optional
        Patients simulated at a time (default :data:`BLOCK`; see "Streaming" above).

    Returns
    -------
    PathResult
    """
    if path not in PATHS:
        raise ValueError(f"path must be one of {tuple(PATHS)}, got {path!r}")
    spec = PATHS[path]
    if not np.isfinite(utilisation) or utilisation <= 0 or (spec.queue and utilisation >= 1):
        bound = "in (0, 1) for a stable queue" if spec.queue else "> 0"
        raise ValueError(f"utilisation must be {bound} on path {path!r}, got {utilisation!r}")
    mean = spec.service_mean_hours
    arrival_rate = utilisation * servers / mean
    _check(servers, arrival_rate, 1.0 / mean, customers, replications, engine)
    servers = int(servers)
    skip = customers // 10 if warmup is None else warmup

    def station(arrivals: np.ndarray, services: np.ndarray):
        inputs = _path_inputs(path, servers, arrivals, services)
        records = fast.run_site(inputs) if engine == "fast" else model.run_site(inputs, 0.0)
        if path == "ed":
            return records.ed_start, records.ed_leave, None
        if path == "beds":
            return records.direct_start, records.direct_start + services, None
        admitted = records.el_admitted
        start = np.where(admitted, records.el_start, arrivals)
        return start, start + services, admitted

    values, little = [], []
    for blocks, window in _replications(
        seed, replications, skip + customers, arrival_rate, 1.0 / mean, block, skip
    ):
        value = RunningMean()
        checks = [LittleSums(window) for _ in range(1 if path == "electives" else 2)]
        for part in _run_blocks(blocks, station, servers, loss=path == "electives"):
            counted = part.counted(skip)
            if path == "electives":
                value.add(~part.served[counted])
                admitted = part.served
                checks[0].add(part.start[admitted], part.leave[admitted])
            else:
                value.add((part.start - part.arrivals)[counted])
                checks[0].add(part.arrivals, part.start)
                checks[1].add(part.arrivals, part.leave)
        values.append(value.mean)
        little.extend(check.check() for check in checks)
    if path == "electives":
        textbook = float(erlang_b(servers, arrival_rate * mean))
    else:
        textbook = float(mmc_mean_wait(servers, arrival_rate, 1.0 / mean))
    low, high = _t_interval(values)
    return PathResult(
        path=path,
        servers=servers,
        utilisation=float(utilisation),
        quantity=spec.quantity,
        simulated=float(np.mean(values)),
        ci_low=low,
        ci_high=high,
        textbook=textbook,
        arrival_rate_per_hour=float(arrival_rate),
        service_mean_hours=float(mean),
        customers=int(customers),
        replications=int(replications),
        little=tuple(little),
    )


def _path_inputs(path: str, servers: int, arrivals: np.ndarray, services: np.ndarray) -> SiteInputs:
    """A site whose only patients are ``arrivals`` on ``path``, every other flow empty."""
    n = arrivals.size
    none, no = np.empty(0), np.empty(0, np.bool_)
    capacity = DesCapacity(
        ed_cubicles=servers if path == "ed" else 0,
        utc_cubicles=0,
        acute_beds=servers if path != "ed" else 0,
    ).for_site("verify")
    ed = {
        "ed_arr": none, "ed_service": none, "ed_admit": no, "ed_vw_eligible": no,
        "ed_bed_los": none, "ed_vw_los": none,
    }  # fmt: skip
    direct = {
        "direct_arr": none, "direct_vw_eligible": no, "direct_bed_los": none,
        "direct_vw_los": none,
    }  # fmt: skip
    elective = {"el_arr": none, "el_inpatient": no, "el_los": none}
    horizon = np.inf
    if path == "ed":
        ed.update(
            ed_arr=arrivals, ed_service=services, ed_admit=np.zeros(n, np.bool_),
            ed_vw_eligible=np.zeros(n, np.bool_), ed_bed_los=np.zeros(n), ed_vw_los=np.zeros(n),
        )  # fmt: skip
    elif path == "beds":
        direct.update(
            direct_arr=arrivals, direct_vw_eligible=np.zeros(n, np.bool_),
            direct_bed_los=services, direct_vw_los=np.zeros(n),
        )  # fmt: skip
    else:
        elective.update(el_arr=arrivals, el_inpatient=np.ones(n, np.bool_), el_los=services)
        # Every retry falls after the horizon: a cancelled patient is lost, as in Erlang B.
        horizon = -np.inf
    return SiteInputs(
        site="verify",
        capacity=capacity,
        **ed,
        **direct,
        utc_arr=none,
        utc_service=none,
        **elective,
        op_arr=none,
        op_kind=np.empty(0, np.int64),
        slot_times=none,
        horizon=horizon,
    )


def little_check(starts: np.ndarray, ends: np.ndarray, window: np.ndarray) -> LittleCheck:
    """Little's law for visits ``[starts, ends)`` over ``window = [a, b]``."""
    area = float(StepCurve(starts, ends).area(window)[0])
    sojourn = float(clipped_sojourn(starts, ends, window)[0])
    span = float(window[1] - window[0])
    inside = (starts >= window[0]) & (starts < window[1])
    lam = inside.sum() / span
    mean_time = float(np.mean((ends - starts)[inside])) if inside.any() else 0.0
    return LittleCheck(
        area=area, sojourn_in_window=sojourn, L=area / span, lambda_W=lam * mean_time
    )


def _check(servers, arrival_rate, service_rate, customers, replications, engine) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a whole number >= 1, got {servers}")
    if not arrival_rate > 0 or not service_rate > 0:
        raise ValueError(f"rates must be > 0, got {arrival_rate=}, {service_rate=}")
    if customers < 1:
        raise ValueError(f"customers must be >= 1, got {customers}")
    if replications < 2:
        raise ValueError(f"replications must be >= 2 for a confidence interval, got {replications}")


BLOCK = 250_000
"""Customers simulated at a time in a verification (about 30 MB of working arrays)."""


class RunningMean:
    """Count, mean and variance of a stream of values, fed a block at a time.

    Each block's own count, mean and sum of squared deviations are merged into the
    running ones (Chan, Golub and LeVeque's pairwise update of Welford's method), so
    the stream is never held and the mean keeps its accuracy over billions of values.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = float("nan")
        self._m2 = 0.0

    def add(self, values: np.ndarray) -> None:
        """Take in a block of values (booleans count as 0 and 1)."""
        values = np.asarray(values, dtype=float)
        n = values.size
        if n == 0:
            return
        mean = float(values.mean())
        m2 = float(((values - mean) ** 2).sum())
        if self.count == 0:
            self.count, self.mean, self._m2 = n, mean, m2
            return
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self._m2 += m2 + delta * delta * self.count * n / total
        self.count = total

    @property
    def variance(self) -> float:
        """Sample variance (ddof 1) of everything taken in; nan below two values."""
        return self._m2 / (self.count - 1) if self.count > 1 else float("nan")


class LittleSums:
    """The sums behind one :class:`LittleCheck`, over a fixed window, fed a block at a time.

    The area under the number-present curve is the sum of each block's own curve's
    area (the integral is linear in the visits); sojourns, arrivals in the window and
    their times are plain sums. :meth:`check` gives what :func:`little_check` gives
    on the whole run at once.
    """

    def __init__(self, window: np.ndarray) -> None:
        self.window = np.asarray(window, dtype=float)
        self.area = 0.0
        self.sojourn = 0.0
        self.inside = 0
        self.time_inside = 0.0

    def add(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Visits ``[starts, ends)`` of one block."""
        a, b = self.window
        self.area += float(StepCurve(starts, ends).area(self.window)[0])
        self.sojourn += float(clipped_sojourn(starts, ends, self.window)[0])
        inside = (starts >= a) & (starts < b)
        self.inside += int(inside.sum())
        self.time_inside += float((ends - starts)[inside].sum())

    def check(self) -> LittleCheck:
        span = float(self.window[1] - self.window[0])
        mean_time = self.time_inside / self.inside if self.inside else 0.0
        return LittleCheck(
            area=self.area,
            sojourn_in_window=self.sojourn,
            L=self.area / span,
            lambda_W=self.inside / span * mean_time,
        )


@dataclass(frozen=True)
class Block:
    """One block's real customers (placeholders removed) and what happened to them."""

    first: int  # index of the block's first customer in its replication
    arrivals: np.ndarray
    services: np.ndarray
    start: np.ndarray
    leave: np.ndarray
    served: np.ndarray  # admitted (loss systems); all true for queues

    def counted(self, skip: int) -> np.ndarray:
        """Which of the block's customers are past the replication's warm-up."""
        return np.arange(self.first, self.first + self.arrivals.size) >= skip


def _streams(seed, rep: int) -> tuple[np.random.Generator, np.random.Generator]:
    root = root_seed(seed)
    return tuple(
        np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, rep, k))
            )
        )
        for k in (0, 1)
    )


def _arrival_blocks(generator: np.random.Generator, n: int, rate: float, block: int):
    """Arrival times in blocks, equal to the bit to ``cumsum`` of ``n`` draws at once."""
    clock, done = 0.0, 0
    while done < n:
        size = min(block, n - done)
        # Summed from the last block's clock in one sequence, as one cumsum would.
        times = np.cumsum(np.concatenate([[clock], generator.exponential(1.0 / rate, size)]))[1:]
        clock = float(times[-1])
        done += size
        yield times


def _replications(seed, replications, n, arrival_rate, service_rate, block, skip):
    """Per replication: its blocks ``(first, arrivals, services)`` and its Little window.

    The window runs from the first counted arrival to the last arrival, so the
    arrival stream is read once, cheaply, to find them (the same numbers again after).
    """
    block = BLOCK if block is None else int(block)
    if block < 1:
        raise ValueError(f"block must be >= 1, got {block}")
    for rep in range(replications):
        arrivals, _ = _streams(seed, rep)
        first_counted, last, seen = np.nan, np.nan, 0
        for times in _arrival_blocks(arrivals, n, arrival_rate, block):
            if seen <= skip < seen + times.size:
                first_counted = float(times[skip - seen])
            seen += times.size
            last = float(times[-1])
        window = np.array([first_counted, last])

        def blocks(rep=rep):
            arrivals, services = _streams(seed, rep)
            first = 0
            for times in _arrival_blocks(arrivals, n, arrival_rate, block):
                yield first, times, services.exponential(1.0 / service_rate, times.size)
                first += times.size

        yield blocks(), window


def _run_blocks(blocks, station, servers: int, loss: bool):
    """Run ``station(arrivals, services) -> (start, leave, served)`` block by block.

    Places still busy at a block's last arrival ``t`` are carried into the next block
    as placeholder customers arriving at ``t`` whose service ends when the place frees:
    the next block's customers find the places as the last one left them. For a
    first-come-first-served queue the places' free times are the ``servers`` latest
    departures; for a loss system, the departures after ``t`` of those admitted.
    """
    held = np.empty(0)  # when each place still busy frees
    clock = -np.inf
    for first, arrivals, services in blocks:
        carried = held.size
        start, leave, served = station(
            np.concatenate([np.full(carried, clock), arrivals]),
            np.concatenate([held - clock, services]),
        )
        served = np.ones(leave.size, np.bool_) if served is None else np.asarray(served)
        clock = float(arrivals[-1])
        if loss:
            held = leave[served & (leave > clock)]
        else:
            latest = leave if leave.size <= servers else np.partition(leave, -servers)[-servers:]
            held = latest[latest > clock]
        yield Block(
            first,
            arrivals,
            services,
            start[carried:],
            leave[carried:],
            served[carried:],
        )


def _t_interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    x = np.asarray(values)
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def _simpy_fifo(arrivals: np.ndarray, services: np.ndarray, servers: int):
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=int(servers))
    wait = np.full(arrivals.size, np.inf)

    def customer(i: int):
        arrived = env.now  # so that a customer served at once waits exactly 0
        with counter.request() as request:
            yield request
            wait[i] = env.now - arrived
            yield env.timeout(services[i])

    env.process(_source(env, arrivals, customer))
    env.run()
    start = arrivals + wait
    return start, start + services


def _simpy_loss(arrivals: np.ndarray, services: np.ndarray, servers: int):
    env = simpy.Environment()
    places = simpy.Resource(env, capacity=int(servers))
    served = np.zeros(arrivals.size, np.bool_)

    def customer(i: int):
        if places.count >= places.capacity:
            return  # blocked and lost
        with places.request() as request:
            yield request
            served[i] = True
            yield env.timeout(services[i])

    env.process(_source(env, arrivals, customer))
    env.run()
    return served


def _source(env: simpy.Environment, arrivals: np.ndarray, customer):
    for i, t in enumerate(arrivals.tolist()):
        yield env.timeout(t - env.now)
        env.process(customer(i))
