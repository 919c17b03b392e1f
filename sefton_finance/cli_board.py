"""``sefton-finance serve`` (the dashboards) and ``sefton-finance report`` (the board pack).

Registered on the main ``app`` when :mod:`sefton_finance.cli` imports this module.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from sefton_finance.cli import app, console, fail, load_results, say
from sefton_finance.errors import InputError
from sefton_finance.passwords import SESSION_COOKIE, USERS_ENV, add_user, read_users

REPO = Path(__file__).resolve().parents[1]
APP_SCRIPT = REPO / "dashboards" / "app.py"
LOGIN_MODULE = REPO / "dashboards" / "login.py"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
SECRET_LENGTH = 32
"""Fewest characters in a cookie secret (tornado signs the login cookie with it)."""
SECRET_ENV = "SEFTON_COOKIE_SECRET"
ORIGIN_ENV = "BOKEH_ALLOW_WS_ORIGIN"
"""Bokeh lets this variable replace the --allow-websocket-origin list."""
SERVER_OWNED_ENV = (
    ORIGIN_ENV,
    "BOKEH_AUTH_MODULE",
    "BOKEH_COOKIE_SECRET",
    "PANEL_BASIC_AUTH",
    "PANEL_COOKIE_SECRET",
    "PANEL_OAUTH_PROVIDER",
    SECRET_ENV,
    USERS_ENV,
)
"""Variables that would change the server's login or origins: ``serve`` sets them itself."""
NEW_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine."""
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def allowed_origins(port: int, origins: list[str]) -> list[str]:
    """The websocket origins the server allows: the explicit list, else this machine's."""
    return list(origins) or [f"localhost:{port}", f"127.0.0.1:{port}"]


def _host_port(origin: str) -> str:
    # Bokeh reads an origin without a port as port 80.
    origin = origin.strip().lower()
    return origin if ":" in origin else f"{origin}:80"


def serve_problems(
    address: str,
    users_file: Path | None,
    cookie_secret: str | None,
    origins: list[str],
    *,
    port: int = 5006,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Why a served dashboard would be unsafe; empty when it may start.

    On a loopback address nothing is required. Anywhere else the dashboard shows
    a whole health economy's finances and can run the model, so it needs a users
    file, a cookie secret and an explicit list of allowed origins. A login (on any
    address) needs a valid users file of password hashes and a secret of at least
    :data:`SECRET_LENGTH` characters.

    Parameters
    ----------
    address : str
        Address the server listens on.
    users_file : Path or None
        The ``--basic-auth`` users file (see :mod:`sefton_finance.passwords`).
    cookie_secret : str or None
        The secret that signs login cookies.
    origins : list of str
        The ``--allow-websocket-origin`` values.
    port : int
        Port the server listens on (the default origins name it).
    environ : mapping, optional
        The environment the server would inherit; default ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    public = not is_loopback(address)
    problems = []
    if public and users_file is None:
        problems.append(
            "an address other machines can reach needs a login: --basic-auth USERS_FILE "
            "(a JSON file of password hashes made by `sefton-finance add-user`)"
        )
    if users_file is not None:
        try:
            read_users(users_file)
        except InputError as error:
            problems.append(str(error))
        if not cookie_secret:
            problems.append(
                f"a login needs a cookie secret in {SECRET_ENV} or in a file only you can read "
                f"(--cookie-secret-file), e.g. from {NEW_SECRET}"
            )
        elif len(cookie_secret) < SECRET_LENGTH:
            problems.append(
                f"the cookie secret has {len(cookie_secret)} characters; use at least "
                f"{SECRET_LENGTH} random ones, e.g. from {NEW_SECRET}"
            )
    if public and not origins:
        problems.append("--allow-websocket-origin HOST[:PORT] (once per origin; no wildcards)")
    if any("*" in origin for origin in origins):
        problems.append("--allow-websocket-origin must name hosts explicitly, not '*'")
    inherited = environ.get(ORIGIN_ENV, "")
    allowed = {_host_port(o) for o in allowed_origins(port, origins)}
    extra = [o.strip() for o in inherited.split(",") if o.strip() and _host_port(o) not in allowed]
    if extra:
        problems.append(
            f"{ORIGIN_ENV}={inherited!r} in the environment would let bokeh accept websocket "
            f"origins beyond the allowed ones ({', '.join(extra)}); unset it and pass each "
            "origin with --allow-websocket-origin"
        )
    return problems


def read_cookie_secret(
    secret_file: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[str | None, list[str]]:
    """The cookie secret from ``--cookie-secret-file`` or ``SEFTON_COOKIE_SECRET``.

    A secret file must belong to the user running ``serve`` and be unreadable by
    anyone else.

    Returns
    -------
    (str or None, list of str)
        The secret (None when neither is given) and the problems found.
    """
    environ = os.environ if environ is None else environ
    from_env = environ.get(SECRET_ENV) or None
    if secret_file is None:
        return from_env, []
    if from_env:
        return None, [f"give the cookie secret once: {SECRET_ENV} or --cookie-secret-file"]
    try:
        info = secret_file.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None, [
                f"--cookie-secret-file {secret_file} must be yours and private: chmod 600 it"
            ]
        return secret_file.read_text(encoding="utf-8").strip() or None, []
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"--cookie-secret-file {secret_file}: {error.strerror or error}"]


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
    login: bool,
    show: bool,
    session_lifetime_ms: int,
) -> list[str]:
    """The ``panel serve`` command line for the dashboards (it never carries a secret)."""
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
        # Bokeh copies request cookies and headers into the session token it writes into
        # every page, where any script could read the HTTP-only login cookie.
        "--exclude-cookies",
        SESSION_COOKIE,
        "--exclude-headers",
        "Cookie",
        "Authorization",
    ]
    # An explicit origin list always: bokeh otherwise defaults to the serving address.
    for origin in allowed_origins(port, origins):
        command += ["--allow-websocket-origin", origin]
    if login:
        command += ["--auth-module", str(LOGIN_MODULE)]
    if show:
        command.append("--show")
    return command


def server_owned(variable: str) -> bool:
    """Whether ``serve`` sets this environment variable of the server itself."""
    return variable in SERVER_OWNED_ENV or variable.startswith("PANEL_OAUTH_")


def server_environment(
    environ: Mapping[str, str], *, users_file: Path | None, cookie_secret: str | None
) -> dict[str, str]:
    """The environment of the ``panel serve`` child: login settings only from ``serve``.

    The secret travels here, not on the command line: ``/proc/PID/environ`` is
    readable by its owner only, ``/proc/PID/cmdline`` by every local user.
    """
    env = {k: v for k, v in environ.items() if not server_owned(k)}
    if users_file is not None and cookie_secret:
        env[USERS_ENV] = str(users_file.resolve())
        env["BOKEH_COOKIE_SECRET"] = cookie_secret
    return env


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
    users_file: Annotated[
        Path | None,
        typer.Option(
            "--basic-auth",
            help="Users file (JSON of password hashes, see add-user): turns the login on.",
        ),
    ] = None,
    cookie_secret_file: Annotated[
        Path | None,
        typer.Option(
            "--cookie-secret-file",
            help=f"File (mode 600) holding the login-cookie secret; or set {SECRET_ENV}.",
        ),
    ] = None,
    cookie_secret: Annotated[
        str | None, typer.Option("--cookie-secret", hidden=True, help="Refused: see --help.")
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

    Missing results of the scenarios in --scenarios are computed first. With
    --basic-auth every page needs a login (users file of scrypt hashes, see
    add-user) and a cookie secret of 32+ characters in SEFTON_COOKIE_SECRET or
    --cookie-secret-file. On any address other than loopback the server refuses
    to start without a login and at least one explicit --allow-websocket-origin.
    """
    if cookie_secret is not None:
        fail(
            "--cookie-secret puts the secret on the command line, where every local user "
            f"can read it (ps); put it in {SECRET_ENV} or in a file only you can read "
            "and pass --cookie-secret-file"
        )
    origins = list(allow_origin or [])
    secret, problems = read_cookie_secret(cookie_secret_file)
    problems += serve_problems(address, users_file, secret, origins, port=port)
    if problems:
        fail(f"refusing to serve on {address}: " + "; ".join(problems))
    for name, value in (("--max-horizon", max_horizon), ("--max-draws", max_draws)):
        if value < 1:
            fail(f"{name} must be at least 1, got {value}")
    if not APP_SCRIPT.is_file():
        fail(f"dashboard app not found at {APP_SCRIPT} (serve runs from a source checkout)")
    if not dry_run:
        try:
            for path in ensure_results(scenarios_dir, results_dir):
                say(f"computed missing result {path}")
        except InputError as error:
            fail(str(error))
    login = users_file is not None
    command = panel_command(
        port=port,
        address=address,
        origins=origins,
        login=login,
        show=show,
        session_lifetime_ms=1000 * session_lifetime,
    )
    env = server_environment(
        os.environ, users_file=users_file, cookie_secret=secret if login else None
    )
    env.update(
        SEFTON_RESULTS_DIR=str(results_dir.resolve()),
        SEFTON_SCENARIOS_DIR=str(scenarios_dir.resolve()),
        SEFTON_MAX_HORIZON=str(max_horizon),
        SEFTON_MAX_DRAWS=str(max_draws),
        SEFTON_MAX_REPLICATIONS=str(max_replications),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    ignored = sorted(k for k in os.environ if server_owned(k) and k not in (SECRET_ENV, USERS_ENV))
    if ignored:
        console.print(f"ignoring {', '.join(ignored)} from the environment: serve sets them itself")
    console.print("serving: " + " ".join(command), highlight=False, soft_wrap=True)
    if dry_run:
        return
    raise typer.Exit(code=run_server(command, env))


STOP_GRACE_SECONDS = 20
"""How long ``serve`` waits for the panel server to stop before killing it."""


def run_server(command: list[str], env: Mapping[str, str]) -> int:
    """Run the panel server as a child until it ends; ``serve`` never leaves it running.

    A SIGTERM or SIGHUP to ``serve`` alone (a service manager stopping it, a closed
    terminal) is passed on to the server, which stops its workers; before, ``serve``
    ended at once and the server kept the port and its workers. A stop asked for
    this way, or with Ctrl-C, ends with exit status 0.

    Returns
    -------
    int
        The server's exit status, or 0 when it was asked to stop.
    """
    child = subprocess.Popen(command, env=env)
    asked_to_stop = False

    def forward(signum, _frame) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        if child.poll() is None:
            # A hangup is a stop too: the server shuts its workers down on SIGTERM.
            child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    stops = (signal.SIGTERM, signal.SIGHUP)
    previous = {stop: signal.signal(stop, forward) for stop in stops}
    try:
        while True:
            try:
                code = child.wait()
                return 0 if asked_to_stop else code
            except KeyboardInterrupt:
                # The terminal's Ctrl-C reaches the server too; pass it on in case only
                # serve received it, and wait for the server to stop.
                forward(signal.SIGINT, None)
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@app.command("add-user")
def add_user_command(
    users_file: Annotated[Path, typer.Argument(help="Users file (created if missing).")],
    user: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a dashboard user, or change their password, in a users file for serve --basic-auth.

    Only a salted scrypt hash of the password is stored; the file is readable by
    its owner only.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        add_user(users_file, user, password)
    except (InputError, ValueError) as error:
        fail(str(error))
    say(f"{user} can log in; the hash is in {users_file}")


@app.command("report")
def report_command(
    results: Annotated[list[Path], typer.Argument(help="Result files (.nc) to compare.")],
    out: Annotated[
        Path, typer.Option("--out", help="HTML file; the workbook goes beside it.")
    ] = Path("board_pack.html"),
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            help="Year of the headline, bridges and one-year views, e.g. 2024/25 "
            "(default: the last year every result has).",
        ),
    ] = None,
    comparator: Annotated[
        str | None,
        typer.Option(
            "--comparator",
            help="Scenario name to compare against (default: do nothing).",
        ),
    ] = None,
) -> None:
    """Write the board pack: one self-contained HTML file and an Excel workbook of the figures.

    Both hold the same figures for the same year: the headline, the comparator
    view, the bridges, the wrong-pocket matrix and savings by kind. The HTML opens
    with no network and prints on A4 landscape.
    """
    import time

    from sefton_finance.report import choose, distinct_names, write_pack

    if out.suffix.lower() not in {".html", ".htm"}:
        fail(f"--out {out}: the board pack is an HTML file (use a .html name)")
    datasets = distinct_names(load_results(results), results)
    try:
        choose(datasets, year, comparator)
    except ValueError as error:
        # The message names the option's value: "year '2030/31': ..." or "comparator 'x' ...".
        fail(f"board pack: {error}")
    started = time.perf_counter()
    try:
        html, xlsx = write_pack(datasets, out, year=year, comparator=comparator)
    except ImportError as error:
        fail(
            f"the board pack needs the dashboard extras (pip install 'sefton-finance[dashboard]'): {error}"
        )
    seconds = time.perf_counter() - started
    say(
        f"wrote {html} ({html.stat().st_size / 1e6:.2f} MB) and {xlsx} "
        f"({xlsx.stat().st_size / 1e6:.2f} MB) in {seconds:.1f} s"
    )
