"""The board's Compare page and what-if controls in Debian chromium, against a real server.

One server serves this module, over the three-year shipped scenarios plus: a
two-year stretch (a base with another horizon), a one-year discrete-event place
plan (hospital numbers) and a 20-draw place plan with the same title as the
single run (the chooser must tell them apart, the chance of breaking even needs
draws). Every test fails on a browser console error (``board_page``).
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
import yaml

from sefton_finance.headline import headline
from sefton_finance.report import EXPLAIN
from sefton_finance.results import load
from tests.e2e.conftest import REPO, serving
from tests.e2e.test_dashboard import final_value, slider_handle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOGETHER = "Sefton acute sites together"


def _scenario(path, base: str, years: int, **changes) -> None:
    source = REPO / "scenarios" / (f"des/{base}.yaml" if base.endswith("_des") else f"{base}.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data.setdefault("horizon", {})["years_ahead"] = years
    for key, value in changes.items():
        if isinstance(value, dict):
            data.setdefault(key, {}).update(value)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def board_results(small_results, tmp_path_factory):
    """``(scenarios_dir, results_dir)``: the small results plus the three extra ones."""
    from sefton_finance.api import run_file
    from sefton_finance.results import save

    small_scenarios, small = small_results
    root = tmp_path_factory.mktemp("board_extra")
    scenarios, results = root / "scenarios", root / "results"
    scenarios.mkdir()
    results.mkdir()
    for name in ("do_nothing", "place_plan", "stretch"):
        shutil.copy(small_scenarios / f"{name}.yaml", scenarios / f"{name}.yaml")
        shutil.copy(small / f"{name}.nc", results / f"{name}.nc")
    _scenario(
        scenarios / "short_stretch.yaml", "stretch", 2, name="short_stretch",
        title="Stretch, two years",
    )  # fmt: skip
    _scenario(
        scenarios / "place_plan_des.yaml", "place_plan_des", 1,
        capacity={"replications": 3, "warmup_days": 14},
    )  # fmt: skip
    other = root / "other"
    other.mkdir()
    # Same name and title as the single run; only its file and its draws differ.
    _scenario(other / "place_plan.yaml", "place_plan", 2)
    for name in ("short_stretch", "place_plan_des"):
        save(run_file(scenarios / f"{name}.yaml"), results / f"{name}.nc")
    save(run_file(other / "place_plan.yaml", draws=20), results / "place_plan_draws.nc")
    return scenarios, results


@pytest.fixture(scope="module")
def board_url(board_results, tmp_path_factory):
    scenarios, results = board_results
    log = tmp_path_factory.mktemp("board_server") / "serve.log"
    options = ("--results", str(results), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=log) as (_, root):
        yield f"{root}/app"


# ---------------------------------------------------------------- helpers


def open_compare(page, url: str) -> None:
    page.goto(url, timeout=60_000)
    page.locator(".headline").first.wait_for(timeout=90_000)


def choose(page, labels: list[str], names: list[str]) -> None:
    """Make the chooser hold exactly ``labels``, then wait until the page shows the
    organisation tables of the results ``names`` (scenario names), in that order."""
    while page.locator(".choices__item--selectable button").count():
        page.locator(".choices__item--selectable button").first.click()
    for label in labels:
        page.locator(".choices__input--cloned").click()
        exact = re.compile(f"^{re.escape(label)}$")
        page.locator(".choices__item--choice").filter(has_text=exact).first.click()
        page.keyboard.press("Escape")
    deadline = time.monotonic() + 90
    shown = None
    while time.monotonic() < deadline:
        shown = page.locator("table.surplus-table").evaluate_all(
            "els => els.map(e => e.dataset.scenario)"
        )
        if shown == names:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the page shows {shown}, expected {names}")


def wait_headline_year(page, year: str, timeout: float = 90.0) -> None:
    page.locator(f'.headline[data-year="{year}"]').first.wait_for(timeout=timeout * 1000)


def open_whatif(page, url: str) -> None:
    page.goto(url, timeout=60_000)
    page.get_by_role("tab", name="What-if").click(timeout=90_000)
    page.locator(".whatif-final").wait_for(timeout=90_000)


def slider_value(page, title_start: str) -> float:
    return float(slider_handle(page, title_start).get_attribute("aria-valuenow"))


def wait_final(page, expected: float, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if abs(final_value(page) - expected) < 5e-7:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the what-if deficit is {final_value(page)}, expected {expected}")


def result_final(results, name: str) -> tuple[str, float]:
    ds = load(results / f"{name}.nc")
    year = str(ds.year.values[-1])
    return year, float(ds["system_surplus"].sel(year=year)) / 1e6


# ---------------------------------------------------------------- what-if


def test_reset_restores_exactly_what_the_base_holds(board_page, board_url, board_results):
    _, results = board_results
    page = board_page
    open_whatif(page, board_url)
    year, expected = result_final(results, "do_nothing")
    wait_final(page, expected)
    growth, utc = slider_value(page, "Allocation growth"), slider_value(page, "A&E streamed")
    for title in ("Allocation growth", "A&E streamed"):
        handle = slider_handle(page, title)
        handle.focus()
        handle.press("ArrowRight")
        handle.press("ArrowRight")
    deadline = time.monotonic() + 60
    while abs(final_value(page) - expected) < 1e-6 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert abs(final_value(page) - expected) > 1e-6, "the levers did not move the position"
    page.get_by_role("button", name="Reset to the base scenario").click()
    wait_final(page, expected)
    assert slider_value(page, "Allocation growth") == pytest.approx(growth)
    assert slider_value(page, "A&E streamed") == pytest.approx(utc)
    assert page.locator(".whatif-final").get_attribute("data-year") == year
    # After a reset a move back to where the lever was before is a change again.
    handle = slider_handle(page, "Allocation growth")
    handle.focus()
    handle.press("ArrowRight")
    deadline = time.monotonic() + 60
    while abs(final_value(page) - expected) < 1e-6 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert final_value(page) > expected


def test_switching_base_applies_the_whole_base_without_wrong_numbers(
    board_page, board_url, board_results
):
    _, results = board_results
    page = board_page
    open_whatif(page, board_url)
    _, first = result_final(results, "do_nothing")
    wait_final(page, first)
    # Record every position the headline shows from now on.
    page.evaluate(
        """() => {
          window.__shown = [];
          const find = (root) => {
            const hit = root.querySelector('.whatif-final');
            if (hit) return hit;
            for (const el of root.querySelectorAll('*')) {
              if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; }
            }
            return null;
          };
          const tick = () => {
            const el = find(document);
            if (el) {
              const v = el.dataset.value;
              if (window.__shown[window.__shown.length - 1] !== v) window.__shown.push(v);
            }
            requestAnimationFrame(tick);
          };
          tick();
        }"""
    )
    page.get_by_role("combobox", name="Start from scenario").select_option(
        label="Stretch, two years"
    )
    year, expected = result_final(results, "short_stretch")
    wait_final(page, expected)
    assert page.locator(".whatif-final").get_attribute("data-year") == year
    assert slider_value(page, "Years ahead") == 2, "years ahead must follow the base"
    shown = [float(v) for v in page.evaluate("() => window.__shown")]
    assert shown[0] == pytest.approx(first) and shown[-1] == pytest.approx(expected)
    assert len(shown) == 2, f"the page showed numbers of neither base: {shown}"


def test_des_base_runs_the_analytic_model_and_says_so(board_page, board_url, board_results):
    _, results = board_results
    page = board_page
    open_whatif(page, board_url)
    page.get_by_role("combobox", name="Start from scenario").select_option(
        label="Place plan (discrete-event capacity)"
    )
    saved = page.locator(".whatif-des-saved")
    saved.wait_for(timeout=60_000)
    _, expected = result_final(results, "place_plan_des")
    assert float(saved.get_attribute("data-value")) == pytest.approx(expected, abs=1e-6)
    assert page.get_by_text("reruns the analytic capacity model", exact=False).is_visible()
    page.get_by_text("analytic model, one run", exact=False).wait_for(timeout=60_000)


# ---------------------------------------------------------------- accessibility


INTERACTIVE = {"slider", "button", "combobox", "textbox", "tab", "checkbox", "listbox", "searchbox"}


def unnamed_controls(page) -> list[str]:
    """Interactive nodes of the browser's accessibility tree that have no name."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    missing = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if role in INTERACTIVE and not node.get("ignored"):
            name = str(node.get("name", {}).get("value", "")).strip()
            if not name or name == "null":
                missing.append(f"{role} (backend node {node.get('backendDOMNodeId')})")
    return missing


def test_every_control_has_an_accessible_name(board_page, board_url):
    page = board_page
    open_compare(page, board_url)
    page.wait_for_timeout(1_200)  # the labelling script runs every half second
    assert page.get_by_role("combobox", name="Scenarios to compare (up to 4)").count() == 1
    assert not unnamed_controls(page)
    page.get_by_role("tab", name="What-if").click()
    page.locator(".whatif-final").wait_for(timeout=60_000)
    page.wait_for_timeout(1_200)
    for name in ("Years ahead", "Allocation growth per head, % a year"):
        assert page.get_by_role("slider", name=name).count() == 1
    assert not unnamed_controls(page)


# ---------------------------------------------------------------- Compare page


def test_headline_at_the_top_in_words_and_numbers(board_page, board_url, board_results):
    _, results = board_results
    page = board_page
    open_compare(page, board_url)
    names = ["do_nothing", "place_plan", "stretch"]
    choose(page, ["Do nothing", "Place plan (single run)", "Stretch"], names)
    datasets = [load(results / f"{name}.nc") for name in names]
    top = page.locator(".headline").first
    expected = headline(datasets)
    assert top.get_attribute("data-year") == expected.year
    assert top.get_attribute("data-best") == expected.best.scenario
    assert expected.parts[0] in top.inner_text()
    # It is the first section on the page.
    first = page.locator("h3[data-section]").first
    assert first.get_attribute("data-section") == "headline"


def test_year_selector_agrees_with_the_results_and_the_downloads(
    board_page, board_url, board_results, tmp_path
):
    import openpyxl

    _, results = board_results
    page = board_page
    open_compare(page, board_url)
    choose(page, ["Do nothing", "Stretch, two years"], ["do_nothing", "short_stretch"])
    year = str(load(results / "short_stretch.nc").year.values[-1])
    wait_headline_year(page, year)
    select = page.get_by_role(
        "combobox", name="Year for the headline, bridge, activity and locality views"
    )
    options = select.locator("option").all_inner_texts()
    assert options[-1] == year and select.input_value() == year
    page.get_by_text(f"Bridge from do nothing to Stretch, two years, {year}").first.wait_for()
    # Another year: headings and the downloaded workbook follow it.
    earlier = options[-2]
    select.select_option(earlier)
    wait_headline_year(page, earlier)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download figures (Excel)").click()
    target = tmp_path / "pack.xlsx"
    download.value.save_as(target)
    book = openpyxl.load_workbook(target)
    text = " ".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )
    assert earlier in text


def test_two_results_with_one_title_are_both_selectable(board_page, board_url):
    page = board_page
    open_compare(page, board_url)
    page.locator(".choices__input--cloned").click()
    offered = page.locator(".choices__item--choice").all_inner_texts()
    chosen = page.locator(".choices__item--selectable").all_inner_texts()
    labels = [t.replace("Remove item", "").strip() for t in offered + chosen]
    assert "Place plan (single run)" in labels and "Place plan (20 draws)" in labels


def test_hospital_totals_are_the_sums_in_the_result_file(board_page, board_url, board_results):
    _, results = board_results
    page = board_page
    open_compare(page, board_url)
    choose(
        page,
        ["Do nothing", "Place plan (discrete-event capacity)"],
        ["do_nothing", "place_plan_des"],
    )
    ds = load(results / "place_plan_des.nc")
    year = str(ds.year.values[-1])
    wait_headline_year(page, year)

    def together(measure: str) -> str:
        cell = page.locator(
            f'td[data-scenario="place_plan_des"][data-measure="{measure}"][data-site="{TOGETHER}"]'
        )
        cell.wait_for(timeout=60_000)
        return cell.inner_text()

    waiting = float(ds["des_op_waiting_list"].sel(year=year).sum("site"))
    cancelled = float(ds["des_elective_cancellations"].sel(year=year).sum("site"))
    assert together("Outpatient waiting list at year end").startswith(f"{waiting:,.0f}")
    assert together("Planned operations cancelled for want of a bed").startswith(
        f"{cancelled:,.0f}"
    )
    # A&E 4 hours: the sites weighted by their type-1 attendances, not a plain mean.
    shares = ds["des_ed_4hr_performance"].sel(year=year)
    weights = ds["provider_activity"].sel(year=year, pod="ae_type1", org=list(ds.site.values))
    weighted = 100 * float((shares.values * weights.values).sum() / weights.values.sum())
    assert together("A&E (type 1) seen within 4 hours").startswith(f"{weighted:.1f}%")
    # Every total carries its 95% interval.
    assert "(" in together("Outpatient waiting list at year end")


def test_comparator_wrong_pocket_and_savings_by_kind(board_page, board_url):
    page = board_page
    open_compare(page, board_url)
    choose(
        page, ["Do nothing", "Place plan (single run)", "Stretch"],
        ["do_nothing", "place_plan", "stretch"],
    )  # fmt: skip
    page.locator("h3[data-section='comparator']").first.wait_for(timeout=90_000)
    for key in ("wrong_pocket", "savings"):
        assert page.locator(f"h3[data-section='{key}']").count() >= 2
    assert page.locator("table.wrong-pocket").count() >= 2
    assert page.locator("table.savings").count() >= 2
    # Against another scenario: the comparator section names it.
    page.get_by_role("combobox", name="Compare against").select_option(label="Stretch")
    page.locator("h3[data-section='comparator']", has_text="Against Stretch").first.wait_for(
        timeout=90_000
    )


def test_chance_of_breaking_even_only_where_draws_exist(board_page, board_url):
    page = board_page
    open_compare(page, board_url)
    section = page.locator("h3[data-section='break_even']")
    # Single runs: a plain sentence, no chart or table of 0% bars.
    choose(page, ["Do nothing", "Stretch"], ["do_nothing", "stretch"])
    section.first.wait_for(timeout=90_000)
    assert page.locator("table.chances").count() == 0
    sentence = EXPLAIN["break_even_single"]
    assert page.get_by_text(sentence[:60], exact=False).first.is_visible()
    choose(page, ["Do nothing", "Place plan (20 draws)"], ["do_nothing", "place_plan"])
    page.locator("table.chances").first.wait_for(timeout=90_000)
    assert "20 draws" in page.locator("table.chances").first.inner_text()
