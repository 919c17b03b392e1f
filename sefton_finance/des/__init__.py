"""Discrete-event model of Sefton hospital flows (no money: costs live in ``costing``).

``simulate`` runs either the SimPy process model (``engine="simpy"``, the
reference) or compiled kernels over the same pre-sampled patients
(``engine="fast"``). ``verify_path`` runs the model's own ED, bed and elective
paths as textbook queues (Erlang C / Erlang B); ``verify_mmc`` / ``verify_mmcc``
check the standalone stations; both check Little's law.
"""

from .inputs import DesCapacity
from .outputs import confidence_interval
from .run import simulate
from .verify import verify_mmc, verify_mmcc, verify_path

__all__ = [
    "DesCapacity",
    "confidence_interval",
    "simulate",
    "verify_mmc",
    "verify_mmcc",
    "verify_path",
]
