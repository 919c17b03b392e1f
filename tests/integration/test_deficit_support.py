"""Deficit support: non-recurrent cash from NHS England, on its own ledger line, so the
board sees the recurrent position and the cliff edge when the support ends."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from helpers import SCENARIOS

from sefton_finance import analysis
from sefton_finance.api import run, run_file
from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.packaged import packaged
from sefton_finance.config.loading import load_scenario
from sefton_finance.errors import BaselineError
from sefton_finance.montecarlo import with_overrides
from tests.corpus.runner import assert_refused, sefton

PLAN = SCENARIOS / "2024-25" / "place_plan_2024_25.yaml"
SUPPORT = 178e6 * 282_060 / 2.7e6
"""Cheshire & Merseyside's 2024/25 deficit support at Sefton's population share (GBP)."""


@pytest.fixture(scope="module")
def plan():
    return run_file(PLAN, with_bridge=False)


def test_support_is_received_to_2025_26_and_removed_from_2026_27(plan):
    line = plan["ledger"].sel(line="deficit_support")
    by_year = line.sum("org").values
    assert by_year[0] == pytest.approx(SUPPORT, abs=1.0)
    assert by_year[1] == by_year[0]  # flat cash in 2025/26 (ASSUMPTION)
    assert (by_year[2:] == 0).all()  # removed from 2026/27 (MTPF)
    receiver = line.sel(year="2024/25")
    assert float(receiver.sel(org="icb_sefton_place")) == by_year[0]  # the commissioner


def test_the_surplus_table_shows_the_recurrent_position(plan):
    table = analysis.surplus_table([plan]).xs(plan.attrs["scenario"], level="scenario")
    before = table.loc[analysis.BEFORE_SUPPORT].values
    system = table.loc[analysis.SYSTEM].values
    np.testing.assert_allclose(system - before, [SUPPORT / 1e6] * 2 + [0] * 4, atol=1e-6)


def test_support_changes_nothing_but_its_own_line(plan):
    """Ending the support a year early lowers 2025/26 by exactly the support; every other
    ledger line of every organisation is the same."""
    scenario = with_overrides(load_scenario(PLAN), {"finance.deficit_support_until": "2024/25"})
    early = run(scenario, with_bridge=False)
    difference = plan["system_surplus"] - early["system_surplus"]
    np.testing.assert_allclose(difference.values, [0, SUPPORT, 0, 0, 0, 0], atol=1.0)
    others = [str(line) for line in plan.line.values if line != "deficit_support"]
    np.testing.assert_array_equal(
        plan["ledger"].sel(line=others).values, early["ledger"].sel(line=others).values
    )


def test_a_2019_baseline_has_none():
    ds = run_file(SCENARIOS / "place_plan.yaml", with_bridge=False)
    assert float(np.abs(ds["ledger"].sel(line="deficit_support")).max()) == 0
    table = analysis.surplus_table([ds])
    assert analysis.BEFORE_SUPPORT not in table.index.get_level_values("organisation")


def test_a_support_year_that_is_no_year_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        'name: bad\nbaseline: sefton-2024-25\nhorizon: {base_year: "2024/25"}\n'
        'finance: {deficit_support_until: "2025-26"}\n'
    )
    assert_refused(sefton("validate", path), path, "finance.deficit_support_until", "2025-26")


def test_deficit_support_grows_with_no_population(tmp_path):
    """Deficit support is a fixed cash sum: a row on a population basis is refused."""
    folder = tmp_path / "baseline"
    shutil.copytree(packaged("sefton-2024-25").directory, folder)
    path = folder / "allocations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "deficit_support,18595067,fixed", "deficit_support,18595067,weighted_population"
        )
    )
    with pytest.raises(BaselineError) as caught:
        load_baseline(folder)
    message = str(caught.value)
    assert "allocations.csv" in message and "row 4" in message and "basis" in message
    assert "weighted_population" in message
