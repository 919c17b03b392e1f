"""The board pack: sections in reading order, one self-contained HTML file, an Excel workbook."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from sefton_finance.files import atomic_write
from sefton_finance.headline import headline
from sefton_finance.report.blocks import (
    chances_html,
    comparator_html,
    des_uncertainty_html,
    headline_html,
    hospital_html,
    savings_html,
    wrap,
    wrong_pocket_html,
)
from sefton_finance.report.charts import (
    activity_chart,
    break_even_chart,
    bridge_chart,
    fan_chart,
    load_holoviews,
    locality_chart,
    yearly_lines,
)
from sefton_finance.report.hospital import TOTAL, des_uncertainty_frame, hospital_frame
from sefton_finance.report.tables import (
    EXPLAIN,
    TABLE_CSS,
    PackChoice,
    activity_frame,
    break_even_frame,
    bridge_frame,
    choose,
    comparator_frame,
    distinct_names,
    fan_frame,
    has_draws,
    locality_frame,
    one_build,
    organisation_table,
    provenance_line,
    savings_frame,
    scenario_name,
    scenario_title,
    surplus_table_html,
    travel_frame,
    waiting_frame,
    wrong_pocket_frame,
)
from sefton_finance.report.workbook import pack_tables, write_workbook

__all__ = [
    "OPEN_FOR_PRINT",
    "PACK_CSS",
    "PackChoice",
    "Section",
    "bokeh_resources",
    "choose",
    "overload_warnings",
    "pack_sections",
    "pack_tables",
    "provenance_line",
    "render_pack_html",
    "write_pack",
]


@dataclass(frozen=True)
class Section:
    """One block of the pack: a heading, a plain-English line, and a figure or HTML."""

    title: str
    explanation: str
    figure: Any = None
    html: str = ""
    key: str = ""
    """What the section shows (``headline``, ``fan``, ``bridge``, ...), for pages and tests."""


def pack_sections(
    datasets: Sequence[xr.Dataset],
    year: str | None = None,
    width: int | None = 900,
    comparator: str | None = None,
) -> list[Section]:
    """Everything in the board pack, in reading order.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Two to four scenario results (one is fine too).
    year : str, optional
        Year of the headline, bridge, wrong-pocket, savings, activity, locality and
        hospital views; default the last year every result has. A year they do not
        all have falls back to that.
    width : int or None
        Width of each chart in pixels (the pack is a fixed-width document); ``None``
        makes charts stretch to their container (the dashboard).
    comparator : str, optional
        Scenario name to compare against; default do nothing.
    """
    datasets = distinct_names(datasets)
    try:
        choice = choose(datasets, year, comparator)
    except ValueError:
        if comparator is not None:
            raise
        choice = choose(datasets, None)
    last, reference = choice.year, choice.reference
    top = headline(datasets, year=last, comparator=comparator)
    sections = [
        Section(
            f"At a glance, {last}", EXPLAIN["headline"], html=headline_html(top), key="headline"
        )
    ]
    fan_note = EXPLAIN["fan"]
    if not any(has_draws(ds) for ds in datasets):
        fan_note += " These results are single runs at central assumptions: there is no band."
    sections.append(
        Section(
            "System surplus / deficit by year (GBP m)",
            fan_note,
            fan_chart(fan_frame(datasets), width=width),
            key="fan",
        )
    )
    chances = break_even_frame(datasets)
    if (chances["draws"] > 1).any():
        sections.append(
            Section(
                "Chance of breaking even (% of draws)",
                EXPLAIN["break_even"],
                break_even_chart(chances, width=width),
                html=wrap(chances_html(chances)),
                key="break_even",
            )
        )
    else:
        sections.append(
            Section(
                "Chance of breaking even",
                EXPLAIN["break_even_single"],
                key="break_even",
            )
        )
    if reference is not None and len(datasets) > 1:
        frame = comparator_frame(datasets, reference)
        if len(frame):
            sections.append(
                Section(
                    f"Against {scenario_title(reference)}: difference by organisation (GBP m)",
                    EXPLAIN["comparator"],
                    html=comparator_html(frame, last),
                    key="comparator",
                )
            )
    tables = "".join(
        wrap(
            surplus_table_html(
                organisation_table(ds), scenario_name(ds), caption=scenario_title(ds)
            )
        )
        for ds in datasets
    )
    sections.append(
        Section(
            "Surplus / deficit by organisation (GBP m)",
            EXPLAIN["table"],
            html=tables,
            key="organisations",
        )
    )
    do_nothing = (
        scenario_title(reference).lower() if reference is not None else "the no-intervention plan"
    )
    for ds in datasets:
        if "bridge" not in ds or (reference is not None and ds is reference):
            continue
        frame = bridge_frame(ds, reference, last)
        sections.append(
            Section(
                f"Bridge from {do_nothing} to {scenario_title(ds)}, {last} (GBP m)",
                EXPLAIN["bridge"],
                bridge_chart(
                    frame,
                    f"{scenario_title(ds)}: system surplus from {do_nothing}, {last}, GBP m",
                    width=width,
                ),
                key="bridge",
            )
        )
    for ds in datasets:
        pocket = wrong_pocket_frame(ds, last)
        if len(pocket):
            sections.append(
                Section(
                    f"Wrong pocket: {scenario_title(ds)}, {last} (GBP m)",
                    EXPLAIN["wrong_pocket"],
                    html=wrong_pocket_html(pocket, scenario_name(ds), scenario_title(ds)),
                    key="wrong_pocket",
                )
            )
    for ds in datasets:
        kinds = savings_frame(ds, last)
        if len(kinds):
            sections.append(
                Section(
                    f"Savings by kind: {scenario_title(ds)}, {last} (GBP m)",
                    EXPLAIN["savings"],
                    html=savings_html(kinds, scenario_name(ds), scenario_title(ds)),
                    key="savings",
                )
            )
    # Do nothing changes nothing against itself: its bars would all be zero.
    activity = activity_frame([ds for ds in datasets if ds is not reference], last)
    if len(activity):
        sections.append(
            Section(
                f"Activity shifts by service, {last} (thousand a year)",
                EXPLAIN["activity"],
                activity_chart(activity, last, width=width),
                key="activity",
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
                    key="locality",
                )
            )
    sections.append(
        Section(
            "Waiting list at year end (patients)",
            EXPLAIN["waiting"],
            yearly_lines(
                waiting_frame(datasets),
                "patients",
                "Waiting list at year end, all services and localities, patients",
                "patients",
                width=width,
            ),
            key="waiting",
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
                key="overload",
            )
        )
    hospitals = hospital_frame(datasets)
    if len(hospitals):
        sections.append(
            Section(
                f"Hospital capacity and performance, {last} (discrete-event model)",
                EXPLAIN["performance"],
                html=hospital_html(hospitals, last),
                key="hospital_table",
            )
        )
        split = des_uncertainty_frame(datasets, last)
        if len(split):
            sections.append(
                Section(
                    f"Hospital figures, {last}: the levers' uncertainty and the hospitals' own",
                    EXPLAIN["des_uncertainty"],
                    html=des_uncertainty_html(split),
                    key="des_uncertainty",
                )
            )
        # A chart per measure of Sefton's acute sites together (a site's own where the
        # measure does not add up over sites), with its 95% confidence interval.
        for (measure, unit), part in hospitals.groupby(["measure", "unit"], sort=False):
            together = part[part["site"] == TOTAL]
            if together.empty:
                continue
            sections.append(
                Section(
                    f"{measure}: {TOTAL} ({unit})",
                    EXPLAIN["performance_chart"],
                    yearly_lines(
                        together,
                        "value",
                        f"{measure}, {TOTAL}, {unit} (band: 95% confidence interval)",
                        unit,
                        width=width,
                        interval=("lower", "upper"),
                    ),
                    key="hospital",
                )
            )
    for (measure, unit), part in travel_frame(datasets).groupby(["measure", "unit"], sort=False):
        sections.append(
            Section(
                f"{measure} ({unit})",
                EXPLAIN["travel"],
                yearly_lines(part, "value", f"{measure}, {unit}", unit, width=width),
                key="travel",
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
        Section(
            "Assumptions behind each scenario",
            EXPLAIN["assumptions"],
            html=assumptions,
            key="assumptions",
        )
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


PACK_CSS = """
body {font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1c2833;
      max-width: 1000px; margin: 24px auto; padding: 0 16px;}
h1 {font-size: 24px; margin-bottom: 4px;} h2 {font-size: 18px; margin: 28px 0 4px 0;}
p.explain {margin: 0 0 8px 0; color: #424949;} p.meta {color: #566573; font-size: 12px;}
pre {background: #f4f6f6; padding: 8px; font-size: 12px; overflow-x: auto;}
details {margin: 6px 0;} summary {cursor: pointer; font-weight: 600;}
p.provenance {font-size: 11px; color: #566573;}
div.figure {margin: 0 0 12px 0;}
@page {size: A4 landscape; margin: 12mm;}
@media print {
  /* Shading carries meaning (deficit, surplus, bands): print it. */
  * {-webkit-print-color-adjust: exact; print-color-adjust: exact;}
  body {max-width: none; margin: 0; padding: 0; font-size: 11px;}
  h1 {font-size: 18px;} h2 {font-size: 14px; margin: 12px 0 2px 0;}
  h2, p.explain {break-after: avoid; page-break-after: avoid;}
  /* A chart or table and its caption stay on one page, with the heading before it. */
  div.figure, div.headline, table, .bk-root, [data-root-id] {break-inside: avoid;
    page-break-inside: avoid;}
  section.chart {break-inside: avoid; page-break-inside: avoid;}
  /* The assumptions print open, though they are folded on screen. */
  details::details-content {content-visibility: visible; display: block;}
  details > * {display: block;}
  summary {list-style: none;}
  pre {white-space: pre-wrap; overflow: visible; font-size: 9px;}
  /* A row per intervention (29 in the seeds' plan): tighter rows keep the table on a page. */
  table.wrong-pocket td, table.wrong-pocket th, table.savings td, table.savings th {
    padding-top: 1px; padding-bottom: 1px; font-size: 10px;}
}
"""

OPEN_FOR_PRINT = (
    "<script>window.addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});</script>"
)
"""Browsers without ``::details-content`` open the assumptions when printing."""


def bokeh_resources():
    """bokeh's core bundle only, inlined: the static charts need no widgets, tables,
    WebGL or MathJax bundles (about 2.9 MB of script between them)."""
    from bokeh.resources import Resources

    # Importing Panel registers an extension whose JS is a *file* (``js_files``), which
    # would be a broken relative link in a stand-alone page; the static charts do not need it.
    return Resources(mode="inline", components=["bokeh"])


def render_pack_html(
    datasets: Sequence[xr.Dataset],
    title: str = "Sefton system finances: board pack",
    year: str | None = None,
    comparator: str | None = None,
) -> str:
    """The whole pack as one HTML document with bokeh's JavaScript and CSS inlined.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
    title : str
    year, comparator : str, optional
        As :func:`pack_sections` (the year must be one every result has).
    """
    choose(datasets, year, comparator)
    load_holoviews()
    import holoviews as hv
    from bokeh.embed import components

    resources = bokeh_resources()
    inline_js = "".join(f"<script>{code}</script>" for code in resources.js_raw)
    inline_css = "".join(f"<style>{code}</style>" for code in resources.css_raw)
    sections = pack_sections(datasets, year=year, comparator=comparator)
    models = {
        f"figure{i}": hv.render(s.figure, backend="bokeh")
        for i, s in enumerate(sections)
        if s.figure is not None
    }
    script, divs = components(models) if models else ("", {})
    names = ", ".join(scenario_title(ds) for ds in datasets)
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>Scenarios: {html.escape(names)}. Money in GBP millions, cash terms; "
        "surplus positive, deficit negative. Central run: every assumption at its midpoint; "
        "draws: Monte Carlo outcomes. "
        f"Generated {dt.datetime.now(dt.UTC):%d %B %Y %H:%M} UTC.</p>",
    ]
    for i, section in enumerate(sections):
        kind = " chart" if section.figure is not None else ""
        body.append(
            f"<section class='{section.key}{kind}'><h2>{html.escape(section.title)}</h2>"
            f"<p class='explain'>{html.escape(section.explanation)}</p>"
        )
        if section.figure is not None:
            body.append(f"<div class='figure'>{divs[f'figure{i}']}</div>")
        body.append(section.html + "</section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{inline_js}{inline_css}"
        f"<style>{PACK_CSS}{TABLE_CSS}</style>{script}{OPEN_FOR_PRINT}</head>"
        f"<body>{''.join(body)}</body></html>"
    )


def write_pack(
    datasets: Sequence[xr.Dataset],
    out: str | Path,
    year: str | None = None,
    comparator: str | None = None,
) -> tuple[Path, Path]:
    """Write the board pack: a self-contained HTML file and an Excel workbook beside it.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Scenario results to compare.
    out : str or Path
        The HTML file; the workbook gets the same name with ``.xlsx``.
    year : str, optional
        The year of the headline, bridges and the other one-year views, in both files;
        default the last year every result has.
    comparator : str, optional
        Scenario name to compare against; default do nothing.

    Returns
    -------
    (Path, Path)
        The HTML file and the workbook.

    Raises
    ------
    ValueError
        As :func:`choose`; nothing is written.
    """
    datasets = distinct_names(datasets)
    choose(datasets, year, comparator)
    out = Path(out)
    with one_build():
        text = render_pack_html(datasets, year=year, comparator=comparator)
        # The workbook first: if it fails, neither file is written.
        xlsx_path = write_workbook(
            datasets, out.with_suffix(".xlsx"), year=year, comparator=comparator
        )
    html_path = atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    return html_path, xlsx_path
