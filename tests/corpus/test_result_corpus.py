"""Malformed result files for every command that reads them (``compare``, ``report``,
``returns``, ``wrong-pocket``) and for the dashboard's store: truncated at many lengths,
foreign formats, other programs' netCDF, tampered provenance, missing attributes and
variables, and figures changed after the run.

Each command case asserts exit 2 and one message naming the file and what is wrong,
with no traceback, and that nothing is written (an earlier board pack is untouched).
The store lists a broken file with its reason and still shows the good ones.
"""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import xarray as xr

from dashboards import store
from sefton_finance.api import run_file
from sefton_finance.results import REQUIRED_ATTRS, REQUIRED_VARIABLES, SCHEMA_VERSION, save
from tests.corpus.runner import assert_nothing_written, assert_refused, sefton
from tests.helpers import SCENARIOS

UNREADABLE = "not a readable netCDF file"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A folder with do_nothing.nc and place_plan.nc."""
    folder = tmp_path_factory.mktemp("good")
    for name in ("do_nothing", "place_plan"):
        # The shipped scenarios over two years: the same layout, a smaller file, a faster run.
        text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
        short = folder / f"{name}.yaml"
        short.write_text(text.replace("years_ahead: 5", "years_ahead: 2"), encoding="utf-8")
        save(run_file(short), folder / f"{name}.nc")
    return folder


def _attrs(ds, **changes):
    changed = ds.copy()
    changed.attrs = {k: v for k, v in {**ds.attrs, **changes}.items() if v is not None}
    return changed


def _variants(good) -> dict[str, tuple[object, str]]:
    """Broken files by name: (bytes, or a dataset to save; the words the message must hold)."""
    data = (good / "place_plan.nc").read_bytes()
    ds = xr.load_dataset(good / "place_plan.nc", engine="h5netcdf")
    variants: dict[str, tuple[object, str]] = {}
    for cut in (0, 8, 64, 512, 4096, len(data) // 2, len(data) - 100, len(data) - 1):
        variants[f"truncated_{cut}"] = (data[:cut], UNREADABLE)
    variants |= {
        "text": (b"surplus,-20.2\n", UNREADABLE),
        "json": (json.dumps({"surplus": -20.2}).encode(), UNREADABLE),
        "png": (b"\x89PNG\r\n\x1a\n" + bytes(64), UNREADABLE),
        "xlsx": (b"PK\x03\x04" + bytes(64), UNREADABLE),
        "hdf5_magic": (b"\x89HDF\r\n\x1a\n" + bytes(64), UNREADABLE),
        "netcdf3_magic": (b"CDF\x01" + bytes(64), UNREADABLE),
        "flipped_bytes": (data[:2000] + bytes(b ^ 0xFF for b in data[2000:3000]) + data[3000:], ""),
    }
    variants["another_program"] = (
        xr.Dataset({"x": ("t", [1.0, 2.0])}),
        "'schema_version' is missing",
    )
    variants |= {
        "schema_missing": (_attrs(ds, schema_version=None), "'schema_version' is missing"),
        "schema_newer": (_attrs(ds, schema_version=SCHEMA_VERSION + 1), "newer version"),
        "schema_text": (_attrs(ds, schema_version="one"), "'schema_version' is 'one'"),
        "schema_float": (_attrs(ds, schema_version=1.5), "'schema_version' is 1.5"),
        "scenario_text_edited": (
            _attrs(
                ds, scenario_text=ds.attrs["scenario_text"].replace("seed: 20190401", "seed: 1")
            ),
            "does not match 'scenario_sha256'",
        ),
        "scenario_hash_edited": (_attrs(ds, scenario_sha256="0" * 64), "does not match"),
        "baseline_digest_not_hex": (_attrs(ds, baseline_sha256="not-a-digest"), "not a SHA-256"),
    }
    for name in REQUIRED_ATTRS:
        variants[f"no_attr_{name}"] = (_attrs(ds, **{name: None}), f"'{name}'")
    for name in REQUIRED_VARIABLES:
        variants[f"no_variable_{name}"] = (ds.drop_vars(name), f"['{name}'] missing")
    moved = ds.copy(deep=True)
    moved["surplus"].loc[{"org": "aintree"}] = moved["surplus"].sel(org="aintree") + 1e6
    variants["figures_moved"] = (moved, "do not balance")
    holed = ds.copy(deep=True)
    holed["system_surplus"].values[..., 2] = np.nan
    variants["figures_nan"] = (holed, "NaN or infinite")
    return variants


@pytest.fixture(scope="module")
def broken(good, tmp_path_factory):
    """Every broken variant written to its own file: name -> (path, expected words)."""
    folder = tmp_path_factory.mktemp("broken")
    made = {}
    for name, (content, expected) in _variants(good).items():
        path = folder / f"{name}.nc"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            save(content, path)
        made[name] = (path, expected)
    other = folder / "another_hdf5.nc"
    with h5py.File(other, "w") as handle:
        handle["numbers"] = np.arange(5.0)
    made["another_hdf5"] = (other, "'schema_version' is missing")
    return made


def _names():
    # The variant names, without building the files (they need a run): the same list as
    # _variants, kept in step by test_the_corpus_covers_every_variant.
    cuts = ["0", "8", "64", "512", "4096", "half", "len-100", "len-1"]
    return (
        [f"truncated_{c}" for c in cuts]
        + ["text", "json", "png", "xlsx", "hdf5_magic", "netcdf3_magic", "flipped_bytes"]
        + ["another_program", "another_hdf5"]
        + ["schema_missing", "schema_newer", "schema_text", "schema_float"]
        + ["scenario_text_edited", "scenario_hash_edited", "baseline_digest_not_hex"]
        + [f"no_attr_{n}" for n in REQUIRED_ATTRS]
        + [f"no_variable_{n}" for n in REQUIRED_VARIABLES]
        + ["figures_moved", "figures_nan"]
    )


def _lookup(broken, name):
    if name.startswith("truncated_") and not name.removeprefix("truncated_").isdigit():
        keys = sorted(
            (k for k in broken if k.startswith("truncated_")), key=lambda k: int(k.split("_")[1])
        )
        name = keys[{"half": 5, "len-100": 6, "len-1": 7}[name.removeprefix("truncated_")]]
    return broken[name]


def test_the_corpus_covers_every_variant(broken):
    assert len(broken) == len(_names())


COMMANDS = {
    # The broken file first: commands read their files in order and stop at the first bad one.
    "compare": lambda good, bad, out: [
        "compare",
        bad,
        good / "do_nothing.nc",
        "--csv",
        out / "t.csv",
    ],
    "compare-excel": lambda good, bad, out: ["compare", bad, "--excel", out / "t.xlsx"],
    "report": lambda good, bad, out: [
        "report",
        bad,
        good / "do_nothing.nc",
        "--out",
        out / "pack.html",
    ],
    "returns": lambda good, bad, out: ["returns", bad, "--excel", out / "r.xlsx"],
    "wrong-pocket": lambda good, bad, out: [
        "wrong-pocket",
        bad,
        "--against",
        good / "do_nothing.nc",
    ],
}
ONE_OF_EACH = [
    "truncated_half",
    "png",
    "another_program",
    "schema_newer",
    "scenario_text_edited",
    "no_attr_baseline_sha256",
    "no_variable_payments",
    "figures_moved",
]
"""A variant of each kind, for every command (``compare`` takes every variant): the commands
share one reader, so each kind is checked through each command's wiring."""


def _check(good, broken, tmp_path, command, variant):
    path, expected = _lookup(broken, variant)
    out = tmp_path / "out"
    outcome = sefton(*COMMANDS[command](good, path, out))
    message = assert_refused(outcome, path)
    if expected:
        assert expected in message, message
    else:  # flipped bytes: unreadable, or read and then refused for what they broke
        assert any(
            w in message
            for w in (UNREADABLE, "not valid UTF-8", "does not match", "do not balance", "missing")
        ), message
    assert_nothing_written(out)


@pytest.mark.parametrize("variant", _names())
def test_compare_refuses_every_broken_result(good, broken, tmp_path, variant):
    _check(good, broken, tmp_path, "compare", variant)


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"compare"}))
@pytest.mark.parametrize("variant", ONE_OF_EACH)
def test_every_command_refuses_a_broken_result(good, broken, tmp_path, command, variant):
    _check(good, broken, tmp_path, command, variant)


@pytest.mark.parametrize("variant", ["truncated_half", "scenario_text_edited", "figures_moved"])
def test_an_earlier_board_pack_is_untouched(good, broken, tmp_path, variant):
    """An earlier pack and workbook (any content: a write would replace them) stay as they were."""
    pack = tmp_path / "pack.html"
    pack.write_text("<html>the pack the board saw</html>", encoding="utf-8")
    pack.with_suffix(".xlsx").write_bytes(b"PK the board's workbook")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    path, _ = _lookup(broken, variant)
    assert_refused(sefton("report", path, good / "do_nothing.nc", "--out", pack), path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_missing_result_and_a_folder(good, tmp_path):
    assert_refused(sefton("compare", tmp_path / "none.nc"), tmp_path / "none.nc", "not found")
    folder = tmp_path / "folder.nc"
    folder.mkdir()
    assert_refused(sefton("returns", folder), folder, "not found")


def test_the_dashboard_lists_broken_files_and_shows_the_good_ones(good, broken, tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    for name in ("do_nothing", "place_plan"):
        (folder / f"{name}.nc").write_bytes((good / f"{name}.nc").read_bytes())
    names = [*ONE_OF_EACH, "truncated_0", "flipped_bytes", "another_hdf5", "figures_nan"]
    for name in names:
        path, _ = _lookup(broken, name)
        (folder / f"{name}.nc").write_bytes(path.read_bytes())
    readable, skipped = store.scan_results(folder)
    # Figures that do not balance are read: the board shows them under a failed-checks banner.
    shown_with_a_banner = {"figures_moved", "figures_nan", "flipped_bytes"}
    assert (
        {"do_nothing", "place_plan"}
        <= set(readable)
        <= {"do_nothing", "place_plan"} | shown_with_a_banner
    )
    assert set(readable) | {p.stem for p in skipped} == {"do_nothing", "place_plan", *names}
    for path, reason in skipped.items():
        _, expected = _lookup(broken, path.stem)
        assert reason and (not expected or expected in reason), (path, reason)


def test_results_from_two_baselines_are_compared_with_a_warning(good, tmp_path, baseline_copy):
    with (baseline_copy / "pods.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # the same figures in other bytes: another baseline's digest
    out = tmp_path / "other"
    scenario = tmp_path / "elsewhere.yaml"
    scenario.write_text("name: elsewhere\n", encoding="utf-8")
    made = sefton("run", scenario, "--baseline", baseline_copy, "--out", out)
    assert made.code == 0, made.stderr
    outcome = sefton("compare", good / "place_plan.nc", out / "elsewhere.nc")
    assert outcome.code == 0, outcome.stderr
    warning = outcome.stderr.replace("\n", " ")
    assert "warning: these results come from 2 different baselines" in warning
    assert str(out / "elsewhere.nc") in warning
    # Against do nothing from the other baseline, a difference would mean nothing: refused.
    against = sefton("compare", good / "do_nothing.nc", out / "elsewhere.nc")
    assert against.code == 2
    assert "run on different baselines" in against.stderr.replace("\n", " ")
    assert "Traceback" not in against.stderr


def test_a_real_subprocess_names_a_truncated_file(broken):
    import subprocess
    import sys

    path, _ = _lookup(broken, "truncated_half")
    result = subprocess.run(
        [sys.executable, "-m", "sefton_finance", "compare", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr.replace("\n", "")
    assert UNREADABLE in result.stderr.replace("\n", " ")
