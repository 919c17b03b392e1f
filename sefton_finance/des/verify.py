"""Verification against textbook queues: Erlang C (M/M/c), Erlang B (M/M/c/c), Little's law.

The same station code the model uses runs here on exponential inputs: the
compiled ``fifo_station`` / ``loss_station`` (``engine="fast"``) or SimPy
resources with one process per customer (``engine="simpy"``). Each
replication starts empty and discards its first ``warmup`` customers, so the
estimates target the steady state the formulas describe.

Little's law is checked twice per replication, over the window from the first
to the last counted arrival: exactly (the area under the number-present curve
equals the sum of each customer's time present inside the window, a
sample-path identity that holds to rounding error) and approximately
(``L = lambda W`` with ``W`` the mean over customers arriving in the window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy
from scipy import stats

from ..queueing import erlang_b, erlang_c, mmc_mean_wait
from .fast import fifo_station, loss_station
from .inputs import root_seed
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


@dataclass(frozen=True)
class MMcResult:
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

    @property
    def little_rel_error(self) -> float:
        """Worst ``|L - lambda W| / L`` over replications and queue/system."""
        return max(c.rel_error for c in self.little_queue + self.little_system)

    @property
    def little_exact_rel_error(self) -> float:
        return max(c.exact_rel_error for c in self.little_queue + self.little_system)

    def ci_contains_textbook(self) -> bool:
        lo, hi = self.mean_wait_ci
        return lo <= self.erlang_c_wait <= hi


@dataclass(frozen=True)
class MMccResult:
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

    @property
    def little_rel_error(self) -> float:
        return max(c.rel_error for c in self.little)

    @property
    def little_exact_rel_error(self) -> float:
        return max(c.exact_rel_error for c in self.little)

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
    waits, probs, little_q, little_s = [], [], [], []
    for rep, (arrivals, services) in enumerate(
        _exponential_inputs(seed, replications, skip + customers, arrival_rate, service_rate)
    ):
        del rep
        if engine == "fast":
            start, leave = fifo_station(arrivals, services, servers)
        else:
            start, leave = _simpy_fifo(arrivals, services, servers)
        wait = (start - arrivals)[skip:]
        waits.append(wait.mean())
        probs.append(np.mean(wait > 0))
        window = np.array([arrivals[skip], arrivals[-1]])
        little_q.append(little_check(arrivals, start, window))
        little_s.append(little_check(arrivals, leave, window))
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
    blocked, little = [], []
    for arrivals, services in _exponential_inputs(
        seed, replications, skip + customers, arrival_rate, service_rate
    ):
        if engine == "fast":
            served = loss_station(arrivals, services, servers)
        else:
            served = _simpy_loss(arrivals, services, servers)
        blocked.append(1.0 - served[skip:].mean())
        window = np.array([arrivals[skip], arrivals[-1]])
        little.append(little_check(arrivals[served], (arrivals + services)[served], window))
    return MMccResult(
        servers=servers,
        offered_load=arrival_rate / service_rate,
        blocking=float(np.mean(blocked)),
        blocking_ci=_t_interval(blocked),
        erlang_b=float(erlang_b(servers, arrival_rate / service_rate)),
        little=tuple(little),
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


def _exponential_inputs(seed, replications, n, arrival_rate, service_rate):
    root = root_seed(seed)
    for rep in range(replications):
        gens = [
            np.random.Generator(
                np.random.PCG64(
                    np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, rep, k))
                )
            )
            for k in (0, 1)
        ]
        arrivals = np.cumsum(gens[0].exponential(1.0 / arrival_rate, n))
        services = gens[1].exponential(1.0 / service_rate, n)
        yield arrivals, services


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
