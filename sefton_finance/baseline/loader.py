"""Read and check a baseline directory; return labelled xarray data.

Every CSV has a fixed set of columns (see ``SOURCES.md``). A value that is the
wrong type, negative, an unknown code, or a set of shares that does not sum
to 1 is rejected with a message naming the file, the row (as numbered in a
spreadsheet, header = row 1) and the column. A row the model needs that is
missing is an error too: nothing is ever filled with zeros. Files may be in any
encoding a spreadsheet writes (see :func:`sefton_finance.reading.read_text`).

The base year is 2019/20 unless the directory has an ``about.csv``
(``key,value`` rows; the one key is ``base_year``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sefton_finance.baseline.organisations import KINDS, Organisations
from sefton_finance.baseline.packaged import available, baseline_directory
from sefton_finance.codes import (
    AGE_BANDS,
    DERIVED_PODS,
    LOCALITIES,
    MONTHS,
    PAIR_FORMS,
    PODS,
    VARIABLE_SHARE_OF_FORM,
    payment_group,
)
from sefton_finance.config.levers import year_start
from sefton_finance.errors import BaselineError, shown
from sefton_finance.reading import read_text

PACKAGED = Path(__file__).resolve().parent / "data"
SHARE_TOLERANCE = 1e-6
DEFAULT_BASE_YEAR = "2019/20"
"""Base year of a baseline without an ``about.csv`` (the packaged one's, see SOURCES.md)."""
ABOUT = "about.csv"
"""Optional file of ``key,value`` rows describing the baseline (``base_year``)."""
MAX_DECISION_LAG = 30
"""Longest decision lag, in years: the longest horizon a scenario may have."""
DES_RESOURCES: tuple[str, ...] = (
    "ed_cubicles",
    "utc_cubicles",
    "acute_beds",
    "escalation_beds",
    "op_slots_per_week",
)
"""Resources every discrete-event site needs a row for in capacity.csv."""

Parser = Callable[[str], Any]


def _number(text: str) -> float:
    value = float(text)
    if not np.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _share(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise ValueError("must be a share between 0 and 1")
    return value


def _growth(text: str) -> float:
    value = _number(text)
    if value <= -1:
        raise ValueError("growth must be above -100% (-1.0)")
    return value


def _integer(text: str, what: str) -> int:
    # int() says "invalid literal for int() with base 10": say what the column needs.
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"must be {what}") from None


def _whole(text: str) -> int:
    value = _integer(text, "a whole number >= 0")
    if value < 0:
        raise ValueError("must be a whole number >= 0")
    return value


def _lag(text: str) -> int:
    what = f"a whole number of years from 0 to {MAX_DECISION_LAG}"
    if not 0 <= _integer(text, what) <= MAX_DECISION_LAG:
        raise ValueError(f"must be {what}")
    return int(text)


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ValueError("must be true or false")


def _text(text: str) -> str:
    return text


def _optional(parser: Parser) -> Parser:
    def parse(text: str) -> Any:
        return None if text.strip() == "" else parser(text)

    return parse


def _code(codes: Iterable[str], what: str) -> Parser:
    allowed = tuple(codes)

    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"unknown {what}; known: {', '.join(allowed)}")
        return text

    return parse


def _month(text: str) -> int:
    value = _integer(text, "a month from 1 (April) to 12 (March)")
    if value not in MONTHS:
        raise ValueError("month must be 1 (April) to 12 (March)")
    return value


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def _identifier(text: str) -> str:
    if not _IDENTIFIER.match(text):
        raise ValueError("a code must start with a lower-case letter and hold only a-z, 0-9 and _")
    return text


locality = _code(LOCALITIES, "locality")
age_band = _code(AGE_BANDS, "age band")
pod = _code(PODS, "point of delivery")

ORGANISATIONS_SCHEMA: dict[str, Parser] = {
    "org": _identifier,
    "short_name": _text,
    "long_name": _text,
    "kind": _code(KINDS, "kind"),
    "in_system": _flag,
    "pooled_budget": _flag,
    "des_site": _flag,
    "sefton_share_of_activity": _share,
}
"""organisations.csv: read first, as every other file's organisation codes are checked
against it."""
ORGANISATIONS_OPTIONAL: dict[str, Parser] = {"formerly": _text}
"""organisations.csv's optional columns: ``formerly``, the codes an organisation had in an
older baseline (``;``-separated), so interventions that name a predecessor (an acute
trust since merged) resolve to its successor."""
CONTRACTS_OPTIONAL: dict[str, Parser] = {"urgent_variable_share": _optional(_share)}
"""contracts.csv's optional columns: ``urgent_variable_share``, for a pair on aligned payment
and incentive (``api`` or ``nhs_payment_scheme``), the share of the price paid on urgent
activity away from plan (blank: 0, urgent care in the fixed element)."""
OPTIONAL_COLUMNS: dict[str, dict[str, Parser]] = {
    "organisations.csv": ORGANISATIONS_OPTIONAL,
    "contracts.csv": CONTRACTS_OPTIONAL,
}


FUNDING_LINES: tuple[str, ...] = ("nhs_allocation", "council_funding", "deficit_support")
"""allocations.csv's lines: a commissioner's recurrent funding (its NHS allocation or the
council's funding) and non-recurrent deficit support (cash, fixed, received up to the
scenario's ``finance.deficit_support_until``)."""


def schemas(org: Parser, commissioner: Parser) -> dict[str, dict[str, Parser]]:
    """Every file's columns and parsers, given the parsers of organisation codes."""
    return {
        "organisations.csv": ORGANISATIONS_SCHEMA,
        "localities.csv": {
            "locality": locality,
            "long_name": _text,
            "commissioner": commissioner,
            "area": _code(("south", "north"), "area"),
        },
        "population.csv": {
            "locality": locality,
            "age_band": age_band,
            "population": _non_negative,
            "annual_growth": _growth,
        },
        "need_weights.csv": {"age_band": age_band, "weight": _non_negative},
        "pods.csv": {
            "pod": pod,
            "long_name": _text,
            "units": _text,
            "commissioner_kind": _code(("ccg", "council"), "commissioner kind"),
            "setting": _text,
            "hospital_care": _flag,
            "capacity_method": _code(("beds", "erlang_c", "linear", "none"), "capacity method"),
            "service_hours": _optional(_non_negative),
            "target": _optional(_share),
            "throughput_per_unit": _optional(_non_negative),
            "has_waiting_list": _flag,
            "bed_days_per_unit": _non_negative,
        },
        "activity.csv": {
            "pod": pod,
            "locality": locality,
            "age_band": age_band,
            "activity": _non_negative,
        },
        "seasonality.csv": {"pod": pod, "month": _month, "factor": _non_negative},
        "unit_costs.csv": {"pod": pod, "tariff": _non_negative, "unit_cost": _non_negative},
        "provision.csv": {"pod": pod, "locality": locality, "org": org, "share": _share},
        "cost_structure.csv": {
            "org": org,
            "pod": pod,
            "fixed_share": _share,
            "stepped_share": _share,
            "variable_share": _share,
            "units_per_step": _non_negative,
            "decision_lag_years": _lag,
        },
        "allocations.csv": {
            "org": commissioner,
            "line": _code(FUNDING_LINES, "funding line"),
            "amount": _non_negative,
            "basis": _code(("weighted_population", "fixed"), "basis"),
        },
        "other_spend.csv": {
            "org": commissioner,
            "line": _text,
            "payee": org,
            "amount": _non_negative,
            "hospital_care": _flag,
        },
        "contracts.csv": {
            "commissioner": commissioner,
            "provider": org,
            "form": _code(PAIR_FORMS, "contract form"),
            "variable_share": _optional(_share),
        },
        "waiting_list.csv": {"pod": pod, "locality": locality, "waiting": _non_negative},
        "capacity.csv": {
            "org": org,
            "resource": _code(
                (
                    "ed_cubicles",
                    "utc_cubicles",
                    "acute_beds",
                    "escalation_beds",
                    "op_slots_per_week",
                    "virtual_ward_beds",
                ),
                "resource",
            ),
            "amount": _non_negative,
        },
    }


SCHEMAS: dict[str, dict[str, Parser]] = schemas(_identifier, _identifier)
"""The files of a baseline and their columns (codes checked as codes; a load checks them
against organisations.csv)."""


@dataclass
class Table:
    """Parsed rows of one CSV, with the spreadsheet row number of each."""

    path: Path
    rows: list[dict[str, Any]]
    row_numbers: list[int]

    def fail(
        self, problem: str, row: int | None = None, column: str | None = None
    ) -> BaselineError:
        """An error naming this file, and the row and column if given."""
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = (", ".join(where) + ": ") if where else ""
        return BaselineError(self.path, [prefix + problem])

    def where(self, keep: Callable[[dict[str, Any]], bool]) -> Table:
        """The rows ``keep`` accepts, with their own row numbers."""
        kept = [(r, n) for r, n in zip(self.rows, self.row_numbers, strict=True) if keep(r)]
        return Table(self.path, [r for r, _ in kept], [n for _, n in kept])


def read_table(
    path: Path, schema: dict[str, Parser], optional: dict[str, Parser] | None = None
) -> Table:
    """Read one CSV and parse every cell with its column's parser.

    ``optional`` columns are parsed where the header has them and read as ``None``
    where it does not.
    """
    if not path.is_file():
        raise BaselineError(path, ["file is missing from the baseline directory"])
    content, encoding = read_text(path, BaselineError)
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [name for name in schema if name not in header]
        if missing:
            raise BaselineError(
                path,
                [
                    f"missing column(s) {missing}; expected {list(schema)}, found "
                    f"{shown(header)} (read as {encoding})"
                ],
            )
        rows, numbers = [], []
        for raw in reader:
            # The reader's line count is the spreadsheet row, also when a quoted cell
            # holds a line break.
            number = reader.line_num
            parsed = {}
            present = {c: p for c, p in (optional or {}).items() if c in header}
            parsed.update(dict.fromkeys(set(optional or {}) - set(present)))
            for column, parse in {**schema, **present}.items():
                text = (raw.get(column) or "").strip()
                try:
                    parsed[column] = parse(text)
                except ValueError as error:
                    raise BaselineError(
                        path, [f"row {number}, column '{column}': {error} (got {shown(text)})"]
                    ) from None
            rows.append(parsed)
            numbers.append(number)
    except csv.Error as error:
        raise BaselineError(path, [f"row {reader.line_num}: not valid CSV ({error})"]) from None
    return Table(path, rows, numbers)


def _unique(table: Table, keys: tuple[str, ...]) -> None:
    seen: dict[tuple, int] = {}
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        key = tuple(row[k] for k in keys)
        if key in seen:
            raise table.fail(
                f"duplicate {dict(zip(keys, key, strict=True))} (also row {seen[key]})", number
            )
        seen[key] = number


def _complete(
    table: Table, keys: tuple[str, ...], expected: Iterable[tuple], why: str = ""
) -> None:
    """Every key in ``expected`` has a row: a missing one is an error, never a zero."""
    present = {tuple(row[k] for k in keys) for row in table.rows}
    for combination in expected:
        if combination not in present:
            named = ", ".join(f"{k} '{v}'" for k, v in zip(keys, combination, strict=True))
            columns = ", ".join(f"'{k}'" for k in keys)
            raise table.fail(
                f"missing row for {named} (column {columns})"
                + (f": {why}" if why else "")
                + "; a missing row is never read as zero"
            )


def _to_array(
    table: Table, dims: tuple[str, ...], coords: dict[str, list], value: str, fill: float = 0.0
) -> xr.DataArray:
    shape = tuple(len(coords[d]) for d in dims)
    data = np.full(shape, fill, dtype=float)
    positions = {d: {label: i for i, label in enumerate(coords[d])} for d in dims}
    for row in table.rows:
        data[tuple(positions[d][row[d]] for d in dims)] += row[value]
    return xr.DataArray(data, dims=dims, coords={d: coords[d] for d in dims})


@dataclass(frozen=True)
class Baseline:
    """A validated baseline: base-year data as labelled arrays.

    Attributes are xarray objects indexed by the codes in :mod:`sefton_finance.codes`.
    ``tables`` keeps the raw rows for reports; ``digest`` is the SHA-256 of the CSVs.
    """

    directory: Path
    digest: str
    population: xr.DataArray
    population_growth: xr.DataArray
    need_weight: xr.DataArray
    activity: xr.DataArray
    seasonality: xr.DataArray
    tariff: xr.DataArray
    unit_cost: xr.DataArray
    provision: xr.DataArray
    fixed_share: xr.DataArray
    stepped_share: xr.DataArray
    variable_share: xr.DataArray
    units_per_step: xr.DataArray
    decision_lag: xr.DataArray
    pods: xr.Dataset
    organisations: Organisations
    """Codes, names and roles, in the order of every ``org`` axis."""
    locality_commissioner: xr.DataArray
    allocation: xr.DataArray
    allocation_basis: xr.DataArray
    deficit_support: xr.DataArray
    """``(org,)`` each commissioner's base-year non-recurrent deficit support (GBP)."""
    other_spend: xr.DataArray
    other_spend_hospital: xr.DataArray
    contract_form: xr.DataArray
    """``(commissioner, provider)`` each pair's form in contracts.csv ('' where none)."""
    contract_variable_share: xr.DataArray
    """``(commissioner, provider)`` the share of price paid on activity away from plan of a
    pbr, block or blended pair (NaN for API pairs, which pay by payment group)."""
    contract_urgent_share: xr.DataArray
    """``(commissioner, provider)`` an API pair's variable share of urgent care."""
    contract_exists: xr.DataArray
    waiting_list: xr.DataArray
    capacity: xr.DataArray
    tables: dict[str, Table] = field(repr=False)
    base_year: str = DEFAULT_BASE_YEAR
    """Financial year the baseline describes, e.g. '2019/20'."""
    des_rtt_after_first_weeks: float | None = None
    """The discrete-event RTT clock's calibration for this base year (about.csv), if any."""

    # Derived views are cached on the instance (``cached_property`` writes to the
    # instance ``__dict__``, which a frozen dataclass allows): the pipeline asks for
    # them on every evaluation, and building them through xarray costs milliseconds
    # each. A Baseline is never changed after loading, so the caches cannot go stale.

    @property
    def in_system(self) -> list[str]:
        """Organisations inside the Sefton system (surpluses summed to the system position)."""
        organisations = self.organisations
        return [
            c for c, flag in zip(organisations.codes, organisations.in_system, strict=True) if flag
        ]

    @cached_property
    def _bed_days_per_unit(self) -> dict[str, float]:
        values = self.pods["bed_days_per_unit"]
        return {
            str(p): float(values.sel(pod=p))
            for p in values.pod.values
            if float(values.sel(pod=p)) > 0
        }

    @property
    def bed_days_per_unit(self) -> dict[str, float]:
        """Bed days each unit of a pod brings (admissions -> stays)."""
        return dict(self._bed_days_per_unit)

    @cached_property
    def _commissioner_of(self) -> xr.DataArray:
        kinds = self.pods["commissioner_kind"]
        commissioners = list(self.organisations.commissioners)
        data = np.zeros((len(LOCALITIES), len(PODS), len(commissioners)))
        for i, loc in enumerate(LOCALITIES):
            for j, p in enumerate(PODS):
                who = (
                    self.organisations.council
                    if kinds.sel(pod=p).item() == "council"
                    else self.locality_commissioner.sel(locality=loc).item()
                )
                data[i, j, commissioners.index(who)] = 1.0
        return xr.DataArray(
            data,
            dims=("locality", "pod", "commissioner"),
            coords={
                "locality": list(LOCALITIES),
                "pod": list(PODS),
                "commissioner": commissioners,
            },
        )

    @cached_property
    def arrays(self) -> BaselineArrays:
        """The baseline as plain numpy arrays in the codes' order (see :class:`BaselineArrays`)."""
        return BaselineArrays.from_baseline(self)


@dataclass(frozen=True)
class BaselineArrays:
    """Numpy copies of a :class:`Baseline` for the fast analytic path, built once per baseline.

    Axes follow the codes in :mod:`sefton_finance.codes` (``PODS``, ``LOCALITIES``,
    ``AGE_BANDS``) and the baseline's organisations (``org``, and ``commissioner`` for
    the organisations that commission), in the order given for each attribute. The
    arrays are read-only: they are shared by every run.
    """

    organisations: Organisations

    provision: np.ndarray
    """``(pod, locality, org)`` share of each locality's activity delivered by each provider."""
    contract_weights: np.ndarray
    """``(commissioner, org, locality, pod)`` provision x tariff x commissioner flag."""
    tariff: np.ndarray
    """``(pod,)``"""
    unit_cost: np.ndarray
    """``(pod,)``"""
    fixed_share: np.ndarray
    """``(org, pod)``"""
    stepped_share: np.ndarray
    """``(org, pod)``"""
    variable_share: np.ndarray
    """``(org, pod)``"""
    units_per_step: np.ndarray
    """``(org, pod)``"""
    decision_lag: np.ndarray
    """``(org, pod)`` whole years."""
    capacity_method: tuple[str, ...]
    """By pod: ``beds``, ``erlang_c``, ``linear`` or ``none``."""
    target: np.ndarray
    """``(pod,)`` occupancy or waiting-probability target (NaN where none)."""
    service_hours: np.ndarray
    """``(pod,)`` (NaN where none)."""
    throughput_per_unit: np.ndarray
    """``(pod,)`` (NaN where none)."""
    has_waiting_list: np.ndarray
    """``(pod,)`` bool."""
    waiting_list: np.ndarray
    """``(locality, pod)`` patients waiting at the start of the base year."""
    population: np.ndarray
    """``(locality, age_band)``"""
    population_growth: np.ndarray
    """``(locality, age_band)``"""
    need_weight: np.ndarray
    """``(age_band,)``"""
    locality_commissioner: np.ndarray
    """``(locality,)`` index into the commissioners."""
    allocation: np.ndarray
    """``(commissioner,)``"""
    deficit_support: np.ndarray
    """``(commissioner,)`` base-year non-recurrent deficit support."""
    weighted_basis: np.ndarray
    """``(commissioner,)`` bool: allocation grows with the weighted population."""
    other_spend: np.ndarray
    """``(commissioner, org)`` other spend by payer and payee."""
    contract_exists: np.ndarray
    """``(commissioner, org)`` bool."""
    contract_form: np.ndarray
    """``(commissioner, org)`` each pair's form in contracts.csv ('' where none)."""
    contract_variable_share: np.ndarray
    """``(commissioner, org)`` (NaN for API pairs)."""
    contract_urgent_share: np.ndarray
    """``(commissioner, org)`` an API pair's variable share of urgent care."""
    activity: np.ndarray
    """``(locality, age_band, pod)`` base-year activity."""
    seasonality: np.ndarray
    """``(month, pod)`` seasonal factors (mean 1)."""
    months: np.ndarray
    """Month labels of ``seasonality``."""

    @cached_property
    def provider_pairs(self) -> ProviderPairs:
        """The (pod, provider) pairs with any provision share, and their locality terms."""
        return ProviderPairs.from_provision(self.provision)

    @cached_property
    def contract_terms(self) -> ContractTerms:
        """The (commissioner, provider) pairs with any contract weight, and their terms."""
        groups = np.array([payment_group(p) for p in PODS])
        return ContractTerms.from_weights(self.contract_weights, groups)

    @classmethod
    def from_baseline(cls, baseline: Baseline) -> BaselineArrays:
        """Build the arrays (through xarray once, so the values are the loader's own)."""
        pods, locs = list(PODS), list(LOCALITIES)
        orgs = list(baseline.organisations.codes)
        info = baseline.pods.sel(pod=pods)
        weights = (baseline.provision * baseline.tariff * baseline._commissioner_of).transpose(
            "commissioner", "org", "locality", "pod"
        )
        commissioners = list(baseline.organisations.commissioners)

        def values(array: xr.DataArray, *dims: str) -> np.ndarray:
            out = np.array(array.transpose(*dims).values, dtype=float)
            out.flags.writeable = False
            return out

        def org_pod(array: xr.DataArray) -> np.ndarray:
            return values(array.sel(org=orgs, pod=pods), "org", "pod")

        out = cls(
            organisations=baseline.organisations,
            provision=values(
                baseline.provision.sel(pod=pods, locality=locs, org=orgs), "pod", "locality", "org"
            ),
            contract_weights=values(
                weights.sel(commissioner=commissioners, org=orgs, locality=locs, pod=pods),
                "commissioner",
                "org",
                "locality",
                "pod",
            ),
            tariff=values(baseline.tariff.sel(pod=pods), "pod"),
            unit_cost=values(baseline.unit_cost.sel(pod=pods), "pod"),
            fixed_share=org_pod(baseline.fixed_share),
            stepped_share=org_pod(baseline.stepped_share),
            variable_share=org_pod(baseline.variable_share),
            units_per_step=org_pod(baseline.units_per_step),
            decision_lag=org_pod(baseline.decision_lag),
            capacity_method=tuple(str(m) for m in info["capacity_method"].values),
            target=values(info["target"].astype(float), "pod"),
            service_hours=values(info["service_hours"].astype(float), "pod"),
            throughput_per_unit=values(info["throughput_per_unit"].astype(float), "pod"),
            has_waiting_list=info["has_waiting_list"].values.astype(bool),
            waiting_list=values(
                baseline.waiting_list.sel(locality=locs, pod=pods), "locality", "pod"
            ),
            population=values(baseline.population.sel(locality=locs), "locality", "age_band"),
            population_growth=values(
                baseline.population_growth.sel(locality=locs), "locality", "age_band"
            ),
            need_weight=values(baseline.need_weight, "age_band"),
            locality_commissioner=np.array(
                [
                    commissioners.index(str(c))
                    for c in baseline.locality_commissioner.sel(locality=locs).values
                ]
            ),
            allocation=values(baseline.allocation.sel(org=commissioners), "org"),
            deficit_support=values(baseline.deficit_support.sel(org=commissioners), "org"),
            weighted_basis=(
                baseline.allocation_basis.sel(org=commissioners).values == "weighted_population"
            ),
            other_spend=values(
                baseline.other_spend.sel(org=commissioners, payee=orgs), "org", "payee"
            ),
            contract_exists=baseline.contract_exists.sel(
                commissioner=commissioners, provider=orgs
            ).values
            > 0,
            contract_form=baseline.contract_form.sel(
                commissioner=commissioners, provider=orgs
            ).values.astype(str),
            contract_variable_share=values(
                baseline.contract_variable_share.sel(commissioner=commissioners, provider=orgs),
                "commissioner",
                "provider",
            ),
            contract_urgent_share=values(
                baseline.contract_urgent_share.sel(commissioner=commissioners, provider=orgs),
                "commissioner",
                "provider",
            ),
            activity=values(
                baseline.activity.sel(locality=locs, pod=pods), "locality", "age_band", "pod"
            ),
            seasonality=values(baseline.seasonality.sel(pod=pods), "month", "pod"),
            months=baseline.seasonality.month.values,
        )
        for array in (
            out.has_waiting_list,
            out.locality_commissioner,
            out.weighted_basis,
            out.contract_exists,
            out.contract_form,
        ):
            array.flags.writeable = False
        return out


def _padded_terms(groups: list[list[tuple[int, ...]]], width: int) -> np.ndarray:
    """Terms of each group by rank ``(rank, group, width)``; missing ranks are zeros."""
    ranks = max((len(g) for g in groups), default=0)
    out = np.zeros((ranks, len(groups), width))
    for j, group in enumerate(groups):
        for k, term in enumerate(group):
            out[k, j] = term
    return out


@dataclass(frozen=True)
class ProviderPairs:
    """Locality terms of each (pod, provider) pair with provision, for summing by rank.

    ``activity[pair] = sum_k realised[pod, ..., locality[k, pair]] * share[k, pair]``,
    terms added in locality order. Pairs with fewer terms are padded with zero
    shares: adding ``x * 0.0`` to a finite sum changes nothing, so every pair is
    summed exactly as the loop over its own localities would.
    """

    pod: np.ndarray
    """``(pair,)`` pod index."""
    org: np.ndarray
    """``(pair,)`` provider index."""
    locality: np.ndarray
    """``(rank, pair)`` locality index of each term."""
    share: np.ndarray
    """``(rank, pair)`` provision share of each term (0 for padding)."""
    shape: tuple[int, int]
    """``(org, pod)`` counts of the baseline."""

    def by_org_pod(self, series: np.ndarray) -> np.ndarray:
        """Per-pair ``series (pair, draw, year)`` as ``(draw, year, org, pod)`` (zeros elsewhere)."""
        out = np.zeros((series.shape[1], series.shape[2], *self.shape))
        out[:, :, self.org, self.pod] = np.moveaxis(series, 0, -1)
        return out

    @classmethod
    def from_provision(cls, provision: np.ndarray) -> ProviderPairs:
        """From provision shares ``(pod, locality, org)``, pairs in (pod, org) order."""
        pairs, groups = [], []
        for p in range(provision.shape[0]):
            for o in range(provision.shape[2]):
                localities = np.flatnonzero(provision[p, :, o])
                if localities.size:
                    pairs.append((p, o))
                    groups.append([(loc, provision[p, loc, o]) for loc in localities])
        terms = _padded_terms(groups, 2)
        return cls(
            pod=np.array([p for p, _ in pairs], dtype=int),
            org=np.array([o for _, o in pairs], dtype=int),
            locality=terms[..., 0].astype(int),
            share=terms[..., 1],
            shape=(provision.shape[2], provision.shape[0]),
        )


@dataclass(frozen=True)
class ContractTerms:
    """(locality, pod) terms of each (commissioner, provider, payment group) triple, for
    summing by rank.

    As :class:`ProviderPairs`: terms in row-major (locality, pod) order, padded
    with zero weights. The payment group (:data:`~sefton_finance.codes.PAYMENT_GROUPS`)
    lets a contract form pay planned, urgent and other activity differently.
    """

    commissioner: np.ndarray
    """``(triple,)``"""
    org: np.ndarray
    """``(triple,)``"""
    group: np.ndarray
    """``(triple,)`` payment group index."""
    locality: np.ndarray
    """``(rank, triple)``"""
    pod: np.ndarray
    """``(rank, triple)``"""
    weight: np.ndarray
    """``(rank, triple)`` provision x tariff (0 for padding)."""

    @classmethod
    def from_weights(cls, weights: np.ndarray, groups: np.ndarray) -> ContractTerms:
        """From contract weights ``(commissioner, org, locality, pod)`` and each pod's group."""
        triples, terms_of = [], []
        for c in range(weights.shape[0]):
            for o in range(weights.shape[1]):
                for g in range(int(groups.max(initial=0)) + 1):
                    terms = np.argwhere((weights[c, o] != 0) & (groups == g)[None, :])
                    if terms.size:
                        triples.append((c, o, g))
                        terms_of.append([(loc, pod, weights[c, o, loc, pod]) for loc, pod in terms])
        terms = _padded_terms(terms_of, 3)
        return cls(
            commissioner=np.array([c for c, _, _ in triples], dtype=int),
            org=np.array([o for _, o, _ in triples], dtype=int),
            group=np.array([g for _, _, g in triples], dtype=int),
            locality=terms[..., 0].astype(int),
            pod=terms[..., 1].astype(int),
            weight=terms[..., 2],
        )


def baseline_digest(directory: Path) -> str:
    """SHA-256 over the baseline's CSV files (names and bytes), recorded with every result."""
    digest = hashlib.sha256()
    # about.csv counts only where it exists, so a baseline without one keeps its digest.
    names = sorted(SCHEMAS) + ([ABOUT] if (directory / ABOUT).exists() else [])
    for name in names:
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


def load_baseline(directory: str | Path | None = None) -> Baseline:
    """Load and check a baseline (default: the packaged Sefton 2019/20 baseline).

    Parameters
    ----------
    directory : str or Path, optional
        A directory with the CSV files described in ``SOURCES.md``, or the name of a
        packaged baseline (:data:`sefton_finance.baseline.packaged.PACKAGED_BASELINES`).

    Returns
    -------
    Baseline

    Raises
    ------
    BaselineError
        Naming the file, row and column of the first problem found.
    """
    directory = baseline_directory(directory)
    if not directory.is_dir():
        raise BaselineError(
            directory,
            [f"baseline directory not found, and not a packaged baseline ({available()})"],
        )
    about = read_about(directory)
    base_year = about["base_year"]
    organisation_rows = read_table(
        directory / "organisations.csv", ORGANISATIONS_SCHEMA, ORGANISATIONS_OPTIONAL
    )
    _unique(organisation_rows, ("org",))
    organisations = _organisations(organisation_rows)
    orgs = list(organisations.codes)
    org_code = _code(orgs, "organisation (organisations.csv)")
    commissioner_code = _code(organisations.commissioners, "commissioner (organisations.csv)")
    tables = {"organisations.csv": organisation_rows}
    for name, schema in schemas(org_code, commissioner_code).items():
        if name not in tables:
            tables[name] = read_table(directory / name, schema, OPTIONAL_COLUMNS.get(name))
    t = tables
    locs, pods_list = list(LOCALITIES), list(PODS)
    ages, months = list(AGE_BANDS), list(MONTHS)

    _unique(t["localities.csv"], ("locality",))
    _complete(t["localities.csv"], ("locality",), [(loc,) for loc in locs])
    _unique(t["population.csv"], ("locality", "age_band"))
    _complete(
        t["population.csv"], ("locality", "age_band"), [(loc, a) for loc in locs for a in ages]
    )
    _unique(t["need_weights.csv"], ("age_band",))
    _complete(t["need_weights.csv"], ("age_band",), [(a,) for a in ages])
    _unique(t["pods.csv"], ("pod",))
    _complete(t["pods.csv"], ("pod",), [(p,) for p in pods_list])
    _unique(t["activity.csv"], ("pod", "locality", "age_band"))
    for row, number in zip(t["activity.csv"].rows, t["activity.csv"].row_numbers, strict=True):
        if row["pod"] in DERIVED_PODS:
            raise t["activity.csv"].fail(
                f"'{row['pod']}' is derived from admissions; remove its rows", number, "pod"
            )
    _complete(
        t["activity.csv"],
        ("pod", "locality", "age_band"),
        [(p, loc, a) for p in pods_list if p not in DERIVED_PODS for loc in locs for a in ages],
    )
    _unique(t["seasonality.csv"], ("pod", "month"))
    _complete(t["seasonality.csv"], ("pod", "month"), [(p, m) for p in pods_list for m in months])
    _unique(t["unit_costs.csv"], ("pod",))
    _complete(t["unit_costs.csv"], ("pod",), [(p,) for p in pods_list])
    _unique(t["provision.csv"], ("pod", "locality", "org"))
    _unique(t["cost_structure.csv"], ("org", "pod"))
    _unique(t["allocations.csv"], ("org", "line"))
    _unique(t["contracts.csv"], ("commissioner", "provider"))
    _unique(t["waiting_list.csv"], ("pod", "locality"))
    _unique(t["capacity.csv"], ("org", "resource"))
    commissioners = list(organisations.commissioners)
    recurrent = t["allocations.csv"].where(lambda r: r["line"] != "deficit_support")
    support_rows = t["allocations.csv"].where(lambda r: r["line"] == "deficit_support")
    _unique(recurrent, ("org",))
    _complete(
        recurrent,
        ("org",),
        [(c,) for c in commissioners],
        "every commissioner needs its allocation or council funding",
    )
    for row, number in zip(support_rows.rows, support_rows.row_numbers, strict=True):
        if row["basis"] != "fixed":
            raise support_rows.fail(
                "deficit support is a fixed cash sum: its basis must be 'fixed' "
                f"(got {shown(row['basis'])})",
                number,
                "basis",
            )
    _complete(
        t["other_spend.csv"],
        ("org",),
        [(c,) for c in commissioners],
        "every commissioner needs its spend outside the modelled activity (write 0 if none)",
    )
    with_lists = [
        r["pod"] for r in t["pods.csv"].rows if r["has_waiting_list"] and r["pod"] in PODS
    ]
    _complete(
        t["waiting_list.csv"],
        ("pod", "locality"),
        [(p, loc) for p in with_lists for loc in locs],
        "pods.csv gives this pod a waiting list (write 0 if nobody waits)",
    )
    _complete(
        t["capacity.csv"],
        ("org", "resource"),
        [(site, r) for site in organisations.des_sites for r in DES_RESOURCES],
        "the discrete-event model simulates this site",
    )
    _check_capacity_methods(t["pods.csv"])

    pods = xr.Dataset(
        {
            column: (
                "pod",
                [
                    (lambda v: np.nan if v is None else v)(
                        next(r[column] for r in t["pods.csv"].rows if r["pod"] == p)
                    )
                    for p in pods_list
                ],
            )
            for column in SCHEMAS["pods.csv"]
            if column != "pod"
        },
        coords={"pod": pods_list},
    )

    seasonality = _to_array(
        t["seasonality.csv"], ("month", "pod"), {"month": months, "pod": pods_list}, "factor"
    )
    mean = seasonality.mean("month")
    for p in pods_list:
        if abs(float(mean.sel(pod=p)) - 1) > SHARE_TOLERANCE:
            raise t["seasonality.csv"].fail(
                f"factors for pod '{p}' must average 1 over the 12 months, got {float(mean.sel(pod=p)):.6f}",
                column="factor",
            )

    provision = _to_array(
        t["provision.csv"],
        ("pod", "locality", "org"),
        {"pod": pods_list, "locality": locs, "org": orgs},
        "share",
    )
    totals = provision.sum("org")
    for p in pods_list:
        for loc in locs:
            total = float(totals.sel(pod=p, locality=loc))
            if abs(total - 1) > SHARE_TOLERANCE:
                raise t["provision.csv"].fail(
                    f"shares for pod '{p}' in locality '{loc}' sum to {total:.6f}, not 1",
                    column="share",
                )

    structure = t["cost_structure.csv"]
    for row, number in zip(structure.rows, structure.row_numbers, strict=True):
        total = row["fixed_share"] + row["stepped_share"] + row["variable_share"]
        if abs(total - 1) > SHARE_TOLERANCE:
            raise structure.fail(
                f"fixed + stepped + variable shares sum to {total:.6f}, not 1",
                number,
                "variable_share",
            )
        if row["stepped_share"] > 0 and row["units_per_step"] <= 0:
            raise structure.fail(
                "a stepped cost needs units_per_step > 0", number, "units_per_step"
            )
    for row, number in zip(t["provision.csv"].rows, t["provision.csv"].row_numbers, strict=True):
        provider_kind = organisations.kinds[organisations.index(row["org"])]
        if row["share"] > 0 and provider_kind in {"commissioner", "council"}:
            raise t["provision.csv"].fail(
                f"'{row['org']}' is a commissioner, not a provider", number, "org"
            )
        if (
            row["share"] > 0
            and provider_kind != "external"
            and (row["org"], row["pod"]) not in {(r["org"], r["pod"]) for r in structure.rows}
        ):
            raise t["provision.csv"].fail(
                f"'{row['org']}' provides '{row['pod']}' but cost_structure.csv has no row for it",
                number,
                "org",
            )

    coords_op = {"org": orgs, "pod": pods_list}
    contracts = t["contracts.csv"]
    exists = _to_array(
        Table(contracts.path, [dict(r, one=1.0) for r in contracts.rows], contracts.row_numbers),
        ("commissioner", "provider"),
        {"commissioner": commissioners, "provider": orgs},
        "one",
    )
    form, variable, urgent = _contract_forms(contracts, commissioners, orgs)

    other_rows = t["other_spend.csv"]
    other = _to_array(other_rows, ("org", "payee"), {"org": commissioners, "payee": orgs}, "amount")
    other_hospital = _to_array(
        Table(
            other_rows.path,
            [dict(r, hosp=r["amount"] * r["hospital_care"]) for r in other_rows.rows],
            other_rows.row_numbers,
        ),
        ("org", "payee"),
        {"org": commissioners, "payee": orgs},
        "hosp",
    )
    allocation_rows = recurrent
    allocation = _to_array(allocation_rows, ("org",), {"org": commissioners}, "amount")
    deficit_support = _to_array(support_rows, ("org",), {"org": commissioners}, "amount")
    basis = xr.DataArray(
        [
            next((r["basis"] for r in allocation_rows.rows if r["org"] == o), "fixed")
            for o in commissioners
        ],
        dims="org",
        coords={"org": commissioners},
    )

    activity = _to_array(
        t["activity.csv"],
        ("locality", "age_band", "pod"),
        {"locality": locs, "age_band": ages, "pod": pods_list},
        "activity",
    )
    stays = pods["bed_days_per_unit"]
    activity.loc[{"pod": "bed_days"}] = (activity * stays).sum("pod")

    baseline = Baseline(
        directory=directory,
        digest=baseline_digest(directory),
        population=_to_array(
            t["population.csv"],
            ("locality", "age_band"),
            {"locality": locs, "age_band": ages},
            "population",
        ),
        population_growth=_to_array(
            t["population.csv"],
            ("locality", "age_band"),
            {"locality": locs, "age_band": ages},
            "annual_growth",
        ),
        need_weight=_to_array(t["need_weights.csv"], ("age_band",), {"age_band": ages}, "weight"),
        activity=activity,
        seasonality=seasonality,
        tariff=_to_array(t["unit_costs.csv"], ("pod",), {"pod": pods_list}, "tariff"),
        unit_cost=_to_array(t["unit_costs.csv"], ("pod",), {"pod": pods_list}, "unit_cost"),
        provision=provision,
        fixed_share=_to_array(structure, ("org", "pod"), coords_op, "fixed_share"),
        stepped_share=_to_array(structure, ("org", "pod"), coords_op, "stepped_share"),
        variable_share=_to_array(structure, ("org", "pod"), coords_op, "variable_share"),
        units_per_step=_to_array(structure, ("org", "pod"), coords_op, "units_per_step"),
        decision_lag=_to_array(structure, ("org", "pod"), coords_op, "decision_lag_years"),
        pods=pods,
        organisations=organisations,
        locality_commissioner=xr.DataArray(
            [
                next(r["commissioner"] for r in t["localities.csv"].rows if r["locality"] == loc)
                for loc in locs
            ],
            dims="locality",
            coords={"locality": locs},
        ),
        allocation=allocation,
        allocation_basis=basis,
        deficit_support=deficit_support,
        other_spend=other,
        other_spend_hospital=other_hospital,
        contract_form=form,
        contract_variable_share=variable,
        contract_urgent_share=urgent,
        contract_exists=exists,
        waiting_list=_to_array(
            t["waiting_list.csv"],
            ("locality", "pod"),
            {"locality": locs, "pod": pods_list},
            "waiting",
        ),
        capacity=_to_array(
            t["capacity.csv"],
            ("org", "resource"),
            {"org": orgs, "resource": sorted({r["resource"] for r in t["capacity.csv"].rows})},
            "amount",
        ),
        tables=tables,
        base_year=base_year,
        des_rtt_after_first_weeks=about.get("des_rtt_after_first_weeks"),
    )
    _check_contracts(baseline, contracts)
    return baseline


def _check_capacity_methods(table: Table) -> None:
    """Each pod has the figures its capacity method needs, within their bounds.

    A zero or missing throughput would make a linear pod need no capacity at all (and
    cost nothing to run), so it is an error rather than a silent zero.
    """
    needs = {
        "linear": (
            ("throughput_per_unit", lambda v: v > 0, "above 0 (activity a unit handles a year)"),
        ),
        "erlang_c": (
            ("service_hours", lambda v: v > 0, "above 0 (mean hours of service)"),
            ("target", lambda v: 0 < v < 1, "above 0 and below 1 (probability of waiting)"),
        ),
        "beds": (("target", lambda v: 0 < v <= 1, "above 0 and at most 1 (occupancy)"),),
    }
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        for column, within, bound in needs.get(row["capacity_method"], ()):
            value = row[column]
            if value is None or not within(value):
                raise table.fail(
                    f"capacity method '{row['capacity_method']}' needs {column} {bound}, "
                    f"got {'nothing' if value is None else value}",
                    number,
                    column,
                )


def _financial_year(text: str) -> str:
    year_start(text)
    return text


def _weeks(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise ValueError("must be a number of weeks above 0")
    return value


ABOUT_KEYS: dict[str, Parser] = {
    "base_year": _financial_year,
    "des_rtt_after_first_weeks": _weeks,
}
"""about.csv's keys: ``base_year`` (required) and ``des_rtt_after_first_weeks`` (optional:
the discrete-event model's mean time from a first outpatient appointment to first
definitive treatment for a clock that keeps running, calibrated to the base year's
published RTT performance; default ``des.inputs.RTT_AFTER_FIRST_WEEKS``, 2019/20's)."""


def read_about(directory: Path) -> dict[str, Any]:
    """The facts of a baseline directory in ``about.csv`` (the base year, and the optional
    calibration of its waits), each checked; the default base year if there is no file."""
    path = directory / ABOUT
    if not path.exists():
        return {"base_year": DEFAULT_BASE_YEAR}
    about = read_table(path, {"key": _code(tuple(ABOUT_KEYS), "key"), "value": _text})
    _unique(about, ("key",))
    _complete(about, ("key",), [("base_year",)])
    facts = {}
    for row, number in zip(about.rows, about.row_numbers, strict=True):
        try:
            facts[row["key"]] = ABOUT_KEYS[row["key"]](row["value"])
        except ValueError as error:
            raise about.fail(
                f"{row['key']}: {error} (got {shown(row['value'])})", number, "value"
            ) from None
    return facts


def _organisations(table: Table) -> Organisations:
    """The organisations of organisations.csv, checked for the roles the model needs."""
    rows = table.rows
    if not rows:
        raise table.fail("no organisations")
    kinds = [r["kind"] for r in rows]
    if "commissioner" not in kinds:
        raise table.fail(
            "no NHS commissioner (kind 'commissioner'): someone must hold the allocation"
        )
    councils = [n for r, n in zip(rows, table.row_numbers, strict=True) if r["kind"] == "council"]
    if len(councils) > 1:
        raise table.fail("more than one council (kind 'council')", councils[1], "kind")
    for row, number in zip(rows, table.row_numbers, strict=True):
        if row["des_site"] and row["kind"] != "acute":
            raise table.fail(
                "only an acute hospital can be a discrete-event site", number, "des_site"
            )

    def flags(column: str) -> np.ndarray:
        values = np.array([bool(r[column]) for r in rows], dtype=bool)
        values.flags.writeable = False
        return values

    codes = {r["org"] for r in rows}
    claimed: dict[str, int] = {}
    formerly = []
    for row, number in zip(rows, table.row_numbers, strict=True):
        former = tuple(c.strip() for c in (row.get("formerly") or "").split(";") if c.strip())
        for code in former:
            try:
                _identifier(code)
            except ValueError as error:
                raise table.fail(f"{error} (got {shown(code)})", number, "formerly") from None
            if code in codes or code in KINDS:
                raise table.fail(
                    f"'{code}' is a code or kind in use, not a former code", number, "formerly"
                )
            if code in claimed:
                raise table.fail(
                    f"'{code}' is also the former code of row {claimed[code]}", number, "formerly"
                )
            claimed[code] = number
        formerly.append(former)

    return Organisations(
        codes=tuple(r["org"] for r in rows),
        short_names=tuple(r["short_name"] for r in rows),
        long_names=tuple(r["long_name"] for r in rows),
        kinds=tuple(kinds),
        in_system=flags("in_system"),
        pooled_budget=flags("pooled_budget"),
        des_site=flags("des_site"),
        formerly=tuple(formerly),
    )


def _contract_forms(
    contracts: Table, commissioners: list[str], orgs: list[str]
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Each pair's form and its parameters ``(commissioner, provider)``, each row checked
    against its form: a blended pair needs its share; pbr and block imply theirs (1 and 0);
    API pays planned care at 100% and urgent care at ``urgent_variable_share``."""
    coords = {"commissioner": commissioners, "provider": orgs}
    shape = (len(commissioners), len(orgs))
    form = np.full(shape, "", dtype=object)
    variable = np.full(shape, np.nan)
    urgent = np.zeros(shape)
    for row, number in zip(contracts.rows, contracts.row_numbers, strict=True):
        name, share, urgent_share = (
            row["form"],
            row["variable_share"],
            row.get("urgent_variable_share"),
        )
        implied = VARIABLE_SHARE_OF_FORM[name]
        is_api = name in ("api", "nhs_payment_scheme")
        if name == "blended" and share is None:
            raise contracts.fail(
                "form 'blended' needs its variable_share (e.g. 0.2)", number, "variable_share"
            )
        if is_api and share is not None:
            raise contracts.fail(
                f"form '{name}' pays planned care at 100% of unit price and urgent care at "
                f"urgent_variable_share: leave variable_share blank (got {share:g})",
                number,
                "variable_share",
            )
        if implied is not None and share is not None and share != implied:
            raise contracts.fail(
                f"form '{name}' pays {implied:g} of the price away from plan: variable_share "
                f"must be {implied:g} or blank (got {share:g})",
                number,
                "variable_share",
            )
        if urgent_share is not None and not is_api:
            raise contracts.fail(
                f"urgent_variable_share is for forms 'api' and 'nhs_payment_scheme', not "
                f"'{name}': leave it blank (got {urgent_share:g})",
                number,
                "urgent_variable_share",
            )
        at = (commissioners.index(row["commissioner"]), orgs.index(row["provider"]))
        form[at] = name
        variable[at] = implied if share is None else share
        urgent[at] = urgent_share or 0.0
    return tuple(
        xr.DataArray(data, dims=("commissioner", "provider"), coords=coords)
        for data in (form, variable, urgent)
    )


def _check_contracts(baseline: Baseline, contracts: Table) -> None:
    """Every commissioner that buys a pod from a provider must have a contract with it."""
    buys = (
        baseline._commissioner_of * baseline.provision * (baseline.activity.sum("age_band") > 0)
    ).sum(("locality", "pod"))
    for c in baseline.organisations.commissioners:
        for o in baseline.organisations.codes:
            if (
                float(buys.sel(commissioner=c, org=o)) > 0
                and float(baseline.contract_exists.sel(commissioner=c, provider=o)) == 0
            ):
                raise contracts.fail(
                    f"no contract between commissioner '{c}' and provider '{o}', which serves its residents"
                )
