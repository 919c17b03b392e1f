"""Discrete-event commands: ``verify-des`` (queueing-theory checks) and ``des`` (hospital performance).

Registered on the main ``sefton-finance`` app when :mod:`sefton_finance.cli` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sefton_finance.cli import BaselineOption, app, console, fail
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
    replications: Annotated[int, typer.Option(help="DES replications (1-200).")] = 10,
    years: Annotated[int, typer.Option(help="Years to simulate from the base year.")] = 2,
    baseline: BaselineOption = None,
) -> None:
    """Simulate a scenario's hospital flows and print performance with 95% confidence intervals.

    Demand comes from the scenario (after interventions); capacity from the baseline.
    """
    from sefton_finance.baseline import load_baseline
    from sefton_finance.des.link import congestion_cost, performance_summary, run_des
    from sefton_finance.finance import compound
    from sefton_finance.levers import central
    from sefton_finance.pipeline import run
    from sefton_finance.scenario import load_scenario

    if not 1 <= replications <= 200:
        fail(f"--replications must be between 1 and 200, got {replications}")
    try:
        base = load_baseline(baseline)
        scenario = load_scenario(scenario_file)
    except InputError as error:
        fail(str(error))
    if not 1 <= years <= len(scenario.years):
        fail(f"--years must be between 1 and {len(scenario.years)}, got {years}")
    result = run(scenario, base, with_bridge=False)
    activity = result["activity"].isel(year=slice(0, years))
    des = run_des(
        activity,
        base,
        seed=scenario.seed,
        replications=replications,
        warmup_days=scenario.capacity.warmup_days,
    )
    summary = performance_summary(des)
    inflation = central(scenario.finance.cost_inflation)
    cost = congestion_cost(des, base, compound(inflation, list(des.year.values)))
    table = Table(
        title=f"{scenario.name}: hospital performance, mean (95% CI) over {replications} replications"
    )
    table.add_column("measure")
    columns = [(str(y), str(s)) for y in des.year.values for s in des.site.values]
    for year, site in columns:
        table.add_column(f"{year}\n{site}", justify="right")
    for name in [
        n for n in summary.data_vars if not n.endswith(("_lower", "_upper", "_replications"))
    ]:
        cells = []
        for year, site in columns:
            mean = float(summary[name].sel(year=year, site=site))
            lower = float(summary[f"{name}_lower"].sel(year=year, site=site))
            upper = float(summary[f"{name}_upper"].sel(year=year, site=site))
            percent = "performance" in name
            fmt = (lambda v: f"{v:.1%}") if percent else (lambda v: f"{v:,.1f}")
            cells.append(f"{fmt(mean)} ({fmt(lower)}-{fmt(upper)})")
        table.add_row(summary[name].attrs["long_name"], *cells)
    table.add_section()
    table.add_row(
        "Congestion cost, GBP m",
        *[
            f"{float(cost['congestion_cost'].sel(year=y, org=s).sum()) / 1e6:,.2f}"
            for y, s in columns
        ],
    )
    console.print(table)
