"""``sefton-finance serve`` (the dashboards) and ``sefton-finance report`` (the board pack).

Registered on the main ``app`` when :mod:`sefton_finance.cli` imports this module.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from sefton_finance.cli import app, console, fail, load_results
from sefton_finance.errors import InputError

REPO = Path(__file__).resolve().parents[1]
APP_SCRIPT = REPO / "dashboards" / "app.py"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine."""
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serve_problems(
    address: str, basic_auth: Path | None, cookie_secret: str | None, origins: list[str]
) -> list[str]:
    """Why a served dashboard would be unsafe; empty when it may start.

    On a loopback address nothing is required. Anywhere else the dashboard shows
    a whole health economy's finances and can run the model, so it needs a
    password file, a cookie secret and an explicit list of allowed origins.
    """
    if is_loopback(address):
        return []
    problems = []
    if basic_auth is None:
        problems.append("--basic-auth PASSWORD_FILE (JSON mapping user names to passwords)")
    elif not basic_auth.is_file():
        problems.append(f"--basic-auth {basic_auth}: file not found")
    if not cookie_secret:
        problems.append("--cookie-secret (or SEFTON_COOKIE_SECRET), a long random string")
    if not origins:
        problems.append("--allow-websocket-origin HOST[:PORT] (once per origin; no wildcards)")
    if any("*" in origin for origin in origins):
        problems.append("--allow-websocket-origin must name hosts explicitly, not '*'")
    return problems


def ensure_results(scenarios_dir: Path, results_dir: Path) -> list[Path]:
    """Run every scenario in ``scenarios_dir`` whose result is missing from ``results_dir``.

    Returns
    -------
    list of Path
        The result files written.
    """
    from sefton_finance.api import run_file
    from sefton_finance.config.loading import load_scenario
    from sefton_finance.results import save

    written = []
    for path in sorted(scenarios_dir.glob("*.yaml")):
        name = load_scenario(path).name
        target = results_dir / f"{name}.nc"
        if not target.exists():
            written.append(save(run_file(path), target))
    return written


def panel_command(
    *,
    port: int,
    address: str,
    origins: list[str],
    basic_auth: Path | None,
    cookie_secret: str | None,
    show: bool,
    session_lifetime_ms: int,
) -> list[str]:
    """The ``panel serve`` command line for the dashboards."""
    command = [
        sys.executable,
        "-m",
        "panel",
        "serve",
        str(APP_SCRIPT),
        "--port",
        str(port),
        "--address",
        address,
        # Drop sessions whose browser has gone: check every 10 s, forget after the lifetime.
        "--check-unused-sessions",
        "10000",
        "--unused-session-lifetime",
        str(session_lifetime_ms),
        "--num-procs",
        "1",
    ]
    # An explicit origin list always: bokeh otherwise defaults to the serving address.
    for origin in origins or [f"localhost:{port}", f"127.0.0.1:{port}"]:
        command += ["--allow-websocket-origin", origin]
    if basic_auth is not None:
        command += ["--basic-auth", str(basic_auth)]
    if cookie_secret:
        command += ["--cookie-secret", cookie_secret]
    if show:
        command.append("--show")
    return command


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 5006,
    address: Annotated[
        str, typer.Option("--address", help="Address to listen on; not loopback needs auth.")
    ] = "127.0.0.1",
    results_dir: Annotated[
        Path, typer.Option("--results", help="Folder of result files (.nc).")
    ] = Path("results"),
    scenarios_dir: Annotated[
        Path, typer.Option("--scenarios", help="Scenario folder (what-if saves here).")
    ] = Path("scenarios"),
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-websocket-origin", help="Allowed browser origin HOST[:PORT]; repeat."
        ),
    ] = None,
    basic_auth: Annotated[
        Path | None,
        typer.Option("--basic-auth", help="JSON file of user names and passwords."),
    ] = None,
    cookie_secret: Annotated[
        str | None,
        typer.Option(
            "--cookie-secret", envvar="SEFTON_COOKIE_SECRET", help="Secret for login cookies."
        ),
    ] = None,
    max_horizon: Annotated[
        int, typer.Option("--max-horizon", help="Most years a page may run.")
    ] = 10,
    max_draws: Annotated[int, typer.Option("--max-draws", help="Most draws a page may run.")] = 1,
    max_replications: Annotated[
        int, typer.Option("--max-replications", help="Most DES replications a page may run.")
    ] = 10,
    session_lifetime: Annotated[
        int, typer.Option("--session-lifetime", help="Seconds an abandoned session is kept.")
    ] = 60,
    show: Annotated[bool, typer.Option("--show/--no-show", help="Open a browser.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check settings and print the command only.")
    ] = False,
) -> None:
    """Serve the board dashboard and the what-if page (Panel).

    Missing results of the scenarios in --scenarios are computed first. On any
    address other than loopback the server refuses to start without --basic-auth,
    --cookie-secret and at least one explicit --allow-websocket-origin.
    """
    origins = list(allow_origin or [])
    problems = serve_problems(address, basic_auth, cookie_secret, origins)
    if problems:
        fail(
            f"refusing to serve on {address}, which other machines can reach, without: "
            + "; ".join(problems)
        )
    for name, value in (("--max-horizon", max_horizon), ("--max-draws", max_draws)):
        if value < 1:
            fail(f"{name} must be at least 1, got {value}")
    if not APP_SCRIPT.is_file():
        fail(f"dashboard app not found at {APP_SCRIPT} (serve runs from a source checkout)")
    if not dry_run:
        try:
            for path in ensure_results(scenarios_dir, results_dir):
                console.print(f"computed missing result {path}")
        except InputError as error:
            fail(str(error))
    command = panel_command(
        port=port,
        address=address,
        origins=origins,
        basic_auth=basic_auth,
        cookie_secret=cookie_secret,
        show=show,
        session_lifetime_ms=1000 * session_lifetime,
    )
    env = dict(os.environ)
    env.update(
        SEFTON_RESULTS_DIR=str(results_dir.resolve()),
        SEFTON_SCENARIOS_DIR=str(scenarios_dir.resolve()),
        SEFTON_MAX_HORIZON=str(max_horizon),
        SEFTON_MAX_DRAWS=str(max_draws),
        SEFTON_MAX_REPLICATIONS=str(max_replications),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    shown = [
        ("<secret>" if i and command[i - 1] == "--cookie-secret" else c)
        for i, c in enumerate(command)
    ]
    console.print("serving: " + " ".join(shown), highlight=False, soft_wrap=True)
    if dry_run:
        return
    try:
        raise typer.Exit(code=subprocess.call(command, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(code=0) from None


@app.command("report")
def report_command(
    results: Annotated[list[Path], typer.Argument(help="Result files (.nc) to compare.")],
    out: Annotated[
        Path, typer.Option("--out", help="HTML file; the workbook goes beside it.")
    ] = Path("board_pack.html"),
) -> None:
    """Write the board pack: one self-contained HTML file and an Excel workbook of the figures."""
    from sefton_finance.report import write_pack

    datasets = load_results(results)
    if out.suffix.lower() not in {".html", ".htm"}:
        fail(f"--out {out}: the board pack is an HTML file (use a .html name)")
    try:
        html, xlsx = write_pack(datasets, out)
    except ImportError as error:
        fail(
            f"the board pack needs the dashboard extras (pip install 'sefton-finance[dashboard]'): {error}"
        )
    console.print(f"wrote {html} and {xlsx}")
