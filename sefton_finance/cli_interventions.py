"""``sefton-finance returns``: per intervention, the net saving, payback and return; the locality view.

Registered on the main ``sefton-finance`` app when :mod:`sefton_finance.cli` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from sefton_finance import analysis
from sefton_finance.cli import app, console, fail, load_results, write_excel


def locality_table(ds) -> pd.DataFrame:
    """Final-year change by locality: activity valued at unit cost (GBP m), car km and CO2 avoided.

    For a Monte Carlo result, the principal run (draw 0), as the returns table shows.
    """
    if "draw" in ds.dims:
        ds = ds.isel(draw=0)
    final = ds.year.values[-1]
    frame = pd.DataFrame(
        {
            "activity_at_unit_cost_gbp_m": ds["locality_cost_change"]
            .sel(year=final)
            .sum("intervention")
            .to_pandas()
            / 1e6,
            "car_km_avoided_thousand": ds["car_km_avoided"]
            .sel(year=final)
            .sum("intervention")
            .to_pandas()
            / 1e3,
            "co2e_avoided_tonnes": ds["co2e_avoided"]
            .sel(year=final)
            .sum("intervention")
            .to_pandas(),
        }
    )
    frame.index.name = f"locality ({final})"
    return frame


@app.command("returns")
def returns_command(
    result: Annotated[Path, typer.Argument(help="A result file (.nc) written by `run`.")],
    excel: Annotated[
        Path | None, typer.Option("--excel", help="Also write the tables to Excel.")
    ] = None,
) -> None:
    """Per intervention: cost, net saving by year (GBP m), payback year and return on investment;
    then the change by locality (equity) and the travel and carbon avoided."""

    (ds,) = load_results([result])
    if "bridge" not in ds or not ds.sizes.get("intervention"):
        fail(f"{result}: this scenario has no interventions (or was run without the bridge)")
    returns = analysis.intervention_returns(ds)
    # Interventions start after the base year, whose column is always zero.
    returns = returns.drop(columns=[f"net_{ds.year.values[0]}"], errors="ignore")
    table = Table(
        title=f"{ds.attrs.get('scenario', '')}: cost, net saving to the system (GBP m), payback and ROI by intervention"
    )
    table.add_column("intervention", no_wrap=True)
    headers = {
        "cost_total_gbp_m": "cost",
        "net_saving_total_gbp_m": "net total",
        "payback_year": "payback",
        "roi": "ROI",
    }
    for column in returns.columns:
        table.add_column(
            headers.get(column, column.removeprefix("net_")), justify="right", no_wrap=True
        )
    for name, row in returns.iterrows():
        cells = []
        for column, value in row.items():
            if column == "payback_year":
                cells.append("not yet" if value == "never in horizon" else str(value))
            elif column == "roi":
                cells.append("n/a" if pd.isna(value) else f"{value:.2f}")
            else:
                cells.append(f"[{'red' if value < 0 else 'green'}]{value:,.2f}[/]")
        table.add_row(str(name), *cells)
    console.print(table)
    console.print(
        "Net saving = change in system surplus with the intervention alone; ROI = gross saving / cost "
        "over the horizon. Overlaps between interventions are in the bridge's 'interaction' bar."
    )
    localities = locality_table(ds)
    view = Table(title="Change by locality in the final year")
    view.add_column(localities.index.name)
    for column in localities.columns:
        view.add_column(column.replace("_", " "), justify="right")
    for name, row in localities.iterrows():
        view.add_row(str(name), *[f"{v:,.2f}" for v in row])
    console.print(view)
    if excel is not None:

        def fill(writer: pd.ExcelWriter) -> None:
            returns.to_excel(writer, sheet_name="returns")
            localities.to_excel(writer, sheet_name="localities")

        write_excel(excel, fill)
