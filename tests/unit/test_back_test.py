"""docs/back-test.md quotes what the model produces: the page cannot go stale.

If this fails after a change to the 2019/20 baseline or the model, rerun
``.venv/bin/python tools/back_test.py`` and reread the page's prose against the
new table.
"""

from __future__ import annotations

import re

from helpers import REPOSITORY

from sefton_finance.backtest import PUBLISHED, SEFTON_SHARE, back_test_rows

PAGE = REPOSITORY / "docs" / "back-test.md"


def _page_rows() -> dict[str, tuple[float, float, float]]:
    rows = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[a-z0-9_]+", cells[0]) and cells[0] != "key":
            rows[cells[0]] = tuple(float(c) for c in cells[3:6])
    return rows


def test_the_page_quotes_the_models_numbers():
    quoted = _page_rows()
    fresh = back_test_rows()
    assert set(quoted) == {r.key for r in fresh}
    for row in fresh:
        model, published, gap = quoted[row.key]
        # The page rounds to one decimal (GBP 0.1m).
        assert abs(model - row.model) < 0.051, row.key
        assert abs(published - row.published) < 0.051, row.key
        assert abs(gap - row.gap) < 0.101, row.key


def test_published_figures_are_sefton_parts_of_the_whole():
    # Reference values: 10.45% of C&M's plans (DATA.md), recomputed by hand.
    by_key = {r.key: r for r in back_test_rows()}
    assert abs(by_key["system_2024_25"].published - (-150.0 * 282_060 / 2_700_000)) < 1e-9
    assert abs(SEFTON_SHARE - 0.104467) < 1e-6
    assert abs(by_key["council_index_2024_25"].published - 100 * 330.4 / 237.04) < 1e-9
    assert {p.key for p in PUBLISHED} <= set(by_key)


def test_the_back_test_runs_on_the_default_baseline():
    rows = back_test_rows()
    # System = commissioner + providers (+ the council, which balances) in every year shown.
    by_key = {r.key: r for r in rows}
    for year in ("2023_24", "2024_25"):
        whole = by_key[f"system_{year}"].model
        parts = by_key[f"commissioner_{year}"].model + by_key[f"providers_{year}"].model
        assert abs(whole - parts) < 1e-6
