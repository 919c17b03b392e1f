"""Packaged baselines by name, as a finance director uses them on the command line:
``--baseline sefton-2024-25``, a scenario naming its baseline, ``sefton-finance baselines``,
and bad names or incomplete baselines rejected (exit 2, nothing written)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from helpers import SCENARIOS

from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.packaged import DEFAULT_BASELINE, PACKAGED_BASELINES, packaged
from sefton_finance.config.loading import parse_scenario
from sefton_finance.errors import BaselineError, ScenarioError

CLI = [sys.executable, "-m", "sefton_finance"]
TODAY = SCENARIOS / "2024-25"


def cli(*args, cwd=None):
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def ran_today(tmp_path_factory):
    out = tmp_path_factory.mktemp("today")
    result = cli(
        "run",
        TODAY / "do_nothing_2024_25.yaml",
        "place_plan_2024_25",  # a shipped scenario by name
        "--baseline",
        "sefton-2024-25",
        "--out",
        out,
    )
    return result, out


def test_a_run_on_the_2024_25_baseline_by_name(ran_today):
    result, out = ran_today
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "do_nothing_2024_25.nc",
        "place_plan_2024_25.nc",
    ]
    # Today's organisations, and what the figures describe, are on the screen.
    for name in ("ICB Sefton place", "LUHFT (Aintree)", "Mersey & West Lancs", "Alder Hey"):
        assert name in result.stdout
    assert "South Sefton CCG" not in result.stdout
    assert "sefton-2024-25: Today's organisations, 2024/25" in " ".join(result.stdout.split())
    assert "2029/30" in result.stdout


def test_results_record_the_baseline_and_balance_to_the_penny(ran_today):
    _, out = ran_today
    with xr.open_dataset(out / "place_plan_2024_25.nc") as ds:
        assert ds.attrs["baseline_name"] == "sefton-2024-25"
        assert ds.attrs["baseline_label"] == "Today's organisations, 2024/25"
        assert ds.attrs["baseline_base_year"] == "2024/25"
        inside = ds["in_system"].values.astype(bool)
        parts = ds["surplus"].values[..., inside].sum(axis=-1)
        assert np.abs(parts - ds["system_surplus"].values).max() < 0.005
        assert str(ds.year.values[0]) == "2024/25"
        # The library's 'aintree' interventions are delivered by its successor.
        funded = ds["ledger"].sel(line="pass_through_income", org="luhft")
        assert float(funded.sum()) > 0


def test_compare_says_which_baseline_each_result_is_on(ran_today):
    _, out = ran_today
    result = cli("compare", out / "do_nothing_2024_25.nc", out / "place_plan_2024_25.nc")
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "place_plan_2024_25: baseline sefton-2024-25: Today's organisations, 2024/25" in said


def test_the_default_baseline_is_labelled_the_2019_plan(tmp_path):
    result = cli("run", "do_nothing", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sefton-2019-20: 2019 plan, no COVID" in " ".join(result.stdout.split())
    with xr.open_dataset(tmp_path / "do_nothing.nc") as ds:
        assert ds.attrs["baseline_name"] == DEFAULT_BASELINE == "sefton-2019-20"
        assert ds.attrs["baseline_label"] == "2019 plan, no COVID"


def test_a_scenario_that_names_its_baseline_runs_on_it(tmp_path):
    # Shipped scenarios name theirs: no --baseline needed, and the default ones still run.
    result = cli("run", "do_nothing_2024_25", "do_nothing", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    with xr.open_dataset(tmp_path / "do_nothing_2024_25.nc") as today:
        assert today.attrs["baseline_name"] == "sefton-2024-25"
    with xr.open_dataset(tmp_path / "do_nothing.nc") as then:
        assert then.attrs["baseline_name"] == "sefton-2019-20"


def test_baselines_lists_name_label_year_and_organisations():
    result = cli("baselines")
    assert result.returncode == 0, result.stderr
    for name, known in PACKAGED_BASELINES.items():
        assert name in result.stdout
        assert known.label in result.stdout
    assert "2019/20" in result.stdout and "2024/25" in result.stdout
    assert "ICB Sefton place" in result.stdout and "South Sefton CCG" in result.stdout
    assert "(default)" in result.stdout


def test_an_unknown_baseline_name_is_rejected_listing_the_names(tmp_path):
    result = cli("run", "do_nothing", "--baseline", "sefton-2031-32", "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "sefton-2031-32" in result.stderr
    assert "sefton-2019-20, sefton-2024-25" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()

    scenario = tmp_path / "named.yaml"
    scenario.write_text("name: named\nbaseline: sefton-2031-32\n", encoding="utf-8")
    result = cli("run", scenario, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "baseline" in result.stderr and "sefton-2031-32" in result.stderr
    assert "sefton-2019-20, sefton-2024-25" in " ".join(result.stderr.split())
    assert not (tmp_path / "o").exists()


def test_a_scenario_must_start_in_its_baselines_year(tmp_path):
    with pytest.raises(ScenarioError, match="unknown baseline 'nowhere'"):
        parse_scenario("name: x\nbaseline: nowhere\n")
    scenario = tmp_path / "wrong_year.yaml"
    scenario.write_text("name: wrong_year\nbaseline: sefton-2024-25\n", encoding="utf-8")
    result = cli("run", scenario, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "horizon.base_year" in result.stderr and "2024/25" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_baseline_directory_still_works_and_overrides_the_scenarios(tmp_path):
    copy = tmp_path / "mine"
    shutil.copytree(packaged("sefton-2024-25").directory, copy)
    result = cli("run", "do_nothing_2024_25", "--baseline", copy, "--out", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    with xr.open_dataset(tmp_path / "o" / "do_nothing_2024_25.nc") as ds:
        assert ds.attrs["baseline_name"] == "mine"
        assert str(copy) in ds.attrs["baseline_label"]
    # The override is said, not silent.
    warned = " ".join(result.stderr.split())
    assert "names baseline sefton-2024-25" in warned and "overrides it" in warned


def test_validate_names_each_scenarios_baseline():
    result = cli("validate", "do_nothing", "place_plan_2024_25")
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())  # lines wrap at the console's width
    assert "baseline sefton-2019-20" in said
    assert "baseline sefton-2024-25" in said
    # The 2019/20 plan's interventions name 2019 organisations: resolved by successor today.
    assert "14 interventions" in said
    bad = cli("validate", "do_nothing", "--baseline", "nowhere-2024")
    assert bad.returncode == 2 and "sefton-2019-20, sefton-2024-25" in bad.stderr


def _drop_row(path, keep) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([r for r in rows if keep(r)])


def test_a_baseline_missing_an_organisation_row_is_rejected_naming_file_and_row(tmp_path):
    copy = tmp_path / "incomplete"
    shutil.copytree(packaged("sefton-2024-25").directory, copy)
    _drop_row(copy / "organisations.csv", lambda r: r[0] != "mwl")
    with pytest.raises(BaselineError) as raised:
        load_baseline(copy)
    message = str(raised.value)
    # Every other file still names mwl: the first is named, with its row.
    assert "mwl" in message and "row " in message and ".csv" in message
    result = cli("run", "do_nothing_2024_25", "--baseline", copy, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "mwl" in result.stderr and "row " in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_baseline_missing_the_councils_funding_row_is_rejected(tmp_path):
    copy = tmp_path / "incomplete"
    shutil.copytree(packaged("sefton-2024-25").directory, copy)
    _drop_row(copy / "allocations.csv", lambda r: r[0] != "sefton_council")
    with pytest.raises(
        BaselineError, match=r"allocations\.csv.*sefton_council.*never read as zero"
    ):
        load_baseline(copy)


def test_a_former_code_is_checked(tmp_path):
    copy = tmp_path / "bad_former"
    shutil.copytree(packaged("sefton-2024-25").directory, copy)
    text = (copy / "organisations.csv").read_text(encoding="utf-8")
    (copy / "organisations.csv").write_text(
        text.replace(",southport_ormskirk,", ",aintree,"), encoding="utf-8"
    )
    with pytest.raises(BaselineError, match=r"organisations\.csv: row 5, column 'formerly'"):
        load_baseline(copy)
    successor = load_baseline("sefton-2024-25").organisations
    assert successor.resolve("aintree") == "luhft"
    assert successor.resolve("southport_ormskirk") == "mwl"
    assert successor.payers("nhs_commissioners", {"icb_sefton_place": 1.0}) == {
        "icb_sefton_place": 1.0
    }
