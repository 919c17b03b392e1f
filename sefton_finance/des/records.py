"""What an engine returns: the timestamps of every patient of one site.

Both engines fill the same arrays, so statistics are computed once (in
``outputs``) and the engines can be compared patient by patient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOME, VIRTUAL_WARD, BED = 0, 1, 2  # where a patient goes after ED or on direct admission


@dataclass
class SiteRecords:
    """Timestamps (hours) of every patient of one site; ``inf`` means "never"."""

    ed_start: np.ndarray  # cubicle start
    ed_done: np.ndarray  # treatment finished
    ed_leave: np.ndarray  # cubicle released (= bed or virtual-ward start if admitted)
    ed_route: np.ndarray  # HOME, VIRTUAL_WARD or BED
    direct_start: np.ndarray  # bed or virtual-ward start of a direct admission
    direct_route: np.ndarray
    utc_start: np.ndarray
    utc_leave: np.ndarray
    el_admitted: np.ndarray  # bool; inpatients may be cancelled, day cases never
    el_start: np.ndarray  # admission time (the arrival for a day case); inf if never admitted
    el_cancellations: np.ndarray  # times an elective inpatient was cancelled and deferred
    op_seen: np.ndarray

    @classmethod
    def empty(cls, n_ed: int, n_direct: int, n_utc: int, n_el: int, n_op: int) -> SiteRecords:
        return cls(
            ed_start=np.full(n_ed, np.inf),
            ed_done=np.full(n_ed, np.inf),
            ed_leave=np.full(n_ed, np.inf),
            ed_route=np.zeros(n_ed, np.int64),
            direct_start=np.full(n_direct, np.inf),
            direct_route=np.zeros(n_direct, np.int64),
            utc_start=np.full(n_utc, np.inf),
            utc_leave=np.full(n_utc, np.inf),
            el_admitted=np.zeros(n_el, np.bool_),
            el_start=np.full(n_el, np.inf),
            el_cancellations=np.zeros(n_el, np.int64),
            op_seen=np.full(n_op, np.inf),
        )
