"""Ctrl-C during a compiled kernel: held until the kernel returns, then raised as itself.

numba can turn a KeyboardInterrupt raised while it converts a kernel's arguments or
results into a SystemError; a Ctrl-C during a discrete-event scenario once ended in that
traceback.
"""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

from sefton_finance.des import fast


@pytest.fixture
def default_ctrl_c():
    """Ctrl-C as in a terminal run (a test worker process may ignore it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _busy_station(customers: int = 3_000_000):
    arrivals = np.cumsum(np.full(customers, 0.5))
    return arrivals, np.full(customers, 0.9)


def test_a_ctrl_c_during_a_kernel_is_raised_once_it_returns(default_ctrl_c):
    arrivals, services = _busy_station()
    fast.fifo_station(arrivals[:10], services[:10], 2)  # compiled before the timing starts
    finished = []
    timer = threading.Timer(0.005, os.kill, (os.getpid(), signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        with fast.interrupt_after():
            timer.start()
            timer.join()  # the Ctrl-C arrives inside the hold, before the kernel has run
            start, _ = fast.fifo_station(arrivals, services, 2)
            finished.append(start.size)
    assert finished == [arrivals.size], "the kernel ran to its end before the interrupt"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_ctrl_c_nothing_is_raised_and_the_handler_is_put_back(default_ctrl_c):
    arrivals, services = _busy_station(1_000)
    with fast.interrupt_after():
        start, leave = fast.fifo_station(arrivals, services, 2)
    assert np.all(leave >= start) and signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_another_handler_is_left_alone():
    seen = []
    previous = signal.signal(signal.SIGINT, lambda *_: seen.append(True))
    try:
        with fast.interrupt_after():
            os.kill(os.getpid(), signal.SIGINT)
        assert seen == [True]
    finally:
        signal.signal(signal.SIGINT, previous)
