"""A plain (not editable) install works from any folder: the wheel carries the
intervention library and the shipped scenarios.

The wheel is built from a copy of the checkout (a stale ``build/`` folder cannot
leak into it) with this venv's setuptools (``--no-build-isolation``, no download),
then installed with ``pip --no-deps`` into a fresh venv. The fresh venv borrows
the dependencies from this venv through a one-line ``.pth`` naming its
site-packages: a path in a ``.pth`` file is only appended to ``sys.path``, and
the ``.pth`` files in that folder (the editable install's finder among them,
which would import the checkout) are not run, so ``sefton_finance`` can only
come from the wheel. The commands run in a temporary folder, not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from helpers import REPOSITORY

pytestmark = pytest.mark.slow

LIBRARY = sorted(p.stem for p in (REPOSITORY / "sefton_finance" / "library").glob("*.yaml"))
NOT_SOURCE = {"build", "dist", "results", "test-artifacts"}  # and .venv, .git, caches


def _source_only(directory: str, names: list[str]) -> set[str]:
    """Names copytree skips: build output and caches, never a package's own folder."""
    top = Path(directory) == REPOSITORY
    return {
        n
        for n in names
        if (top and (n in NOT_SOURCE or n.startswith(".")))
        or n == "__pycache__"
        or n.endswith(".egg-info")
    }


def _run(command, cwd, env=None):
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(bin directory, environment, work folder)`` of a venv with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    source = root / "source"
    shutil.copytree(REPOSITORY, source, ignore=_source_only)
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", root, source],
        cwd=root,
        env=pip_env,
    )
    (wheel,) = root.glob("sefton_finance-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root
    ).stdout.strip()
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(purelib) / "project_dependencies.pth").write_text("\n".join(borrowed) + "\n")
    # --ignore-installed: the editable sefton-finance seen through the .pth is not this venv's.
    _run(
        [
            *pip,
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            wheel,
        ],
        cwd=root,
        env=pip_env,
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SEFTON_FINANCE_MODELS")}
    work = root / "work"
    work.mkdir()
    where = _run(
        [python, "-c", "import sefton_finance; print(sefton_finance.__file__)"], cwd=work, env=env
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"imported from {where}, not the wheel"
    return bin_dir, env, work


def test_an_installed_wheel_lists_the_intervention_library(installed):
    bin_dir, env, work = installed
    result = _run([bin_dir / "sefton-finance", "interventions"], cwd=work, env=env)
    assert len(LIBRARY) >= 29  # the seeds' whole plan: a wrong glob would find none
    missing = [name for name in LIBRARY if name not in result.stdout]
    assert not missing, f"not in the installed library: {missing}\n{result.stdout}"


def test_an_installed_wheel_runs_a_shipped_scenario_by_name(installed):
    bin_dir, env, work = installed
    listed = _run([bin_dir / "sefton-finance", "scenarios"], cwd=work, env=env)
    assert "place_plan" in listed.stdout
    result = _run(
        [bin_dir / "sefton-finance", "run", "place_plan", "--out", "results"], cwd=work, env=env
    )
    assert "balanced" in result.stdout
    assert "Sefton system" in result.stdout
    assert (work / "results" / "place_plan.nc").is_file()


def test_an_installed_wheel_carries_every_packaged_baseline(installed):
    bin_dir, env, work = installed
    listed = _run([bin_dir / "sefton-finance", "baselines"], cwd=work, env=env)
    assert "sefton-2019-20" in listed.stdout and "sefton-2024-25" in listed.stdout
    result = _run(
        [bin_dir / "sefton-finance", "run", "do_nothing_2024_25", "--out", "today"],
        cwd=work,
        env=env,
    )
    assert "balanced" in result.stdout
    assert "sefton-2024-25: Today's organisations, 2024/25" in " ".join(result.stdout.split())
    assert (work / "today" / "do_nothing_2024_25.nc").is_file()
