"""Against a comparator: differences draw by draw, the wrong pocket, and gain share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS
from typer.testing import CliRunner

from sefton_finance.analysis import intervention_names
from sefton_finance.api import run_file
from sefton_finance.cli import app
from sefton_finance.comparison import QUANTILES, comparator_table, gain_share, wrong_pocket
from sefton_finance.results import save

DRAWS = 20


@pytest.fixture(scope="module")
def pair(baseline):
    do_nothing = run_file(SCENARIOS / "do_nothing.yaml", baseline, draws=DRAWS, workers=1)
    # Stretch, which gains against do nothing by 2024/25 (the place plan, on its evidence,
    # about breaks even), so both a gain and an early loss are there to share.
    plan = run_file(SCENARIOS / "stretch.yaml", baseline, draws=DRAWS, workers=1)
    return do_nothing, plan


def test_the_difference_is_taken_draw_by_draw(pair):
    do_nothing, plan = pair
    table = comparator_table(plan, do_nothing)
    difference = (plan["system_surplus"] - do_nothing["system_surplus"]) / 1e6
    final = str(plan.year.values[-1])
    row = table.loc[("Sefton system", final)]
    assert row["principal"] == pytest.approx(float(difference.sel(year=final, draw=0)))
    assert row["p10"] == pytest.approx(float(difference.sel(year=final).quantile(0.1)))
    assert row["probability_better"] == pytest.approx(
        float((difference.sel(year=final) > 0).mean())
    )
    # Common random numbers: the difference is far narrower than the plan's own spread.
    own = plan["system_surplus"].sel(year=final) / 1e6
    assert float(difference.sel(year=final).std()) < 0.5 * float(own.std())


def test_a_scenario_against_itself_differs_by_nothing(pair):
    _, plan = pair
    table = comparator_table(plan, plan)
    assert float(np.abs(table[["principal", "p10", "p50", "p90"]]).max().max()) == 0
    assert float(table["probability_better"].max()) == 0


def test_the_wrong_pocket_adds_up_to_the_bridge(pair):
    _, plan = pair
    matrix = wrong_pocket(plan)
    final = str(plan.year.values[-1])
    for name in matrix.index.get_level_values("intervention").unique():
        bar = float(plan["bridge"].sel(intervention=name, year=final, draw=0)) / 1e6
        assert matrix.loc[name, "principal"].sum() == pytest.approx(bar, abs=1e-8)


def wrong_pocket_cell_by_cell(ds, year):
    """The matrix read one labelled cell at a time: the readable reference."""
    inside = ds.org.values[ds["in_system"].values]
    cells = ds["bridge_by_org"].sel(year=year, org=inside) / 1e6
    rows = []
    for name in intervention_names(ds):
        for org in inside:
            cell = cells.sel(intervention=name, org=org)
            rows.append(
                {
                    "intervention": name,
                    "organisation": str(ds["org_name"].sel(org=org).item()),
                    "principal": float(cell.isel(draw=0)),
                    **{f"p{round(q * 100):02d}": float(cell.quantile(q)) for q in QUANTILES},
                }
            )
    return pd.DataFrame(rows).set_index(["intervention", "organisation"])


@pytest.mark.parametrize("year", [None, "2021/22"])
def test_the_wrong_pocket_matrix_is_each_cells_quantiles(pair, year):
    _, plan = pair
    matrix = wrong_pocket(plan, year)
    expected = wrong_pocket_cell_by_cell(plan, year or str(plan.year.values[-1]))
    pd.testing.assert_frame_equal(matrix, expected, check_exact=True)


def test_gain_share_leaves_no_one_worse_off_when_the_system_gains(pair):
    do_nothing, plan = pair
    share = gain_share(plan, do_nothing)
    assert share.possible
    assert share.transfers.sum() == pytest.approx(0.0, abs=1e-9)
    assert bool((share.changes + share.transfers >= -1e-9).all())
    assert 0.0 <= share.probability_no_one_worse_off <= 1.0
    # Early on the plan costs the system money: no transfers can make everyone whole.
    early = gain_share(plan, do_nothing, year=str(plan.year.values[1]))
    assert not early.possible and "loses" in early.explanation


def test_compare_and_wrong_pocket_commands(tmp_path, pair):
    paths = [save(ds, tmp_path / f"{name}.nc") for name, ds in zip(("dn", "pp"), pair, strict=True)]
    runner = CliRunner()
    compared = runner.invoke(app, ["compare", *map(str, paths), "--system-only"])
    assert compared.exit_code == 0, compared.output
    assert "against Do nothing" in compared.output
    pocket = runner.invoke(app, ["wrong-pocket", str(paths[1]), "--against", str(paths[0])])
    assert pocket.exit_code == 0, pocket.output
    assert "pifu" in pocket.output and "system gains" in pocket.output
