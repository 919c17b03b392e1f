"""An unreadable result file is named and skipped: the dashboard still shows the others."""

from __future__ import annotations

import shutil

import pytest

from dashboards import store
from tests.e2e.conftest import open_dashboard, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def results_with_broken_files(small_results, tmp_path_factory):
    """The small results plus a truncated result and a file that is not netCDF at all."""
    scenarios, results = small_results
    folder = tmp_path_factory.mktemp("mixed")
    for path in results.glob("*.nc"):
        shutil.copy(path, folder / path.name)
    good = (results / "place_plan.nc").read_bytes()
    (folder / "truncated.nc").write_bytes(good[: len(good) // 3])
    (folder / "foreign.nc").write_text("not a result\n")
    return scenarios, folder


def test_the_store_lists_readable_results_and_names_the_rest(results_with_broken_files):
    _, folder = results_with_broken_files
    readable, skipped = store.scan_results(folder)
    assert list(readable) == ["do_nothing", "place_plan", "stretch"]
    assert sorted(path.name for path in skipped) == ["foreign.nc", "truncated.nc"]
    assert all("not a readable netCDF file" in reason for reason in skipped.values())


def test_the_page_shows_the_good_results_and_names_the_broken_ones(
    board_page, results_with_broken_files, tmp_path
):
    scenarios, folder = results_with_broken_files
    options = ("--results", str(folder), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=tmp_path / "serve.log") as (_, root):
        # Before: one truncated file left every session a spinner.
        open_dashboard(board_page, f"{root}/app")
        # Every readable result up to four is shown (serve may have added one computed
        # from a scenario another test saved).
        readable, _ = store.scan_results(folder)
        assert board_page.locator("table.surplus-table").count() == min(len(readable), 4) >= 3
        warning = board_page.get_by_text("Skipped 2 unreadable result file(s)")
        warning.wait_for(timeout=30_000)
        # The alert's text sits in the pane's shadow root, under the bold heading.
        text = warning.locator("xpath=..").inner_text()
        assert "truncated.nc: not a readable netCDF file" in text
        assert "foreign.nc: not a readable netCDF file" in text
