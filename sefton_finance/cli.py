"""Command line: ``sefton-finance run | compare | validate | schema | interventions | scenarios |
baselines``.

Exit codes: 0 done; 2 bad input (a scenario, baseline, result file or option, or a
scenario that takes the model beyond what it computes),
with a one-paragraph message naming the file, the field and the value; 1 the
command could not finish (a balance check failed, a file could not be written:
nothing is left half-written); 143 stopped by SIGTERM. Never a traceback for
any of these.
"""

from __future__ import annotations

import math
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from sefton_finance import analysis
from sefton_finance.errors import BeyondModelError, InputError, OutputError

TERMINATED = 128 + signal.SIGTERM
"""Exit code of a command stopped by SIGTERM (as a shell reports it)."""


def _terminated(signum: int, frame: Any) -> None:
    # SIGTERM unwinds like Ctrl-C: partial files are removed and worker processes ended
    # (the default action kills the process before any cleanup runs).
    raise SystemExit(TERMINATED)


class Commands(TyperGroup):
    """The command group: bad input and failed writes end in a message, never a traceback.

    Every command's :class:`~sefton_finance.errors.InputError` (exit 2) and
    :class:`~sefton_finance.errors.OutputError` (exit 1) end here if the command
    does not handle them itself; SIGTERM unwinds the command as Ctrl-C does.
    """

    def invoke(self, ctx):
        try:
            previous = signal.signal(signal.SIGTERM, _terminated)
        except ValueError:  # not the main thread: leave signals alone
            previous = None
        try:
            return super().invoke(ctx)
        except (InputError, BeyondModelError) as error:
            fail(str(error))
        except OutputError as error:
            fail(f"{error}; nothing was left half-written", code=1)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


app = typer.Typer(
    cls=Commands,
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
        "--baseline",
        help=(
            "A packaged baseline by name (`sefton-finance baselines`) or a directory in the "
            "packaged schema; default: the scenario's `baseline:`, else sefton-2019-20."
        ),
    ),
]

SCENARIO_FILES_HELP = "Scenario YAML files, or shipped scenario names (`sefton-finance scenarios`)."


def fail(message: str, code: int = 2) -> None:
    """Print a one-paragraph error and exit (code 2: bad input; 1: the command could not finish).

    The message is printed as plain text: rich would read ``[a-z0-9_]`` in a pattern, or
    ``[low, high]``, as markup and silently drop it.
    """
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=code)


def say(message: str) -> None:
    """Print a plain line (paths and titles may hold ``[...]``, which is not markup)."""
    console.print(escape(message), highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """Print a warning to standard error (the command goes on)."""
    errors.print(f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV atomically (the folder is made if needed)."""
    from sefton_finance.files import write_text

    write_text(path, table.round(6).to_csv())
    say(f"wrote {path}")


def write_excel(path: Path, fill: Callable[[pd.ExcelWriter], None]) -> None:
    """Write a workbook atomically: ``fill(writer)`` adds the sheets."""
    from sefton_finance.files import atomic_write

    def write(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            fill(writer)

    atomic_write(path, write)
    say(f"wrote {path}")


def baseline_from_option(directory: Path | None, scenario: Any = None, loaded: dict | None = None):
    """The baseline a command runs a scenario on.

    ``--baseline`` (a directory, or a packaged name) if given, overriding the scenario's
    own ``baseline:`` (so a finance director can run a scenario on an edited copy); else
    the baseline the scenario names; else the default. ``loaded`` caches baselines by
    argument across the scenarios of one command.
    """
    from sefton_finance.baseline import load_baseline

    argument = directory if directory is not None else getattr(scenario, "baseline", None)
    key = None if argument is None else str(argument)
    if loaded is not None and key in loaded:
        return loaded[key]
    base = load_baseline(argument)
    if loaded is not None:
        loaded[key] = base
    return base


def baseline_summary(ds) -> str:
    """The line every printed result carries: which baseline, and what its figures describe."""
    name = ds.attrs.get("baseline_name", "unknown")
    label = ds.attrs.get("baseline_label", "")
    return f"baseline {name}: {label}" if label else f"baseline {name}"


def load_results(paths: Sequence[Path]) -> list:
    """Load saved results, failing with one clear line for a missing, foreign or tampered
    file; warn when they come from different baselines (their figures do not compare)."""
    from sefton_finance.results import balance_checks, load

    try:
        datasets = [load(path) for path in paths]
    except InputError as error:
        fail(str(error))
    for path, ds in zip(paths, datasets, strict=True):
        # `run` never saves a result that fails its checks: one that fails was changed
        # after the run (or written by a faulty version); its figures are not shown.
        failed = [check.describe() for check in balance_checks(ds) if not check.passed]
        if failed:
            fail(
                f"{path}: the figures do not balance ({'; '.join(failed)}): the file was "
                "changed after the run; run the scenario again"
            )
    digests = {str(ds.attrs["baseline_sha256"]) for ds in datasets}
    if len(digests) > 1:
        made = "; ".join(
            f"{path} from baseline {ds.attrs.get('baseline_name', '')} "
            f"{str(ds.attrs['baseline_sha256'])[:12]} "
            f"({ds.attrs.get('baseline_label', ds.attrs.get('baseline_directory', 'unknown folder'))})"
            for path, ds in zip(paths, datasets, strict=True)
        )
        warn(f"these results come from {len(digests)} different baselines: {made}")
    return datasets


def print_surplus_table(table: pd.DataFrame, title: str) -> None:
    """Render a surplus table (GBP m) with deficits in red.

    Results on different baselines cover different years (2019/20-2024/25 and
    2024/25-2029/30): each span of years gets its own table, so no column is empty
    for half the rows.
    """
    spans: dict[tuple, list] = {}
    for scenario, rows in table.groupby(level=0, sort=False):
        columns = tuple(column for column in table.columns if rows[column].notna().any())
        spans.setdefault(columns, []).append(scenario)
    for columns, scenarios in spans.items():
        chosen = table.index.get_level_values(0).isin(scenarios)
        _print_one_span(table.loc[chosen, list(columns)], title)


def _print_one_span(table: pd.DataFrame, title: str) -> None:
    view = Table(title=title, title_justify="left", show_lines=False)
    view.add_column("scenario")
    view.add_column("organisation", no_wrap=True)
    for column in table.columns:
        view.add_column(str(column), justify="right")
    previous = None
    for (scenario, organisation), values in table.iterrows():
        if previous is not None and scenario != previous:
            view.add_section()
        cells = [
            "" if pd.isna(v) else f"[{'red' if v < 0 else 'green'}]{v:,.1f}[/]" for v in values
        ]
        label = f"[bold]{organisation}[/]" if organisation == analysis.SYSTEM else organisation
        view.add_row(scenario if scenario != previous else "", label, *cells)
        previous = scenario
    console.print(view)


def progress_bar():
    """A rich progress bar, hidden when output is not a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )


@app.command("run")
def run_command(
    scenarios: Annotated[list[Path], typer.Argument(help=SCENARIO_FILES_HELP)],
    out: Annotated[Path, typer.Option("--out", help="Directory for the netCDF results.")] = Path(
        "results"
    ),
    baseline: BaselineOption = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            min=1,
            max=100_000,
            help="Monte Carlo draws (default: the scenario's `draws`).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="DASK_SCHEDULER_ADDRESS",
            help="Address of a running dask.distributed scheduler; default: local worker processes.",
        ),
    ] = None,
    no_bridge: Annotated[
        bool,
        typer.Option(
            "--no-bridge", help="Skip the bridge by intervention (about 5x faster with draws)."
        ),
    ] = False,
) -> None:
    """Run scenarios, save each result (netCDF) and print the surplus table (GBP m).

    With more than one draw the run is a Monte Carlo run (draw 0 is the principal
    run). A result replaces an earlier one of the same name only once it is
    completely written (atomic rename), so an interrupted run never damages a
    saved result, and scenarios finished before the interruption are kept.
    """
    from sefton_finance.api import check_scenario, run
    from sefton_finance.config.loading import read_scenario
    from sefton_finance.results import all_checks_pass, balance_checks, save
    from sefton_finance.shipped import scenario_path

    try:
        # Validate every file, against its baseline too, before running any.
        loaded = [(path, *read_scenario(path)) for path in map(scenario_path, scenarios)]
        baselines: dict = {}
        for path, scenario, _ in loaded:
            if baseline is not None and scenario.baseline not in (None, str(baseline)):
                warn(
                    f"{path} names baseline {scenario.baseline}; --baseline {baseline} overrides it"
                )
            check_scenario(scenario, baseline_from_option(baseline, scenario, baselines), path)
        names = [scenario.name for _, scenario, _ in loaded]
        if len(set(names)) != len(names):
            fail(
                f"two scenario files share a name: {sorted({n for n in names if names.count(n) > 1})}"
            )
        results, failed = [], []
        for path, scenario, text in loaded:
            count = scenario.draws if draws is None else draws
            with progress_bar() as bar:
                task = bar.add_task(f"{scenario.name}: {count} draws", total=count)
                ds = run(
                    scenario,
                    baseline_from_option(baseline, scenario, baselines),
                    draws=count,
                    scheduler=scheduler,
                    with_bridge=not no_bridge,
                    scenario_text=text,
                    progress=lambda done, total, task=task: bar.update(task, completed=done),
                )
            if all_checks_pass(ds):
                target = save(ds, out / f"{scenario.name}.nc", overwrite=True)
                console.print(
                    f"{escape(str(path))} -> {escape(str(target))}  checks: [green]balanced[/]"
                    f"  ({escape(baseline_summary(ds))})"
                )
            else:
                # A result that does not balance never replaces a saved one.
                failed.append(path)
                console.print(f"{escape(str(path))}: [red]CHECK FAILED[/], not saved")
            for check in balance_checks(ds):
                if not check.passed:
                    console.print(f"  [red]x[/] {escape(check.describe())}")
            results.append(ds)
    except InputError as error:
        fail(str(error))
    except BeyondModelError as error:
        fail(f"{path}: {error}")
    except OutputError as error:
        fail(f"{error}; nothing was left half-written", code=1)
    except OSError as error:
        if not scheduler:
            raise
        fail(f"cannot reach the Dask scheduler {scheduler!r} ({error})")
    print_surplus_table(
        analysis.surplus_table(results), "Surplus (+) / deficit (-) by year, GBP m (principal run)"
    )
    if any(ds.sizes.get("draw", 1) > 1 for ds in results):
        print_uncertainty(results)
        for ds in results:
            if ds.sizes.get("draw", 1) > 1 and "replication" in ds.dims:
                print_des_uncertainty(ds)
    if failed:
        fail(
            f"balance checks failed for {', '.join(map(str, failed))}; nothing was saved for them",
            code=1,
        )


def uncertainty_table(datasets: Sequence) -> pd.DataFrame:
    """System surplus P10, P50, P90 (GBP m) and probability of breaking even, by scenario and year."""
    rows = []
    for ds in datasets:
        name = str(ds.attrs.get("scenario", "scenario"))
        fan = analysis.fan_table(ds).xs(analysis.SYSTEM, level="organisation")
        chance = analysis.breakeven_probability(ds).loc[analysis.SYSTEM]
        for year in fan.index:
            rows.append(
                {
                    "scenario": name,
                    "year": year,
                    "p10_gbp_m": fan.loc[year, "p10"],
                    "p50_gbp_m": fan.loc[year, "p50"],
                    "p90_gbp_m": fan.loc[year, "p90"],
                    "probability_break_even": chance[year],
                    "draws": ds.sizes.get("draw", 1),
                }
            )
    return pd.DataFrame(rows).set_index(["scenario", "year"])


def print_des_uncertainty(result) -> None:
    """Parameter against stochastic uncertainty of a discrete-event Monte Carlo result,
    for the last year, by hospital (:func:`sefton_finance.report.hospital.des_uncertainty_frame`,
    the table the board pack shows)."""
    from sefton_finance.report.blocks import uncertainty_value
    from sefton_finance.report.hospital import des_uncertainty_frame

    year = str(result.year.values[-1])
    frame = des_uncertainty_frame([result], year)
    if frame.empty:
        return
    first = frame.iloc[0]
    table = Table(
        title=f"{result.attrs.get('scenario', '')} {year}: parameter uncertainty (across "
        f"{first.draws} draws) and stochastic uncertainty (across {first.replications} "
        "replications within a draw)",
        title_justify="left",
    )
    columns = ("measure", "hospital", "mean", "parameter SD", "stochastic SD", "parameter share")
    for column in columns:
        table.add_column(column, justify="left" if column in ("measure", "hospital") else "right")
    for r in frame.itertuples():
        table.add_row(
            f"{r.measure}, {r.unit}" if r.unit == "GBP m" else r.measure,
            r.site,
            uncertainty_value(r.mean, r.unit),
            uncertainty_value(r.parameter_sd, r.unit),
            uncertainty_value(r.stochastic_sd, r.unit),
            f"{r.parameter_share:.0%}" if math.isfinite(r.parameter_share) else "-",
        )
    console.print(table)
    console.print(
        "Parameter uncertainty: how the draws' means differ (the levers' intervals; the "
        "surplus fan shows it). Stochastic uncertainty: how replications of one draw differ "
        "(random arrivals and stays); each draw's figures are its replications' mean.",
        highlight=False,
    )


def print_uncertainty(datasets: Sequence) -> None:
    """System surplus intervals and break-even probabilities of results with draws."""
    table = uncertainty_table(datasets)
    view = Table(
        title="Sefton system: P10 to P90 surplus (GBP m), probability of breaking even",
        title_justify="left",
    )
    for column in ("scenario", "year", "P10", "P50", "P90", "P(break even)", "draws"):
        view.add_column(column, justify="left" if column in ("scenario", "year") else "right")
    for (scenario, year), row in table.iterrows():
        view.add_row(
            scenario,
            year,
            f"{row.p10_gbp_m:,.1f}",
            f"{row.p50_gbp_m:,.1f}",
            f"{row.p90_gbp_m:,.1f}",
            f"{row.probability_break_even:.0%}",
            str(int(row.draws)),
        )
    console.print(view)


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
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Scenario name (of the results given) to compare the others with; "
            "default do_nothing when it is among them.",
        ),
    ] = None,
) -> None:
    """Compare saved results side by side: surplus by year, GBP m.

    Results with Monte Carlo draws also show the P10 to P90 range of the system
    surplus and the probability of breaking even each year. Each result is then
    shown against the comparator (do nothing, or ``--against``): its difference by
    organisation and year, P10 to P90 across draws, and the chance it does better.
    """
    from sefton_finance.comparison import comparator_table

    datasets = load_results(results)
    by_name = {str(ds.attrs.get("scenario", "")): ds for ds in datasets}
    if against is not None and against not in by_name:
        fail(f"--against {against!r}: no such scenario among the results ({', '.join(by_name)})")
    reference = by_name.get(against or "do_nothing")
    comparisons = {}
    if reference is not None:
        for name, ds in by_name.items():
            if ds is reference:
                continue
            try:
                comparisons[name] = comparator_table(ds, reference)
            except ValueError as error:
                fail(f"{name} against {reference.attrs.get('scenario')}: {error}")
    table = analysis.surplus_table(datasets)
    if system_only:
        table = table.xs(analysis.SYSTEM, level="organisation", drop_level=False)
    print_surplus_table(table, "Surplus (+) / deficit (-) by year, GBP m (principal run)")
    for name, ds in by_name.items():
        say(f"{name}: {baseline_summary(ds)}")
    uncertain = [ds for ds in datasets if ds.sizes.get("draw", 1) > 1]
    if uncertain:
        print_uncertainty(uncertain)
    for frame in comparisons.values():
        print_comparison(frame, system_only)
    if csv is not None:
        write_csv(table, csv)
        if uncertain:
            intervals = csv.with_name(f"{csv.stem}_uncertainty{csv.suffix or '.csv'}")
            write_csv(uncertainty_table(uncertain), intervals)
    if excel is not None:

        def fill(writer: pd.ExcelWriter) -> None:
            table.to_excel(writer, sheet_name="surplus_gbp_m")
            analysis.system_table(datasets).to_excel(writer, sheet_name="system_gbp_m")
            if uncertain:
                uncertainty_table(uncertain).to_excel(writer, sheet_name="uncertainty")
                for ds in uncertain:
                    name = ds.attrs.get("scenario", "")
                    analysis.breakeven_probability(ds).to_excel(
                        writer, sheet_name=f"breakeven_{name}"[:31]
                    )
                    analysis.fan_table(ds).to_excel(writer, sheet_name=f"fan_{name}"[:31])
            for name, frame in comparisons.items():
                frame.to_excel(writer, sheet_name=f"vs_{frame.attrs['comparator']}_{name}"[:31])
            for ds in datasets:
                if "bridge" in ds and ds.sizes.get("intervention", 0):
                    analysis.bridge_table(ds).to_excel(
                        writer, sheet_name=f"bridge_{ds.attrs.get('scenario', '')}"[:31]
                    )

        write_excel(excel, fill)


def print_comparison(frame: pd.DataFrame, system_only: bool = False) -> None:
    """A scenario against its comparator: difference by organisation and year (GBP m)."""
    view = Table(
        title=f"{frame.attrs['scenario']} against {frame.attrs['comparator']}: difference in "
        "surplus, GBP m (principal; P10 to P90 across draws; chance of doing better)",
        title_justify="left",
    )
    years = list(dict.fromkeys(frame.index.get_level_values("year")))[1:]
    view.add_column("organisation", no_wrap=True)
    for year in years:
        view.add_column(year, justify="right")
    for who in dict.fromkeys(frame.index.get_level_values("organisation")):
        if system_only and who != analysis.SYSTEM:
            continue
        cells = []
        for year in years:
            row = frame.loc[(who, year)]
            colour = "red" if row["principal"] < 0 else "green"
            cell = f"[{colour}]{row['principal']:,.2f}[/]"
            if row["draws"] > 1:
                cell += f"\n{row['p10']:,.1f} to {row['p90']:,.1f}, {row['probability_better']:.0%}"
            cells.append(cell)
        label = f"[bold]{who}[/]" if who == analysis.SYSTEM else who
        view.add_row(label, *cells)
    console.print(view)


@app.command("validate")
def validate_command(
    scenarios: Annotated[list[Path], typer.Argument(help=SCENARIO_FILES_HELP)],
    baseline: BaselineOption = None,
) -> None:
    """Check scenario files, and what they need of the baseline, without running them."""
    from sefton_finance.api import check_scenario
    from sefton_finance.baseline.packaged import name_and_label
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.shipped import scenario_path

    problems, valid, baselines = [], [], {}
    for path in map(scenario_path, scenarios):
        try:
            valid.append((path, load_scenario(path)))
        except InputError as error:
            problems.append(str(error))
    if valid and baseline is not None:
        # Read only when a file is valid on its own: its own mistakes come first.
        try:
            baseline_from_option(baseline)
        except InputError as error:
            fail(str(error))
    for path, scenario in valid:
        try:
            base = baseline_from_option(baseline, scenario, baselines)
            check_scenario(scenario, base, path)
            name, _ = name_and_label(base.directory)
            console.print(
                f"[green]ok[/] {escape(str(path))} ({scenario.name}, "
                f"{len(scenario.interventions)} interventions, baseline {name})"
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
    from sefton_finance.config.scenario import json_schema
    from sefton_finance.files import write_text

    text = json_schema()
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        write_text(out, text + "\n")
        say(f"wrote {out}")


@app.command("interventions")
def interventions_command() -> None:
    """List the interventions available to scenarios, with a one-line description."""
    from sefton_finance.interventions import available_interventions

    view = Table(title="Interventions", title_justify="left")
    view.add_column("name")
    view.add_column("mechanism")
    view.add_column("seeds' plan")
    view.add_column("description")
    for name, definition in sorted(available_interventions().items()):
        named = "yes" if definition.params.get("in_seeds_plan") else ""
        view.add_row(name, definition.mechanism, named, definition.description)
    console.print(view)


@app.command("scenarios")
def scenarios_command() -> None:
    """List the scenarios shipped with the package; `run` and `validate` take them by name."""
    from sefton_finance.baseline.packaged import DEFAULT_BASELINE
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.shipped import shipped_scenarios

    view = Table(title="Shipped scenarios", title_justify="left")
    view.add_column("name")
    view.add_column("title")
    view.add_column("baseline")
    view.add_column("file")
    try:
        for name, path in shipped_scenarios().items():
            scenario = load_scenario(path)
            view.add_row(name, scenario.title, scenario.baseline or DEFAULT_BASELINE, str(path))
    except InputError as error:
        fail(str(error))
    console.print(view)


@app.command("baselines")
def baselines_command() -> None:
    """List the packaged baselines; `--baseline` and a scenario's `baseline:` take them by name."""
    from sefton_finance.baseline import load_baseline
    from sefton_finance.baseline.packaged import DEFAULT_BASELINE, PACKAGED_BASELINES

    view = Table(title="Packaged baselines", title_justify="left")
    for column in ("name", "label", "base year", "organisations"):
        view.add_column(column)
    for name, packaged in PACKAGED_BASELINES.items():
        # Loaded in full, so a listed baseline is one that loads.
        base = load_baseline(name)
        view.add_row(
            name + (" (default)" if name == DEFAULT_BASELINE else ""),
            packaged.label,
            base.base_year,
            ", ".join(base.organisations.short_names),
        )
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
        "sefton_finance.cli_interventions",
    ):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


_register_command_modules()
