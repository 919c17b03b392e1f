"""Textbook queueing formulas: Erlang B, Erlang C and the M/M/c measures.

These are the reference values the analytic capacity model uses to size
beds, cubicles and clinic sessions, and the values the discrete-event model
is verified against. All functions are vectorised over numpy arrays.

References
----------
Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.,
sections 2.3 (M/M/c) and 2.5 (M/M/c/c).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def erlang_b(servers: ArrayLike, offered_load: ArrayLike) -> np.ndarray:
    """Blocking probability of an M/M/c/c loss system (Erlang B).

    Uses the numerically stable recursion ``B(0) = 1``,
    ``B(k) = a B(k-1) / (k + a B(k-1))``.

    Parameters
    ----------
    servers : array_like of int
        Number of servers ``c`` (beds, cubicles); non-negative.
    offered_load : array_like of float
        Offered load ``a = lambda / mu`` in Erlangs; non-negative.

    Returns
    -------
    numpy.ndarray
        Probability that an arrival finds every server busy.
    """
    c = np.asarray(servers, dtype=np.int64)
    a = np.asarray(offered_load, dtype=float)
    if np.any(c < 0):
        raise ValueError(f"servers must be >= 0, got {c.min()}")
    if np.any(a < 0):
        raise ValueError(f"offered_load must be >= 0, got {a.min()}")
    c, a = np.broadcast_arrays(c, a)
    blocking = np.ones(a.shape)
    for k in range(1, int(c.max(initial=0)) + 1):
        step = a * blocking / (k + a * blocking)
        blocking = np.where(k <= c, step, blocking)
    return blocking


def erlang_c(servers: ArrayLike, offered_load: ArrayLike) -> np.ndarray:
    """Probability of waiting in an M/M/c queue (Erlang C).

    Parameters
    ----------
    servers : array_like of int
        Number of servers ``c``; at least 1.
    offered_load : array_like of float
        Offered load ``a = lambda / mu``; the queue is stable only for ``a < c``.

    Returns
    -------
    numpy.ndarray
        ``P(wait > 0)``; 1 where the queue is unstable (``a >= c``).
    """
    c = np.asarray(servers, dtype=np.int64)
    a = np.asarray(offered_load, dtype=float)
    if np.any(c < 1):
        raise ValueError(f"servers must be >= 1 for a queue, got {c.min()}")
    blocking = erlang_b(c, a)
    rho = a / c
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = blocking / (1.0 - rho * (1.0 - blocking))
    return np.where(rho < 1.0, waiting, 1.0)


def mmc_mean_wait(
    servers: ArrayLike, arrival_rate: ArrayLike, service_rate: ArrayLike
) -> np.ndarray:
    """Mean time in queue ``Wq`` of an M/M/c queue (infinite where unstable).

    Parameters
    ----------
    servers : array_like of int
        Number of servers ``c``.
    arrival_rate : array_like of float
        ``lambda``, arrivals per unit time.
    service_rate : array_like of float
        ``mu``, services per server per unit time.

    Returns
    -------
    numpy.ndarray
        ``Wq = C(c, a) / (c mu - lambda)`` in the same time unit as the rates.
    """
    c = np.asarray(servers, dtype=np.int64)
    lam = np.asarray(arrival_rate, dtype=float)
    mu = np.asarray(service_rate, dtype=float)
    a = lam / mu
    waiting = erlang_c(c, a)
    with np.errstate(divide="ignore"):
        wq = waiting / (c * mu - lam)
    return np.where(a < c, wq, np.inf)


def servers_for_occupancy(offered_load: ArrayLike, target_occupancy: ArrayLike) -> np.ndarray:
    """Smallest whole number of servers that keeps mean occupancy at or below a target.

    Parameters
    ----------
    offered_load : array_like of float
        Mean number of busy servers (for beds: admissions x mean stay / days).
    target_occupancy : array_like of float
        Target utilisation in (0, 1], e.g. 0.92 for general and acute beds.

    Returns
    -------
    numpy.ndarray of int
        ``ceil(a / target)``, at least 1 where there is any load.
    """
    a = np.asarray(offered_load, dtype=float)
    target = np.asarray(target_occupancy, dtype=float)
    if np.any((target <= 0) | (target > 1)):
        raise ValueError(f"target_occupancy must be in (0, 1], got {target}")
    # A tiny tolerance keeps exact multiples (a/target = 28.000000001) from rounding up.
    needed = np.ceil(a / target - 1e-9)
    return np.where(a > 0, np.maximum(needed, 1), 0).astype(np.int64)


def servers_for_wait(
    offered_load: ArrayLike, target_wait_probability: float, max_servers: int = 100_000
) -> np.ndarray:
    """Smallest number of servers whose Erlang C probability of waiting is at most a target.

    Parameters
    ----------
    offered_load : array_like of float
        Offered load in Erlangs.
    target_wait_probability : float
        Acceptable ``P(wait > 0)``, in (0, 1).
    max_servers : int
        Search bound; a ``ValueError`` is raised if it is not enough.

    Returns
    -------
    numpy.ndarray of int
    """
    if not 0 < target_wait_probability < 1:
        raise ValueError(
            f"target_wait_probability must be in (0, 1), got {target_wait_probability}"
        )
    a = np.atleast_1d(np.asarray(offered_load, dtype=float))
    out = np.empty(a.shape, dtype=np.int64)
    for index, load in np.ndenumerate(a):
        c = max(int(np.floor(load)) + 1, 1)
        while erlang_c(c, load) > target_wait_probability:
            c += 1
            if c > max_servers:
                raise ValueError(f"more than {max_servers} servers needed for load {load}")
        out[index] = c
    return out.reshape(np.shape(offered_load))
