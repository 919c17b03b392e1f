"""Browser-test fixtures: small results, a real dashboard server, Debian chromium.

The server is ``sefton-finance serve`` itself, started in its own process group
on a free localhost port and stopped (by that group's id) at the end of the session.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
SERVER_SETTINGS = ("SEFTON_", "BOKEH_", "PANEL_")
"""Prefixes of environment variables that configure a dashboard server."""
SMALL_HORIZON = 3
"""Years ahead in the test scenarios: enough for every chart, quick to compute."""


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def small_results(tmp_path_factory):
    """The shipped scenarios shortened to three years, run once: ``(scenarios_dir, results_dir)``."""
    from sefton_finance.api import run_file
    from sefton_finance.results import save

    root = tmp_path_factory.mktemp("board")
    scenarios, results = root / "scenarios", root / "results"
    scenarios.mkdir()
    for name in ("do_nothing", "place_plan", "stretch"):
        data = yaml.safe_load((REPO / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"))
        data.setdefault("horizon", {})["years_ahead"] = SMALL_HORIZON
        path = scenarios / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        save(run_file(path), results / f"{name}.nc")
    return scenarios, results


def _wait_for(url: str, port: int, process: subprocess.Popen, timeout: float = 180.0) -> None:
    """Wait for the port to open, then load the app once (warming the shared caches).

    One patient request rather than many short ones: every request starts a session
    that builds the whole page, so impatient retries would pile work on the server.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard server exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"nothing listening on port {port} after {timeout:.0f} s"
                ) from None
            time.sleep(0.25)
    remaining = max(deadline - time.monotonic(), 30.0)
    with urllib.request.urlopen(url, timeout=remaining) as response:  # localhost only
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")


def serve_invocation(*options: str, env: dict[str, str] | None = None):
    """The command line and environment that run ``sefton-finance serve OPTIONS``.

    Returns
    -------
    (list of str, dict)
        The command and its environment: this one's, less the developer's own
        server settings (:data:`SERVER_SETTINGS`), plus ``env``.
    """
    command = [sys.executable, "-m", "sefton_finance", "serve", *options]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(SERVER_SETTINGS)}
    return command, {**inherited, "PYTHONPATH": str(REPO), **(env or {})}


@contextlib.contextmanager
def serving(*options: str, log: Path, env: dict[str, str] | None = None, port: int | None = None):
    """Run ``sefton-finance serve OPTIONS`` on a free loopback port until the block ends.

    Parameters
    ----------
    *options : str
        Command-line options after ``serve`` (``--port`` is added).
    log : Path
        File that receives the server's output.
    env : dict, optional
        Extra environment variables for the server.
    port : int, optional
        Port to listen on; default one found free now.

    Yields
    ------
    (subprocess.Popen, str)
        The ``serve`` process (leader of its own process group) and the server's root URL.
    """
    port = port or free_port()
    command, environment = serve_invocation("--port", str(port), *options, env=env)
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{root}/app", port, process)
    except Exception:
        _stop(process)
        raise RuntimeError(
            f"dashboard failed to start; log:\n{log.read_text(encoding='utf-8')}"
        ) from None
    try:
        yield process, root
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def dashboard_url(small_results, tmp_path_factory):
    """URL of a running ``sefton-finance serve`` on the small results."""
    scenarios, results = small_results
    log = tmp_path_factory.mktemp("server") / "serve.log"
    options = ("--results", str(results), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=log) as (_, root):
        yield f"{root}/app"


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's process group: the CLI, the panel server it started and the
    what-if workers. The CLI ends at once on SIGTERM; the panel server and its workers
    were seen still running hours after a suite, so what outlives a grace period is
    killed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
    deadline = time.monotonic() + 10
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def chromium(request):
    """Debian's chromium under Playwright (never a downloaded browser), one per test run.

    tests/security imports this fixture too, and pytest then keeps one instance per
    folder; Playwright's sync API allows only one at a time, so the first one is
    kept on the run's config and shared.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (run `make browser`)")
    config = request.config
    if getattr(config, "_sefton_chromium", None) is None:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        config._sefton_chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )

        def stop() -> None:
            config._sefton_chromium.close()
            playwright.stop()

        config.add_cleanup(stop)
    return config._sefton_chromium


@pytest.fixture
def board_page(chromium, request):
    """A fresh page that records console errors; fails the test if any were logged.

    A screenshot of the final state goes to ``test-artifacts/<test name>.png``.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"the page logged console errors: {errors}"


def open_dashboard(page, url: str) -> None:
    """Load the app and wait until the comparison page has drawn its tables."""
    page.goto(url, timeout=60_000)
    page.locator("table.surplus-table").first.wait_for(timeout=60_000)
