"""The board pack (no browser): inline JavaScript, numbers that match the results, draws."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sefton_finance import report
from sefton_finance.results import load


@pytest.fixture(scope="module")
def datasets(small_results):
    _, results = small_results
    return [load(results / f"{name}.nc") for name in ("do_nothing", "place_plan", "stretch")]


def test_pack_is_self_contained_and_matches_the_results(datasets, tmp_path):
    html, xlsx = report.write_pack(datasets, tmp_path / "pack.html")
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src\s*=", text), "every script must be inline"
    assert not re.search(r"<link[^>]+href\s*=", text), "no external stylesheets"
    assert "Bokeh" in text and "BEGIN bokeh.min.js" in text
    for ds in datasets:
        name = report.scenario_name(ds)
        for year in ds.year.values:
            value = float(ds["system_surplus"].sel(year=year)) / 1e6
            pattern = (
                f'data-scenario="{name}" data-org="{report.SYSTEM}" data-year="{year}">'
                f"{report.money(value)}</td>"
            )
            assert pattern in text
        # The scenario file behind the numbers is in the pack, one click away.
        assert "<details><summary>Assumptions: " + report.scenario_title(ds) in text
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert {"system_quantiles_gbp_m", "surplus_by_org_gbp_m", "assumptions"} <= set(sheets)
    quantiles = sheets["system_quantiles_gbp_m"]
    row = quantiles[(quantiles["scenario"] == "stretch") & (quantiles["year"] == "2019/20")].iloc[0]
    expected = float(datasets[2]["system_surplus"].sel(year="2019/20")) / 1e6
    assert row["p50"] == pytest.approx(expected, abs=1e-9)


def test_bridge_steps_add_up_from_do_nothing_to_the_scenario(datasets):
    reference, plan = datasets[0], datasets[1]
    for year in (None, str(plan.year.values[-1])):
        frame = report.bridge_frame(plan, reference, year)
        changes = frame.loc[frame["kind"] == "change", "value"].sum()
        assert frame["value"].iloc[0] + changes == pytest.approx(frame["value"].iloc[-1], abs=1e-9)
    last = str(plan.year.values[-1])
    end = report.bridge_frame(plan, reference, last)["value"].iloc[-1]
    assert end == pytest.approx(float(plan["system_surplus"].sel(year=last)) / 1e6)


def test_organisation_table_sums_to_the_system(datasets):
    table = report.organisation_table(datasets[1])
    organisations = table.drop(index=report.SYSTEM).sum()
    np.testing.assert_allclose(organisations.values, table.loc[report.SYSTEM].values, atol=1e-8)


def with_draws(ds: xr.Dataset, shifts=(0.0, -5e6, 5e6, 10e6, 40e6)) -> xr.Dataset:
    """A result with a draw dim: the system surplus moved by known amounts per draw."""
    copies = [ds.assign(system_surplus=ds["system_surplus"] + shift) for shift in shifts]
    return xr.concat(copies, dim="draw", data_vars="all", coords="minimal").assign_coords(
        draw=np.arange(len(shifts))
    )


def test_fan_and_break_even_with_and_without_draws(datasets):
    single = datasets[0]
    frame = report.fan_frame([single])
    assert (frame["p10"] == frame["p50"]).all() and (frame["p50"] == frame["p90"]).all()
    assert set(report.break_even_frame([single])["probability"]) <= {0.0, 1.0}
    many = with_draws(single)
    fan = report.fan_frame([many])
    assert (fan["p10"] <= fan["p50"]).all() and (fan["p50"] <= fan["p90"]).all()
    first = str(single.year.values[0])
    base = float(single["system_surplus"].sel(year=first)) / 1e6
    assert fan.loc[fan["year"] == first, "p50"].item() == pytest.approx(base + 5.0)
    probability = report.break_even_frame([many])
    surplus = many["system_surplus"].sel(year=first)
    expected = float((surplus >= 0).mean())
    assert probability.loc[probability["year"] == first, "probability"].item() == expected
    # The whole pack still renders with draws.
    assert len(report.pack_sections([many, datasets[1]])) > 5


def test_des_and_travel_panels_only_when_the_variables_exist(datasets):
    travel = [v for v in datasets[1].data_vars if any(w in v for w in report.TRAVEL_WORDS)]
    ds = datasets[1].drop_vars(travel)
    assert report.performance_frame([ds]).empty and report.travel_frame([ds]).empty
    years = ds.year.size
    extra = ds.assign(
        ed_4hr_performance=("year", np.linspace(0.8, 0.9, years)),
        co2_avoided=(
            "year",
            np.arange(years, dtype=float),
            {"units": "t CO2e", "long_name": "CO2"},
        ),
    )
    performance = report.performance_frame([extra])
    assert performance["value"].iloc[-1] == pytest.approx(90.0)
    assert len(report.travel_frame([extra])) == years
    titles = [s.title for s in report.pack_sections([extra])]
    assert any("4 hours" in t for t in titles) and any("CO2" in t for t in titles)


def test_scenarios_with_different_horizons_compare_on_a_year_they_share(datasets):
    shorter = datasets[1].isel(year=slice(0, 3))
    sections = report.pack_sections([datasets[0], shorter], year=None, width=None)
    shared = str(shorter.year.values[-1])
    titles = [section.title for section in sections]
    assert any(
        f"Bridge from do nothing to {report.scenario_title(shorter)}, {shared}" in t for t in titles
    )
