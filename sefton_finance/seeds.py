"""Random streams: one ``numpy.random.SeedSequence`` per run, spawned per lever and per DES run.

Each lever's stream is spawned from the scenario seed and a stable hash
(SHA-256) of the lever's key, never from its position in a list: so the same
lever gets the same random numbers in every scenario (common random numbers),
and adding an intervention does not reshuffle the others. The discrete-event
model's replications (``REPLICATION_STREAM``, one root per draw) are kept apart
from the lever streams (``PARAMETER_STREAM``). The same seed gives bit-identical numbers on any
machine.
"""

from __future__ import annotations

import hashlib

import numpy as np

PARAMETER_STREAM = 1
"""First spawn-key word of lever (parameter uncertainty) streams."""
REPLICATION_STREAM = 2
"""First spawn-key word of discrete-event replication streams."""


def key_words(key: str) -> tuple[int, int]:
    """Two 32-bit words from the SHA-256 of a lever key (stable across runs and machines)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little")


def lever_stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one lever: spawned from the seed and the lever's key."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(PARAMETER_STREAM, *key_words(key)))
    return np.random.Generator(np.random.PCG64(sequence))


def standard_normals(seed: int, key: str, stop: int) -> np.ndarray:
    """Standard normal numbers of draws ``0 .. stop-1`` for a lever (draw 0 is 0: the centre)."""
    z = np.zeros(stop)
    if stop > 1:
        z[1:] = lever_stream(seed, key).standard_normal(stop - 1)
    return z


def replication_seed(seed: int, draw: int = 0) -> np.random.SeedSequence:
    """Root of the discrete-event replications of one Monte Carlo draw (draw 0: the principal run).

    Replication ``r`` of site ``s`` then draws from streams keyed ``(r, s, stream)`` under
    this root (:func:`sefton_finance.des.inputs.sample_site`). The root depends on the
    scenario seed and the draw number only, so two scenarios with the same seed see the
    same patients in the same draw and replication (common random numbers: their
    difference is the interventions', not noise), and a draw gives the same numbers
    whichever chunk, worker or machine runs it.
    """
    if isinstance(draw, bool) or int(draw) != draw or draw < 0:
        raise ValueError(f"draw must be a whole number >= 0, got {draw!r}")
    return np.random.SeedSequence(entropy=seed, spawn_key=(REPLICATION_STREAM, int(draw)))
