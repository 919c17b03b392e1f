"""The discrete-event commands a modeller re-runs after changing the model."""

import subprocess
import sys

import pytest
from helpers import SCENARIOS

CLI = [sys.executable, "-m", "sefton_finance"]


@pytest.mark.slow
def test_verify_des_passes_every_textbook_check():
    result = subprocess.run([*CLI, "verify-des"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok ") == 6
    assert "FAIL" not in result.stdout


def test_des_prints_performance_with_confidence_intervals():
    result = subprocess.run(
        [*CLI, "des", str(SCENARIOS / "place_plan.yaml"), "--replications", "3", "--years", "1"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert "ED (type 1) seen within 4 hours" in result.stdout
    assert "Congestion cost" in result.stdout
    assert "aintree" in result.stdout and "southport_ormskirk" in result.stdout


def test_des_rejects_bad_options_cleanly():
    result = subprocess.run(
        [*CLI, "des", str(SCENARIOS / "place_plan.yaml"), "--replications", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "--replications" in result.stderr
    assert "Traceback" not in result.stderr
