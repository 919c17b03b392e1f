"""Commands for uncertainty: ``sweep``, ``tornado`` and ``goal-seek``.

They register on :data:`sefton_finance.cli.app` when this module is imported.
Every table can be written to CSV (``--csv``) and Excel (``--excel``).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from sefton_finance import analysis, sensitivity
from sefton_finance.cli import (
    BaselineOption,
    app,
    baseline_from_option,
    console,
    fail,
    progress_bar,
    write_csv,
    write_excel,
)
from sefton_finance.errors import InputError

CsvOption = Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")]
ExcelOption = Annotated[
    Path | None, typer.Option("--excel", help="Also write the table as an Excel workbook.")
]


def _export(table: pd.DataFrame, csv: Path | None, excel: Path | None, sheet: str) -> None:
    if csv is not None:
        write_csv(table, csv)
    if excel is not None:
        write_excel(excel, lambda writer: table.to_excel(writer, sheet_name=sheet[:31]))


def _show(table: pd.DataFrame, title: str, digits: int = 2) -> None:
    view = Table(title=escape(title), title_justify="left")
    names = list(table.index.names)
    for name in names:
        view.add_column(str(name or ""))
    for column in table.columns:
        view.add_column(str(column), justify="right")
    for index, row in table.iterrows():
        labels = index if isinstance(index, tuple) else (index,)
        cells = [f"{v:,.{digits}f}" if isinstance(v, float) else str(v) for v in row.values]
        view.add_row(*(escape(str(label)) for label in labels), *map(escape, cells))
    console.print(view)


def _load(path: Path):
    """A scenario file, or a shipped scenario by name."""
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.shipped import scenario_path

    return load_scenario(scenario_path(path))


def _scenario_and_baseline(
    path: Path, baseline: Path | None, year: str | None = None, draws: int = 1, what: str = ""
):
    """The validated scenario and baseline, or a one-paragraph error; checks ``--year`` and
    that the scenario can run the ``draws`` (lever values) the command needs."""
    from sefton_finance.api import check_base_year, check_draws

    try:
        chosen = _load(path)
        base = baseline_from_option(baseline, chosen)
        check_base_year(chosen, base, path)
        check_draws(chosen, draws, path, what)
    except InputError as error:
        fail(str(error))
    if year is not None and year not in chosen.years:
        fail(f"--year {year!r} is outside the horizon {chosen.years[0]} to {chosen.years[-1]}")
    return chosen, base


def _parse_setting(text: str) -> tuple[str, list]:
    """``path=v1,v2,...`` -> (path, values), values read as YAML scalars."""
    if "=" not in text:
        fail(
            f"--set {text!r}: write PATH=VALUE[,VALUE...], e.g. interventions.pifu.intensity=0,0.5,1"
        )
    from sefton_finance.reading import load_yaml

    path, _, values = text.partition("=")
    try:
        parsed = [load_yaml(v, f"--set {text}") for v in values.split(",") if v.strip() != ""]
    except InputError:
        fail(f"--set {text!r}: values must be numbers or true/false")
    if not parsed:
        fail(f"--set {text!r}: give at least one value")
    return path.strip(), parsed


@app.command("sweep")
def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to vary.")],
    settings: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="PATH=V1,V2,... e.g. interventions.pifu.intensity=0,0.5,1,1.5 (repeatable: grid).",
        ),
    ],
    draws: Annotated[
        int, typer.Option("--draws", min=1, max=100_000, help="Monte Carlo draws per point.")
    ] = 200,
    out: Annotated[
        Path, typer.Option("--out", help="Directory for one netCDF result per grid point.")
    ] = Path("results/sweep"),
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", envvar="DASK_SCHEDULER_ADDRESS", help="dask.distributed scheduler."
        ),
    ] = None,
    csv: CsvOption = None,
    excel: ExcelOption = None,
    baseline: BaselineOption = None,
) -> None:
    """Run a grid of lever values; save each point and tabulate the final-year system position.

    Each finished point is saved at once (atomically), so an interrupted sweep keeps
    the points already done.
    """
    from sefton_finance.api import run
    from sefton_finance.montecarlo import with_overrides
    from sefton_finance.results import all_checks_pass, balance_checks, save

    base_scenario, base = _scenario_and_baseline(
        scenario, baseline, draws=draws, what=f"sweep --draws {draws}"
    )
    grid = dict(_parse_setting(s) for s in settings)
    points = []
    for values in itertools.product(*grid.values()):
        overrides = dict(zip(grid, values, strict=True))
        try:
            points.append((overrides, with_overrides(base_scenario, overrides, source=scenario)))
        except InputError as error:
            settings_text = ", ".join(f"{k}={v}" for k, v in overrides.items())
            fail(f"{error} (from --set {settings_text})")
    rows = []
    year = base_scenario.years[-1]
    with progress_bar() as bar:
        task = bar.add_task("sweep", total=len(points))
        for number, (overrides, point) in enumerate(points):
            ds = run(point, base, draws=draws, scheduler=scheduler, with_bridge=False)
            if not all_checks_pass(ds):
                # A point that does not balance is never saved, nor shown as a figure.
                failed = "; ".join(c.describe() for c in balance_checks(ds) if not c.passed)
                settings_text = ", ".join(f"{k}={v}" for k, v in overrides.items())
                fail(
                    f"balance checks failed at point {number} ({settings_text}): {failed}; "
                    "nothing was saved for it",
                    code=1,
                )
            save(ds, out / f"{base_scenario.name}_{number:03d}.nc", overwrite=True)
            fan = analysis.fan_table(ds).loc[(analysis.SYSTEM, year)]
            chance = analysis.breakeven_probability(ds).loc[analysis.SYSTEM]
            rows.append(
                {
                    "point": number,
                    **overrides,
                    f"p10_{year}_gbp_m": fan["p10"],
                    f"p50_{year}_gbp_m": fan["p50"],
                    f"p90_{year}_gbp_m": fan["p90"],
                    f"probability_break_even_{year}": chance[year],
                    "probability_break_even_cumulative": chance["cumulative"],
                }
            )
            bar.update(task, completed=number + 1)
    table = pd.DataFrame(rows).set_index("point")
    _show(
        table, f"Sweep of {scenario.name}: system surplus {year} (GBP m), {draws} draws per point"
    )
    _export(table, csv, excel, "sweep")


@app.command("tornado")
def tornado_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    year: Annotated[
        str | None, typer.Option("--year", help="Financial year (default: the last).")
    ] = None,
    csv: CsvOption = None,
    excel: ExcelOption = None,
    baseline: BaselineOption = None,
) -> None:
    """One-way sensitivity: each uncertain lever at its low and high end, the rest central."""
    chosen, base = _scenario_and_baseline(
        scenario, baseline, year, draws=3, what="tornado (a run at each lever's low and high end)"
    )
    table = sensitivity.tornado(chosen, base, year)
    if table.empty:
        fail(
            f"{scenario}: no lever is written as an interval [low, high], so there is nothing to vary"
        )
    _show(
        table,
        f"Tornado: system surplus {table.attrs['year']} (GBP m) with each lever at its low and high",
    )
    _export(table, csv, excel, "tornado")


@app.command("goal-seek")
def goal_seek_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    year: Annotated[
        str | None, typer.Option("--year", help="Break even by this year (default: the last).")
    ] = None,
    probability: Annotated[
        float,
        typer.Option(
            "--probability", min=0.0, max=1.0, help="Required probability of breaking even."
        ),
    ] = 0.5,
    intervention: Annotated[
        list[str] | None,
        typer.Option(
            "--intervention",
            help="Intervention whose intensity to scale (repeatable; default all: a common multiplier).",
        ),
    ] = None,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever",
            help="Lever field path to move instead, e.g. finance.efficiency_delivered (repeatable).",
        ),
    ] = None,
    value_range: Annotated[
        str | None,
        typer.Option("--range", help="LOW,HIGH: values of one --lever to search, low to high."),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Surplus counted as break-even, GBP m (default 0).")
    ] = 0.0,
    draws: Annotated[
        int, typer.Option("--draws", min=10, max=100_000, help="Draws per evaluation.")
    ] = 200,
    csv: CsvOption = None,
    excel: ExcelOption = None,
    baseline: BaselineOption = None,
) -> None:
    """The smallest setting of the chosen levers that breaks the system even by a year with a
    given probability, and what it implies in activity and spend."""
    chosen, base = _scenario_and_baseline(
        scenario, baseline, year, draws=draws, what=f"goal-seek --draws {draws}"
    )
    if probability <= 0:
        fail("--probability must be above 0")
    bounds = None
    if value_range is not None:
        try:
            bounds = tuple(float(v) for v in value_range.split(","))
            if len(bounds) != 2 or not bounds[0] < bounds[1]:
                raise ValueError
        except ValueError:
            fail(f"--range must be LOW,HIGH with LOW < HIGH, got {value_range!r}")
    try:
        with console.status("goal-seeking", spinner="dots") if console.is_terminal else _null():
            result = sensitivity.goal_seek(
                chosen,
                base,
                year=year,
                probability=probability,
                interventions=intervention,
                levers=lever,
                value_range=bounds,
                draws=draws,
                threshold=threshold * analysis.GBP_M,
            )
    except sensitivity.GoalSeekError as error:
        fail(f"{scenario}: {error}")
    table = pd.DataFrame(
        [
            {"lever": path, "value": ", ".join(f"{v:.4g}" for v in np.atleast_1d(value))}
            for path, value in result["values"].items()
        ]
    ).set_index("lever")
    table["probability"] = result["probability"]
    table["standard_error"] = result["standard_error"]
    table["year"] = result["year"]
    scaled = f", multiplier {result['multiplier']:.3f}" if result["multiplier"] is not None else ""
    _show(
        table,
        f"Goal-seek: P(system surplus >= {threshold:g}m in {result['year']}) >= {probability:.0%} "
        f"({draws} draws, {result['evaluations']} evaluations{scaled})",
        digits=3,
    )
    change = result["activity_change"]
    moved = change[change.abs() > 0.5].sort_values()
    if len(moved):
        console.print(
            f"Implied in {result['year']}, against the scenario as written: "
            + "; ".join(f"{pod} {value:+,.0f}" for pod, value in moved.items())
            + " (activity units a year)"
        )
    console.print(
        f"Intervention spend: GBP {result['spend_year'] / analysis.GBP_M:,.2f}m in {result['year']}, "
        f"GBP {result['spend_total'] / analysis.GBP_M:,.2f}m over the horizon (cash)."
        + (
            ""
            if result["holds_above"]
            else " Beware: a larger setting falls short again (stepped costs)."
        )
    )
    _export(table, csv, excel, "goal_seek")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False
