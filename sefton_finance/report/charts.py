"""Board charts (hvplot / HoloViews), one builder per chart, imported lazily.

Every chart colours a scenario by its name (:mod:`sefton_finance.palette`), keeps
its legend outside the plotted area, and names what its axes show.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sefton_finance import palette
from sefton_finance.report.tables import money

LEGEND = "bottom"
"""Legends sit outside the plot, below it: never on a line or a band."""


def _legend(entries_per_scenario: int) -> dict[str, Any]:
    """Legend options: below the plot, one row per scenario (its band, median and central
    run side by side), so a long list never runs off the page."""
    return {"legend_position": LEGEND, "legend_cols": max(entries_per_scenario, 1)}


def load_holoviews():
    import holoviews as hv
    import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)

    hv.extension("bokeh", logo=False)
    return hv


PRINT_HIDDEN = "@media print { :host { display: none !important; } }"
"""Stylesheet for a chart's toolbar: hidden on paper. The toolbar lives in its own shadow
root, which the page's print stylesheet cannot reach."""


def _board_toolbar(plot: Any, element: Any) -> None:
    from bokeh.models import InlineStyleSheet

    toolbar = plot.state.toolbar
    # A board page scrolls; a wheel that zooms the chart under the pointer gets in the way.
    toolbar.active_scroll = None
    toolbar.stylesheets = [*toolbar.stylesheets, InlineStyleSheet(css=PRINT_HIDDEN)]


def _finish(chart: Any, width: int | None) -> Any:
    """Common options for every chart: no wheel zoom by default, no toolbar on paper, and
    a fixed width if given."""
    chart = chart.opts(hooks=[_board_toolbar])
    return chart if width is None else chart.opts(width=width)


def _styles(frame: pd.DataFrame) -> dict[str, palette.Style]:
    """Each scenario's colour and dash on this chart (by name: the same on every chart)."""
    return palette.scenario_styles(dict.fromkeys(frame["scenario"]))


def padded_limits(values: Any, include_zero: bool = False) -> tuple[float, float]:
    """Axis limits around ``values`` with a margin; a flat series gets a range of its own
    size (10% either side, at least 1) rather than a magnified rounding error."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if span <= 1e-9 * max(abs(high), abs(low), 1.0):
        half = max(0.1 * abs(high), 1.0)
        return (low - half, high + half)
    pad = 0.08 * span
    return (low - pad, high + pad)


def fan_chart(frame: pd.DataFrame, height: int = 340, width: int | None = None):
    """System surplus by year, per scenario: the central run (solid line and points) and,
    where a result has draws, the median of the draws (dashed) and the P10-P90 band.

    ``frame`` is :func:`~sefton_finance.report.tables.fan_frame`.
    """
    hv = load_holoviews()
    styles = _styles(frame)
    layers = [hv.HLine(0).opts(color=palette.BREAK_EVEN_COLOUR, line_dash="dashed", line_width=1)]
    for scenario, part in frame.groupby("scenario", sort=False):
        style = styles[scenario]
        title = str(part["title"].iloc[0])
        draws = int(part["draws"].iloc[0])
        if draws > 1:
            layers.append(
                hv.Area(
                    part, kdims=["year"], vdims=["p10", "p90"], label=f"{title}: P10 to P90"
                ).opts(color=style.colour, alpha=0.18, line_alpha=0)
            )
            layers.append(
                hv.Curve(part, kdims=["year"], vdims=["p50"], label=f"{title}: median of {draws} draws")
                .opts(color=style.colour, line_dash="dashed", line_width=2)
            )  # fmt: skip
        central = f"{title}: central run"
        layers.append(
            hv.Curve(part, kdims=["year"], vdims=["central", "p10", "p90"], label=central).opts(
                color=style.colour, line_dash=style.dash, line_width=3, tools=["hover"]
            )
        )
        layers.append(
            hv.Scatter(part, kdims=["year"], vdims=["central"], label=central).opts(
                color=style.colour, size=7
            )
        )
    overlay = hv.Overlay(layers).opts(
        ylim=padded_limits(frame[["p10", "p90", "central"]].to_numpy(), include_zero=True),
        title="System surplus (+) / deficit (\u2212) by year, GBP m",
        ylabel="System surplus, GBP m",
        xlabel="Financial year",
        height=height,
        responsive=width is None,
        show_grid=True,
        **_legend(3 if (frame["draws"] > 1).any() else 1),
    )
    return _finish(overlay, width)


def break_even_chart(frame: pd.DataFrame, height: int = 280, width: int | None = None):
    """Chance of breaking even or better, per year and scenario with draws (grouped bars),
    on a scale that fits the largest chance (the pack prints the numbers beside it).

    ``frame`` is :func:`~sefton_finance.report.tables.break_even_frame`; rows without
    draws are left out (their chance is not estimated).
    """
    hv = load_holoviews()
    data = frame[frame["draws"] > 1].assign(percent=lambda f: 100 * f["probability"])
    styles = _styles(data)
    order = list(dict.fromkeys(data["title"]))
    colours = {t: styles[s].colour for t, s in zip(data["title"], data["scenario"], strict=True)}
    # A readable scale: 0 to a round number above the largest chance (not 0-105%).
    top = float(data["percent"].max()) if len(data) else 0.0
    limit = 100.0 if top > 60 else max(10.0, 10.0 * np.ceil(top * 1.25 / 10.0))
    bars = hv.Bars(data, kdims=["year", "title"], vdims=["percent"]).opts(
        color="title",
        cmap={t: colours[t] for t in order},
        title="Chance the system breaks even or better, % of draws",
        ylabel="% of draws",
        xlabel="Financial year",
        ylim=(0, limit),
        height=height,
        responsive=width is None,
        tools=["hover"],
        multi_level=False,
        show_legend=True,
        **_legend(1),
    )
    return _finish(bars, width)


def _label_positions(frame: pd.DataFrame) -> tuple[list[float], list[str]]:
    """Where each bridge bar's value label goes: beyond the end the bar moves towards
    (a total's label beyond its level, away from zero), and which way the text runs."""
    xs, aligns = [], []
    for kind, start, end in zip(frame["kind"], frame["start"], frame["end"], strict=True):
        towards_right = end >= 0 if kind == "total" else end >= start
        xs.append(float(max(start, end) if towards_right else min(start, end)))
        aligns.append("left" if towards_right else "right")
    return xs, aligns


def bridge_chart(
    frame: pd.DataFrame, title: str, height: int | None = None, width: int | None = None
):
    """Horizontal waterfall from the do-nothing position to a scenario's (GBP m), each bar
    labelled with its value: totals are levels (grey), steps are changes (blue up,
    vermillion down: apart with every common colour-vision deficiency)."""
    hv = load_holoviews()
    n = len(frame)
    data = frame.assign(
        y0=[n - 1 - i - 0.38 for i in range(n)],
        y1=[n - 1 - i + 0.38 for i in range(n)],
        y=[float(n - 1 - i) for i in range(n)],
        x0=np.minimum(frame["start"], frame["end"]),
        x1=np.maximum(frame["start"], frame["end"]),
        colour=[
            palette.TOTAL_COLOUR
            if kind == "total"
            else (palette.SURPLUS_COLOUR if value >= 0 else palette.DEFICIT_COLOUR)
            for kind, value in zip(frame["kind"], frame["value"], strict=True)
        ],
        shown=[
            money(v) if kind == "total" else ("+" if v >= 0.05 else "") + money(v)
            for kind, v in zip(frame["kind"], frame["value"], strict=True)
        ],
    )
    rects = hv.Rectangles(
        data, kdims=["x0", "y0", "x1", "y1"], vdims=["colour", "step", "shown"]
    ).opts(
        color="colour",
        line_color="white",
        tools=["hover"],
        hover_tooltips=[("step", "@step"), ("GBP m", "@shown")],
    )
    levels = np.concatenate(
        [frame["end"].to_numpy(), frame.loc[frame["kind"] == "change", "start"].to_numpy()]
    )
    low, high = float(levels.min()), float(levels.max())
    pad = max(0.22 * (high - low), 0.8)
    # HoloViews label offsets are in data units: a small gap between a bar and its label.
    gap = 0.012 * (high - low + 2 * pad)
    xs, aligns = _label_positions(frame)
    labels = [
        hv.Labels(
            data.assign(lx=xs, align=aligns)[lambda f, a=align: f["align"] == a],
            kdims=["lx", "y"],
            vdims=["shown"],
        ).opts(
            text_align=align,
            text_baseline="middle",
            text_font_size="11px",
            text_color="#1c2833",
            xoffset=gap if align == "left" else -gap,
        )
        for align in ("left", "right")
    ]
    # Zoom on the steps (the pad above): the totals run off one edge (a "broken axis"
    # bridge), otherwise GBP 30m totals would flatten GBP 0.2m steps into slivers; the pad
    # leaves room on both sides for the labels.
    layers = rects * labels[0] * labels[1]
    if low - pad <= 0 <= high + pad:
        layers = layers * hv.VLine(0).opts(color=palette.BREAK_EVEN_COLOUR, line_width=1)
    ticks = [(n - 1 - i, str(step)) for i, step in enumerate(frame["step"])]
    overlay = layers.opts(
        xlim=(low - pad, high + pad),
        title=title,
        xlabel="System surplus (+) / deficit (\u2212), GBP m: grey bars are levels, "
        "coloured bars the change each step makes",
        ylabel="",
        yticks=ticks,
        # At most 640 px: a printed A4 landscape page holds ~700, and a bridge of the
        # seeds' whole plan (~30 steps) must not split across pages.
        height=height or min(70 + 26 * n, 640),
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
    styles = _styles(frame)
    colours = {t: styles[s].colour for t, s in zip(frame["title"], frame["scenario"], strict=True)}
    data = frame.assign(change_k=frame["change"] / 1000)
    bars = hv.Bars(data, kdims=["label", "title"], vdims=["change_k", "percent"]).opts(
        color="title",
        cmap=colours,
        invert_axes=True,
        title=f"Change in activity by service in {year}, thousand a year",
        xlabel="",
        ylabel="Change against do nothing, thousand attendances / contacts / admissions / "
        "bed days a year",
        # At most about half an A4 landscape page, so it prints on one page with its heading.
        height=height or int(min(max(260, 60 + 14 * len(data)), 560)),
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
        show_grid=True,
        **_legend(1),
    )
    return _finish(bars, width)


def _signed(percent: float) -> str:
    """A cell label: one decimal, whole numbers from 100 up, a true minus sign."""
    if abs(percent) < 0.05:
        return "0"
    text = f"{percent:+.0f}" if abs(percent) >= 100 else f"{percent:+.1f}"
    return text.replace("-", "\u2212")


def locality_chart(frame: pd.DataFrame, title: str, height: int = 320, width: int | None = None):
    """Heat map of % change in demand by locality and service, each cell labelled.

    Localities differ by their age mix, often by a point or two: the labels make those
    differences readable where the colours alone look alike.
    """
    hv = load_holoviews()
    # Substitution targets can grow by hundreds of per cent from a small base; saturate the
    # colours at +/-50% so the reductions elsewhere stay visible.
    limit = min(max(float(np.abs(frame["percent"]).max()) if len(frame) else 1.0, 0.1), 50.0)
    heat = hv.HeatMap(frame, kdims=["pod", "locality"], vdims=["percent", "change"]).opts(
        # Blue-orange diverging (PuOr): apart for red-green colour-blind readers.
        cmap="PuOr_r",
        clim=(-limit, limit),
        colorbar=True,
        clabel="% change in demand",
        title=title,
        xlabel="",
        ylabel="",
        xrotation=35,
        tools=["hover"],
        height=height,
        responsive=width is None,
    )
    shown = frame.assign(
        shown=[_signed(v) for v in frame["percent"]],
        ink=["white" if abs(v) > 0.6 * limit else "#1c2833" for v in frame["percent"]],
    )  # fmt: skip
    labels = hv.Labels(shown, kdims=["pod", "locality"], vdims=["shown", "ink"]).opts(
        text_font_size="9px", text_color="ink"
    )
    return _finish(heat * labels, width)


def yearly_lines(
    frame: pd.DataFrame,
    value: str,
    title: str,
    ylabel: str,
    height: int = 280,
    width: int | None = None,
    interval: tuple[str, str] | None = None,
):
    """One line per scenario of a yearly value (waiting list, performance, travel).

    Parameters
    ----------
    interval : (str, str), optional
        Columns of a confidence interval to draw as a band around each line (labelled
        "95% CI" in the legend); rows where it is missing draw no band.
    """
    hv = load_holoviews()
    styles = _styles(frame)
    layers = []
    columns = [value]
    for scenario, part in frame.groupby("scenario", sort=False):
        style = styles[scenario]
        label = str(part["title"].iloc[0])
        if interval is not None and part[list(interval)].notna().all(axis=None):
            columns += list(interval)
            layers.append(
                hv.Area(part, kdims=["year"], vdims=list(interval), label=f"{label}: 95% CI")
                .opts(color=style.colour, alpha=0.2, line_alpha=0)
            )  # fmt: skip
        layers.append(
            hv.Curve(part, kdims=["year"], vdims=[value], label=label).opts(
                color=style.colour, line_dash=style.dash, line_width=3, tools=["hover"]
            )
        )
        layers.append(
            hv.Scatter(part, kdims=["year"], vdims=[value], label=label).opts(
                color=style.colour, size=7
            )
        )
    overlay = hv.Overlay(layers).opts(
        ylim=padded_limits(frame[columns].to_numpy()),
        title=title,
        ylabel=ylabel,
        xlabel="Financial year",
        height=height,
        responsive=width is None,
        show_grid=True,
        **_legend(2 if len(columns) > 1 else 1),
    )
    return _finish(overlay, width)
