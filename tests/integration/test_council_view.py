"""The system without the council: a council balances by law, so its surplus is not
money that meets an NHS deficit, and the surplus table shows the system both ways."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS

from sefton_finance import analysis
from sefton_finance.api import run_file


@pytest.mark.parametrize("scenario", ["place_plan.yaml", "2024-25/place_plan_2024_25.yaml"])
def test_the_system_without_the_council_is_the_other_bodies_surplus(scenario):
    ds = run_file(SCENARIOS / scenario, with_bridge=False)
    table = analysis.surplus_table([ds]).xs(ds.attrs["scenario"], level="scenario")
    council = ds["org_kind"].values == "council"
    assert council.sum() == 1
    expected = (ds["system_surplus"] - ds["surplus"].isel(org=np.flatnonzero(council)[0])) / 1e6
    np.testing.assert_allclose(table.loc[analysis.WITHOUT_COUNCIL], expected.values, atol=1e-9)
    if scenario == "place_plan.yaml":
        # The 2019 plan's council runs ahead of its spend (funding +6.87% a year): the
        # two rows differ by its surplus, so the view is not a relabel.
        council_surplus = ds["surplus"].isel(org=np.flatnonzero(council)[0]).values / 1e6
        assert council_surplus[-1] > 1.0
    assert list(table.index[:2]) == [analysis.SYSTEM, analysis.WITHOUT_COUNCIL] or list(
        table.index[:3]
    ) == [analysis.SYSTEM, analysis.BEFORE_SUPPORT, analysis.WITHOUT_COUNCIL]


def test_pence_of_rounding_are_not_savings_required():
    ds = run_file(SCENARIOS / "place_plan.yaml", with_bridge=False)
    savings = ds["ledger"].sel(line="savings_required", org="sefton_council")
    assert 0 < float(savings.max()) < 0.05e6, "the packaged budgets leave pence"
    rows = analysis.surplus_table([ds]).index.get_level_values("organisation")
    assert not any("savings required" in row for row in rows)
