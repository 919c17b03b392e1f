"""Bokeh charts drawn by the dashboard itself (hospital, comparator, savings).

Plain bokeh rather than HoloViews: each is built in a few milliseconds, and the
options a board needs (legend outside the plot, a sane axis for a constant
series, interval bands) are set directly. Colours come from
:mod:`sefton_finance.palette`, so a scenario has the same colour everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sefton_finance.hospital import flat
from sefton_finance.palette import BREAK_EVEN_COLOUR, scenario_styles


def padded_range(values: Sequence[float], include_zero: bool = False):
    """A y range that shows the values with room around them.

    A constant series (equal to rounding) gets a range of +/- 5% of its value (at
    least 1) around it, never the noise between 60827.99999 and 60828.00004 an
    automatic axis would stretch into a trend.
    """
    from bokeh.models import Range1d

    data = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if data.size == 0:
        return Range1d(0, 1)
    low, high = float(data.min()), float(data.max())
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if flat(data):
        half = max(abs(high) * 0.05, 1.0)
        return Range1d(low - half, high + half)
    pad = 0.08 * (high - low)
    return Range1d(low - pad, high + pad)


def yearly_figure(
    frame: pd.DataFrame,
    title: str,
    unit: str,
    years: Sequence[str],
    height: int = 280,
    break_even: bool = False,
):
    """One line per scenario (``scenario, title, year, value``, optional ``lower, upper``
    drawn as a band), legend to the right of the plot, clear of the data."""
    from bokeh.models import Band, ColumnDataSource, HoverTool, Legend, LegendItem, Span
    from bokeh.plotting import figure

    chart = figure(
        title=title,
        x_range=list(years),
        height=height,
        sizing_mode="stretch_width",
        toolbar_location=None,
        y_axis_label=unit,
        x_axis_label="Financial year",
    )
    styles = scenario_styles(dict.fromkeys(frame["scenario"]))
    items = []
    for scenario, part in frame.groupby("scenario", sort=False):
        style = styles[scenario]
        source = ColumnDataSource(part.assign(year=part["year"].astype(str)))
        renderers = []
        if {"lower", "upper"} <= set(part) and part[["lower", "upper"]].notna().all().all():
            band = Band(
                base="year",
                lower="lower",
                upper="upper",
                source=source,
                fill_color=style.colour,
                fill_alpha=0.18,
                line_color=None,
            )
            chart.add_layout(band)
        renderers.append(
            chart.line(
                "year", "value", source=source, color=style.colour, line_width=3,
                line_dash=style.dash,
            )
        )  # fmt: skip
        renderers.append(chart.scatter("year", "value", source=source, color=style.colour, size=7))
        items.append(LegendItem(label=str(part["title"].iloc[0]), renderers=renderers))
    values = list(frame["value"])
    if {"lower", "upper"} <= set(frame):
        values += list(frame["lower"]) + list(frame["upper"])
    chart.y_range = padded_range(values, include_zero=break_even)
    if break_even:
        chart.add_layout(
            Span(location=0, dimension="width", line_dash="dashed", line_color=BREAK_EVEN_COLOUR)
        )
    tooltips = [("scenario", "@title"), ("year", "@year"), (unit, "@value{0,0.0}")]
    if {"lower", "upper"} <= set(frame):
        tooltips.append(("95% interval", "@lower{0,0.0} to @upper{0,0.0}"))
    chart.add_tools(HoverTool(tooltips=tooltips))
    # Outside the plot area: a legend inside sat on the lines and bands.
    chart.add_layout(Legend(items=items, location="top_left"), "right")
    return chart
