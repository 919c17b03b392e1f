"""The board dashboard and the what-if page, driven in Debian chromium.

One server serves every test (session fixture); each test opens its own page and
fails if the page logs a console error.
"""

from __future__ import annotations

import re
import time

import pytest

from sefton_finance.config.loading import load_scenario, parse_scenario
from sefton_finance.report import SYSTEM, money
from sefton_finance.results import load
from tests.e2e.conftest import open_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def cell(page, scenario: str, org: str, year: str):
    """The surplus-table cell of one scenario, organisation and year."""
    return page.locator(f'td[data-scenario="{scenario}"][data-org="{org}"][data-year="{year}"]')


def open_whatif(page, url: str) -> None:
    """Open the app, switch to the what-if tab and wait for its first result."""
    open_dashboard(page, url)
    page.locator(".bk-tab", has_text="What-if").click()
    page.locator(".whatif-final").wait_for(timeout=60_000)


def final_value(page) -> float:
    return float(page.locator(".whatif-final").get_attribute("data-value"))


def wait_for_change(page, before: float, timeout: float = 30.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = final_value(page)
        if value != before:
            return value
        page.wait_for_timeout(50)
    raise AssertionError(f"the what-if deficit stayed at {before} for {timeout:.0f} s")


def slider_handle(page, title_start: str):
    """The handle of the what-if slider whose title starts with ``title_start``."""
    titles = page.locator(".bk-slider-title").all_inner_texts()
    index = next(i for i, t in enumerate(titles) if t.startswith(title_start))
    return page.locator(".noUi-handle").nth(index)


def test_comparison_shows_the_numbers_in_the_files(board_page, dashboard_url, small_results):
    _, results = small_results
    open_dashboard(board_page, dashboard_url)
    page = board_page
    # Three scenarios are chosen by default: one table each, plus charts.
    assert page.locator("table.surplus-table").count() == 3
    # Charts are drawn as they come near the screen: scroll through the page.
    sections = page.locator(".board-section")
    for index in range(sections.count()):
        sections.nth(index).scroll_into_view_if_needed()
    page.locator("canvas").nth(7).wait_for(timeout=30_000)
    for name in ("do_nothing", "place_plan", "stretch"):
        ds = load(results / f"{name}.nc")
        year = str(ds.year.values[-1])
        expected = money(float(ds["system_surplus"].sel(year=year)) / 1e6)
        assert cell(page, name, SYSTEM, year).inner_text().strip() == expected
        org_value = float(ds["surplus"].sel(org="aintree", year=year)) / 1e6
        assert cell(page, name, "Aintree (LUHFT)", year).inner_text().strip() == money(org_value)
        css = cell(page, name, SYSTEM, year).get_attribute("class")
        assert css == ("deficit" if expected.startswith("\u2212") else "surplus")
    for heading in (
        "System surplus / deficit by year",
        "Chance of breaking even",
        "Bridge from do nothing",
    ):
        assert page.get_by_text(heading).first.is_visible()
    assert page.get_by_text("Balance checks pass").is_visible()
    # Every assumption is one click away: the scenario file behind each result.
    page.locator("summary", has_text="Assumptions: Stretch").click()
    assert page.locator("pre", has_text="backfill: false").is_visible()


def test_choosing_scenarios_redraws_the_tables(board_page, dashboard_url):
    page = board_page
    open_dashboard(page, dashboard_url)
    page.locator(".choices__item", has_text="Stretch").locator("button").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.choices__item--selectable').length >= 0", timeout=5_000
    )
    expect_gone = time.monotonic() + 30
    while cell(page, "stretch", SYSTEM, "2019/20").count() and time.monotonic() < expect_gone:
        page.wait_for_timeout(100)
    assert cell(page, "stretch", SYSTEM, "2019/20").count() == 0
    assert page.locator("table.surplus-table").count() == 2
    # Choose it again through the picker.
    page.locator(".choices__input--cloned").click()
    page.locator(".choices__item--choice", has_text="Stretch").click()
    cell(page, "stretch", SYSTEM, "2019/20").wait_for(timeout=30_000)
    assert page.locator("table.surplus-table").count() == 3


def test_whatif_slider_moves_the_deficit(board_page, dashboard_url):
    page = board_page
    open_whatif(page, dashboard_url)
    before = final_value(page)
    handle = slider_handle(page, "Allocation growth")
    handle.focus()
    handle.press("ArrowRight")  # +0.1 percentage point of allocation growth a year
    after = wait_for_change(page, before)
    assert after > before, "more allocation growth must improve the system position"
    headline = page.locator(".whatif-final").inner_text()
    assert headline == f"GBP {money(after)}m"
    # The what-if table's system row agrees with the headline.
    year = page.locator(".whatif-final").get_attribute("data-year")
    cell(page, "what_if", SYSTEM, year).filter(has_text=money(after)).wait_for(timeout=10_000)


def test_save_scenario_validates_and_never_overwrites(board_page, dashboard_url, small_results):
    scenarios, _ = small_results
    page = board_page
    open_whatif(page, dashboard_url)
    before = final_value(page)
    handle = slider_handle(page, "A&E streamed to urgent")
    handle.focus()
    for _ in range(4):
        handle.press("ArrowRight")
    wait_for_change(page, before)
    page.get_by_placeholder("my_scenario").fill("board_test_push")
    page.get_by_placeholder("my_scenario").press("Enter")
    page.get_by_placeholder("My scenario").fill("Board test push")
    page.get_by_placeholder("My scenario").press("Enter")
    page.locator("button", has_text="Save as scenario").click()
    page.get_by_text("Saved board_test_push.yaml").wait_for(timeout=30_000)
    path = scenarios / "board_test_push.yaml"
    text = path.read_text(encoding="utf-8")
    scenario = parse_scenario(text, source=path)
    assert scenario.name == "board_test_push"
    assert scenario.title == "Board test push"
    assert load_scenario(path) == scenario
    utc = next(use for use in scenario.interventions if use.name == "utc_diversion")
    assert utc.overrides["effect"] == pytest.approx(0.02)
    # Saving again under the same name is refused and leaves the file alone.
    page.locator("button", has_text="Save as scenario").click()
    page.get_by_text("already exists").wait_for(timeout=30_000)
    assert path.read_text(encoding="utf-8") == text
    # The folder is shared by this run's servers: one started later would compute it.
    path.unlink()


def test_export_board_pack(board_page, dashboard_url, tmp_path):
    page = board_page
    open_dashboard(page, dashboard_url)
    with page.expect_download(timeout=60_000) as download:
        page.locator("button", has_text="Download board pack (HTML)").click()
    target = tmp_path / "pack.html"
    download.value.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert '<table class="surplus-table"' in text
    assert not re.search(r"<script[^>]+src=", text), "the pack must inline every script"
    assert not re.search(r"<link[^>]+href=[\"']?https?:", text)
    # The exported pack opens offline without errors.
    page.goto(target.as_uri())
    page.locator("canvas").first.wait_for(timeout=30_000)
