"""Discrete-event commands: ``verify-des`` (queueing-theory checks) and ``des`` (hospital performance).

Registered on the main ``sefton-finance`` app when :mod:`sefton_finance.cli` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from sefton_finance.cli import (
    BaselineOption,
    app,
    baseline_from_option,
    baseline_summary,
    console,
    fail,
    say,
)
from sefton_finance.errors import InputError

PATH_CUSTOMERS = {0.5: 500_000, 0.8: 1_000_000, 0.9: 2_000_000}
"""Customers per replication at each default load: waits near saturation are autocorrelated,
so heavier loads need longer runs for a 2% relative error."""


MAX_DEFAULT_CUSTOMERS = 4_000_000
"""The most customers per replication ``--path`` picks by itself (``--customers`` may ask
for more: the checks stream, so memory stays bounded, but the time grows with them)."""


def customers_for(utilisation: float, queue: bool) -> int:
    """Default customers per replication on a path: about ``20k / (1 - rho)^2`` for a queue
    (0.5M, 0.5M, 2M at loads 0.5, 0.8, 0.9), whose waits are autocorrelated near saturation;
    0.5M for a loss system, where nobody waits."""
    if not queue:
        return 500_000
    return min(max(500_000, round(20_000 / (1.0 - utilisation) ** 2)), MAX_DEFAULT_CUSTOMERS)


@app.command("verify-des")
def verify_des_command(
    engine: Annotated[str, typer.Option(help="'fast' (compiled) or 'simpy' (reference).")] = "fast",
    path: Annotated[
        str | None,
        typer.Option(
            help="Check one model path: 'ed' (cubicles, no admissions: M/M/c), 'beds' "
            "(direct admissions only: M/M/c) or 'electives' (no retry: Erlang B)."
        ),
    ] = None,
    servers: Annotated[
        int | None, typer.Option(help="With --path: cubicles or beds (C), at least 1.")
    ] = None,
    utilisation: Annotated[
        float | None,
        typer.Option(help="With --path: offered load per server (RHO); below 1 for ed and beds."),
    ] = None,
    customers: Annotated[
        int,
        typer.Option(
            help="Customers per replication (0: 0.5M, 1M, 2M at loads 0.5, 0.8, 0.9; "
            "about 20k/(1-RHO)^2 with --path)."
        ),
    ] = 0,
    replications: Annotated[int, typer.Option(help="Independent replications.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the check.")] = 2024,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --path: print one JSON object.")
    ] = False,
) -> None:
    """Check the DES against Erlang C and Erlang B at loads 0.5, 0.8 and 0.9, or one path.

    Without --path, every row runs at loads 0.5, 0.8 and 0.9: the urgent treatment
    centre's station (M/M/5, Erlang C), and the hospital model's own code (the
    kernel behind the board's numbers) on three paths: ED cubicles with no
    admissions (M/M/5, Erlang C), beds fed only by direct admissions (M/M/5,
    Erlang C) and elective inpatients with no retry (10 beds, Erlang B). Every
    row should say 'ok': the 95% confidence interval contains the textbook
    value, the relative error is below 2% and Little's law holds within 1%.
    The command exits 1 if any row fails.
    """
    import json

    from sefton_finance.des import verify_mmc, verify_path
    from sefton_finance.des.verify import PATHS

    if engine not in {"fast", "simpy"}:
        fail(f"--engine must be 'fast' or 'simpy', got {engine!r}")
    if replications < 2:
        fail(f"--replications must be at least 2 for a confidence interval, got {replications}")
    if customers < 0:
        fail(f"--customers must be >= 0, got {customers}")
    if path is None:
        for name, value in (
            ("--servers", servers),
            ("--utilisation", utilisation),
            ("--json", as_json or None),
        ):
            if value is not None:
                fail(f"{name} needs --path (one of {', '.join(PATHS)})")
    else:
        if path not in PATHS:
            fail(f"--path must be one of {', '.join(PATHS)}, got {path!r}")
        if servers is None or servers < 1:
            fail(f"--path {path} needs --servers, a whole number >= 1, got {servers}")
        queue = PATHS[path].queue
        if utilisation is None or not (0 < utilisation < 1 or (utilisation > 0 and not queue)):
            bound = "in (0, 1)" if queue else "> 0"
            fail(f"--path {path} needs --utilisation {bound}, got {utilisation}")
        result = verify_path(
            path,
            servers,
            utilisation,
            customers=customers or customers_for(utilisation, queue),
            replications=replications,
            seed=seed,
            engine=engine,
        )
        ok = _path_ok(result)
        if as_json:
            print(json.dumps(result.as_json()))
        else:
            table = _verify_table(
                f"DES verification, path {path} ({engine} engine, {replications} replications)"
            )
            _path_row(table, result, ok)
            console.print(table)
        if not ok:
            raise typer.Exit(code=1)
        return

    table = _verify_table(f"DES verification ({engine} engine, {replications} replications)")
    all_ok = True
    for rho, sized in PATH_CUSTOMERS.items():
        n = customers or sized
        mmc = verify_mmc(
            5, 5 * rho, 1.0, customers=n, replications=replications, seed=seed, engine=engine
        )
        ok = (
            mmc.ci_contains_textbook() and mmc.wait_rel_error < 0.02 and mmc.little_rel_error < 0.01
        )
        all_ok &= ok
        table.add_row(
            f"UTC station M/M/5 mean wait (Erlang C), {n:,}",
            f"{rho:.1f}",
            f"{mmc.mean_wait:.4f}",
            f"{mmc.mean_wait_ci[0]:.4f}-{mmc.mean_wait_ci[1]:.4f}",
            f"{mmc.erlang_c_wait:.4f}",
            f"{mmc.wait_rel_error:.2%}",
            f"{mmc.little_rel_error:.2%}",
            "[green]ok[/]" if ok else "[red]FAIL[/]",
        )
        for name, count in (("ed", 5), ("beds", 5), ("electives", 10)):
            result = verify_path(
                name, count, rho, customers=n, replications=replications, seed=seed, engine=engine
            )
            ok = _path_ok(result)
            all_ok &= ok
            _path_row(table, result, ok)
    console.print(table)
    if not all_ok:
        raise typer.Exit(code=1)


_PATH_LABELS = {
    "ed": "ED cubicles, no admissions: M/M/{c} mean wait (Erlang C)",
    "beds": "beds, direct admissions: M/M/{c} mean wait (Erlang C)",
    "electives": "electives, no retry: {c} beds cancelled (Erlang B)",
}


def _path_ok(result) -> bool:
    """A path check passes on the CI, a 2% relative error and Little's law within 1%."""
    return (
        result.ci_contains_textbook()
        and result.rel_error < 0.02
        and (result.little_rel_error < 0.01)
    )


def _verify_table(title: str) -> Table:
    table = Table(title=title)
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
    return table


def _path_row(table: Table, result, ok: bool) -> None:
    table.add_row(
        f"model {_PATH_LABELS[result.path].format(c=result.servers)}, {result.customers:,}",
        f"{result.utilisation:.2f}",
        f"{result.simulated:.4f}",
        f"{result.ci_low:.4f}-{result.ci_high:.4f}",
        f"{result.textbook:.4f}",
        f"{result.rel_error:.2%}",
        f"{result.little_rel_error:.2%}",
        "[green]ok[/]" if ok else "[red]FAIL[/]",
    )


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
        scenario = load_scenario(scenario_file)
        base = baseline_from_option(baseline, scenario)
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
    say(baseline_summary(result))
    print_performance(result, scenario.name, scenario.capacity.replications)


def print_performance(result, name: str, replications: int) -> None:
    """The discrete-event figures of a result, one table a year: performance by site with
    95% confidence intervals, and the congestion cost; then, in words, any overload (the
    congestion cost of an overloaded site and year is marked as depending on the horizon)."""
    measures = [n for n in result.data_vars if n.startswith("des_") and f"{n}_lower" in result]
    congestion = result["cost_congestion"].sum("pod")
    overloaded = result.get("des_overloaded")
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
            cells = [
                performance_cell(result, measure, {"year": year, "site": site}, replications)
                for site in sites
            ]
            table.add_row(result[measure].attrs["long_name"], *cells)
        table.add_section()
        table.add_row(
            "Congestion cost, GBP m",
            *[f"{float(congestion.sel(year=year, org=site)) / 1e6:,.2f}" for site in sites],
        )
        if overloaded is not None and float(overloaded.sel(year=year).max()) > 0:
            table.add_row(
                "Cost depends on the horizon",
                *[
                    "yes: overload" if float(overloaded.sel(year=year, site=site)) > 0 else "no"
                    for site in sites
                ],
            )
        console.print(table)
    if overloaded is not None and overloaded.attrs.get("warning"):
        console.print(f"[bold red]{overloaded.attrs['warning']}[/]", highlight=False)


def performance_cell(result, measure: str, at: dict, replications: int) -> str:
    """``mean (lower-upper)``; a measure at its cap says so rather than showing a zero-width
    interval (peak beds at the bed base means the beds were full)."""

    def fmt(value: float) -> str:
        return f"{value:.1%}" if "performance" in measure else f"{value:,.1f}"

    mean = float(result[measure].sel(at))
    lower = float(result[f"{measure}_lower"].sel(at))
    upper = float(result[f"{measure}_upper"].sel(at))
    interval = f" ({fmt(lower)}-{fmt(upper)})" if np.isfinite([lower, upper]).all() else ""
    if f"{measure}_at_cap" in result:
        at_cap = round(float(result[f"{measure}_at_cap"].sel(at)) * replications)
        cap = float(result[f"{measure}_cap"].sel(at))
        if at_cap == replications:
            return f"capped at {cap:,.0f} (beds full in every replication)"
        if at_cap > 0:
            return f"{fmt(mean)}{interval}, capped at {cap:,.0f} in {at_cap} of {replications}"
    return f"{fmt(mean)}{interval}"
