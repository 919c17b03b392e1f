"""Result datasets: provenance, balance checks, atomic save and load (netCDF).

Every saved dataset records how it was made (package version, git commit,
scenario text and hash, baseline hash, seed, draws, created time) and the
version of this layout (:data:`SCHEMA_VERSION`). It is encoded in memory, then
written to a temporary file in the target directory and renamed into place, so
a crash or a full disk never leaves a half-written result and never clobbers a
good one. Loading checks the file is one of ours, of a schema this version
reads, with its scenario text matching its hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance.codes import DIM_ORDER
from sefton_finance.errors import ResultError, shown
from sefton_finance.files import write_bytes

PENNY = 0.005
"""Balance checks pass when totals agree to within half a penny."""
SCHEMA_VERSION = 1
"""Version of the result layout (variables, dims, attributes); stored as ``schema_version``."""
REQUIRED_ATTRS = (
    "scenario",
    "scenario_text",
    "scenario_sha256",
    "baseline_sha256",
    "seed",
    "draws",
)
"""Provenance every result carries; a file without any of them is refused."""
REQUIRED_VARIABLES = (
    "surplus",
    "system_surplus",
    "ledger",
    "payments",
    "allocation",
    "provider_cost",
    "activity",
    "plan_system_surplus",
)
"""Variables every result holds (the balance checks and the board tables read them)."""


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
        "schema_version": SCHEMA_VERSION,
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
    detail: str = ""
    """What failed, where the worst difference alone does not say it."""

    def describe(self) -> str:
        """One line for a report: the check and what went wrong."""
        return f"{self.name}: {self.detail or f'worst difference GBP {self.worst:,.2f}'}"


def balance_checks(ds: xr.Dataset) -> list[Check]:
    """The model's invariants, each to the penny in every draw and year.

    - organisations' surpluses sum to the system surplus;
    - each ledger's lines sum to its surplus;
    - every payment between Sefton organisations appears once as income and once as spend
      (so internal payments net to zero at system level);
    - the system position equals external income (allocations, and payments into the system
      from outside it) less external spend and provider costs
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
    checks = [_finite_check(ds)]
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
    # Money from outside the system into it (a programme NHS England funds nationally,
    # delivered by a Sefton provider) is external income, like the allocation.
    external_received = payments.sel(payee=in_system).sum(("payer", "payee")) - internal
    checks.append(
        _check(
            "payments made equal payments received inside Sefton",
            received - internal - external_received,
        )
    )
    delivery = -ds["ledger"].sel(line="pass_through_cost").sel(org=in_system).sum("org")

    def inside(line: str) -> xr.DataArray | float:
        # A line an older result has not got is zero.
        if line not in ds["line"].values:
            return 0.0
        return ds["ledger"].sel(line=line).sel(org=in_system).sum("org")

    # A council's savings required (spend it must cut to balance) counts as spend avoided.
    cuts = inside("savings_required")
    # Deficit support comes from NHS England, from outside the system, like the allocation.
    support = inside("deficit_support")
    independent = (
        ds["allocation"].sum("org")
        + support
        + external_received
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
    values = np.abs(np.asarray(difference.values, dtype=float))
    if values.size and not np.isfinite(values).all():
        # xarray's max skips NaN: a NaN run would otherwise "balance".
        return Check(name, False, np.inf, "a value is NaN or infinite")
    worst = float(values.max()) if values.size else 0.0
    return Check(name, bool(worst <= PENNY), worst)


NOT_APPLICABLE = {"allocation": "commissions"}
"""Variables that hold NaN by design, and the ``org`` flag saying where they must not:
allocation is NaN for organisations that are not commissioners (they receive none), and
must be finite for every commissioner."""
UNDEFINED_WHERE_NO_QUEUE = ("des_queue_unsettled", "des_offered_utilisation")
"""Discrete-event overload measures: NaN where a site-year has no queue of that resource
to judge (not applicable, not a broken number)."""
UNDEFINED_WITH_ONE_REPLICATION = ("_lower", "_upper", "_within_variance")
"""Endings of the discrete-event confidence bounds and variances across replications: NaN
(undefined) from one replication; their means are checked."""


def _finite_check(ds: xr.Dataset) -> Check:
    """Every number in the result is finite (NaN only where :data:`NOT_APPLICABLE` says)."""
    bad = {}
    for name, array in ds.data_vars.items():
        if array.dtype.kind not in "fc":
            continue
        if name.startswith("des_") and name.endswith(UNDEFINED_WITH_ONE_REPLICATION):
            continue
        if name in UNDEFINED_WHERE_NO_QUEUE:
            continue
        if name in NOT_APPLICABLE and NOT_APPLICABLE[name] in ds.coords:
            array = array.sel(org=ds["org"].values[ds[NOT_APPLICABLE[name]].values.astype(bool)])
        count = int((~np.isfinite(array.values)).sum())
        if count:
            bad[name] = count
    if not bad:
        return Check("every value is finite", True, 0.0)
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(bad.items()))
    return Check("every value is finite", False, np.inf, f"NaN or infinite values in {listed}")


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

    Raises
    ------
    OutputError
        If the file cannot be written (full or read-only disk); nothing is left behind.
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
    # Encoded in memory first: HDF5 writing straight to a full disk crashes the process
    # (a segmentation fault, leaving the partial file), where a plain write fails cleanly.
    data = encoded.to_netcdf(engine="h5netcdf", encoding=compress)
    return write_bytes(path, data)


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
    """Read a saved result fully into memory (the file is closed afterwards) and check it.

    Raises
    ------
    ResultError
        Naming the file and what is wrong: missing, not netCDF (truncated, another
        format), not a sefton-finance result, a schema version this one cannot read,
        missing variables, or a scenario text that does not match its hash.
    """
    path = Path(path)
    if not path.is_file():
        raise ResultError(path, ["result file not found"])
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            loaded = ds.load()
    except Exception as error:  # h5py and xarray raise many types for foreign bytes
        raise ResultError(
            path,
            [f"not a readable netCDF file, truncated or another format ({type(error).__name__})"],
        ) from None
    check_result(loaded, path)
    return _convert_flags(
        loaded,
        lambda v: (
            v.dims,
            v.values.astype(bool),
            {k: a for k, a in v.attrs.items() if k != "flag"},
        ),
    )


def check_result(ds: xr.Dataset, source: str | Path) -> None:
    """Check that a dataset is a sefton-finance result this version can read, untampered.

    Raises
    ------
    ResultError
        Naming the file, the attribute or variable, and the value found.
    """
    from sefton_finance.config.scenario import scenario_text_hash

    version = ds.attrs.get("schema_version")
    if version is None:
        missing = [name for name in REQUIRED_ATTRS if name not in ds.attrs]
        raise ResultError(
            source,
            [
                "attribute 'schema_version' is missing: not a sefton-finance result, or one "
                "written before results carried a schema version (run the scenario again)"
                + (f"; also missing {missing}" if missing else "")
            ],
        )
    if not isinstance(version, int | np.integer) or int(version) != SCHEMA_VERSION:
        newer = isinstance(version, int | np.integer) and int(version) > SCHEMA_VERSION
        plain = version.item() if isinstance(version, np.generic) else version
        raise ResultError(
            source,
            [
                f"attribute 'schema_version' is {shown(plain)}; this sefton-finance reads "
                f"version {SCHEMA_VERSION}"
                + (" (the file was written by a newer version: upgrade)" if newer else "")
            ],
        )
    missing = [name for name in REQUIRED_ATTRS if name not in ds.attrs]
    if missing:
        raise ResultError(source, [f"attribute(s) {missing} missing: provenance is incomplete"])
    absent = [name for name in REQUIRED_VARIABLES if name not in ds.data_vars]
    if absent:
        raise ResultError(source, [f"variable(s) {absent} missing: the result is incomplete"])
    text, stored = ds.attrs["scenario_text"], str(ds.attrs["scenario_sha256"])
    try:
        actual = scenario_text_hash(str(text))
    except UnicodeEncodeError:
        # Bytes that are not UTF-8 (read back as surrogates): the file was changed.
        raise ResultError(
            source,
            [
                "attribute 'scenario_text' is not valid UTF-8 text: the file was changed "
                "after the run"
            ],
        ) from None
    if actual != stored:
        raise ResultError(
            source,
            [
                f"attribute 'scenario_text' does not match 'scenario_sha256' (stored "
                f"{stored[:16]}..., the text hashes to {actual[:16]}...): the file was edited "
                "after the run"
            ],
        )
    baseline = str(ds.attrs["baseline_sha256"])
    if not re.fullmatch(r"[0-9a-f]{64}", baseline):
        raise ResultError(
            source, [f"attribute 'baseline_sha256' is {shown(baseline)}, not a SHA-256 digest"]
        )
