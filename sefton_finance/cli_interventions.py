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
        title=f"{ds.attrs.get('scenario', '')}: cost, net saving to the system, payback and return by intervention (GBP m, cash)"
    )
    table.add_column("intervention", no_wrap=True)
    headers = {
        "cost_total_gbp_m": "cost",
        "net_saving_total_gbp_m": "net total",
        "payback_year": "payback",
        "net_roi": "net ROI",
        "benefit_cost_ratio": "BCR",
        "cash_releasing_gbp_m": "cash-releasing",
        "cost_avoidance_gbp_m": "cost avoided",
        "non_cash_releasing_gbp_m": "non-cash",
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
            elif column in ("net_roi", "benefit_cost_ratio"):
                cells.append("n/a" if pd.isna(value) else f"{value:.2f}")
            else:
                cells.append(f"[{'red' if value < 0 else 'green'}]{value:,.2f}[/]")
        table.add_row(str(name), *cells)
    console.print(table)
    console.print(
        "GBP m, cash (each year's prices). Net saving = change in system surplus with the "
        "intervention alone; net ROI = net saving / cost and BCR (benefit-cost ratio) = gross "
        "saving / cost over the horizon; NPV at the scenario's discount rate. Savings by kind: "
        "cash-releasing (cost below today's budget), cost avoided (growth that does not "
        "happen), non-cash (capacity freed and used again). Effects that need interventions "
        "together (a ward closes only when enough of them empty it) are in the bridge's "
        "'capacity_steps' bar, the rest of their overlap in 'overlap'."
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


@app.command("wrong-pocket")
def wrong_pocket_command(
    result: Annotated[Path, typer.Argument(help="A result file (.nc) with the bridge.")],
    against: Annotated[
        Path | None,
        typer.Option("--against", help="The comparator's result file, for the gain share."),
    ] = None,
    year: Annotated[
        str | None, typer.Option(help="Financial year (default: the final one).")
    ] = None,
) -> None:
    """Who gains and who loses: each organisation's change in surplus by intervention (GBP m),
    and, against a comparator, the transfers that would leave no one worse off."""
    from sefton_finance.comparison import gain_share, wrong_pocket

    (ds,) = load_results([result])
    if year is not None and year not in ds.year.values:
        fail(f"--year {year!r}: not in the result ({', '.join(map(str, ds.year.values))})")
    try:
        matrix = wrong_pocket(ds, year)
    except ValueError as error:
        fail(f"{result}: {error}")
    cells = matrix["principal"].unstack("organisation")
    cells = cells.loc[list(dict.fromkeys(matrix.index.get_level_values("intervention")))]
    view = Table(
        title=f"{ds.attrs.get('scenario_title', '')}: change in surplus by intervention, "
        f"{matrix.attrs['year']}, GBP m (each on its own)"
    )
    view.add_column("intervention", no_wrap=True)
    organisations = list(dict.fromkeys(matrix.index.get_level_values("organisation")))
    for org in organisations:
        view.add_column(org, justify="right")
    for name, row in cells.iterrows():
        view.add_row(
            str(name),
            *[f"[{'red' if row[o] < 0 else 'green'}]{row[o]:,.2f}[/]" for o in organisations],
        )
    console.print(view)
    if against is not None:
        (reference,) = load_results([against])
        try:
            share = gain_share(ds, reference, year)
        except ValueError as error:
            fail(f"{result} against {against}: {error}")
        console.print(share.explanation)
