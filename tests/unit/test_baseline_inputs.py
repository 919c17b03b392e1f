"""A finance director's own baseline: spreadsheet encodings, complete tables, bounds, base year."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import xarray as xr

from sefton_finance.api import check_scenario
from sefton_finance.baseline import PACKAGED, load_baseline
from sefton_finance.config.loading import parse_scenario
from sefton_finance.errors import BaselineError, ScenarioError


@pytest.fixture
def copy(tmp_path):
    """A writable copy of the packaged baseline."""
    target = tmp_path / "baseline"
    shutil.copytree(PACKAGED, target)
    return target


def _arrays(baseline):
    return {
        name: getattr(baseline, name)
        for name in ("activity", "allocation", "other_spend", "waiting_list", "capacity")
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_every_file_saved_in_a_spreadsheet_encoding_reads_the_same(copy, baseline, encoding):
    """Excel's "CSV UTF-8" (BOM), plain "CSV" on Windows (cp1252) and "Unicode text" (UTF-16)."""
    for path in copy.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    loaded = load_baseline(copy)
    for name, array in _arrays(baseline).items():
        xr.testing.assert_identical(getattr(loaded, name), array)
    for field in ("codes", "short_names", "long_names", "kinds"):
        assert getattr(loaded.organisations, field) == getattr(baseline.organisations, field)


def test_a_pound_sign_in_windows_1252_is_read_as_a_pound_sign(copy):
    path = copy / "organisations.csv"
    text = path.read_text(encoding="utf-8").replace("Sefton Council,", "Sefton Council £,", 1)
    path.write_bytes(text.encode("cp1252"))
    assert "Sefton Council £" in load_baseline(copy).organisations.short_names


def test_bytes_in_no_spreadsheet_encoding_name_the_file_and_byte(copy):
    path = copy / "unit_costs.csv"
    path.write_bytes(path.read_bytes() + b"\x81\xff\n")
    with pytest.raises(BaselineError) as caught:
        load_baseline(copy)
    message = str(caught.value)
    assert "unit_costs.csv" in message
    assert "neither UTF-8 nor Windows-1252" in message
    assert "0x81" in message


def test_a_baseline_states_its_base_year_and_scenarios_must_start_there(copy):
    (copy / "about.csv").write_text("key,value\nbase_year,2021/22\n")
    baseline = load_baseline(copy)
    assert baseline.base_year == "2021/22"
    assert baseline.digest != load_baseline(PACKAGED).digest
    later = parse_scenario("name: later\nhorizon: {base_year: '2021/22'}\n")
    check_scenario(later, baseline)
    with pytest.raises(ScenarioError) as caught:
        check_scenario(parse_scenario("name: default\n"), baseline, "default.yaml")
    message = str(caught.value)
    assert "default.yaml" in message
    assert "horizon.base_year" in message
    assert "'2019/20'" in message
    assert "2021/22" in message


def test_a_malformed_base_year_names_the_row_and_column(copy):
    (copy / "about.csv").write_text("key,value\nbase_year,2021-22\n")
    with pytest.raises(BaselineError, match=r"about\.csv: row 2, column 'value'.*2021-22"):
        load_baseline(copy)


def test_the_packaged_baseline_is_2019_20(baseline):
    assert baseline.base_year == "2019/20"
    assert not (PACKAGED / "about.csv").exists()


def test_an_explicit_zero_is_kept_where_a_missing_row_is_refused(copy, baseline):
    """Writing 0 for nobody waiting is a statement; leaving the row out is an error."""
    path = copy / "waiting_list.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    parts = lines[1].split(",")
    parts[header.index("waiting")] = "0"
    path.write_text("\n".join([lines[0], ",".join(parts), *lines[2:]]) + "\n")
    loaded = load_baseline(copy)
    pod, locality = parts[header.index("pod")], parts[header.index("locality")]
    assert float(loaded.waiting_list.sel(pod=pod, locality=locality)) == 0
    assert float(baseline.waiting_list.sel(pod=pod, locality=locality)) > 0
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    with pytest.raises(BaselineError, match=rf"missing row for pod '{pod}', locality '{locality}'"):
        load_baseline(copy)


def test_row_numbers_count_spreadsheet_rows_across_blank_lines(copy):
    path = copy / "unit_costs.csv"
    lines = path.read_text().splitlines()
    parts = lines[3].split(",")
    parts[1] = "nan"
    lines[3] = ",".join(parts)
    path.write_text("\n".join([lines[0], "", *lines[1:]]) + "\n")
    with pytest.raises(BaselineError, match=r"row 5, column 'tariff': not a finite number"):
        load_baseline(copy)
    assert np.isfinite(load_baseline(PACKAGED).tariff).all()
