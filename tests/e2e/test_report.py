"""The board pack and its workbook, written by the CLI from real results.

Real runs: the shipped scenarios over three years (``small_results``), do nothing and
stretch again with Monte Carlo draws, and the place plan on the discrete-event path
for one year. ``sefton-finance report`` writes each pack; the tests then read the
HTML and the workbook back and hold every figure to the result files.
"""

from __future__ import annotations

import ast
import html as htmllib
import json
import re
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr
import yaml

from sefton_finance import report
from sefton_finance.analysis import intervention_names
from sefton_finance.api import run_file
from sefton_finance.headline import gbp_m, headline
from sefton_finance.report.workbook import GBP_M_FORMAT
from sefton_finance.results import load, save
from tests.e2e.conftest import REPO, SMALL_HORIZON

MAX_BYTES = 2_500_000
"""A pack must stay small enough to e-mail (the issue's limit)."""
DRAWS = 8


def _scenario(folder, base: str, name: str, title: str, **changes):
    data = yaml.safe_load((REPO / "scenarios" / base).read_text(encoding="utf-8"))
    data.update(name=name, title=title)
    data.setdefault("horizon", {})["years_ahead"] = changes.pop("years_ahead", SMALL_HORIZON)
    for key, value in changes.items():
        data.setdefault(key, {}).update(value)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def results(small_results, tmp_path_factory):
    """Result files by name: the three-year shipped ones, draws, and a discrete-event one."""
    _, folder = small_results
    extra = tmp_path_factory.mktemp("pack_results")
    files = {name: folder / f"{name}.nc" for name in ("do_nothing", "place_plan", "stretch")}
    for base, name, title in (
        ("do_nothing.yaml", "do_nothing_draws", "Do nothing"),
        ("stretch.yaml", "stretch_draws", "Stretch"),
    ):
        path = _scenario(extra, base, name, title)
        files[name] = save(run_file(path, draws=DRAWS, workers=1), extra / f"{name}.nc")
    # The place plan again, same name and title, with draws: one scenario in two files.
    again = _scenario(extra, "place_plan.yaml", "place_plan", "Place plan")
    files["place_plan_draws"] = save(
        run_file(again, draws=DRAWS, workers=1), extra / "place_plan_draws.nc"
    )
    des = _scenario(
        extra,
        "des/place_plan_des.yaml",
        "place_plan_des",
        "Place plan (discrete-event capacity)",
        years_ahead=1,
        capacity={"replications": 3},
    )
    files["place_plan_des"] = save(run_file(des), extra / "place_plan_des.nc")
    return files


def write_with_cli(files, out, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sefton_finance", "report", *map(str, files)]
    return subprocess.run(
        [*command, "--out", str(out), *options],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def draws_pack(results, tmp_path_factory):
    """``(html text, workbook path, datasets)`` for do nothing and stretch with draws, and
    the place plan as a single run."""
    names = ("do_nothing_draws", "place_plan", "stretch_draws")
    out = tmp_path_factory.mktemp("draws_pack") / "pack.html"
    done = write_with_cli([results[n] for n in names], out)
    assert done.returncode == 0, done.stderr
    assert "MB" in done.stdout and " s" in done.stdout
    return out, out.with_suffix(".xlsx"), [load(results[n]) for n in names]


@pytest.fixture(scope="module")
def des_pack(results, tmp_path_factory):
    names = ("do_nothing", "place_plan_des")
    out = tmp_path_factory.mktemp("des_pack") / "pack.html"
    done = write_with_cli([results[n] for n in names], out)
    assert done.returncode == 0, done.stderr
    return out, out.with_suffix(".xlsx"), [load(results[n]) for n in names]


def central(ds: xr.Dataset, variable: str = "system_surplus") -> xr.DataArray:
    array = ds[variable]
    return array.isel(draw=0) if "draw" in array.dims else array


def bokeh_sources(text: str) -> list[dict]:
    """Every ColumnDataSource's data in the pack's embedded bokeh document."""
    literal = re.search(r"const docs_json = '(.*?)';", text, re.S).group(1)
    document = json.loads(ast.literal_eval(f"'{literal}'"))
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("name") == "ColumnDataSource":
                entries = node["attributes"]["data"]["entries"]
                found.append({key: value for key, value in entries})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


# ----------------------------------------------------------------- the headline


def test_the_headline_figures_are_the_result_files_numbers(draws_pack):
    path, xlsx, datasets = draws_pack
    text = path.read_text(encoding="utf-8")
    year = str(datasets[0].year.values[-1])
    centrals = {
        str(ds.attrs["scenario"]): float(central(ds).sel(year=year)) / 1e6 for ds in datasets
    }
    best = max(centrals, key=centrals.get)
    block = re.search(r'<div class="headline"[^>]*>(.*?)</div>', text, re.S)
    attrs = re.search(r'data-year="([^"]+)" data-best="([^"]+)" data-central="([^"]+)"', text)
    assert attrs.groups()[:2] == (year, best)
    assert float(attrs.group(3)) == pytest.approx(centrals[best], abs=1e-6)
    words = htmllib.unescape(re.sub(r"<[^>]+>", "", block.group(1)))
    assert gbp_m(centrals[best]) in words and year in words
    # The best scenario has draws: its median, P10 and P90 are the draws' own.
    ds = next(d for d in datasets if d.attrs["scenario"] == best)
    at = ds["system_surplus"].sel(year=year).values / 1e6
    assert ds.sizes["draw"] == DRAWS
    for value in np.quantile(at, [0.1, 0.5, 0.9]):
        assert gbp_m(float(value)) in words
    assert "central assumptions" in words and f"median of {DRAWS} draws" in words
    # The same record as the library gives, word for word (the dashboard prints it too).
    assert words == headline(datasets).sentence
    # And the workbook's headline sheet holds the same numbers, unrounded.
    sheet = pd.read_excel(xlsx, sheet_name="headline").set_index("item")["value"]
    assert float(sheet["central run, GBP m"]) == pytest.approx(centrals[best], abs=1e-9)
    assert sheet["year"] == year and sheet["headline"] == words


def test_chance_of_breaking_even_only_where_draws_exist(draws_pack, des_pack):
    text = draws_pack[0].read_text(encoding="utf-8")
    assert "Chance of breaking even (% of draws)" in text
    chances = re.findall(r'<td data-scenario="([^"]+)" data-year="[^"]+">', text)
    assert set(chances) == {"do_nothing_draws", "stretch_draws"}, "single runs get no chance"
    single = des_pack[0].read_text(encoding="utf-8")
    assert "a chance of breaking even needs Monte Carlo draws" in single
    assert "% of draws" not in single


# ----------------------------------------------------------------- hospitals


def test_hospital_totals_are_sums_over_sites_and_rates_are_weighted(des_pack):
    path, xlsx, (_, des) = des_pack
    frame = pd.read_excel(xlsx, sheet_name="hospital")
    sites = [str(s) for s in des.site.values]
    for key, measure in report.MEASURES.items():
        rows = frame[frame["measure"] == measure.label]
        assert len(rows), f"{key} missing from the workbook"
        for year in des.year.values:
            per_site = central(des, f"des_{key}_replications").sel(year=year)
            total = rows[(rows["year"] == year) & (rows["site"] == report.TOTAL)]
            if measure.total == "none":
                assert total.empty
                continue
            if measure.total == "sum":
                expected = float(central(des, f"des_{key}").sel(year=year).sum("site"))
            elif measure.total == "attendances":
                weights = central(des, "provider_activity").sel(
                    pod="ae_type1", org=sites, year=year
                )
                expected = float(
                    (per_site.mean("replication").values * weights.values).sum()
                    / weights.values.sum()
                )
            elif measure.total == "pathways":
                # Sefton's share of all open pathways within 18 weeks, each replication.
                open_ = central(des, "des_rtt_incomplete_pathways_replications").sel(year=year)
                within = (per_site * open_).sum("site")
                expected = float((within / open_.sum("site")).mean("replication"))
                unweighted = float(per_site.mean(["site", "replication"]))
                assert expected != pytest.approx(unweighted, abs=1e-6), "sites differ in size"
            else:  # beds: occupied over open, all sites
                beds = central(des, "des_bed_occupancy_peak_cap").sel(year=year)
                expected = float(per_site.mean("replication").sum("site") / beds.sum("site"))
            assert float(total["value"].iloc[0]) == pytest.approx(expected * measure.scale)
            assert total["lower"].iloc[0] <= total["value"].iloc[0] <= total["upper"].iloc[0]
    # The waiting list, summed: 2 sites, one total, in the pack's table as well.
    text = path.read_text(encoding="utf-8")
    year = str(des.year.values[-1])
    waiting = float(des["des_op_waiting_list"].sel(year=year).sum("site"))
    cell = re.search(
        r'data-measure="Outpatient waiting list at year end" '
        rf'data-site="{report.TOTAL}">([^<]+)</td>',
        text,
    )
    assert cell.group(1).startswith(f"{waiting:,.0f}")


def test_capped_values_are_shown_as_capped(des_pack):
    path, xlsx, (_, des) = des_pack
    frame = pd.read_excel(xlsx, sheet_name="hospital")
    peaks = frame[frame["measure"] == "Peak occupied beds"]
    at_cap = des["des_bed_occupancy_peak_at_cap"]
    for row in peaks.itertuples():
        site = next(
            s for s in des.site.values if str(des["org_name"].sel(org=s).item()) == row.site
        )
        assert row.capped == bool(float(at_cap.sel(year=row.year, site=site)) > 0)
    text = path.read_text(encoding="utf-8")
    shown = re.findall(r'data-measure="Peak occupied beds" data-site="[^"]+">([^<]+)<', text)
    last = str(des.year.values[-1])
    expected = [bool(float(at_cap.sel(year=last, site=s)) > 0) for s in des.site.values]
    assert [s.endswith(", capped") for s in shown] == expected


# ----------------------------------------------------------------- the bridge


def test_workbook_bridge_is_the_packs_bridge_for_the_stated_year(draws_pack):
    path, xlsx, datasets = draws_pack
    text = path.read_text(encoding="utf-8")
    year = str(datasets[0].year.values[-1])
    book = pd.read_excel(xlsx, sheet_name=None)
    labels = [s["shown"] for s in bokeh_sources(text) if "shown" in s and "step" in s]
    for ds in datasets[1:]:
        name = str(ds.attrs["scenario"])
        sheet = book[f"bridge_{name}"[:31]]
        assert set(sheet["year"]) == {year}, "one year, said in the sheet"
        total = float(central(ds).sel(year=year)) / 1e6
        assert sheet["value"].iloc[-1] == pytest.approx(total, abs=1e-9)
        assert sheet["value"].iloc[0] == pytest.approx(
            float(central(datasets[0]).sel(year=year)) / 1e6, abs=1e-9
        )
        changes = sheet.loc[sheet["kind"] == "change", "value"].sum()
        assert sheet["value"].iloc[0] + changes == pytest.approx(total, abs=1e-9)
        assert f"Bridge from do nothing to {report.scenario_title(ds)}, {year}" in text
        # The chart's value labels are the sheet's values, in order.
        expected = [
            report.money(v) if kind == "total" else ("+" if v >= 0.05 else "") + report.money(v)
            for kind, v in zip(sheet["kind"], sheet["value"], strict=True)
        ]
        assert expected in labels
    contents = book["contents"]
    bridges = contents[contents["sheet"].str.startswith("bridge_", na=False)]
    assert set(bridges["year"]) == {year}


def test_bridge_steps_add_up_from_do_nothing_to_the_scenario(small_results):
    _, folder = small_results
    reference, plan = load(folder / "do_nothing.nc"), load(folder / "place_plan.nc")
    for year in (None, str(plan.year.values[-1])):
        frame = report.bridge_frame(plan, reference, year)
        changes = frame.loc[frame["kind"] == "change", "value"].sum()
        assert frame["value"].iloc[0] + changes == pytest.approx(frame["value"].iloc[-1], abs=1e-9)


# ----------------------------------------------------------------- the pack as a file


def test_pack_is_small_self_contained_and_matches_the_results(draws_pack):
    path, _, datasets = draws_pack
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size / 1e6:.2f} MB"
    assert not re.search(r"<script[^>]+src\s*=", text), "every script must be inline"
    assert not re.search(r"<link\b", text), "no external stylesheets"
    # Outside bokeh's own library code (which names URLs it fetches only for features a
    # static pack never uses: the browser test checks nothing is fetched), no URL at all.
    markup = re.sub(r"<script>.*?</script>", "", text, flags=re.S)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", markup, re.I), "no external URLs"
    assert "@import" not in markup
    assert "BEGIN bokeh.min.js" in text
    for bundle in ("bokeh-widgets", "bokeh-tables", "bokeh-gl", "bokeh-mathjax"):
        assert f"BEGIN {bundle}" not in text, f"{bundle} is not needed by a static pack"
    for ds in datasets:
        name = report.scenario_name(ds)
        for year in ds.year.values:
            value = float(central(ds).sel(year=year)) / 1e6
            pattern = (
                f'data-scenario="{name}" data-org="{report.SYSTEM}" data-year="{year}">'
                f"{report.money(value)}</td>"
            )
            assert pattern in text
        assert "<details><summary>Assumptions: " + report.scenario_title(ds) in text


def test_comparator_wrong_pocket_and_savings_by_kind(draws_pack):
    path, xlsx, datasets = draws_pack
    text = path.read_text(encoding="utf-8")
    year = str(datasets[0].year.values[-1])
    book = pd.read_excel(xlsx, sheet_name=None)
    stretch = datasets[2]
    # Comparator: stretch minus do nothing, paired draws, the system row first.
    comparator = book["comparator_gbp_m"]
    row = comparator[
        (comparator["scenario"] == "stretch_draws")
        & (comparator["organisation"] == report.SYSTEM)
        & (comparator["year"] == year)
    ].iloc[0]
    gap = (stretch["system_surplus"] - datasets[0]["system_surplus"]).sel(year=year) / 1e6
    assert row["central"] == pytest.approx(float(gap.isel(draw=0)))
    assert row["probability_better"] == pytest.approx(float((gap > 0).mean()))
    assert row["draws"] == DRAWS
    assert f"Stretch minus Do nothing in {year}: range and chance, {DRAWS} paired draws" in text
    # Wrong pocket: each intervention's row of organisations adds up to its system column.
    pocket = book["wrong_pocket_stretch_draws"].drop(columns="year").set_index("intervention")
    organisations = pocket.drop(columns=report.SYSTEM).sum(axis=1)
    np.testing.assert_allclose(organisations, pocket[report.SYSTEM], atol=1e-9)
    cells = stretch["bridge_by_org"].isel(draw=0).sel(year=year) / 1e6
    inside = stretch.org.values[stretch["in_system"].values]
    for name in intervention_names(stretch):
        label = report.intervention_label(name)
        expected = float(cells.sel(intervention=name, org=inside).sum("org"))
        assert pocket.loc[label, report.SYSTEM] == pytest.approx(expected, abs=1e-9)
    assert f"Wrong pocket: Stretch, {year} (GBP m)" in text
    # Savings by kind: the together row is the result's savings over the organisations inside.
    savings = book["savings_stretch_draws"].set_index("intervention")
    together = stretch["savings"].isel(draw=0).sel(year=year, org=inside).sum("org") / 1e6
    for kind, label in report.KIND_LABELS.items():
        assert savings.loc["All interventions together", label] == pytest.approx(
            float(together.sel(kind=kind))
        )
    assert savings.loc["All interventions together", "Total"] == pytest.approx(
        float(together.sum())
    )


def test_workbook_layout_numbers_formatted_headers_frozen_contents(draws_pack):
    _, xlsx, _ = draws_pack
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "contents"
    listed = [row[0].value for row in book["contents"].iter_rows(min_row=2) if row[0].hyperlink]
    assert listed == book.sheetnames[1:]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(ws.column_dimensions[c].width >= 8 for c in "AB"), ws.title
    quantiles = book["system_quantiles_gbp_m"]
    header = [c.value for c in quantiles[1]]
    for column in ("central", "p10", "p50", "p90"):
        cells = [row[header.index(column)] for row in quantiles.iter_rows(min_row=2)]
        assert all(c.number_format == GBP_M_FORMAT for c in cells)
    chance = book["break_even_probability"]
    header = [c.value for c in chance[1]]
    assert {row[header.index("probability")].number_format for row in chance.iter_rows(min_row=2)} == {"0.0%"}  # fmt: skip
    bridge = next(ws for ws in book.worksheets if ws.title.startswith("bridge_"))
    assert "(" in bridge.oddHeader.center.text and bridge.oddHeader.center.text.endswith(")")


def test_report_refuses_a_year_or_comparator_the_results_lack(results, tmp_path):
    files = [results["do_nothing"], results["stretch"]]
    for option, value, message in (
        ("--year", "2031/32", "year '2031/32'"),
        ("--comparator", "nobody", "comparator 'nobody' is not among the results"),
    ):
        done = write_with_cli(files, tmp_path / "pack.html", option, value)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert not list(tmp_path.iterdir()), "nothing written"


def test_a_chosen_year_and_comparator_reach_both_files(results, tmp_path):
    files = [results["do_nothing"], results["place_plan"], results["stretch"]]
    out = tmp_path / "pack.html"
    done = write_with_cli(files, out, "--year", "2020/21", "--comparator", "place_plan")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "At a glance, 2020/21" in text and "Bridge from place plan to Stretch, 2020/21" in text
    assert "Against Place plan: difference by organisation" in text
    book = pd.read_excel(out.with_suffix(".xlsx"), sheet_name=None)
    assert set(book["bridge_stretch"]["year"]) == {"2020/21"}
    assert "bridge_place_plan" not in book, "the comparator has no bridge to itself"
    assert book["headline"].set_index("item").loc["comparator", "value"] == "Place plan"


def test_two_files_of_one_scenario_are_two_scenarios_in_the_pack(results, tmp_path):
    """A single run and a run with draws of one scenario used to merge into one table row
    per organisation and year, and the comparator view failed on the duplicates."""
    files = [results["do_nothing"], results["place_plan"], results["place_plan_draws"]]
    out = tmp_path / "pack.html"
    done = write_with_cli(files, out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "Place plan (8 draws) minus Do nothing" in text
    assert "Place plan minus Do nothing, GBP m" in text
    comparator = pd.read_excel(out.with_suffix(".xlsx"), sheet_name="comparator_gbp_m")
    year = str(load(results["do_nothing"]).year.values[-1])
    base = central(load(results["do_nothing"])).sel(year=year)
    for name, file in (("place_plan", "place_plan"), ("place_plan_draws", "place_plan_draws")):
        row = comparator[
            (comparator["scenario"] == name)
            & (comparator["organisation"] == report.SYSTEM)
            & (comparator["year"] == year)
        ]
        assert len(row) == 1, name
        gap = float(central(load(results[file])).sel(year=year) - base) / 1e6
        assert row["central"].iloc[0] == pytest.approx(gap)


# ----------------------------------------------------------------- tables


def test_organisation_table_sums_to_the_system(small_results):
    _, folder = small_results
    table = report.organisation_table(load(folder / "place_plan.nc"))
    organisations = table.drop(index=report.SYSTEM).sum()
    np.testing.assert_allclose(organisations.values, table.loc[report.SYSTEM].values, atol=1e-8)


def test_fan_and_break_even_with_and_without_draws(results):
    single = load(results["do_nothing"])
    frame = report.fan_frame([single])
    assert (frame["p10"] == frame["central"]).all() and (frame["draws"] == 1).all()
    assert set(report.break_even_frame([single])["probability"]) <= {0.0, 1.0}
    many = load(results["stretch_draws"])
    fan = report.fan_frame([many])
    assert (fan["p10"] <= fan["p50"]).all() and (fan["p50"] <= fan["p90"]).all()
    first = str(many.year.values[-1])
    surplus = many["system_surplus"].sel(year=first)
    assert fan.loc[fan["year"] == first, "central"].item() == pytest.approx(
        float(surplus.isel(draw=0)) / 1e6
    )
    assert fan.loc[fan["year"] == first, "p50"].item() == pytest.approx(
        float(surplus.median()) / 1e6
    )
    probability = report.break_even_frame([many])
    assert probability.loc[probability["year"] == first, "probability"].item() == float(
        (surplus >= 0).mean()
    )


def test_scenarios_with_different_horizons_compare_on_a_year_they_share(small_results):
    _, folder = small_results
    reference, plan = load(folder / "do_nothing.nc"), load(folder / "place_plan.nc")
    shorter = plan.isel(year=slice(0, 2))
    sections = report.pack_sections([reference, shorter], year=None, width=None)
    shared = str(shorter.year.values[-1])
    titles = [section.title for section in sections]
    assert f"At a glance, {shared}" in titles
    assert f"Bridge from do nothing to {report.scenario_title(shorter)}, {shared} (GBP m)" in titles


def test_flat_series_get_an_honest_axis():
    assert report.padded_limits([60828.0, 60828.0 + 4e-11]) == pytest.approx((54745.2, 66910.8))
    low, high = report.padded_limits([-3.0, 5.0], include_zero=True)
    assert low < -3 and high > 5


def test_hostile_titles_stay_text_in_the_headline(small_results):
    _, folder = small_results
    hostile = '<img src=x onerror="window.__xss=1"> =HYPERLINK("x")'
    datasets = [load(folder / "do_nothing.nc"), load(folder / "stretch.nc")]
    datasets[1] = datasets[1].assign_attrs(scenario_title=hostile)
    block = report.headline_html(headline(datasets))
    assert "<img" not in block and htmllib.escape(hostile) in block


# ----------------------------------------------------------------- in the browser

A4_LANDSCAPE_MM = (297, 210)
MARGIN_MM = 12
PX_PER_MM = 96 / 25.4


@pytest.mark.browser
@pytest.mark.slow
def toolbar_displays(page) -> list[str]:
    """The computed display of every chart toolbar, searched through the shadow roots
    bokeh draws into."""
    return page.evaluate(
        """() => {
        const found = [];
        const walk = root => root.querySelectorAll('*').forEach(e => {
            if (e.classList.contains('bk-Toolbar')) found.push(getComputedStyle(e).display);
            if (e.shadowRoot) walk(e.shadowRoot);
        });
        walk(document);
        return found;
    }"""
    )


def test_pack_opens_offline_and_prints_on_a4_landscape(board_page, draws_pack, tmp_path):
    path, _, _ = draws_pack
    page = board_page
    fetched: list[str] = []

    def offline(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            fetched.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(path.as_uri())
    roots = page.locator("[data-root-id]")
    roots.first.wait_for(state="attached", timeout=30_000)
    page.locator("canvas").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)
    assert page.locator("canvas").count() >= roots.count() > 5, "every chart drew"
    assert not fetched, f"the pack asked the network for {fetched}"
    on_screen = toolbar_displays(page)
    assert on_screen and "none" not in on_screen, "each chart has its toolbar on screen"
    # Print: A4 landscape, the page's printable width and height in CSS pixels.
    width = round((A4_LANDSCAPE_MM[0] - 2 * MARGIN_MM) * PX_PER_MM)
    height = round((A4_LANDSCAPE_MM[1] - 2 * MARGIN_MM) * PX_PER_MM)
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(media="print")
    page.wait_for_timeout(1_000)
    layout = page.evaluate(
        """() => {
        const page = [...document.styleSheets].flatMap(s => [...s.cssRules])
            .filter(r => r instanceof CSSPageRule).map(r => r.style.getPropertyValue('size'));
        const figures = [...document.querySelectorAll('div.figure')].map(f => {
            const box = f.getBoundingClientRect();
            return {height: box.height, right: box.right, avoid: getComputedStyle(f).breakInside,
                    text: f.innerText.slice(0, 60)};
        });
        const pre = document.querySelector('details:not([open]) pre');
        const cell = document.querySelector('table.surplus-table td');
        return {page, figures, folded: pre ? pre.getBoundingClientRect().height : -1,
                colour: getComputedStyle(cell).printColorAdjust,
                heading: getComputedStyle(document.querySelector('h2')).breakAfter};
    }"""
    )
    assert any("landscape" in size or "297mm 210mm" in size for size in layout["page"]), layout
    on_paper = toolbar_displays(page)
    assert len(on_paper) == len(on_screen) and set(on_paper) == {"none"}, "no toolbar printed"
    assert layout["folded"] > 0, "the assumptions print although folded on screen"
    assert layout["colour"] == "exact", "shading is printed"
    assert layout["heading"] == "avoid"
    assert len(layout["figures"]) > 10
    for figure in layout["figures"]:
        assert figure["avoid"] == "avoid", figure
        assert figure["height"] <= height, f"taller than a page, so it would split: {figure}"
        assert figure["right"] <= width + 1, f"runs past the page edge: {figure}"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = {
        tuple(float(v) for v in box.split())
        for box in re.findall(rb"/MediaBox\s*\[([\d.\s]+)\]", pdf)
        for box in [box.decode()]
    }
    assert boxes and all(w > h for _, _, w, h in boxes), f"landscape pages: {boxes}"
    (tmp_path / "pack.pdf").write_bytes(pdf)
