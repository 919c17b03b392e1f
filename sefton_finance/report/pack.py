"""The board pack: sections in reading order, one self-contained HTML file, an Excel workbook."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from sefton_finance.files import atomic_write
from sefton_finance.report.charts import (
    activity_chart,
    break_even_chart,
    bridge_chart,
    fan_chart,
    load_holoviews,
    locality_chart,
    yearly_lines,
)
from sefton_finance.report.tables import (
    EXPLAIN,
    TABLE_CSS,
    activity_frame,
    break_even_frame,
    bridge_frame,
    fan_frame,
    find_reference,
    locality_frame,
    organisation_table,
    performance_frame,
    scenario_name,
    scenario_title,
    surplus_table_html,
    travel_frame,
    waiting_frame,
)


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
    overloads = overload_warnings(datasets)
    if overloads:
        sections.append(
            Section(
                "Hospital overload (discrete-event model)",
                EXPLAIN["overload"],
                html="".join(
                    f"<p><strong>{html.escape(title)}</strong>: {html.escape(warning)}</p>"
                    for title, warning in overloads
                ),
            )
        )
    # One line chart per measure: DES performance, then travel and carbon (when present).
    for frame, explanation in (
        (performance_frame(datasets), EXPLAIN["performance"]),
        (travel_frame(datasets), EXPLAIN["travel"]),
    ):
        for (measure, unit), part in frame.groupby(["measure", "unit"], sort=False):
            sections.append(
                Section(
                    f"{measure} ({unit})",
                    explanation,
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


def overload_warnings(datasets: Sequence[xr.Dataset]) -> list[tuple[str, str]]:
    """``(scenario title, warning)`` for every result whose discrete-event model was
    overloaded (the ``warning`` attribute of ``des_overloaded``)."""
    out = []
    for ds in datasets:
        if "des_overloaded" in ds and ds["des_overloaded"].attrs.get("warning"):
            out.append((scenario_title(ds), str(ds["des_overloaded"].attrs["warning"])))
    return out


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
    load_holoviews()
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Text a spreadsheet may read as a formula (or as DDE) when a cell is typed in or pasted."""


def _keep_text_as_text(sheet) -> None:
    """Store every text cell of an openpyxl worksheet as a string, never as a formula.

    openpyxl turns any string that starts with "=" into a live formula, so a scenario
    title such as ``=HYPERLINK(...)`` would run in every cell that repeats it.
    Text that a spreadsheet could still read as a formula also gets Excel's quote
    prefix, so it stays text when someone edits the cell. Numbers are left alone.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True


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
    html_path = atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))

    def workbook(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, frame in pack_tables(datasets).items():
                frame.to_excel(
                    writer,
                    sheet_name=sheet[:31],
                    index=isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None,
                )
                _keep_text_as_text(writer.sheets[sheet[:31]])

    xlsx_path = atomic_write(out.with_suffix(".xlsx"), workbook)
    return html_path, xlsx_path
