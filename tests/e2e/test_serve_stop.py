"""Stopping ``sefton-finance serve`` stops everything it started.

A service manager or a closed terminal signals the ``serve`` process alone, not its
process group. ``serve`` used to end at once and leave the panel server holding the
port, with its what-if workers, for hours.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from tests.e2e.conftest import _group_alive, serving

pytestmark = pytest.mark.slow


@pytest.fixture
def own_results(small_results, tmp_path):
    """Copies of the small results: serve computes any missing result into its folder,
    and the shared one must not gain files another test's scenarios need."""
    scenarios, results = (
        shutil.copytree(folder, tmp_path / folder.name) for folder in small_results
    )
    return scenarios, results


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_serve_alone_stops_the_server_and_its_workers(small_results, tmp_path, stop):
    scenarios, results = small_results
    options = ("--results", str(results), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=tmp_path / "serve.log") as (process, root):
        port = int(root.rsplit(":", 1)[1])
        os.kill(process.pid, stop)  # serve only: its children get no signal from us
        assert process.wait(timeout=60) == 0, "a stop asked for is a clean exit"
        deadline = time.monotonic() + 60
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(process.pid), "the panel server or a worker outlived serve"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_workers_end_when_the_panel_server_is_killed_outright(own_results, tmp_path):
    """SIGKILL gives the server no chance to shut its worker pool down: the workers
    notice their server has gone and end themselves."""
    scenarios, results = own_results
    options = ("--results", str(results), "--scenarios", str(scenarios), "--no-show")
    with serving(*options, log=tmp_path / "serve.log") as (process, _):
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=True
        ).stdout.split()
        assert len(children) == 1, f"serve runs one panel server, found {children}"
        workers = subprocess.run(
            ["pgrep", "-f", "-g", str(process.pid), "spawn_main"], capture_output=True, text=True
        ).stdout.split()
        assert workers, "loading the page starts the what-if workers"
        os.kill(int(children[0]), signal.SIGKILL)
        process.wait(timeout=60)
        deadline = time.monotonic() + 60
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(process.pid), "a what-if worker outlived its server"
