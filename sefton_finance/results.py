"""Result datasets: provenance, balance checks, atomic save and load (netCDF).

Every saved dataset records how it was made (package version, git commit,
scenario text and hash, baseline hash, seed, draws, created time) and is
written to a temporary file in the target directory and renamed into place,
so a crash never leaves a half-written result and never clobbers a good one.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance.codes import DIM_ORDER
from sefton_finance.files import atomic_write

PENNY = 0.005
"""Balance checks pass when totals agree to within half a penny."""


def package_version() -> str:
    """Installed version of sefton-finance."""
    try:
        return version("sefton-finance")
    except PackageNotFoundError:
        return "unknown"


@functools.cache
def git_commit() -> str:
    """Commit of the working tree the package runs from, with '+dirty' if modified.

    Read once per process: the code a process runs is the code it imported.
    """
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def in_design_order(data: xr.DataArray | xr.Dataset) -> xr.DataArray | xr.Dataset:
    """Transpose an array, or every variable of a dataset, to the design's dim order
    (:data:`~sefton_finance.codes.DIM_ORDER`; other dims, e.g. ``line``, last)."""

    def ordered(dims: tuple) -> list:
        return [d for d in DIM_ORDER if d in dims] + [d for d in dims if d not in DIM_ORDER]

    if isinstance(data, xr.DataArray):
        return data.transpose(*ordered(data.dims))
    # Transposed as unlabelled Variables and assembled once: setting variables one by one
    # re-aligns the whole Dataset each time (tens of milliseconds a result).
    variables = {
        name: array.variable.transpose(*ordered(array.dims))
        for name, array in data.data_vars.items()
    }
    return xr.Dataset(variables, coords=data.coords, attrs=data.attrs)


def make_attrs(
    *,
    scenario_name: str,
    scenario_text: str,
    scenario_hash: str,
    baseline_hash: str,
    baseline_directory: str,
    seed: int,
    draws: int,
    capacity_method: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Provenance attributes stamped on every result (netCDF-safe types only)."""
    attrs: dict[str, Any] = {
        "title": f"sefton-finance results: {scenario_name}",
        "scenario": scenario_name,
        "scenario_text": scenario_text,
        "scenario_sha256": scenario_hash,
        "baseline_sha256": baseline_hash,
        "baseline_directory": baseline_directory,
        "seed": int(seed),
        "draws": int(draws),
        "capacity_method": capacity_method,
        "sefton_finance_version": package_version(),
        "git_commit": git_commit(),
        "xarray_version": xr.__version__,
        "numpy_version": np.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "conventions": "surplus positive, deficit negative; money in GBP (cash); years are financial years",
    }
    attrs.update(extra or {})
    return attrs


@dataclass(frozen=True)
class Check:
    """One balance check: its name, whether it holds, and the largest discrepancy (GBP)."""

    name: str
    passed: bool
    worst: float


def balance_checks(ds: xr.Dataset) -> list[Check]:
    """The model's invariants, each to the penny in every draw and year.

    - organisations' surpluses sum to the system surplus;
    - each ledger's lines sum to its surplus;
    - every payment between Sefton organisations appears once as income and once as spend
      (so internal payments net to zero at system level);
    - the system position equals external income less external spend and provider costs
      (plus the savings a council must find to balance);
    - capitated risk-share transfers sum to zero;
    - waiting lists: opening + demand - treated = closing is enforced by construction, and
      no activity is negative.
    """
    in_system = (
        ds["org"].where(ds["in_system"], drop=True).values
        if "in_system" in ds
        else ds["org"].values
    )
    checks = []
    orgs_total = ds["surplus"].sel(org=in_system).sum("org")
    checks.append(_check("organisations sum to the system", orgs_total - ds["system_surplus"]))
    checks.append(
        _check("ledger lines sum to each surplus", ds["ledger"].sum("line") - ds["surplus"])
    )
    payments = ds["payments"]
    internal = payments.sel(payer=in_system, payee=in_system).sum(("payer", "payee"))
    paid_out = -(
        ds["ledger"]
        .sel(line=["contract_payments", "other_spend", "intervention_spend"])
        .sel(org=in_system)
        .sum(("line", "org"))
    )
    external_paid = payments.sel(payer=in_system).sum(("payer", "payee")) - internal
    checks.append(_check("internal payments net to zero", paid_out - internal - external_paid))
    received = (
        ds["ledger"]
        .sel(line=["contract_income", "pass_through_income"])
        .sel(org=in_system)
        .sum(("line", "org"))
    )
    checks.append(
        _check("payments made equal payments received inside Sefton", received - internal)
    )
    delivery = -ds["ledger"].sel(line="pass_through_cost").sel(org=in_system).sum("org")
    # A council's savings required (spend it must cut to balance) counts as spend avoided.
    cuts = (
        ds["ledger"].sel(line="savings_required").sel(org=in_system).sum("org")
        if "savings_required" in ds["line"].values
        else 0.0
    )
    independent = (
        ds["allocation"].sum("org")
        - external_paid
        - ds["provider_cost"].sel(org=in_system).sum(("org", "pod"))
        - delivery
        + cuts
    )
    checks.append(
        _check(
            "system = external income - external spend - provider cost",
            independent - ds["system_surplus"],
        )
    )
    checks.append(
        _check("risk-share transfers sum to zero", ds["ledger"].sel(line="risk_share").sum("org"))
    )
    negative = float(-ds["activity"].min())
    checks.append(Check("no activity is negative", negative <= 1e-9, max(negative, 0.0)))
    if "bridge" in ds:
        total = ds["system_surplus"] - ds["plan_system_surplus"]
        checks.append(
            _check(
                "bridge sums to the change in system surplus",
                ds["bridge"].sum("intervention") - total,
            )
        )
    return checks


def _check(name: str, difference: xr.DataArray) -> Check:
    worst = float(np.abs(difference).max()) if difference.size else 0.0
    return Check(name, bool(worst <= PENNY), worst)


def all_checks_pass(ds: xr.Dataset) -> bool:
    """The master check: every balance check holds."""
    return all(check.passed for check in balance_checks(ds))


def save(ds: xr.Dataset, path: str | Path, overwrite: bool = False) -> Path:
    """Write a result to netCDF atomically.

    Parameters
    ----------
    ds : xarray.Dataset
    path : str or Path
        Target file (``.nc``).
    overwrite : bool
        Replace an existing file (still atomically). Without it an existing result
        is never touched and ``FileExistsError`` is raised.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    encoded = _encodable(ds)
    compress = {
        name: {"zlib": True, "complevel": 4}
        for name in encoded.data_vars
        if encoded[name].dtype.kind in "fiu"
    }
    return atomic_write(
        path, lambda temporary: encoded.to_netcdf(temporary, engine="h5netcdf", encoding=compress)
    )


def _encodable(ds: xr.Dataset) -> xr.Dataset:
    """netCDF cannot store booleans: store flags as int8 with a note."""
    return _convert_flags(
        ds, lambda v: (v.dims, v.values.astype("int8"), {**v.attrs, "flag": FLAG}), bool
    )


FLAG = "boolean stored as int8"


def _convert_flags(ds: xr.Dataset, convert, dtype=None) -> xr.Dataset:
    out = ds.copy()
    for name, variable in ds.variables.items():
        wanted = variable.dtype == bool if dtype is bool else variable.attrs.get("flag") == FLAG
        if not wanted:
            continue
        if name in ds.coords:
            out = out.assign_coords({name: convert(variable)})
        else:
            out[name] = convert(variable)
    return out


def load(path: str | Path) -> xr.Dataset:
    """Read a saved result fully into memory (the file is closed afterwards)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        loaded = ds.load()
    return _convert_flags(
        loaded,
        lambda v: (
            v.dims,
            v.values.astype(bool),
            {k: a for k, a in v.attrs.items() if k != "flag"},
        ),
    )
