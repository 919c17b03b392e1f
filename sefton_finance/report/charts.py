"""Board charts (hvplot / HoloViews), one builder per chart, imported lazily."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sefton_finance.report.tables import DEFICIT_COLOUR, SURPLUS_COLOUR, colour_for, money


def load_holoviews():
    import holoviews as hv
    import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)

    hv.extension("bokeh", logo=False)
    return hv


def _no_scroll_zoom(plot: Any, element: Any) -> None:
    # A board page scrolls; a wheel that zooms the chart under the pointer gets in the way.
    plot.state.toolbar.active_scroll = None


def _finish(chart: Any, width: int | None) -> Any:
    """Common options for every chart: no wheel zoom by default, and a fixed width if given."""
    chart = chart.opts(hooks=[_no_scroll_zoom])
    return chart if width is None else chart.opts(width=width)


def _size(height: int, width: int | None) -> dict[str, Any]:
    """hvplot sizing: a fixed width for the pack, stretch to the container on the dashboard."""
    return (
        {"height": height, "responsive": True}
        if width is None
        else {"height": height, "width": width}
    )


def fan_chart(frame: pd.DataFrame, height: int = 340, width: int | None = None):
    """System surplus by year: P10-P90 band, median line and break-even line, per scenario."""
    hv = load_holoviews()
    size = _size(height, width)
    layers = [hv.HLine(0).opts(color="black", line_dash="dashed", line_width=1)]
    for index, (_, part) in enumerate(frame.groupby("scenario", sort=False)):
        colour = colour_for(index)
        title = str(part["title"].iloc[0])
        layers.append(
            part.hvplot.area(
                x="year",
                y="p10",
                y2="p90",
                stacked=False,
                alpha=0.18,
                color=colour,
                label=title,
                hover=False,
                **size,
            )
        )
        layers.append(
            part.hvplot.line(
                x="year",
                y="p50",
                color=colour,
                label=title,
                line_width=3,
                hover_cols=["p10", "p90"],
                **size,
            ).opts(tools=["hover"])
            * part.hvplot.scatter(x="year", y="p50", color=colour, size=40, label=title, **size)
        )
    # Keep zero (break-even) in view even when every scenario is in deficit.
    low = min(float(frame["p10"].min()), 0.0)
    high = max(float(frame["p90"].max()), 0.0)
    pad = 0.08 * max(high - low, 1.0)
    overlay = hv.Overlay(layers).opts(
        ylim=(low - pad, high + pad),
        title="System surplus (+) / deficit (\u2212) by year, GBP m",
        ylabel="GBP m",
        xlabel="Financial year",
        height=height,
        responsive=width is None,
        legend_position="bottom_left",
        show_grid=True,
    )
    return _finish(overlay, width)


def break_even_chart(frame: pd.DataFrame, height: int = 280, width: int | None = None):
    """Probability of break-even or better, per year and scenario (grouped bars)."""
    hv = load_holoviews()
    data = frame.assign(percent=100 * frame["probability"])
    order = list(dict.fromkeys(data["title"]))
    colours = [colour_for(i) for i in range(len(order))]
    bars = hv.Bars(data, kdims=["year", "title"], vdims=["percent"]).opts(
        color="title",
        cmap=dict(zip(order, colours, strict=True)),
        title="Chance the system breaks even or better, %",
        ylabel="%",
        xlabel="",
        ylim=(0, 105),
        height=height,
        responsive=width is None,
        tools=["hover"],
        multi_level=False,
        show_legend=True,
        legend_position="bottom_left",
    )
    return _finish(bars, width)


def bridge_chart(
    frame: pd.DataFrame, title: str, height: int | None = None, width: int | None = None
):
    """Horizontal waterfall from the do-nothing position to a scenario's (GBP m)."""
    hv = load_holoviews()
    n = len(frame)
    data = frame.assign(
        y0=[n - 1 - i - 0.38 for i in range(n)],
        y1=[n - 1 - i + 0.38 for i in range(n)],
        x0=np.minimum(frame["start"], frame["end"]),
        x1=np.maximum(frame["start"], frame["end"]),
        colour=[
            "#5D6D7E" if kind == "total" else (SURPLUS_COLOUR if value >= 0 else DEFICIT_COLOUR)
            for kind, value in zip(frame["kind"], frame["value"], strict=True)
        ],
        shown=[money(v) for v in frame["value"]],
    )
    rects = hv.Rectangles(
        data, kdims=["x0", "y0", "x1", "y1"], vdims=["colour", "step", "shown"]
    ).opts(
        color="colour",
        line_color="white",
        tools=["hover"],
        hover_tooltips=[("step", "@step"), ("GBP m", "@shown")],
    )
    # Zoom on the steps: the totals run off the left or right edge (a "broken axis" bridge),
    # otherwise GBP 30m totals would flatten GBP 0.2m steps into slivers.
    levels = np.concatenate(
        [frame["end"].to_numpy(), frame.loc[frame["kind"] == "change", "start"].to_numpy()]
    )
    low, high = float(levels.min()), float(levels.max())
    pad = max(0.15 * (high - low), 0.5)
    layers = rects
    if low - pad <= 0 <= high + pad:
        layers = rects * hv.VLine(0).opts(color="black", line_width=1)
    ticks = [(n - 1 - i, str(step)) for i, step in enumerate(frame["step"])]
    overlay = layers.opts(
        xlim=(low - pad, high + pad),
        title=title,
        xlabel="GBP m (change in system surplus)",
        ylabel="",
        yticks=ticks,
        height=height or 60 + 24 * n,
        responsive=width is None,
        show_grid=True,
    )
    return _finish(overlay, width)


def activity_chart(
    frame: pd.DataFrame, year: str, height: int | None = None, width: int | None = None
):
    """Change in activity by point of delivery (thousand units a year), grouped by scenario.

    Absolute changes rather than percentages: a substitution moves the same patients
    from a large service to a small one, and percentages of the small one's base would
    dwarf everything else.
    """
    hv = load_holoviews()
    order = list(dict.fromkeys(frame["title"]))
    colours = dict(zip(order, [colour_for(i) for i in range(len(order))], strict=True))
    data = frame.assign(change_k=frame["change"] / 1000)
    bars = hv.Bars(data, kdims=["label", "title"], vdims=["change_k", "percent"]).opts(
        color="title",
        cmap=colours,
        invert_axes=True,
        title=f"Change in activity by service in {year}, thousand a year",
        xlabel="",
        ylabel="thousand attendances / contacts / admissions / bed days a year",
        height=height or max(260, 60 + 18 * len(data)),
        responsive=width is None,
        tools=["hover"],
        hover_tooltips=[
            ("service", "@label"),
            ("scenario", "@title"),
            ("thousand a year", "@change_k{0.0}"),
            ("% of do-nothing", "@percent{0.0}"),
        ],
        multi_level=False,
        show_legend=True,
        legend_position="bottom_right",
        show_grid=True,
    )
    return _finish(bars, width)


def locality_chart(frame: pd.DataFrame, title: str, height: int = 320, width: int | None = None):
    """Heat map of % change in demand by locality and service."""
    hv = load_holoviews()
    # Substitution targets can grow by hundreds of per cent from a small base; saturate the
    # colours at +/-50% so the reductions elsewhere stay visible.
    limit = min(max(float(np.abs(frame["percent"]).max()) if len(frame) else 1.0, 0.1), 50.0)
    heat = hv.HeatMap(frame, kdims=["pod", "locality"], vdims=["percent", "change"]).opts(
        cmap="RdBu_r",
        clim=(-limit, limit),
        colorbar=True,
        clabel="% change",
        title=title,
        xlabel="",
        ylabel="",
        xrotation=35,
        tools=["hover"],
        height=height,
        responsive=width is None,
    )
    return _finish(heat, width)


def yearly_lines(
    frame: pd.DataFrame,
    value: str,
    title: str,
    ylabel: str,
    height: int = 280,
    width: int | None = None,
):
    """One line per scenario of a yearly value (waiting list, performance, travel)."""
    hv = load_holoviews()
    size = _size(height, width)
    layers = []
    for index, (_, part) in enumerate(frame.groupby("scenario", sort=False)):
        label = str(part["title"].iloc[0])
        layers.append(
            part.hvplot.line(
                x="year", y=value, color=colour_for(index), label=label, line_width=3, **size
            )
            * part.hvplot.scatter(
                x="year", y=value, color=colour_for(index), size=30, label=label, **size
            )
        )
    overlay = hv.Overlay(layers).opts(
        title=title,
        ylabel=ylabel,
        xlabel="Financial year",
        height=height,
        responsive=width is None,
        legend_position="bottom_left",
        show_grid=True,
    )
    return _finish(overlay, width)
