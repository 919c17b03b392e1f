"""Results checked on load (schema version, scenario hash, provenance) and balance checks
that fail on any non-finite value."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS

from sefton_finance.api import run_file
from sefton_finance.errors import ResultError
from sefton_finance.results import SCHEMA_VERSION, all_checks_pass, balance_checks, load, save


@pytest.fixture(scope="module")
def plan(baseline):
    return run_file(SCENARIOS / "place_plan.yaml", baseline)


@pytest.fixture(scope="module")
def plan_draws(baseline):
    return run_file(SCENARIOS / "place_plan.yaml", baseline, draws=4, workers=1)


def test_a_result_carries_its_schema_version_and_passes_every_check(tmp_path, plan, plan_draws):
    for ds in (plan, plan_draws):
        assert ds.attrs["schema_version"] == SCHEMA_VERSION
        assert all_checks_pass(ds), [c.describe() for c in balance_checks(ds) if not c.passed]
        loaded = load(save(ds, tmp_path / f"{ds.sizes.get('draw', 1)}.nc"))
        assert all_checks_pass(loaded)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("variable", ["surplus", "system_surplus", "payments", "provider_cost"])
def test_a_non_finite_value_turns_the_master_check_red(plan, variable, value):
    """xarray's max skips NaN, so a NaN run used to print "balanced"."""
    broken = plan.copy(deep=True)
    broken[variable].values.flat[3] = value
    failed = {c.name: c for c in balance_checks(broken) if not c.passed}
    assert "every value is finite" in failed
    assert variable in failed["every value is finite"].describe()
    assert not all_checks_pass(broken)


def test_nan_allocation_of_a_commissioner_fails_where_a_provider_s_is_expected(plan):
    assert np.isnan(plan["allocation"].sel(org="aintree")).all()  # receives none: by design
    broken = plan.copy(deep=True)
    broken["allocation"].loc[{"org": "south_sefton_ccg"}] = np.nan
    assert not all_checks_pass(broken)


def test_a_monte_carlo_nan_in_one_draw_fails(plan_draws):
    broken = plan_draws.copy(deep=True)
    broken["system_surplus"][2, 3] = np.nan
    assert not all_checks_pass(broken)


def _saved(plan, tmp_path, name="plan.nc", **attrs):
    changed = plan.copy()
    changed.attrs = {**plan.attrs, **attrs}
    for key, value in attrs.items():
        if value is None:
            del changed.attrs[key]
    return save(changed, tmp_path / name)


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"schema_version": None}, "attribute 'schema_version' is missing"),
        ({"schema_version": SCHEMA_VERSION + 1}, "written by a newer version"),
        ({"schema_version": "one"}, "attribute 'schema_version' is 'one'"),
        ({"scenario_text": "name: place_plan\nseed: 1\n"}, "does not match 'scenario_sha256'"),
        ({"scenario_sha256": "0" * 64}, "does not match 'scenario_sha256'"),
        ({"baseline_sha256": "not-a-digest"}, "'baseline_sha256' is 'not-a-digest'"),
        ({"seed": None}, "['seed'] missing"),
    ],
)
def test_a_result_is_checked_on_load(plan, tmp_path, attrs, expected):
    path = _saved(plan, tmp_path, **attrs)
    with pytest.raises(ResultError) as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_result_missing_a_variable_is_refused(plan, tmp_path):
    path = save(plan.drop_vars("payments"), tmp_path / "part.nc")
    with pytest.raises(ResultError, match=r"variable\(s\) \['payments'\] missing"):
        load(path)


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty"), (b"just some text\n", "text"), (b"\x89HDF\r\n\x1a\n" + b"\0" * 40, "hdf")],
)
def test_a_foreign_or_truncated_file_is_named(tmp_path, plan, content, name):
    path = tmp_path / f"{name}.nc"
    path.write_bytes(content)
    with pytest.raises(ResultError, match="not a readable netCDF file"):
        load(path)
    good = save(plan, tmp_path / "good.nc").read_bytes()
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ResultError, match="truncated or another format"):
        load(truncated)
