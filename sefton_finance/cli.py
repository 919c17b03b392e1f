"""Command line: ``sefton-finance run | compare | validate | schema | interventions``.

Bad input ends with a one-paragraph message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sefton_finance import analysis
from sefton_finance.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="What-if simulator of the Sefton health and care economy under a capitated budget.",
)
# A table of six years needs ~110 columns; keep that width when output is piped.
console = Console(width=None if sys.stdout.isatty() else 120)
errors = Console(stderr=True)

BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline", help="Baseline directory in the packaged schema (default: Sefton 2019/20)."
    ),
]


def fail(message: str) -> None:
    """Print a one-paragraph error and exit with code 2."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _baseline(directory: Path | None):
    from sefton_finance.baseline import load_baseline

    return load_baseline(directory)


def print_surplus_table(table: pd.DataFrame, title: str) -> None:
    """Render a surplus table (GBP m) with deficits in red."""
    view = Table(title=title, title_justify="left", show_lines=False)
    view.add_column("scenario")
    view.add_column("organisation", no_wrap=True)
    for column in table.columns:
        view.add_column(str(column), justify="right")
    previous = None
    for (scenario, organisation), values in table.iterrows():
        if previous is not None and scenario != previous:
            view.add_section()
        cells = [f"[{'red' if v < 0 else 'green'}]{v:,.1f}[/]" for v in values]
        label = f"[bold]{organisation}[/]" if organisation == analysis.SYSTEM else organisation
        view.add_row(scenario if scenario != previous else "", label, *cells)
        previous = scenario
    console.print(view)


@app.command("run")
def run_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the netCDF results.")] = Path(
        "results"
    ),
    baseline: BaselineOption = None,
) -> None:
    """Run scenarios, save each result (netCDF) and print the surplus table (GBP m).

    A result replaces an earlier one of the same name only once it is completely
    written (atomic rename), so an interrupted run never damages a saved result.
    """
    from sefton_finance.results import all_checks_pass, balance_checks, save
    from sefton_finance.runner import run_scenario
    from sefton_finance.scenario import load_scenario

    try:
        base = _baseline(baseline)
        loaded = [
            (path, load_scenario(path)) for path in scenarios
        ]  # validate all before running any
        names = [scenario.name for _, scenario in loaded]
        if len(set(names)) != len(names):
            fail(
                f"two scenario files share a name: {sorted({n for n in names if names.count(n) > 1})}"
            )
        results = []
        for path, scenario in loaded:
            ds = run_scenario(scenario, base, scenario_text=path.read_text(encoding="utf-8"))
            target = save(ds, out / f"{scenario.name}.nc", overwrite=True)
            status = "[green]balanced[/]" if all_checks_pass(ds) else "[red]CHECK FAILED[/]"
            console.print(f"{path} -> {target}  checks: {status}")
            for check in balance_checks(ds):
                if not check.passed:
                    console.print(
                        f"  [red]x[/] {check.name}: worst difference GBP {check.worst:,.2f}"
                    )
            results.append(ds)
    except InputError as error:
        fail(str(error))
    print_surplus_table(analysis.surplus_table(results), "Surplus (+) / deficit (-) by year, GBP m")


@app.command("compare")
def compare_command(
    results: Annotated[list[Path], typer.Argument(help="Result files (.nc) written by `run`.")],
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")] = None,
    excel: Annotated[
        Path | None, typer.Option("--excel", help="Also write the tables as an Excel workbook.")
    ] = None,
    system_only: Annotated[
        bool, typer.Option("--system-only", help="Only the system rows.")
    ] = False,
) -> None:
    """Compare saved results side by side: surplus by year, GBP m."""
    from sefton_finance.results import load

    datasets = []
    for path in results:
        if not path.is_file():
            fail(f"{path}: result file not found")
        try:
            datasets.append(load(path))
        except (OSError, ValueError) as error:
            fail(f"{path}: not a sefton-finance result file ({error.__class__.__name__})")
    table = analysis.surplus_table(datasets)
    if system_only:
        table = table.xs(analysis.SYSTEM, level="organisation", drop_level=False)
    print_surplus_table(table, "Surplus (+) / deficit (-) by year, GBP m")
    if csv is not None:
        table.round(6).to_csv(csv)
        console.print(f"wrote {csv}")
    if excel is not None:
        with pd.ExcelWriter(excel) as writer:
            table.to_excel(writer, sheet_name="surplus_gbp_m")
            analysis.system_table(datasets).to_excel(writer, sheet_name="system_gbp_m")
            for ds in datasets:
                if "bridge" in ds and ds.sizes.get("intervention", 0):
                    analysis.bridge_table(ds).to_excel(
                        writer, sheet_name=f"bridge_{ds.attrs.get('scenario', '')}"[:31]
                    )
        console.print(f"wrote {excel}")


@app.command("validate")
def validate_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
) -> None:
    """Check scenario files without running them."""
    from sefton_finance.scenario import load_scenario

    problems = []
    for path in scenarios:
        try:
            scenario = load_scenario(path)
            console.print(
                f"[green]ok[/] {path} ({scenario.name}, {len(scenario.interventions)} interventions)"
            )
        except InputError as error:
            problems.append(str(error))
    if problems:
        fail(" | ".join(problems))


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to a file instead of the terminal.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schema of scenario files."""
    from sefton_finance.scenario import json_schema

    text = json_schema()
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")


@app.command("interventions")
def interventions_command() -> None:
    """List the interventions available to scenarios, with a one-line description."""
    from sefton_finance.interventions import available_interventions

    view = Table(title="Interventions", title_justify="left")
    view.add_column("name")
    view.add_column("mechanism")
    view.add_column("description")
    for name, definition in sorted(available_interventions().items()):
        view.add_row(name, definition.mechanism, definition.description)
    console.print(view)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point for ``python -m sefton_finance``."""
    app(args=list(argv) if argv is not None else None)


def _register_command_modules() -> None:
    """Commands that live in their own modules register themselves on ``app`` when imported."""
    import importlib

    for module in (
        "sefton_finance.cli_uncertainty",
        "sefton_finance.cli_board",
        "sefton_finance.cli_des",
    ):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


_register_command_modules()
