"""The scale-test baseline: counts grow by one factor, simulated hospitals become copies."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS

from sefton_finance.api import run
from sefton_finance.baseline import PACKAGED, load_baseline
from sefton_finance.baseline.scaling import (
    CHESHIRE_AND_MERSEYSIDE_POPULATION,
    scale_baseline,
)
from sefton_finance.config.loading import load_scenario
from sefton_finance.des.link import des_capacity, des_demand


def test_factor_one_and_one_copy_is_the_same_economy(tmp_path, baseline):
    same = load_baseline(scale_baseline(tmp_path / "same", factor=1.0))
    scenario = load_scenario(SCENARIOS / "place_plan.yaml")
    ours, theirs = run(scenario, same), run(scenario, baseline)
    np.testing.assert_allclose(ours["surplus"], theirs["surplus"], rtol=0, atol=0.005)


def test_cheshire_and_merseyside_size(tmp_path, baseline):
    big = load_baseline(
        scale_baseline(tmp_path / "cm", population=CHESHIRE_AND_MERSEYSIDE_POPULATION, copies=4)
    )
    assert float(big.population.sum()) == pytest.approx(2_700_000, rel=1e-6)
    sites = list(big.organisations.des_sites)
    assert len(sites) == 4 * len(baseline.organisations.des_sites)
    factor = 2_700_000 / float(baseline.population.sum())
    np.testing.assert_allclose(big.activity, baseline.activity * factor, rtol=1e-6)
    # Each copy of a hospital sees 1/4 of the grown demand: factor / 4 of the original's.
    activity = baseline.activity.sum("age_band").expand_dims(year=["2019/20"], month=[1])
    small = des_demand(activity, baseline)
    large = des_demand(big.activity.sum("age_band").expand_dims(year=["2019/20"], month=[1]), big)
    for site in baseline.organisations.des_sites:
        for copy in (site, f"{site}_4"):
            np.testing.assert_allclose(
                large.sel(site=copy), small.sel(site=site) * factor / 4, rtol=1e-6
            )
    beds = des_capacity(big).acute_beds
    assert beds["aintree_2"] == round(des_capacity(baseline).acute_beds["aintree"] * factor / 4)
    note = (tmp_path / "cm" / "SCALE_TEST.md").read_text()
    assert "not a real baseline" in note.lower() or "SCALE TEST" in note


def test_the_same_arguments_write_the_same_files(tmp_path):
    first = scale_baseline(tmp_path / "a", factor=3.0, copies=2)
    second = scale_baseline(tmp_path / "b", factor=3.0, copies=2)
    for path in sorted(first.iterdir()):
        if path.suffix == ".csv":
            assert path.read_bytes() == (second / path.name).read_bytes()
    assert {p.name for p in PACKAGED.glob("*.csv")} <= {p.name for p in first.iterdir()}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"factor": 0.0}, "factor"),
        ({"factor": 2.0, "copies": 0}, "copies"),
        ({}, "exactly one"),
        ({"factor": 2.0, "population": 1e6}, "exactly one"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        scale_baseline(tmp_path / "x", **options)
    assert not (tmp_path / "x").exists()


def test_a_target_in_use_is_refused(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        scale_baseline(tmp_path / "used", factor=2.0)
    assert (tmp_path / "used" / "keep.txt").read_text() == "mine"
