"""The discrete-event commands a modeller re-runs after changing the model."""

import json
import subprocess
import sys

import pytest
from helpers import SCENARIOS

CLI = [sys.executable, "-m", "sefton_finance"]


@pytest.mark.slow
def test_verify_des_passes_every_textbook_check():
    result = subprocess.run([*CLI, "verify-des"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    # Three loads x (the UTC station and the model's ED, bed and elective paths).
    assert result.stdout.count(" ok ") == 12
    assert "FAIL" not in result.stdout


@pytest.mark.parametrize(("path", "servers", "rho"), [("ed", 5, 0.8), ("electives", 10, 1.2)])
def test_verify_des_path_prints_one_json_object(path, servers, rho):
    options = ["--servers", str(servers), "--utilisation", str(rho), "--replications", "10"]
    result = subprocess.run(
        [*CLI, "verify-des", "--path", path, *options, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == [
        "quantity",
        "simulated",
        "ci_low",
        "ci_high",
        "textbook",
        "arrival_rate_per_hour",
        "service_mean_hours",
    ]
    assert figures["ci_low"] <= figures["textbook"] <= figures["ci_high"]
    load = figures["arrival_rate_per_hour"] * figures["service_mean_hours"] / servers
    assert load == pytest.approx(rho)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--servers", "4"], "--servers needs --path"),
        (["--path", "wards", "--servers", "4", "--utilisation", "0.5"], "--path must be"),
        (["--path", "beds", "--utilisation", "0.5"], "--servers"),
        (["--path", "ed", "--servers", "4", "--utilisation", "1.0"], "--utilisation"),
    ],
)
def test_verify_des_refuses_bad_path_options_by_name(options, named):
    result = subprocess.run(
        [*CLI, "verify-des", *options], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_des_prints_performance_with_confidence_intervals():
    result = subprocess.run(
        [*CLI, "des", str(SCENARIOS / "place_plan.yaml"), "--replications", "3", "--years", "2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert "ED (type 1) seen within 4 hours" in result.stdout
    assert "Congestion cost" in result.stdout
    assert "aintree" in result.stdout and "southport_ormskirk" in result.stdout
    # Bounded intervals: no count below zero; a peak at the bed base says it is capped.
    assert "(-" not in result.stdout
    assert "capped at" in result.stdout


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


@pytest.mark.slow
def test_des_prints_what_run_saves_for_a_des_scenario(tmp_path):
    """One question, one answer: `des` is a view of the run `run` saves."""
    scenario = SCENARIOS / "des" / "place_plan_des.yaml"
    saved = subprocess.run(
        [*CLI, "run", str(scenario), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert saved.returncode == 0, saved.stderr
    printed = subprocess.run(
        [*CLI, "des", str(scenario)], capture_output=True, text=True, timeout=900
    )
    assert printed.returncode == 0, printed.stderr
    assert "run with" not in printed.stdout  # nothing about the scenario was changed
    from sefton_finance.results import load

    ds = load(tmp_path / "place_plan_des.nc")
    congestion = ds["cost_congestion"].sum("pod")
    rows = [line for line in printed.stdout.splitlines() if "Congestion cost" in line]
    assert len(rows) == ds.year.size
    for year, row in zip(ds.year.values, rows, strict=True):
        cells = [cell.strip() for cell in row.split("│")[2:] if cell.strip()]
        expected = [
            f"{float(congestion.sel(year=year, org=site)) / 1e6:,.2f}" for site in ds.site.values
        ]
        assert cells == expected, (str(year), cells, expected)
    four_hours = ds["des_ed_4hr_performance"].isel(year=-1)
    for site in ds.site.values:
        assert f"{float(four_hours.sel(site=site)):.1%}" in printed.stdout
