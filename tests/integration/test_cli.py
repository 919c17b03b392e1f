"""The command line, run as a finance director runs it (a real subprocess)."""

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from helpers import SCENARIOS

CLI = [sys.executable, "-m", "sefton_finance"]


def cli(*args, cwd=None):
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    result = cli("run", SCENARIOS / "do_nothing.yaml", SCENARIOS / "place_plan.yaml", "--out", out)
    return result, out


def test_run_writes_results_and_prints_the_table(ran):
    result, out = ran
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["do_nothing.nc", "place_plan.nc"]
    assert "Sefton system" in result.stdout
    assert "balanced" in result.stdout
    assert "2024/25" in result.stdout


def test_compare_exports_csv_and_excel(ran, tmp_path):
    _, out = ran
    csv, excel = tmp_path / "table.csv", tmp_path / "table.xlsx"
    result = cli(
        "compare", out / "do_nothing.nc", out / "place_plan.nc", "--csv", csv, "--excel", excel
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(csv, index_col=[0, 1])
    assert ("do_nothing", "Sefton system") in table.index
    assert table.loc[("do_nothing", "Sefton system"), "2024/25"] < 0
    workbook = openpyxl.load_workbook(excel)
    assert {"surplus_gbp_m", "system_gbp_m", "bridge_place_plan"} <= set(workbook.sheetnames)


BAD = {
    "typo.yaml": ("name: typo\ngrowht: {non_demographic: 0.01}\n", "growht"),
    "type.yaml": ("name: type\nseed: many\n", "seed"),
    "growth.yaml": ("name: growth\ngrowth: {non_demographic: -2}\n", "growth.non_demographic"),
    "org.yaml": (
        "name: org\ninterventions:\n  - {name: pifu, payer: nowhere}\n",
        "interventions[0].payer",
    ),
    "intervention.yaml": (
        "name: intervention\ninterventions:\n  - {name: unicorns}\n",
        "interventions[0].name",
    ),
    "empty.yaml": ("", "empty"),
    "notyaml.yaml": ("name: [oops\n", "not valid YAML"),
    "year.yaml": (
        "name: year\ninterventions:\n  - {name: pifu, start_year: '2040/41'}\n",
        "start_year",
    ),
}


@pytest.mark.parametrize("file_name", sorted(BAD))
def test_bad_scenarios_fail_cleanly_and_write_nothing(tmp_path, file_name):
    text, field = BAD[file_name]
    path = tmp_path / file_name
    path.write_text(text)
    out = tmp_path / "out"
    result = cli("run", SCENARIOS / "do_nothing.yaml", path, "--out", out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert str(path) in result.stderr.replace("\n", "")
    assert field in result.stderr.replace("\n", "")
    assert not out.exists() or not any(out.iterdir())


def test_validate_reports_each_file(tmp_path):
    good = cli("validate", *sorted(SCENARIOS.glob("*.yaml")))
    assert good.returncode == 0, good.stderr
    assert good.stdout.count("ok") == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhorizon: {years_ahead: 0}\n")
    result = cli("validate", bad)
    assert result.returncode == 2
    assert "horizon.years_ahead" in result.stderr.replace("\n", "")


def test_shipped_scenarios_are_listed_and_taken_by_name(tmp_path):
    listed = cli("scenarios", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in ("do_nothing", "place_plan", "stretch", "place_plan_des"):
        assert name in listed.stdout
    result = cli("validate", "place_plan", "stretch", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok") == 2
    missing = cli("validate", "no_such_plan", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no_such_plan: file not found" in missing.stderr


def test_bad_baseline_directory_fails_cleanly(tmp_path):
    result = cli(
        "run", SCENARIOS / "do_nothing.yaml", "--baseline", tmp_path / "nowhere", "--out", tmp_path
    )
    assert result.returncode == 2
    assert "baseline directory not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_is_json_schema(tmp_path):
    target = tmp_path / "schema.json"
    result = cli("schema", "--out", target)
    assert result.returncode == 0
    import json

    schema = json.loads(target.read_text())
    assert schema["title"] == "Scenario"


def test_interventions_lists_the_library():
    result = cli("interventions")
    assert result.returncode == 0
    names = [p.stem for p in (SCENARIOS.parent / "sefton_finance" / "library").glob("*.yaml")]
    assert len(names) == 29
    for name in names:
        assert name in result.stdout
    assert "seeds' plan" in result.stdout
    assert result.stdout.count("yes") >= 27  # every intervention the seeds name


def test_results_on_two_baselines_print_one_table_per_span_of_years(tmp_path):
    """A 2019/20 and a 2024/25 result share no years: no column of blanks or 'nan'."""
    result = cli(
        "run",
        SCENARIOS / "do_nothing.yaml",
        SCENARIOS / "2024-25" / "do_nothing_2024_25.yaml",
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "nan" not in result.stdout
    headers = [line for line in result.stdout.splitlines() if "┃ organisation" in line]
    assert len(headers) == 2
    assert "2029/30" not in headers[0] and "2019/20" not in headers[1]
