"""The board pack: comparison tables and charts, and a self-contained HTML file.

Three layers, so the dashboard (``dashboards/``) and the exported pack show the
same numbers drawn the same way:

1. *Tables* (pandas, GBP m): quantiles of the system surplus, probability of
   breaking even, surplus by organisation, the bridge from do-nothing, activity
   shifts by point of delivery, the locality view, capacity and performance.
   They work with or without a Monte Carlo ``draw`` dim: without one the single
   run is both the median and the band, and the probability of breaking even is
   1 or 0.
2. *Figures* (hvplot / HoloViews): one builder per chart, each with a title that
   names the units and a one-line plain-English explanation (:data:`EXPLAIN`).
3. *The pack*: :func:`write_pack` renders everything into one HTML file with all
   JavaScript inlined (no CDN, so it opens offline and from an e-mail) and writes
   the same tables as an Excel workbook beside it.

Panel, hvplot, HoloViews and bokeh are imported lazily: the library itself does
not need the dashboard extras to compute results.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from sefton_finance.codes import ORGANISATION_LABELS

GBP_M = 1e6
SYSTEM = "Sefton system"
QUANTILES = (0.1, 0.5, 0.9)
"""The fan band is P10-P90 around the median."""

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
"""Okabe-Ito colours (distinguishable with common colour-vision deficiencies), one per scenario."""
DEFICIT_COLOUR = "#C0392B"
SURPLUS_COLOUR = "#1E8449"

POD_LABELS: dict[str, str] = {
    "gp_appointment": "GP appointments",
    "gp_extended_access": "GP extended access",
    "op_first": "Outpatient first",
    "op_followup": "Outpatient follow-up",
    "op_followup_virtual": "Virtual follow-up",
    "advice_guidance": "Advice & guidance",
    "ae_type1": "A&E (type 1)",
    "ae_type3": "Urgent treatment centre",
    "pharmacy_consultation": "Pharmacy consultations",
    "nhs111_cas": "NHS 111 clinical assessment",
    "ambulance": "Ambulance incidents",
    "nel_admission": "Emergency admissions",
    "elective": "Planned admissions",
    "bed_days": "Bed days",
    "virtual_ward": "Virtual ward",
    "community_urgent_response": "Community urgent response",
    "community": "Community contacts",
    "mental_health": "Mental health contacts",
    "social_care": "Social care",
    "other_acute": "Other acute",
}

LOCALITY_LABELS: dict[str, str] = {
    "bootle": "Bootle",
    "crosby": "Crosby",
    "maghull": "Maghull",
    "seaforth_litherland": "Seaforth & Litherland",
    "southport": "Southport",
    "formby": "Formby",
}

INTERVENTION_LABELS: dict[str, str] = {
    "pifu": "Patient-initiated follow-up",
    "utc_diversion": "A&E to urgent treatment centre",
    "pharmacy_diversion": "A&E to pharmacy",
    "nhs111_clinical_assessment": "NHS 111 clinical assessment",
    "gp_extended_access": "GP extended access",
    "virtual_followup": "Virtual follow-up",
    "advice_guidance": "Advice & guidance",
    "interaction": "Overlap between interventions",
}

EXPLAIN: dict[str, str] = {
    "fan": "The line is the median forecast of the whole Sefton system's surplus (deficit below "
    "zero); the shaded band holds 8 in 10 of the simulated outcomes.",
    "break_even": "How likely the Sefton system is to end each year at break-even or better, "
    "across the simulated outcomes.",
    "table": "Each organisation's surplus (green) or deficit (red) under central assumptions; the "
    "system row adds up the Sefton organisations (payments between them cancel out).",
    "bridge": "How each intervention moves the system position from the do-nothing forecast to "
    "this scenario; 'overlap' is what is left because interventions act on the same patients.",
    "activity": "How many more (right) or fewer (left) appointments, attendances, admissions and "
    "bed days each scenario means for each service, compared with doing nothing.",
    "locality": "Change in demand by locality and service (share of do-nothing demand): whether "
    "the benefit reaches every part of Sefton.",
    "waiting": "People waiting for planned care at the end of each year (outpatients and planned "
    "admissions), all localities.",
    "performance": "Capacity and performance from the discrete-event model of the hospital.",
    "travel": "Travel and carbon avoided when care moves closer to home or online.",
    "assumptions": "The scenario file exactly as run: every assumption behind the numbers.",
}

DES_VARIABLES: dict[str, tuple[str, str, float]] = {
    "ed_4hr_performance": ("A&E type 1 seen within 4 hours", "%", 100.0),
    "ae_4hr_performance": ("All A&E seen within 4 hours", "%", 100.0),
    "bed_occupancy_rate": ("Acute bed occupancy", "%", 100.0),
    "op_18wk_performance": ("Outpatients waiting under 18 weeks", "%", 100.0),
    "op_waiting_list": ("Outpatient waiting list (DES)", "patients", 1.0),
    "elective_cancellations": ("Planned operations cancelled for want of a bed", "patients", 1.0),
}
"""DES outputs shown when a result carries them: label, display unit, scale to that unit.

A result's variable matches when its name ends with one of these keys (so a
``des_`` prefix is fine)."""

TRAVEL_WORDS = ("co2", "carbon", "travel", "_km")
"""A variable whose name contains one of these is shown in the travel / carbon panel."""


# --------------------------------------------------------------------------- tables


def scenario_name(ds: xr.Dataset) -> str:
    """The scenario's identifier."""
    return str(ds.attrs.get("scenario") or ds.coords.get("scenario", "scenario").item())


def scenario_title(ds: xr.Dataset) -> str:
    """The scenario's display title."""
    return str(ds.attrs.get("scenario_title") or scenario_name(ds))


def intervention_label(name: str) -> str:
    """Plain-English name of an intervention."""
    return INTERVENTION_LABELS.get(name, name.replace("_", " ").capitalize())


def _principal(array: xr.DataArray) -> xr.DataArray:
    """Draw 0, the run at central assumptions, where a result has draws."""
    return array.isel(draw=0) if "draw" in array.dims else array


def _median(array: xr.DataArray) -> xr.DataArray:
    return array.median("draw") if "draw" in array.dims else array


def quantiles(array: xr.DataArray, probs: Sequence[float] = QUANTILES) -> xr.DataArray:
    """Quantiles over draws, with a ``quantile`` dim; without draws every quantile is the value.

    Reducing to quantiles before plotting keeps charts small however many draws ran.
    """
    if "draw" in array.dims:
        return array.quantile(list(probs), dim="draw")
    return xr.concat([array] * len(probs), dim="quantile").assign_coords(quantile=list(probs))


def _year_rows(ds: xr.Dataset, values: xr.DataArray, column: str, **labels: str) -> list[dict]:
    """One row a year of ``values`` (dim ``year``), labelled with the scenario and ``labels``."""
    return [
        {
            "scenario": scenario_name(ds),
            "title": scenario_title(ds),
            **labels,
            "year": str(year),
            column: float(values.sel(year=year)),
        }
        for year in ds.year.values
    ]


def fan_frame(datasets: Sequence[xr.Dataset], variable: str = "system_surplus") -> pd.DataFrame:
    """System surplus quantiles by scenario and year (GBP m).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, year, p10, p50, p90``.
    """
    rows = []
    for ds in datasets:
        q = quantiles(ds[variable]) / GBP_M
        for year in ds.year.values:
            values = q.sel(year=year).values
            rows.append(
                {
                    "scenario": scenario_name(ds),
                    "title": scenario_title(ds),
                    "year": str(year),
                    **{
                        f"p{round(p * 100):02d}": float(v)
                        for p, v in zip(QUANTILES, values, strict=True)
                    },
                }
            )
    return pd.DataFrame(rows)


def break_even_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Probability that the system surplus is at least zero, by scenario and year.

    Without draws the probability is 1 (break-even or better) or 0.
    """
    rows = []
    for ds in datasets:
        surplus = ds["system_surplus"]
        probability = (
            (surplus >= 0).mean("draw") if "draw" in surplus.dims else (surplus >= 0).astype(float)
        )
        rows += _year_rows(ds, probability, "probability")
    return pd.DataFrame(rows)


def organisation_table(ds: xr.Dataset) -> pd.DataFrame:
    """Surplus by organisation and year under central assumptions (GBP m), system first.

    Only organisations inside the Sefton system are listed; their surpluses sum to
    the system row.
    """
    surplus = _principal(ds["surplus"]) / GBP_M
    rows = {SYSTEM: (_principal(ds["system_surplus"]) / GBP_M).values}
    inside = (
        ds["in_system"].values.astype(bool)
        if "in_system" in ds.coords
        else np.ones(ds.sizes["org"], bool)
    )
    for org, keep in zip(ds.org.values, inside, strict=True):
        if keep:
            label = ORGANISATION_LABELS.get(str(org), str(org))
            if "org_name" in ds.coords:
                label = str(ds["org_name"].sel(org=org).item())
            rows[label] = surplus.sel(org=org).values
    table = pd.DataFrame(rows, index=[str(y) for y in ds.year.values]).T
    table.index.name = "organisation"
    return table


def bridge_frame(
    ds: xr.Dataset, reference: xr.Dataset | None = None, year: str | None = None
) -> pd.DataFrame:
    """Steps from the do-nothing system position to the scenario's (GBP m, central run).

    Parameters
    ----------
    ds : xarray.Dataset
        A scenario result with a ``bridge`` variable.
    reference : xarray.Dataset, optional
        The do-nothing result. If its system surplus differs from the scenario's own
        no-intervention plan (different growth, price or contract assumptions), the
        difference is shown as its own step. Default: the scenario's own plan.
    year : str, optional
        Financial year; ``None`` or ``"all years"`` sums over the horizon.

    Returns
    -------
    pandas.DataFrame
        Columns ``step, value, start, end, kind`` (kind: total / change), in order.
    """

    def pick(array: xr.DataArray) -> float:
        array = _principal(array) / GBP_M
        if year in (None, "all years"):
            return float(array.sum("year"))
        return float(array.sel(year=year))

    plan = pick(ds["plan_system_surplus"])
    start = pick(reference["system_surplus"]) if reference is not None else plan
    steps: list[tuple[str, float]] = []
    if abs(plan - start) > 1e-9:
        steps.append(("Other assumptions (growth, prices, contract)", plan - start))
    if "bridge" in ds:
        for name in ds.intervention.values:
            steps.append((intervention_label(str(name)), pick(ds["bridge"].sel(intervention=name))))
    rows = [{"step": "Do nothing", "value": start, "start": 0.0, "end": start, "kind": "total"}]
    level = start
    for label, value in steps:
        rows.append(
            {"step": label, "value": value, "start": level, "end": level + value, "kind": "change"}
        )
        level += value
    end = pick(ds["system_surplus"])
    rows.append(
        {"step": scenario_title(ds), "value": end, "start": 0.0, "end": end, "kind": "total"}
    )
    return pd.DataFrame(rows)


def activity_frame(datasets: Sequence[xr.Dataset], year: str | None = None) -> pd.DataFrame:
    """Change in demand by point of delivery (central run), absolute and as a share of do-nothing.

    Parameters
    ----------
    year : str, optional
        Financial year; default the last year of the horizon.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, pod, label, change, percent``; only pods some
        scenario changes.
    """
    rows = []
    for ds in datasets:
        when = str(ds.year.values[-1]) if year is None else year
        change = _principal(ds["intervention_activity_change"]).sel(year=when).sum("intervention")
        demand = _principal(ds["demand"]).sel(year=when).sum(("month", "locality"))
        for pod in ds.pod.values:
            base = float(demand.sel(pod=pod))
            value = float(change.sel(pod=pod))
            rows.append(
                {
                    "scenario": scenario_name(ds),
                    "title": scenario_title(ds),
                    "pod": str(pod),
                    "label": POD_LABELS.get(str(pod), str(pod)),
                    "change": value,
                    "percent": 100.0 * value / base if base else 0.0,
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    moved = frame.groupby("pod")["change"].apply(lambda s: bool(np.any(np.abs(s) > 0.5)))
    return frame[frame["pod"].map(moved)].reset_index(drop=True)


def locality_frame(ds: xr.Dataset, year: str | None = None) -> pd.DataFrame:
    """Change in demand by locality and point of delivery, % of do-nothing demand (central run)."""
    when = str(ds.year.values[-1]) if year is None else year
    change = _principal(ds["locality_activity_change"]).sel(year=when).sum("intervention")
    demand = _principal(ds["demand"]).sel(year=when).sum("month")
    percent = (100.0 * change / demand.where(demand > 0)).fillna(0.0)
    rows = []
    for locality in ds.locality.values:
        for pod in ds.pod.values:
            if abs(float(change.sel(pod=pod).sum())) <= 0.5:
                continue
            rows.append(
                {
                    "locality": LOCALITY_LABELS.get(str(locality), str(locality)),
                    "pod": POD_LABELS.get(str(pod), str(pod)),
                    "percent": float(percent.sel(locality=locality, pod=pod)),
                    "change": float(change.sel(locality=locality, pod=pod)),
                }
            )
    return pd.DataFrame(rows, columns=["locality", "pod", "percent", "change"])


def waiting_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Waiting list at year end, all localities and services (median over draws)."""
    rows = []
    for ds in datasets:
        total = _median(ds["waiting_list"]).sum(("locality", "pod"))
        rows += _year_rows(ds, total, "patients")
    return pd.DataFrame(rows)


def _yearly(array: xr.DataArray, how: str = "mean") -> xr.DataArray | None:
    """Reduce a variable to ``year``: median over draws, then ``how`` (mean or sum) over the rest.

    Rates (4-hour performance, occupancy) are averaged; amounts (km, tonnes) summed.
    """
    if "year" not in array.dims:
        return None
    array = _median(array)
    if "replication" in array.dims:
        array = array.mean("replication")
    extra = [d for d in array.dims if d != "year"]
    if not extra:
        return array
    return array.sum(extra) if how == "sum" else array.mean(extra)


def performance_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """DES capacity and performance by scenario and year, for results that carry them.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, measure, unit, year, value``; empty when no DES ran.
    """
    rows = []
    for ds in datasets:
        for name in ds.data_vars:
            key = next((k for k in DES_VARIABLES if str(name).endswith(k)), None)
            if key is None or str(name).endswith("_month"):
                continue
            yearly = _yearly(ds[name])
            if yearly is None:
                continue
            label, unit, scale = DES_VARIABLES[key]
            rows += _year_rows(ds, yearly * scale, "value", measure=label, unit=unit)
    return pd.DataFrame(rows, columns=["scenario", "title", "measure", "unit", "year", "value"])


def travel_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Travel and carbon avoided by scenario and year, for results that carry such variables."""
    rows = []
    for ds in datasets:
        for name in ds.data_vars:
            if not any(word in str(name).lower() for word in TRAVEL_WORDS):
                continue
            yearly = _yearly(ds[name], how="sum")
            if yearly is None:
                continue
            label = str(ds[name].attrs.get("long_name", name))
            unit = str(ds[name].attrs.get("units", ""))
            if unit == "km":  # millions of km read badly on an axis
                yearly, unit = yearly / 1000.0, "thousand km"
            rows += _year_rows(ds, yearly, "value", measure=label, unit=unit)
    return pd.DataFrame(rows, columns=["scenario", "title", "measure", "unit", "year", "value"])


def find_reference(datasets: Sequence[xr.Dataset]) -> xr.Dataset | None:
    """The do-nothing result among ``datasets`` (a scenario with no interventions), if any."""
    for ds in datasets:
        if scenario_name(ds) == "do_nothing":
            return ds
    for ds in datasets:
        if ds.sizes.get("intervention", 0) == 0 or ("bridge" in ds and not ds["intervention"].size):
            return ds
    return None


def colour_for(index: int) -> str:
    """The colour of the ``index``-th scenario, the same in every chart."""
    return PALETTE[index % len(PALETTE)]


def money(value: float) -> str:
    """GBP m for a board: one decimal, a minus sign for a deficit (never "-0.0")."""
    value = 0.0 if abs(value) < 0.05 else value
    return f"{value:,.1f}".replace("-", "\u2212")


def surplus_table_html(table: pd.DataFrame, scenario: str, caption: str = "") -> str:
    """An organisation-by-year table (GBP m) as HTML, deficits red and surpluses green.

    Cells carry ``data-scenario``, ``data-org`` and ``data-year`` attributes so tests and
    screen readers can find a value without relying on layout.
    """
    scale = max(float(np.abs(table.to_numpy()).max()) if table.size else 0.0, 1e-9)
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    body = []
    for org, values in table.iterrows():
        cells = []
        for year, value in values.items():
            strength = 0.15 + 0.55 * min(abs(float(value)) / scale, 1.0)
            rgb = "192,57,43" if value < -0.05 else ("30,132,73" if value > 0.05 else "128,139,150")
            kind = "deficit" if value < -0.05 else ("surplus" if value > 0.05 else "balanced")
            cells.append(
                f'<td class="{kind}" style="background: rgba({rgb},{strength:.2f})" '
                f'data-scenario="{html.escape(scenario)}" data-org="{html.escape(str(org))}" '
                f'data-year="{html.escape(str(year))}">{money(float(value))}</td>'
            )
        row_class = ' class="system"' if org == SYSTEM else ""
        body.append(
            f'<tr{row_class}><th scope="row">{html.escape(str(org))}</th>{"".join(cells)}</tr>'
        )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="surplus-table" data-scenario="{html.escape(scenario)}">{cap}'
        f'<thead><tr><th scope="col">GBP m</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


TABLE_CSS = """
table.surplus-table {border-collapse: collapse; font-size: 13px; margin: 4px 0 12px 0;}
table.surplus-table caption {caption-side: top; text-align: left; font-weight: 600; padding: 4px 0;}
table.surplus-table th, table.surplus-table td {padding: 3px 8px; border-bottom: 1px solid #ddd;}
table.surplus-table td {text-align: right; font-variant-numeric: tabular-nums;}
table.surplus-table th[scope=row] {text-align: left; font-weight: normal; white-space: nowrap;}
table.surplus-table tr.system th, table.surplus-table tr.system td {font-weight: 700;}
"""


# --------------------------------------------------------------------------- figures


def _hv():
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
    hv = _hv()
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
    hv = _hv()
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
    hv = _hv()
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
    hv = _hv()
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
    hv = _hv()
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
    hv = _hv()
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


# --------------------------------------------------------------------------- the pack


@dataclass(frozen=True)
class Section:
    """One block of the pack: a heading, a plain-English line, and a figure or HTML."""

    title: str
    explanation: str
    figure: Any = None
    html: str = ""


def pack_sections(
    datasets: Sequence[xr.Dataset], year: str | None = None, width: int | None = 900
) -> list[Section]:
    """Everything in the board pack, in reading order.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Two to four scenario results (one is fine too).
    year : str, optional
        Year of the bridge, activity and locality views; default the last year.
    width : int or None
        Width of each chart in pixels (the pack is a fixed-width document); ``None``
        makes charts stretch to their container (the dashboard).
    """
    datasets = list(datasets)
    # Scenarios may run to different horizons: the views use a year they all have.
    common = [
        str(y) for y in datasets[0].year.values if all(y in ds.year.values for ds in datasets)
    ]
    last = common[-1] if year is None or (year != "all years" and year not in common) else year
    reference = find_reference(datasets)
    fan_note = EXPLAIN["fan"]
    if not any("draw" in ds.dims and ds.sizes["draw"] > 1 for ds in datasets):
        fan_note += (
            " These results are single runs at central assumptions, so the band is the line."
        )
    sections = [
        Section(
            "System surplus / deficit by year (GBP m)",
            fan_note,
            fan_chart(fan_frame(datasets), width=width),
        ),
        Section(
            "Chance of breaking even (%)",
            EXPLAIN["break_even"],
            break_even_chart(break_even_frame(datasets), width=width),
        ),
    ]
    tables = "".join(
        surplus_table_html(organisation_table(ds), scenario_name(ds), caption=scenario_title(ds))
        for ds in datasets
    )
    sections.append(
        Section("Surplus / deficit by organisation (GBP m)", EXPLAIN["table"], html=tables)
    )
    for ds in datasets:
        if "bridge" not in ds or (reference is not None and ds is reference):
            continue
        frame = bridge_frame(ds, reference, last)
        sections.append(
            Section(
                f"Bridge from do nothing to {scenario_title(ds)}, {last} (GBP m)",
                EXPLAIN["bridge"],
                bridge_chart(
                    frame,
                    f"{scenario_title(ds)}: change in system surplus, {last}, GBP m",
                    width=width,
                ),
            )
        )
    activity = activity_frame(datasets, last)
    if len(activity):
        sections.append(
            Section(
                f"Activity shifts by service, {last} (thousand a year)",
                EXPLAIN["activity"],
                activity_chart(activity, last, width=width),
            )
        )
    for ds in datasets:
        frame = locality_frame(ds, last)
        if len(frame):
            sections.append(
                Section(
                    f"Locality view: {scenario_title(ds)}, {last} (% change in demand)",
                    EXPLAIN["locality"],
                    locality_chart(
                        frame,
                        f"{scenario_title(ds)}: % change in demand by locality, {last}",
                        width=width,
                    ),
                )
            )
    sections.append(
        Section(
            "Waiting list at year end (patients)",
            EXPLAIN["waiting"],
            yearly_lines(
                waiting_frame(datasets),
                "patients",
                "Waiting list at year end, patients",
                "patients",
                width=width,
            ),
        )
    )
    performance = performance_frame(datasets)
    for (measure, unit), part in performance.groupby(["measure", "unit"], sort=False):
        sections.append(
            Section(
                f"{measure} ({unit})",
                EXPLAIN["performance"],
                yearly_lines(part, "value", f"{measure}, {unit}", unit, width=width),
            )
        )
    travel = travel_frame(datasets)
    for (measure, unit), part in travel.groupby(["measure", "unit"], sort=False):
        sections.append(
            Section(
                f"{measure} ({unit})",
                EXPLAIN["travel"],
                yearly_lines(part, "value", f"{measure}, {unit}", unit, width=width),
            )
        )
    assumptions = "".join(
        f"<details><summary>Assumptions: {html.escape(scenario_title(ds))}</summary>"
        f"<p>{html.escape(str(ds.attrs.get('scenario_description', '')))}</p>"
        f"<pre>{html.escape(str(ds.attrs.get('scenario_text', '(no scenario text recorded)')))}</pre>"
        f"<p class='provenance'>{html.escape(provenance_line(ds))}</p></details>"
        for ds in datasets
    )
    sections.append(
        Section("Assumptions behind each scenario", EXPLAIN["assumptions"], html=assumptions)
    )
    return sections


def provenance_line(ds: xr.Dataset) -> str:
    """One line saying how a result was made."""
    attrs = ds.attrs
    return (
        f"sefton-finance {attrs.get('sefton_finance_version', '?')}, commit {attrs.get('git_commit', '?')}, "
        f"scenario sha256 {str(attrs.get('scenario_sha256', '?'))[:12]}, baseline sha256 "
        f"{str(attrs.get('baseline_sha256', '?'))[:12]}, seed {attrs.get('seed', '?')}, draws "
        f"{attrs.get('draws', ds.sizes.get('draw', 1))}, created {attrs.get('created', '?')}"
    )


PACK_CSS = """
body {font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1c2833;
      max-width: 960px; margin: 24px auto; padding: 0 16px;}
h1 {font-size: 24px; margin-bottom: 4px;} h2 {font-size: 18px; margin: 28px 0 4px 0;}
p.explain {margin: 0 0 8px 0; color: #424949;} p.meta {color: #566573; font-size: 12px;}
pre {background: #f4f6f6; padding: 8px; font-size: 12px; overflow-x: auto;}
details {margin: 6px 0;} summary {cursor: pointer; font-weight: 600;}
p.provenance {font-size: 11px; color: #566573;}
@media print {h2 {page-break-after: avoid;} .bk-root {page-break-inside: avoid;}}
"""


def render_pack_html(
    datasets: Sequence[xr.Dataset], title: str = "Sefton system finances: board pack"
) -> str:
    """The whole pack as one HTML document with bokeh's JavaScript and CSS inlined."""
    _hv()
    import holoviews as hv
    from bokeh.embed import components
    from bokeh.resources import Resources

    # Only bokeh's own bundles, inlined. Importing Panel registers an extension whose JS is
    # a *file* (``js_files``), which would be a broken relative link in a stand-alone page;
    # the static charts do not need it.
    resources = Resources(mode="inline")
    inline_js = "".join(f"<script>{code}</script>" for code in resources.js_raw)
    inline_css = "".join(f"<style>{code}</style>" for code in resources.css_raw)
    sections = pack_sections(datasets)
    models = {
        f"figure{i}": hv.render(s.figure, backend="bokeh")
        for i, s in enumerate(sections)
        if s.figure is not None
    }
    script, divs = components(models) if models else ("", {})
    names = ", ".join(scenario_title(ds) for ds in datasets)
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>Scenarios: {html.escape(names)}. Money in GBP millions, cash terms; surplus positive, "
        f"deficit negative. Generated {dt.datetime.now(dt.UTC):%d %B %Y %H:%M} UTC.</p>",
    ]
    for i, section in enumerate(sections):
        body.append(
            f"<section><h2>{html.escape(section.title)}</h2><p class='explain'>{html.escape(section.explanation)}</p>"
        )
        if section.figure is not None:
            body.append(divs[f"figure{i}"])
        body.append(section.html + "</section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{inline_js}{inline_css}"
        f"<style>{PACK_CSS}{TABLE_CSS}</style>{script}</head><body>{''.join(body)}</body></html>"
    )


def pack_tables(datasets: Sequence[xr.Dataset]) -> dict[str, pd.DataFrame]:
    """The pack's numbers as named tables (sheet name -> DataFrame), GBP m unless stated."""
    datasets = list(datasets)
    reference = find_reference(datasets)
    frames = {
        "system_quantiles_gbp_m": fan_frame(datasets),
        "break_even_probability": break_even_frame(datasets),
        "surplus_by_org_gbp_m": pd.concat(
            {scenario_name(ds): organisation_table(ds) for ds in datasets},
            names=["scenario", "organisation"],
        ),
        "activity_change": activity_frame(datasets),
        "waiting_list": waiting_frame(datasets),
    }
    for ds in datasets:
        if "bridge" in ds and ds is not reference:
            frames[f"bridge_{scenario_name(ds)}"[:31]] = bridge_frame(ds, reference)[
                ["step", "value", "start", "end"]
            ]
    performance = performance_frame(datasets)
    if len(performance):
        frames["performance"] = performance
    travel = travel_frame(datasets)
    if len(travel):
        frames["travel_co2"] = travel
    frames["assumptions"] = pd.DataFrame(
        {
            "scenario": [scenario_name(ds) for ds in datasets],
            "title": [scenario_title(ds) for ds in datasets],
            "description": [str(ds.attrs.get("scenario_description", "")) for ds in datasets],
            "scenario_file": [str(ds.attrs.get("scenario_text", "")) for ds in datasets],
            "provenance": [provenance_line(ds) for ds in datasets],
        }
    )
    return frames


def _atomic_write(path: Path, write) -> Path:
    """Write via a temporary file in the same directory and rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix + ".partial", dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_pack(datasets: Sequence[xr.Dataset], out: str | Path) -> tuple[Path, Path]:
    """Write the board pack: a self-contained HTML file and an Excel workbook beside it.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Scenario results to compare.
    out : str or Path
        The HTML file; the workbook gets the same name with ``.xlsx``.

    Returns
    -------
    (Path, Path)
        The HTML file and the workbook.
    """
    if not datasets:
        raise ValueError("the board pack needs at least one result")
    out = Path(out)
    text = render_pack_html(datasets)
    html_path = _atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))

    def workbook(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, frame in pack_tables(datasets).items():
                frame.to_excel(
                    writer,
                    sheet_name=sheet[:31],
                    index=isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None,
                )

    xlsx_path = _atomic_write(out.with_suffix(".xlsx"), workbook)
    return html_path, xlsx_path
