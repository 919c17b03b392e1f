"""Faults around a run, on the real command line: killed runs leave no worker behind, and a
full or read-only disk gives a clear message and leaves no partial file."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time

import psutil
import pytest
from helpers import SCENARIOS

CLI = [sys.executable, "-m", "sefton_finance"]
# 2,000 draws are eight chunks: long enough on two local workers to be killed mid-run.
LONG_RUN = ["run", "place_plan", "--draws", "2000"]


def _workers(process: psutil.Process, timeout: float = 120.0) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = process.children(recursive=True)
        if len(children) >= 2:
            return children
        if process.status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.1)
    pytest.fail("the run did not start its local worker processes")


def _alive(processes: list[psutil.Process]) -> list[int]:
    alive = []
    for child in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child.pid)
    return alive


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "term"])
def test_a_killed_monte_carlo_run_leaves_no_worker_running(tmp_path, signal_number):
    out = tmp_path / "results"
    process = subprocess.Popen(
        [*CLI, *LONG_RUN, "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    workers = []
    try:
        workers = _workers(psutil.Process(process.pid))
        time.sleep(1.0)  # the workers are computing chunks
        assert process.poll() is None, "the run finished before it could be killed"
        process.send_signal(signal_number)
        # With a worker left holding the pipes, this would wait for it (minutes).
        _, stderr = process.communicate(timeout=60)
        deadline = time.monotonic() + 10
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive(workers) == []
        assert not out.exists() or list(out.iterdir()) == []
        if signal_number == signal.SIGTERM:
            assert process.returncode == 128 + signal.SIGTERM
            assert b"Traceback" not in stderr
    finally:
        # Never leave this test's own processes behind, whatever failed above.
        for pid in [*_alive(workers), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)


def _run(args, *, limit_file_size: int | None = None):
    def limit():
        # A file-size limit makes the kernel refuse writes past it (EFBIG), as a full disk does
        # (ENOSPC): a real failed write, without needing a small disk.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit if limit_file_size is not None else None,
    )


def test_a_write_refused_by_the_kernel_is_a_clear_error_and_leaves_nothing(tmp_path):
    out = tmp_path / "results"
    result = _run(["run", SCENARIOS / "place_plan.yaml", "--out", out], limit_file_size=50_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.replace("\n", "")
    assert f"cannot write {out / 'place_plan.nc'}" in message
    assert "File too large" in message
    assert "nothing was left half-written" in message
    assert list(out.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 64 kB tmpfs: a real full disk (needs root, as mounting does)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root; the file-size test covers the write")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)])
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_a_clear_error_not_a_segmentation_fault(small_disk):
    out = small_disk / "results"
    result = _run(["run", SCENARIOS / "place_plan.yaml", "--out", out])
    assert result.returncode == 1, result.stderr  # was 139, a segmentation fault
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []  # the .partial file no longer fills the disk


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody may write: a read-only mount under root, else a mode-555 folder."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    if os.geteuid() == 0:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)])
        if made.returncode != 0:
            pytest.skip("root ignores folder permissions and cannot mount here")
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    out = tmp_path_factory.mktemp("saved")
    result = _run(["run", SCENARIOS / "place_plan.yaml", "--out", out])
    assert result.returncode == 0, result.stderr
    return out / "place_plan.nc"


@pytest.mark.parametrize(
    "command",
    [
        ["report", "{saved}", "--out", "{folder}/pack.html"],
        ["compare", "{saved}", "--csv", "{folder}/table.csv"],
        ["compare", "{saved}", "--excel", "{folder}/table.xlsx"],
        ["schema", "--out", "{folder}/schema.json"],
        ["run", SCENARIOS / "do_nothing.yaml", "--out", "{folder}/results"],
        ["returns", "{saved}", "--excel", "{folder}/returns.xlsx"],
    ],
    ids=["report", "compare-csv", "compare-excel", "schema", "run", "returns"],
)
def test_a_read_only_folder_is_a_clear_error(read_only, saved, command):
    args = [str(a).format(saved=saved, folder=read_only) for a in command]
    result = _run(args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.replace("\n", "")
    assert f"cannot write {read_only}" in message
    assert "Read-only file system" in message or "Permission denied" in message
    assert list(read_only.iterdir()) == []
