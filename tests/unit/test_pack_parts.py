"""Small parts of the board pack: sheet names, labels, axis limits."""

from __future__ import annotations

import pytest

from sefton_finance.report.blocks import measure_value, percent
from sefton_finance.report.charts import _signed, padded_limits
from sefton_finance.report.workbook import _unique


def test_sheet_names_are_legal_short_and_unique():
    taken: set[str] = set()
    long = "bridge_place_plan_capitated_with_a_very_long_name"
    first, second = _unique(long, taken), _unique(long, taken)
    assert len(first) == len(second) == 31 and first != second and second.endswith("~2")
    assert _unique("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    assert _unique("Contents", {"contents"}) == "Contents~2"


def test_chances_never_round_to_certainty():
    assert percent(0.996, 1000) == "99%" and percent(0.004, 1000) == "1%"
    assert percent(1.0, 5) == "100%" and percent(0.0, 5) == "0%"


def test_labels_and_measures():
    assert _signed(-15.64) == "\u221215.6" and _signed(1644.2) == "+1644" and _signed(0.01) == "0"
    assert measure_value(74.6858, "%") == "74.7%" and measure_value(1578.6, "bed-days") == "1,579"
    assert measure_value(float("nan"), "%") == "n/a" and measure_value(3.2227, "hours") == "3.22"


def test_axis_limits_keep_zero_and_never_magnify_rounding():
    assert padded_limits([]) == (0.0, 1.0)
    assert padded_limits([5.0, 5.0]) == pytest.approx((4.0, 6.0))
    low, high = padded_limits([-40.0, -20.0], include_zero=True)
    assert low < -40 and high > 0
