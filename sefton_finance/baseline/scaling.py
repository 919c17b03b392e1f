"""A larger (or smaller) economy for scale tests, made from a baseline by rule, not by hand.

:func:`scale_baseline` writes a copy of a baseline directory in which

- every count grows by one factor: population, activity, waiting lists, capacity
  (cubicles, beds, clinic slots, virtual-ward places), allocations and other spend,
  so per-head rates, unit costs, occupancy and waits per patient stay as they were;
- each hospital the discrete-event model simulates (``des_site`` in
  ``organisations.csv``) becomes ``copies`` trusts of equal size (the original code
  and ``<code>_2 .. <code>_<copies>``), each with ``1 / copies`` of its provision
  shares, capacity and any spend paid to it, and the same cost structure and
  contracts.

Used for the Cheshire & Merseyside-sized scale test (``tools/scale_baseline.py``,
``bench/bench_des.py``): about 2.7 million people and several trusts. It is a
scale test of the software, NOT a Cheshire & Merseyside financial baseline: its
money, case mix and hospitals are Sefton's, multiplied. Every row's ``source``
says so.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from sefton_finance.baseline.loader import PACKAGED

CHESHIRE_AND_MERSEYSIDE_POPULATION = 2_700_000
"""NHS Cheshire & Merseyside ICB serves about 2.7 million people in nine places (DATA.md,
"CCGs were abolished ..."). Used only to size the scale test."""
CHESHIRE_AND_MERSEYSIDE_COPIES = 4
"""Each of Sefton's two simulated hospitals becomes four trusts in the scale test: eight
acute trusts, the order of Cheshire & Merseyside's (it has ten acute and specialist
trusts; ASSUMPTION for a scale test only)."""

COUNTS: dict[str, tuple[str, ...]] = {
    "population.csv": ("population",),
    "activity.csv": ("activity",),
    "waiting_list.csv": ("waiting",),
    "capacity.csv": ("amount",),
    "allocations.csv": ("amount",),
    "other_spend.csv": ("amount",),
}
"""Columns that grow with the population (everything else is a rate, a share or a price)."""
SPLIT: dict[str, tuple[str, tuple[str, ...]]] = {
    "provision.csv": ("org", ("share",)),
    "capacity.csv": ("org", ("amount",)),
    "cost_structure.csv": ("org", ()),
    "contracts.csv": ("provider", ()),
    "other_spend.csv": ("payee", ("amount",)),
}
"""Files with rows per organisation: the column naming it, and what a copy gets 1/copies of."""
WHOLE_RESOURCES = ("ed_cubicles", "utc_cubicles", "acute_beds", "escalation_beds")
"""Capacity counted in whole places (at least one where the source has any)."""
NOTE = "SCALE TEST, not a real baseline"


def scale_baseline(
    target: str | Path,
    *,
    population: float | None = None,
    factor: float | None = None,
    copies: int = 1,
    source: str | Path | None = None,
) -> Path:
    """Write a scaled copy of a baseline to ``target`` (a new or empty directory).

    Parameters
    ----------
    target : str or Path
        Where to write (refused if it exists and is not empty).
    population : float, optional
        The total population wanted (e.g. :data:`CHESHIRE_AND_MERSEYSIDE_POPULATION`);
        the factor is this over the source's total.
    factor : float, optional
        Or the factor itself (one of ``population`` and ``factor``).
    copies : int
        Trusts each simulated hospital becomes (1: scale only).
    source : str or Path, optional
        The baseline to scale (default: the packaged Sefton baseline).

    Returns
    -------
    Path
        ``target``. The same arguments always write the same files.

    Raises
    ------
    ValueError
        Naming the argument and its bad value.
    """
    source = PACKAGED if source is None else Path(source)
    target = Path(target)
    if (population is None) == (factor is None):
        raise ValueError("give exactly one of population and factor")
    if isinstance(copies, bool) or int(copies) != copies or copies < 1:
        raise ValueError(f"copies must be a whole number >= 1, got {copies!r}")
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"target {target} exists and is not empty")
    tables = {path.name: _read(path) for path in sorted(source.glob("*.csv"))}
    total = sum(float(row["population"]) for row in tables["population.csv"][1])
    if factor is None:
        if not population or population <= 0:
            raise ValueError(f"population must be > 0, got {population!r}")
        factor = float(population) / total
    if not factor > 0:
        raise ValueError(f"factor must be > 0, got {factor!r}")
    sites = [
        row["org"]
        for row in tables["organisations.csv"][1]
        if row["des_site"].strip().lower() == "true"
    ]
    label = f"{NOTE}: x{factor:.6g} of {source.name}" + (
        f", each simulated hospital as {copies} trusts" if copies > 1 else ""
    )
    out: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    for name, (header, rows) in tables.items():
        rows = [_scaled(name, row, factor) for row in rows]
        if name == "organisations.csv":
            rows = _copied_organisations(rows, sites, copies)
        elif name in SPLIT:
            rows = _copied_rows(rows, *SPLIT[name], sites, copies)
        if "source" in header:
            for row in rows:
                row["source"] = f"{label}; {row['source']}".strip("; ")
        out[name] = (header, rows)
    _write(target, out, label, source)
    return target


def _scaled(name: str, row: dict[str, str], factor: float) -> dict[str, str]:
    row = dict(row)
    for column in COUNTS.get(name, ()):
        value = float(row[column]) * factor
        if name == "capacity.csv" and row.get("resource") in WHOLE_RESOURCES:
            row[column] = str(max(round(value), 1) if value > 0 else 0)
        else:
            row[column] = repr(round(value, 6))
    return row


def _copy_code(org: str, index: int) -> str:
    return org if index == 1 else f"{org}_{index}"


def _copied_organisations(rows: list[dict], sites: list[str], copies: int) -> list[dict]:
    out = []
    for row in rows:
        if row["org"] not in sites or copies == 1:
            out.append(row)
            continue
        for index in range(1, copies + 1):
            copy = dict(row, org=_copy_code(row["org"], index))
            copy["short_name"] = f"{row['short_name']} {index}"
            copy["long_name"] = f"{row['long_name']} (scale-test copy {index} of {copies})"
            out.append(copy)
    return out


def _copied_rows(
    rows: list[dict], column: str, split: tuple[str, ...], sites: list[str], copies: int
) -> list[dict]:
    out = []
    for row in rows:
        if row[column] not in sites or copies == 1:
            out.append(row)
            continue
        for index in range(1, copies + 1):
            copy = dict(row)
            copy[column] = _copy_code(row[column], index)
            for field in split:
                value = float(row[field]) / copies
                whole = field == "amount" and row.get("resource") in WHOLE_RESOURCES
                copy[field] = (
                    str(max(round(value), 1) if value > 0 else 0) if whole else repr(value)
                )
            out.append(copy)
    return out


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(target: Path, tables: dict, label: str, source: Path) -> None:
    """All files into a temporary directory, then renamed into place (never half-written)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, (header, rows) in tables.items():
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            (work / name).write_text(buffer.getvalue(), encoding="utf-8")
        (work / "SCALE_TEST.md").write_text(
            f"# {NOTE}\n\n{label}.\n\nMade by `sefton_finance.baseline.scaling.scale_baseline` "
            f"(`tools/scale_baseline.py`) from `{source}`. Counts are multiplied and the "
            "simulated hospitals copied, so that the software can be timed at the size of a "
            "larger system. The money, case mix and hospitals are Sefton's: no figure here "
            "describes Cheshire & Merseyside, or any real place.\n",
            encoding="utf-8",
        )
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
