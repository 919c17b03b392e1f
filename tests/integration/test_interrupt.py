"""Ctrl-C in the middle of a run: earlier results survive, finished ones are kept, nothing half-written."""

import signal
import subprocess
import sys
import time

import pytest
from helpers import SCENARIOS

from sefton_finance.results import load

CLI = [sys.executable, "-m", "sefton_finance"]
# The discrete-event scenario takes tens of seconds, so a Ctrl-C one second after the quick
# analytic scenario has been saved always lands in the middle of it.
SLOW = SCENARIOS / "des" / "place_plan_des.yaml"


def _wait_for(path, process, timeout=300.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            pytest.fail(f"the run ended before {path.name} was written: {process.stderr.read()}")
        time.sleep(0.1)
    pytest.fail(f"{path.name} not written in {timeout} s")


def _as_from_a_terminal() -> None:
    """Ctrl-C as a shell's foreground job gets it: default action, not blocked. A test
    process may have inherited another state, which the run would inherit in turn (in
    full suites the run twice ignored the Ctrl-C and finished)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.slow
def test_ctrl_c_keeps_finished_results_and_never_touches_an_earlier_one(tmp_path):
    out = tmp_path / "results"
    first = subprocess.run([*CLI, "run", SLOW, "--out", out], capture_output=True, timeout=900)
    assert first.returncode == 0, first.stderr
    earlier = (out / "place_plan_des.nc").read_bytes()

    process = subprocess.Popen(
        [*CLI, "run", SCENARIOS / "do_nothing.yaml", SLOW, "--out", out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )
    _wait_for(out / "do_nothing.nc", process)
    time.sleep(1.0)
    assert process.poll() is None, "the slow scenario finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode != 0, f"the run ignored Ctrl-C and finished: {stderr[-2000:]}"
    assert "Traceback" not in stderr
    assert (out / "place_plan_des.nc").read_bytes() == earlier
    assert load(out / "do_nothing.nc")["system_surplus"].size == 6
    assert sorted(p.name for p in out.iterdir()) == ["do_nothing.nc", "place_plan_des.nc"]
