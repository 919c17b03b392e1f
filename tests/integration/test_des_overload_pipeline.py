"""An overloaded hospital is said in words by the run, the CLI and the board pack."""

import csv
import shutil
import subprocess
import sys

import pytest
from helpers import SCENARIOS, simple_scenario

from sefton_finance import report
from sefton_finance.api import run
from sefton_finance.baseline import PACKAGED, load_baseline

DES = "horizon:\n  years_ahead: 1\ncapacity:\n  method: des\n  replications: 3\n"
SQUEEZE = {"acute_beds": 0.75, "ed_cubicles": 0.5}


@pytest.fixture(scope="module")
def squeezed_directory(tmp_path_factory):
    """The packaged baseline with three quarters of the beds and half the ED cubicles."""
    directory = tmp_path_factory.mktemp("baselines") / "squeezed"
    shutil.copytree(PACKAGED, directory)
    path = directory / "capacity.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[1] in SQUEEZE:
            row[2] = str(round(float(row[2]) * SQUEEZE[row[1]]))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return directory


@pytest.fixture(scope="module")
def overloaded(squeezed_directory):
    return run(simple_scenario("squeezed", extra=DES), load_baseline(squeezed_directory))


def test_the_result_carries_overload_and_a_horizon_dependent_cost(overloaded):
    assert float(overloaded["des_overloaded"].max()) == 1.0
    assert overloaded["des_overloaded"].attrs["warning"].startswith("Overloaded.")
    assert float(overloaded["des_offered_utilisation"].sel(resource="acute_beds").max()) > 1
    attrs = overloaded["cost_congestion"].attrs
    assert attrs["horizon_dependent"] == "yes"
    assert "depend on the horizon" in attrs["horizon_note"]


@pytest.fixture(scope="module")
def roomy_directory(tmp_path_factory):
    """The packaged baseline with 5% more outpatient slots: its clinics are sized to the
    base year's attendances exactly, so the second year's growth fills them (Aintree at
    ~102%); with 5% room (the planned-care seasonal peak) nothing is overloaded."""
    directory = tmp_path_factory.mktemp("baselines") / "roomy"
    shutil.copytree(PACKAGED, directory)
    path = directory / "capacity.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[1] == "op_slots_per_week":
            row[2] = str(round(float(row[2]) * 1.05))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return directory


def test_a_hospital_with_room_has_a_cost_that_does_not_depend_on_the_horizon(roomy_directory):
    baseline = load_baseline(roomy_directory)
    usual = run(simple_scenario("usual", extra=DES), baseline, with_bridge=False)
    assert float(usual["des_overloaded"].max()) == 0.0
    assert usual["des_overloaded"].attrs["warning"] == ""
    assert usual["cost_congestion"].attrs["horizon_dependent"] == "no"


def test_the_board_pack_says_so(overloaded):
    sections = report.pack_sections([overloaded])
    [section] = [s for s in sections if s.title.startswith("Hospital overload")]
    assert "Overloaded." in section.html and "acute beds" in section.html
    assert report.EXPLAIN["overload"] == section.explanation


def test_des_prints_the_overload_in_words(squeezed_directory):
    result = subprocess.run(
        [
            sys.executable, "-m", "sefton_finance", "des", str(SCENARIOS / "place_plan.yaml"),
            "--replications", "3", "--years", "2", "--baseline", str(squeezed_directory),
        ],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # rich wraps long lines
    assert "Overloaded." in text
    assert result.stdout.count("Cost depends on the horizon") == 2  # a row in each year
    assert "yes: overload" in result.stdout
    assert "depend on the horizon simulated" in text
