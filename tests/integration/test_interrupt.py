"""Ctrl-C in the middle of a run: earlier results survive, finished ones are kept, nothing half-written."""

import signal
import subprocess
import sys
import time

import pytest
from helpers import SCENARIOS

from sefton_finance.results import load

CLI = [sys.executable, "-m", "sefton_finance"]


def _wait_for(path, process, timeout=300.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            pytest.fail(f"the run ended before {path.name} was written: {process.stderr.read()}")
        time.sleep(0.2)
    pytest.fail(f"{path.name} not written in {timeout} s")


@pytest.mark.slow
def test_ctrl_c_keeps_finished_results_and_never_touches_an_earlier_one(tmp_path):
    out = tmp_path / "results"
    first = subprocess.run(
        [*CLI, "run", SCENARIOS / "stretch.yaml", "--out", out], capture_output=True, timeout=600
    )
    assert first.returncode == 0, first.stderr
    earlier = (out / "stretch.nc").read_bytes()

    # do_nothing finishes quickly; stretch with many draws is interrupted part-way.
    process = subprocess.Popen(
        [
            *CLI,
            "run",
            SCENARIOS / "do_nothing.yaml",
            SCENARIOS / "stretch.yaml",
            "--draws",
            "2000",
            "--out",
            out,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(out / "do_nothing.nc", process)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode != 0
    assert "Traceback" not in stderr
    assert (out / "stretch.nc").read_bytes() == earlier
    assert load(out / "do_nothing.nc").sizes["draw"] == 2000
    assert sorted(p.name for p in out.iterdir()) == ["do_nothing.nc", "stretch.nc"]
