"""The pack's figures as an Excel workbook: the same numbers, the same year, said so.

One sheet per table of the pack, each with its header row frozen, a number format
per column (GBP m to one decimal, shares as per cent, counts whole), columns as
wide as their contents, and the pack's year in a ``year`` column and in the printed
header. A contents sheet lists every sheet, what it holds, its year and units, and
links to it. Every text cell is stored as text: a scenario title such as
``=HYPERLINK(...)`` is never a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from sefton_finance.files import atomic_write
from sefton_finance.headline import headline
from sefton_finance.report.hospital import des_uncertainty_frame, hospital_frame
from sefton_finance.report.tables import (
    activity_frame,
    break_even_frame,
    bridge_frame,
    choose,
    comparator_frame,
    distinct_names,
    fan_frame,
    organisation_table,
    provenance_line,
    savings_frame,
    scenario_name,
    scenario_title,
    travel_frame,
    waiting_frame,
    wrong_pocket_frame,
)

GBP_M_FORMAT = "#,##0.0;-#,##0.0;0.0"
SHARE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Text a spreadsheet may read as a formula (or as DDE) when a cell is typed in or pasted."""
BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\']")


@dataclass
class Sheet:
    """One sheet: its table, what it holds, its year and units, and column formats."""

    name: str
    frame: pd.DataFrame
    holds: str
    year: str
    units: str
    formats: dict[str, str] = field(default_factory=dict)
    """Number format by column name; other numeric columns get :data:`DECIMAL_FORMAT`."""


def _unique(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no ``[]:*?/\\'``) not yet taken."""
    name = BAD_SHEET_CHARACTERS.sub("_", name)[:31]
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def pack_sheets(
    datasets: Sequence[xr.Dataset], year: str | None = None, comparator: str | None = None
) -> list[Sheet]:
    """The pack's figures as sheets, in the pack's order, for its year and comparator."""
    datasets = distinct_names(datasets)
    choice = choose(datasets, year, comparator)
    year, reference = choice.year, choice.reference
    every = f"{choice.years[0]} to {choice.years[-1]}"
    money = dict.fromkeys(["central", "p10", "p50", "p90"], GBP_M_FORMAT)
    taken: set[str] = {"contents"}
    sheets: list[Sheet] = []

    def add(name: str, frame: pd.DataFrame, holds: str, when: str, units: str, **formats) -> None:
        sheets.append(Sheet(_unique(name, taken), frame, holds, when, units, formats))

    top = headline(datasets, year=year, comparator=comparator)
    best = top.best
    items = [
        ("headline", top.sentence),
        ("year", top.year),
        ("best scenario", best.title),
        ("central run, GBP m", best.central),
        ("median of draws, GBP m", best.median),
        ("P10 of draws, GBP m", best.p10),
        ("P90 of draws, GBP m", best.p90),
        ("draws", best.draws),
        ("chance of breaking even", best.chance_break_even),
        ("comparator", top.comparator_title),
        ("difference from the comparator, central run, GBP m", top.difference),
        ("ahead of the comparator in every year from", top.ahead_from),
        ("chance ahead of the comparator (paired draws)", top.chance_ahead),
    ]
    add(
        "headline",
        pd.DataFrame(
            {"item": [k for k, _ in items], "value": ["" if v is None else v for _, v in items]}
        ),
        "The pack's headline and every number in it",
        year,
        "GBP m; chances as shares",
    )
    add(
        "system_quantiles_gbp_m",
        fan_frame(datasets),
        "System surplus by year: central run and P10 / P50 / P90 of draws",
        every,
        "GBP m",
        draws=COUNT_FORMAT,
        **money,
    )
    add(
        "break_even_probability",
        break_even_frame(datasets),
        "Chance the system breaks even or better (1 or 0 for a single run)",
        every,
        "share of draws",
        probability=SHARE_FORMAT,
        draws=COUNT_FORMAT,
    )
    if reference is not None and len(datasets) > 1:
        frame = comparator_frame(datasets, reference)
        if len(frame):
            add(
                "comparator_gbp_m",
                frame,
                f"Each scenario minus {scenario_title(reference)}, by organisation and year",
                every,
                "GBP m; chance better as a share of paired draws",
                probability_better=SHARE_FORMAT,
                draws=COUNT_FORMAT,
                **money,
            )
    organisations = pd.concat(
        {scenario_name(ds): organisation_table(ds) for ds in datasets},
        names=["scenario", "organisation"],
    ).reset_index()
    add(
        "surplus_by_org_gbp_m",
        organisations,
        "Surplus / deficit by organisation and year, central run (system row first)",
        every,
        "GBP m",
        **dict.fromkeys(choice.years, GBP_M_FORMAT),
    )
    for ds in datasets:
        if "bridge" not in ds or ds is reference:
            continue
        frame = bridge_frame(ds, reference, year)[["step", "value", "start", "end", "kind"]]
        frame.insert(0, "year", year)
        add(
            f"bridge_{scenario_name(ds)}",
            frame,
            f"Bridge to {scenario_title(ds)}: the pack's bridge chart (last row: the total)",
            year,
            "GBP m",
            value=GBP_M_FORMAT,
            start=GBP_M_FORMAT,
            end=GBP_M_FORMAT,
        )
    for ds in datasets:
        pocket = wrong_pocket_frame(ds, year)
        if len(pocket):
            frame = pocket.reset_index()
            frame.insert(0, "year", year)
            add(
                f"wrong_pocket_{scenario_name(ds)}",
                frame,
                f"Wrong pocket, {scenario_title(ds)}: each intervention on its own, by organisation",
                year,
                "GBP m, central run",
                **dict.fromkeys(pocket.columns, GBP_M_FORMAT),
            )
    for ds in datasets:
        kinds = savings_frame(ds, year)
        if len(kinds):
            frame = kinds.reset_index()
            frame.insert(0, "year", year)
            add(
                f"savings_{scenario_name(ds)}",
                frame,
                f"Savings by kind, {scenario_title(ds)}: interventions on their own and together",
                year,
                "GBP m, central run",
                **dict.fromkeys(kinds.columns, GBP_M_FORMAT),
            )
    activity = activity_frame(datasets, year)
    if len(activity):
        activity.insert(0, "year", year)
        add(
            "activity_change",
            activity,
            "Change in activity by service against do nothing",
            year,
            "activity units a year; percent of do nothing",
            change=COUNT_FORMAT,
            percent=DECIMAL_FORMAT,
        )
    add(
        "waiting_list",
        waiting_frame(datasets),
        "Waiting list at year end, all services and localities (median of draws)",
        every,
        "patients",
        patients=COUNT_FORMAT,
    )
    hospitals = hospital_frame(datasets)
    if len(hospitals):
        add(
            "hospital",
            hospitals,
            "Hospital capacity and performance (discrete-event model): each site and all "
            "sites together, mean over replications and 95% CI",
            every,
            "as the unit column says",
        )
        split = des_uncertainty_frame(datasets, year)
        if len(split):
            add(
                "des_uncertainty",
                split,
                "Hospital figures: parameter uncertainty (across draws) and stochastic "
                "uncertainty (across a draw's replications), by hospital",
                year,
                "as the unit column says; parameter_share of the total variance",
                parameter_share=SHARE_FORMAT,
            )
    travel = travel_frame(datasets)
    if len(travel):
        add("travel_co2", travel, "Travel and carbon avoided", every, "as the unit column says")
    add(
        "assumptions",
        pd.DataFrame(
            {
                "scenario": [scenario_name(ds) for ds in datasets],
                "title": [scenario_title(ds) for ds in datasets],
                "description": [str(ds.attrs.get("scenario_description", "")) for ds in datasets],
                "scenario_file": [str(ds.attrs.get("scenario_text", "")) for ds in datasets],
                "provenance": [provenance_line(ds) for ds in datasets],
            }
        ),
        "Each scenario file exactly as run, and how each result was made",
        every,
        "",
    )
    return sheets


def pack_tables(
    datasets: Sequence[xr.Dataset], year: str | None = None, comparator: str | None = None
) -> dict[str, pd.DataFrame]:
    """The pack's numbers as named tables (sheet name -> DataFrame)."""
    return {sheet.name: sheet.frame for sheet in pack_sheets(datasets, year, comparator)}


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


WIDEST = 60
"""Widest column (characters); longer text wraps."""


def _lay_out(ws, sheet: Sheet) -> None:
    """Header frozen and bold, number formats, widths, and the year in the printed header."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for index, column in enumerate(sheet.frame.columns, start=1):
        letter = get_column_letter(index)
        values = sheet.frame[column]
        number = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        fmt = sheet.formats.get(str(column), DECIMAL_FORMAT if number else None)
        longest = len(str(column))
        for cell in ws[letter][1:]:
            if fmt and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = fmt
            text = f"{cell.value:,.1f}" if isinstance(cell.value, float) else str(cell.value or "")
            longest = max(longest, max((len(line) for line in text.splitlines()), default=0))
            if isinstance(cell.value, str) and (len(cell.value) > WIDEST or "\n" in cell.value):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = min(max(longest + 2, 8), WIDEST)
    ws.oddHeader.center.text = f"{sheet.holds} ({sheet.year})"[:250]


def write_workbook(
    datasets: Sequence[xr.Dataset],
    path: str | Path,
    year: str | None = None,
    comparator: str | None = None,
) -> Path:
    """Write the pack's figures to ``path`` (atomically): a contents sheet, then one sheet
    per table, for the pack's ``year`` and ``comparator``.

    Returns
    -------
    Path
    """
    from openpyxl.styles import Font

    sheets = pack_sheets(datasets, year, comparator)
    contents = pd.DataFrame(
        {
            "sheet": [s.name for s in sheets],
            "what it holds": [s.holds for s in sheets],
            "year": [s.year for s in sheets],
            "units": [s.units for s in sheets],
        }
    )
    title = Sheet("contents", contents, "Contents of the board pack workbook", "", "")

    def write(target: Path) -> None:
        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            contents.to_excel(writer, sheet_name="contents", index=False)
            for sheet in sheets:
                sheet.frame.to_excel(writer, sheet_name=sheet.name, index=False)
            book = writer.book
            for sheet in [title, *sheets]:
                ws = writer.sheets[sheet.name]
                _keep_text_as_text(ws)
                _lay_out(ws, sheet)
            ws = writer.sheets["contents"]
            for row, sheet in enumerate(sheets, start=2):
                cell = ws.cell(row=row, column=1)
                cell.hyperlink = f"#'{sheet.name}'!A1"
                cell.font = Font(color="0563C1", underline="single")
            note = len(sheets) + 3
            ws.cell(row=note, column=1, value="Money in GBP millions, cash; surplus positive, "
                    "deficit negative. Central run: every assumption at its midpoint (draw 0).")  # fmt: skip
            ws.cell(
                row=note + 1,
                column=1,
                value=f"Written {dt.datetime.now(dt.UTC):%d %B %Y %H:%M} UTC by sefton-finance.",
            )
            book.active = 0

    return atomic_write(Path(path), write)
