"""Organisations are baseline data: a baseline of today's organisations runs with no code change."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest
from helpers import SCENARIOS

from sefton_finance.api import run_file
from sefton_finance.baseline import PACKAGED, load_baseline
from sefton_finance.errors import BaselineError

RENAMED = {
    # Southport & Ormskirk merged with St Helens & Knowsley in 2023 (Mersey and West
    # Lancashire Teaching Hospitals); the CCGs became the ICB's Sefton place in 2022.
    "southport_ormskirk": "mwl_southport",
    "south_sefton_ccg": "cm_icb_sefton_south",
    "southport_formby_ccg": "cm_icb_sefton_north",
    "mersey_care": "mersey_care_ft",
    "sefton_council": "sefton_mbc",
}
ADDED = [
    "alder_hey",
    "Alder Hey",
    "Alder Hey Children's NHS FT (no Sefton activity in this baseline)",
    "acute",
    "false",
    "false",
    "false",
    "0.000",
    "test: an organisation with no rows elsewhere",
]


def renamed_copy(tmp_path):
    """The packaged baseline with five organisations renamed and one added."""
    target = tmp_path / "renamed"
    shutil.copytree(PACKAGED, target)
    for path in target.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        rows = [[RENAMED.get(cell, cell) for cell in row] for row in rows]
        if path.name == "organisations.csv":
            rows.append(ADDED)
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    return target


@pytest.mark.parametrize("name", ["place_plan", "des/place_plan_des"])
def test_a_baseline_with_renamed_and_added_organisations_runs_the_same(tmp_path, baseline, name):
    renamed = load_baseline(renamed_copy(tmp_path))
    assert renamed.organisations.des_sites == ("aintree", "mwl_southport")
    scenario = SCENARIOS / f"{name}.yaml"
    ours = run_file(scenario, renamed, with_bridge=False)
    packaged = run_file(scenario, baseline, with_bridge=False)
    if name.startswith("des/"):
        # The DES streams are keyed by site name: a renamed hospital draws other patients.
        assert "mwl_southport" in ours.site.values
        assert np.isfinite(ours["system_surplus"].values).all()
        return
    np.testing.assert_allclose(
        ours["system_surplus"], packaged["system_surplus"], rtol=0, atol=0.005
    )
    for old, new in RENAMED.items():
        np.testing.assert_allclose(
            ours["surplus"].sel(org=new), packaged["surplus"].sel(org=old), rtol=0, atol=0.005
        )
    assert float(np.abs(ours["surplus"].sel(org="alder_hey")).max()) == 0
    assert str(ours["org_name"].sel(org="alder_hey").item()) == "Alder Hey"


def test_a_duplicate_or_malformed_organisation_code_is_named(tmp_path):
    target = renamed_copy(tmp_path)
    path = target / "organisations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("alder_hey,", "Alder Hey!,"), encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        load_baseline(target)
    message = str(caught.value)
    assert "organisations.csv" in message and "column 'org'" in message and "Alder Hey!" in message


def test_a_row_naming_an_organisation_not_in_organisations_csv_is_named(tmp_path):
    target = renamed_copy(tmp_path)
    path = target / "capacity.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("mwl_southport", "southport_ormskirk", 1),
        encoding="utf-8",
    )
    with pytest.raises(BaselineError) as caught:
        load_baseline(target)
    message = str(caught.value)
    assert "capacity.csv" in message and "southport_ormskirk" in message
