"""Saved results: bit-identical reruns, provenance, atomic writes that never clobber."""

import os

import numpy as np
import pytest
import xarray as xr
from helpers import SCENARIOS

from sefton_finance.api import run_file
from sefton_finance.results import all_checks_pass, balance_checks, load, save


@pytest.fixture(scope="module")
def plan_result(baseline):
    return run_file(SCENARIOS / "place_plan.yaml", baseline)


def test_same_scenario_and_seed_give_bit_identical_netcdf_values(tmp_path, baseline, plan_result):
    again = run_file(SCENARIOS / "place_plan.yaml", baseline)
    first = load(save(plan_result, tmp_path / "a.nc"))
    second = load(save(again, tmp_path / "b.nc"))
    assert set(first.data_vars) == set(second.data_vars)
    for name in first.data_vars:
        np.testing.assert_array_equal(first[name].values, second[name].values, err_msg=name)
    ignored = {"created"}
    assert {k: v for k, v in first.attrs.items() if k not in ignored} == {
        k: v for k, v in second.attrs.items() if k not in ignored
    }


def test_round_trip_keeps_values_coords_and_flags(tmp_path, plan_result):
    back = load(save(plan_result, tmp_path / "plan.nc"))
    xr.testing.assert_identical(back.drop_attrs(deep=False), plan_result.drop_attrs(deep=False))
    assert back["in_system"].dtype == bool
    assert all_checks_pass(back)


def test_provenance_survives_the_file(tmp_path, plan_result):
    back = load(save(plan_result, tmp_path / "plan.nc"))
    assert back.attrs["scenario_text"] == (SCENARIOS / "place_plan.yaml").read_text()
    assert len(back.attrs["scenario_sha256"]) == 64
    assert len(back.attrs["baseline_sha256"]) == 64
    assert back.attrs["seed"] == 20190401
    assert back.attrs["git_commit"]


def test_an_existing_result_is_not_overwritten_by_default(tmp_path, plan_result):
    path = save(plan_result, tmp_path / "plan.nc")
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        save(plan_result, path)
    assert path.read_bytes() == before


def test_a_failed_write_leaves_the_earlier_result_and_no_partial_file(tmp_path, plan_result):
    path = save(plan_result, tmp_path / "plan.nc")
    before = path.read_bytes()
    broken = plan_result.copy()
    broken.attrs["unstorable"] = {"a dict": "netCDF attributes cannot hold this"}
    with pytest.raises((TypeError, ValueError)):
        save(broken, path, overwrite=True)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["plan.nc"]


def test_a_broken_result_turns_the_master_check_red(plan_result):
    broken = plan_result.copy(deep=True)
    broken["surplus"].loc[{"org": "aintree"}] = broken["surplus"].sel(org="aintree") + 0.02
    failed = [check.name for check in balance_checks(broken) if not check.passed]
    assert "organisations sum to the system" in failed
    assert not all_checks_pass(broken)


def test_negative_activity_turns_the_check_red(plan_result):
    broken = plan_result.copy(deep=True)
    broken["activity"][0, 0, 0, 0] = -1.0
    assert "no activity is negative" in [c.name for c in balance_checks(broken) if not c.passed]
