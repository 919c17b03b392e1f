"""Discrete-event commands: ``verify-des`` (queueing-theory checks) and ``des`` (hospital performance).

Registered on the main ``sefton-finance`` app when :mod:`sefton_finance.cli` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sefton_finance.cli import BaselineOption, app, baseline_from_option, console, fail, say
from sefton_finance.errors import InputError


@app.command("verify-des")
def verify_des_command(
    engine: Annotated[str, typer.Option(help="'fast' (compiled) or 'simpy' (reference).")] = "fast",
    customers: Annotated[
        int,
        typer.Option(help="Customers per replication (0: 0.5M, 1M, 2M at loads 0.5, 0.8, 0.9)."),
    ] = 0,
    replications: Annotated[int, typer.Option(help="Independent replications.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the check.")] = 2024,
) -> None:
    """Check the DES against Erlang C (M/M/5) and Erlang B (M/M/10/10) at loads 0.5, 0.8 and 0.9.

    Re-run after changing the model: every row should say 'ok' (the 95% confidence
    interval contains the textbook value, and the relative error is below 2%).
    """
    from sefton_finance.des import verify_mmc, verify_mmcc

    if engine not in {"fast", "simpy"}:
        fail(f"--engine must be 'fast' or 'simpy', got {engine!r}")
    # Waits near saturation are autocorrelated, so heavier loads need longer runs for 2%.
    sized = {0.5: 500_000, 0.8: 1_000_000, 0.9: 2_000_000}
    table = Table(title=f"DES verification ({engine} engine, {replications} replications)")
    for column in (
        "check",
        "load",
        "simulated",
        "95% CI",
        "textbook",
        "rel. error",
        "Little",
        "result",
    ):
        table.add_column(column, justify="right" if column not in {"check", "result"} else "left")
    all_ok = True
    for rho in (0.5, 0.8, 0.9):
        n = customers or sized[rho]
        mmc = verify_mmc(
            5,
            5 * rho,
            1.0,
            customers=n,
            replications=replications,
            seed=seed,
            engine=engine,
        )
        ok = (
            mmc.ci_contains_textbook() and mmc.wait_rel_error < 0.02 and mmc.little_rel_error < 0.01
        )
        all_ok &= ok
        table.add_row(
            f"M/M/5 mean wait (Erlang C), {n:,}",
            f"{rho:.1f}",
            f"{mmc.mean_wait:.4f}",
            f"{mmc.mean_wait_ci[0]:.4f}-{mmc.mean_wait_ci[1]:.4f}",
            f"{mmc.erlang_c_wait:.4f}",
            f"{mmc.wait_rel_error:.2%}",
            f"{mmc.little_rel_error:.2%}",
            "[green]ok[/]" if ok else "[red]FAIL[/]",
        )
        load = 10 * rho
        mmcc = verify_mmcc(
            10, load, 1.0, customers=n, replications=replications, seed=seed, engine=engine
        )
        ok = mmcc.ci_contains_textbook() and mmcc.rel_error < 0.02 and mmcc.little_rel_error < 0.01
        all_ok &= ok
        table.add_row(
            f"M/M/10/10 blocking (Erlang B), {n:,}",
            f"{load:.1f} E",
            f"{mmcc.blocking:.4f}",
            f"{mmcc.blocking_ci[0]:.4f}-{mmcc.blocking_ci[1]:.4f}",
            f"{mmcc.erlang_b:.4f}",
            f"{mmcc.rel_error:.2%}",
            f"{mmcc.little_rel_error:.2%}",
            "[green]ok[/]" if ok else "[red]FAIL[/]",
        )
    console.print(table)
    if not all_ok:
        raise typer.Exit(code=1)


@app.command("des")
def des_command(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[
        int | None, typer.Option(help="DES replications, 1-200 (default: the scenario's).")
    ] = None,
    years: Annotated[
        int | None,
        typer.Option(
            help="Years from the base year on, at least 2 (default: the scenario's horizon)."
        ),
    ] = None,
    baseline: BaselineOption = None,
) -> None:
    """Hospital performance (95% confidence intervals) and the cost of congestion.

    A view of the same run as ``sefton-finance run``: the scenario on the
    discrete-event path (``capacity.method: des``), with the same seed, demand and
    costed capacity, so for a DES scenario the figures printed here are the ones
    ``run`` saves. ``--replications`` and ``--years`` change the scenario, and say so.
    """
    from sefton_finance.api import run
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.montecarlo import with_overrides

    if replications is not None and not 1 <= replications <= 200:
        fail(f"--replications must be between 1 and 200, got {replications}")
    try:
        base = baseline_from_option(baseline)
        scenario = load_scenario(scenario_file)
    except InputError as error:
        fail(str(error))
    if years is not None and not 2 <= years <= len(scenario.years):
        fail(f"--years must be between 2 and {len(scenario.years)}, got {years}")
    changes: dict[str, object] = {}
    if scenario.capacity.method != "des":
        changes["capacity.method"] = "des"
    if replications is not None and replications != scenario.capacity.replications:
        changes["capacity.replications"] = replications
    if years is not None and years != len(scenario.years):
        changes["horizon.years_ahead"] = years - 1
    if scenario.draws > 1:
        changes["draws"] = 1
    if changes:
        scenario = with_overrides(scenario, changes)
        settings = ", ".join(f"{key} = {value}" for key, value in changes.items())
        say(f"{scenario_file}: run with {settings}")
    result = run(scenario, base, with_bridge=False)
    print_performance(result, scenario.name, scenario.capacity.replications)


def print_performance(result, name: str, replications: int) -> None:
    """The discrete-event figures of a result, one table a year: performance by site with
    95% confidence intervals, and the congestion cost."""
    measures = [
        n
        for n in result.data_vars
        if n.startswith("des_") and not n.endswith(("_lower", "_upper", "_replications"))
    ]
    congestion = result["cost_congestion"].sum("pod")
    sites = [str(s) for s in result.site.values]
    for year in (str(y) for y in result.year.values):
        table = Table(
            title=f"{name} {year}: hospital performance, mean (95% CI) over {replications} "
            "replications"
        )
        table.add_column("measure")
        for site in sites:
            table.add_column(site, justify="right")
        for measure in measures:
            cells = []
            for site in sites:
                at = {"year": year, "site": site}
                mean = float(result[measure].sel(at))
                lower = float(result[f"{measure}_lower"].sel(at))
                upper = float(result[f"{measure}_upper"].sel(at))
                fmt = (
                    (lambda v: f"{v:.1%}") if "performance" in measure else (lambda v: f"{v:,.1f}")
                )
                cells.append(f"{fmt(mean)} ({fmt(lower)}-{fmt(upper)})")
            table.add_row(result[measure].attrs["long_name"], *cells)
        table.add_section()
        table.add_row(
            "Congestion cost, GBP m",
            *[f"{float(congestion.sel(year=year, org=site)) / 1e6:,.2f}" for site in sites],
        )
        console.print(table)
