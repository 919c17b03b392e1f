"""Board tables (pandas, GBP m) from result datasets, with or without Monte Carlo draws."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sefton_finance import palette
from sefton_finance.analysis import intervention_names
from sefton_finance.comparison import comparator_table, wrong_pocket
from sefton_finance.headline import find_comparator

GBP_M = 1e6
SYSTEM = "Sefton system"
QUANTILES = (0.1, 0.5, 0.9)
"""The fan band is P10-P90 around the median."""

PALETTE = (
    palette.BLUE,
    palette.ORANGE,
    palette.BLUISH_GREEN,
    palette.REDDISH_PURPLE,
    palette.SKY_BLUE,
    palette.VERMILLION,
)
"""Okabe-Ito colours in order (for a chart of things that are not scenarios); a scenario's
colour comes from its name, :func:`scenario_colour`."""
DEFICIT_COLOUR = palette.DEFICIT_COLOUR
SURPLUS_COLOUR = palette.SURPLUS_COLOUR
KIND_LABELS: dict[str, str] = {
    "cash_releasing": "Cash-releasing",
    "cost_avoidance": "Cost avoidance",
    "non_cash_releasing": "Non-cash-releasing (capacity reused)",
}
"""Savings by kind (see :mod:`sefton_finance.model.savings`)."""

POD_LABELS: dict[str, str] = {
    "gp_appointment": "GP appointments",
    "gp_extended_access": "GP extended access",
    "op_first": "Outpatient first",
    "op_followup": "Outpatient follow-up",
    "op_followup_virtual": "Virtual follow-up",
    "advice_guidance": "Advice & guidance",
    "ae_type1": "A&E (type 1)",
    "ae_type3": "Urgent treatment centre",
    "pharmacy_consultation": "Pharmacy consultations",
    "nhs111_cas": "NHS 111 clinical assessment",
    "ambulance": "Ambulance incidents",
    "nel_admission": "Emergency admissions",
    "elective": "Planned admissions",
    "bed_days": "Bed days",
    "virtual_ward": "Virtual ward",
    "community_urgent_response": "Community urgent response",
    "community": "Community contacts",
    "mental_health": "Mental health contacts",
    "social_care": "Social care",
    "other_acute": "Other acute",
}

LOCALITY_LABELS: dict[str, str] = {
    "bootle": "Bootle",
    "crosby": "Crosby",
    "maghull": "Maghull",
    "seaforth_litherland": "Seaforth & Litherland",
    "southport": "Southport",
    "formby": "Formby",
}

INTERVENTION_LABELS: dict[str, str] = {
    "pifu": "Patient-initiated follow-up",
    "utc_diversion": "A&E to urgent treatment centre",
    "pharmacy_diversion": "A&E to pharmacy",
    "nhs111_clinical_assessment": "NHS 111 clinical assessment",
    "gp_extended_access": "GP extended access",
    "virtual_followup": "Virtual follow-up",
    "advice_guidance": "Advice & guidance",
    "capacity_steps": "Capacity steps (interventions together)",
    "overlap": "Overlap between interventions",
}

EXPLAIN: dict[str, str] = {
    "fan": "The solid line is the central run of the whole Sefton system's surplus (deficit "
    "below zero): every assumption at its midpoint, the figure the tables show. Where a "
    "result has Monte Carlo draws, the dashed line is their median and the shaded band "
    "holds 8 in 10 of them (P10 to P90).",
    "performance_chart": "Mean over the model's replications; the band is its 95% confidence "
    "interval. Each hospital's own figures are in the table above.",
    "break_even": "How likely the Sefton system is to end each year at break-even or better, "
    "across the simulated outcomes.",
    "table": "Each organisation's surplus (blue) or deficit (orange) under central assumptions; the "
    "system row adds up the Sefton organisations (payments between them cancel out).",
    "bridge": "How each intervention moves the system position from the do-nothing forecast to "
    "this scenario; 'overlap' is what is left because interventions act on the same patients.",
    "activity": "How many more (right) or fewer (left) appointments, attendances, admissions and "
    "bed days each scenario means for each service, compared with doing nothing.",
    "locality": "Change in demand by locality and service (share of do-nothing demand): whether "
    "the benefit reaches every part of Sefton.",
    "waiting": "People waiting for planned care at the end of each year (outpatients and planned "
    "admissions), all localities.",
    "performance": "Capacity and performance from the discrete-event model of the two acute "
    "hospitals: the line is the mean over the model's replications, the band its 95% "
    "confidence interval. Counts are added up over the hospitals; A&E measures are "
    "weighted by each hospital's A&E attendances; occupancy is occupied beds over beds open.",
    "des_uncertainty": "A discrete-event result with Monte Carlo draws has two kinds of "
    "uncertainty. Parameter uncertainty is how the draws differ: demand, costs and effects "
    "drawn from their intervals. Stochastic uncertainty is how one draw's replications differ: "
    "the random arrivals and lengths of stay of one possible year. The share says how much of "
    "the whole spread is the levers'; where it is small, more replications, not narrower "
    "assumptions, would sharpen the figure.",
    "overload": "Where demand exceeds what a hospital's cubicles, beds or clinics can do, or a "
    "queue never settles, the discrete-event model has no steady state: its waits and the "
    "cost of congestion grow with the years simulated and are not estimates.",
    "travel": "Travel and carbon avoided when care moves closer to home or online.",
    "headline": "The answer at a glance, for the final year every scenario reaches.",
    "comparator": "Each scenario minus the comparator, organisation by organisation (GBP m, "
    "central run). With Monte Carlo draws the differences are taken draw by draw (the "
    "scenarios share their random numbers), giving the P10 to P90 range and the chance "
    "that the scenario does better.",
    "wrong_pocket": "What each intervention on its own does to each organisation's surplus: "
    "a saving that lands with one organisation while another pays (a commissioner funds "
    "the scheme, a hospital's costs fall) is money in the wrong pocket, to be shared.",
    "savings": "What kind of saving each intervention makes: cash-releasing (cost falls "
    "below today's budget), cost avoidance (growth that never happens) and "
    "non-cash-releasing (capacity freed and used again by other patients: no cash moves). "
    "Interventions on their own, and all of them together.",
    "break_even_single": "These results are single runs at central assumptions: a chance of "
    "breaking even needs Monte Carlo draws (sefton-finance run --draws N).",
    "assumptions": "The scenario file exactly as run: every assumption behind the numbers.",
}

TRAVEL_WORDS = ("co2", "carbon", "travel", "_km")
"""A variable whose name contains one of these is shown in the travel / carbon panel."""


_BUILD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("pack_build", default=None)


@contextlib.contextmanager
def one_build() -> Iterator[None]:
    """Within the block, each table computed from the same results is computed once: the
    HTML pack and its workbook share the comparator, wrong-pocket, savings and hospital
    tables (the results must not change inside the block)."""
    token = _BUILD.set({})
    try:
        yield
    finally:
        _BUILD.reset(token)


def _shared(function):
    """Compute once per :func:`one_build` (keyed by the results' identity and the other
    arguments); each caller gets its own copy, so adding a column never leaks."""

    def key(value):
        if isinstance(value, xr.Dataset):
            return ("ds", id(value))
        if isinstance(value, list | tuple):
            return tuple(key(v) for v in value)
        return value

    @functools.wraps(function)
    def wrapper(*args, **options):
        memo = _BUILD.get()
        if memo is None or options:
            return function(*args, **options)
        at = (function.__name__, *map(key, args))
        if at not in memo:
            memo[at] = function(*args)
        return memo[at].copy()

    return wrapper


# --------------------------------------------------------------------------- tables


def scenario_name(ds: xr.Dataset) -> str:
    """The scenario's identifier."""
    return str(ds.attrs.get("scenario") or ds.coords.get("scenario", "scenario").item())


def scenario_title(ds: xr.Dataset) -> str:
    """The scenario's display title."""
    return str(ds.attrs.get("scenario_title") or scenario_name(ds))


def distinct_names(
    datasets: Sequence[xr.Dataset], sources: Sequence[str | Path] | None = None
) -> list[xr.Dataset]:
    """The results, renamed where two share a scenario name; the rest unchanged.

    The pack's tables are keyed by scenario name, so two files of one scenario (a
    single run and a 200-draw run of "place_plan", or two runs of one scenario text
    on different settings) would otherwise merge into one scenario. A later one
    takes its file name as its name (from ``sources``; else the name with its
    position) and, if the titles match too, its draws in its title. Results whose
    names are already distinct are returned as the same objects, so tables shared
    within :func:`one_build` stay shared.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Scenario results, in the order the pack shows them.
    sources : sequence of str or Path, optional
        Each result's file, for its fallback name.

    Returns
    -------
    list of xarray.Dataset
    """
    seen_names: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    for i, ds in enumerate(datasets):
        name, title = scenario_name(ds), scenario_title(ds)
        if name in seen_names:
            stem = Path(sources[i]).stem if sources is not None else ""
            name = stem if stem and stem not in seen_names else f"{name}_{i + 1}"
            while name in seen_names:
                name = f"{name}_{i + 1}"
            if title in seen_titles:
                draws = int(ds.sizes.get("draw", 1))
                title = f"{title} ({draws} draws)" if draws > 1 else f"{title} (single run)"
            ds = ds.assign_attrs(scenario=name, scenario_title=title)
            if "scenario" in ds.coords:
                ds = ds.assign_coords(scenario=name)
        seen_names.add(name)
        seen_titles.add(title)
        out.append(ds)
    return out


def intervention_label(name: str) -> str:
    """Plain-English name of an intervention."""
    return INTERVENTION_LABELS.get(name, name.replace("_", " ").capitalize())


def _principal(array: xr.DataArray) -> xr.DataArray:
    """Draw 0, the run at central assumptions, where a result has draws."""
    return array.isel(draw=0) if "draw" in array.dims else array


def _median(array: xr.DataArray) -> xr.DataArray:
    return array.median("draw") if "draw" in array.dims else array


def quantiles(array: xr.DataArray, probs: Sequence[float] = QUANTILES) -> xr.DataArray:
    """Quantiles over draws, with a ``quantile`` dim; without draws every quantile is the value.

    Reducing to quantiles before plotting keeps charts small however many draws ran.
    """
    if "draw" in array.dims:
        return array.quantile(list(probs), dim="draw")
    return xr.concat([array] * len(probs), dim="quantile").assign_coords(quantile=list(probs))


def _year_rows(ds: xr.Dataset, values: xr.DataArray, column: str, **labels: str) -> list[dict]:
    """One row a year of ``values`` (dim ``year``), labelled with the scenario and ``labels``."""
    return [
        {
            "scenario": scenario_name(ds),
            "title": scenario_title(ds),
            **labels,
            "year": str(year),
            column: float(values.sel(year=year)),
        }
        for year in ds.year.values
    ]


def fan_frame(datasets: Sequence[xr.Dataset], variable: str = "system_surplus") -> pd.DataFrame:
    """System surplus by scenario and year (GBP m): the central run and quantiles of draws.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, year, central, p10, p50, p90, draws``: ``central``
        is the central run (draw 0: every assumption at its midpoint, the figure the
        tables show), ``p10``-``p90`` are across the draws (all equal to the central
        run for a single run), ``draws`` how many there are.
    """
    rows = []
    for ds in datasets:
        q = quantiles(ds[variable]) / GBP_M
        central = _principal(ds[variable]) / GBP_M
        draws = int(ds.sizes.get("draw", 1)) if "draw" in ds[variable].dims else 1
        for year in ds.year.values:
            values = q.sel(year=year).values
            rows.append(
                {
                    "scenario": scenario_name(ds),
                    "title": scenario_title(ds),
                    "year": str(year),
                    "central": float(central.sel(year=year)),
                    **{
                        f"p{round(p * 100):02d}": float(v)
                        for p, v in zip(QUANTILES, values, strict=True)
                    },
                    "draws": draws,
                }
            )
    return pd.DataFrame(rows)


def break_even_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Probability that the system surplus is at least zero, by scenario and year.

    Without draws the probability is 1 (break-even or better) or 0 and ``draws`` is 1:
    charts leave such rows out, since one run estimates no chance.
    """
    rows = []
    for ds in datasets:
        surplus = ds["system_surplus"]
        probability = (
            (surplus >= 0).mean("draw") if "draw" in surplus.dims else (surplus >= 0).astype(float)
        )
        draws = int(surplus.sizes.get("draw", 1))
        rows += [{**row, "draws": draws} for row in _year_rows(ds, probability, "probability")]
    return pd.DataFrame(rows)


def organisation_table(ds: xr.Dataset) -> pd.DataFrame:
    """Surplus by organisation and year under central assumptions (GBP m), system first.

    Only organisations inside the Sefton system are listed; their surpluses sum to
    the system row.
    """
    inside = (
        ds["in_system"].values.astype(bool)
        if "in_system" in ds.coords
        else np.ones(ds.sizes["org"], bool)
    )
    # Read as plain arrays: selecting each organisation with xarray took 25 ms a table,
    # a fifth of a what-if move.
    return surplus_by_organisation(
        [str(y) for y in ds.year.values],
        _principal(ds["surplus"]).transpose("year", "org").values,
        _principal(ds["system_surplus"]).values,
        ds["org_name"].values if "org_name" in ds.coords else ds.org.values,
        inside,
    )


def surplus_by_organisation(
    years: Sequence[str],
    surplus: np.ndarray,
    system_surplus: np.ndarray,
    names: Sequence[str],
    in_system: np.ndarray,
) -> pd.DataFrame:
    """:func:`organisation_table` from plain arrays (GBP): system first, then each
    organisation inside the system.

    Parameters
    ----------
    years : sequence of str
    surplus : numpy.ndarray
        ``(year, org)``, GBP.
    system_surplus : numpy.ndarray
        ``(year,)``, GBP.
    names, in_system : sequence
        Each organisation's name, and whether it is inside the Sefton system.
    """
    rows = {SYSTEM: np.asarray(system_surplus) / GBP_M}
    by_org = np.asarray(surplus).T / GBP_M
    for label, keep, values in zip(names, in_system, by_org, strict=True):
        if keep:
            rows[str(label)] = values
    table = pd.DataFrame(rows, index=list(years)).T
    table.index.name = "organisation"
    return table


def bridge_frame(
    ds: xr.Dataset, reference: xr.Dataset | None = None, year: str | None = None
) -> pd.DataFrame:
    """Steps from the do-nothing system position to the scenario's (GBP m, central run).

    Parameters
    ----------
    ds : xarray.Dataset
        A scenario result with a ``bridge`` variable.
    reference : xarray.Dataset, optional
        The do-nothing result. If its system surplus differs from the scenario's own
        no-intervention plan (different growth, price or contract assumptions), the
        difference is shown as its own step. Default: the scenario's own plan.
    year : str, optional
        Financial year; ``None`` or ``"all years"`` sums over the horizon.

    Returns
    -------
    pandas.DataFrame
        Columns ``step, value, start, end, kind`` (kind: total / change), in order.
    """

    def pick(array: xr.DataArray) -> float:
        array = _principal(array) / GBP_M
        if year in (None, "all years"):
            return float(array.sum("year"))
        return float(array.sel(year=year))

    plan = pick(ds["plan_system_surplus"])
    start = pick(reference["system_surplus"]) if reference is not None else plan
    steps: list[tuple[str, float]] = []
    if abs(plan - start) > 1e-9:
        steps.append(("Other assumptions (growth, prices, contract)", plan - start))
    if "bridge" in ds:
        for name in ds.intervention.values:
            steps.append((intervention_label(str(name)), pick(ds["bridge"].sel(intervention=name))))
    rows = [{"step": "Do nothing", "value": start, "start": 0.0, "end": start, "kind": "total"}]
    level = start
    for label, value in steps:
        rows.append(
            {"step": label, "value": value, "start": level, "end": level + value, "kind": "change"}
        )
        level += value
    end = pick(ds["system_surplus"])
    rows.append(
        {"step": scenario_title(ds), "value": end, "start": 0.0, "end": end, "kind": "total"}
    )
    return pd.DataFrame(rows)


def activity_frame(datasets: Sequence[xr.Dataset], year: str | None = None) -> pd.DataFrame:
    """Change in demand by point of delivery (central run), absolute and as a share of do-nothing.

    Parameters
    ----------
    year : str, optional
        Financial year; default the last year of the horizon.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, pod, label, change, percent``; only pods some
        scenario changes.
    """
    rows = []
    for ds in datasets:
        when = str(ds.year.values[-1]) if year is None else year
        change = _principal(ds["intervention_activity_change"]).sel(year=when).sum("intervention")
        demand = _principal(ds["demand"]).sel(year=when).sum(("month", "locality"))
        for pod in ds.pod.values:
            base = float(demand.sel(pod=pod))
            value = float(change.sel(pod=pod))
            rows.append(
                {
                    "scenario": scenario_name(ds),
                    "title": scenario_title(ds),
                    "pod": str(pod),
                    "label": POD_LABELS.get(str(pod), str(pod)),
                    "change": value,
                    "percent": 100.0 * value / base if base else 0.0,
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    moved = frame.groupby("pod")["change"].apply(lambda s: bool(np.any(np.abs(s) > 0.5)))
    return frame[frame["pod"].map(moved)].reset_index(drop=True)


def locality_frame(ds: xr.Dataset, year: str | None = None) -> pd.DataFrame:
    """Change in demand by locality and point of delivery, % of do-nothing demand (central run)."""
    when = str(ds.year.values[-1]) if year is None else year
    change = _principal(ds["locality_activity_change"]).sel(year=when).sum("intervention")
    demand = _principal(ds["demand"]).sel(year=when).sum("month")
    percent = (100.0 * change / demand.where(demand > 0)).fillna(0.0)
    rows = []
    for locality in ds.locality.values:
        for pod in ds.pod.values:
            if abs(float(change.sel(pod=pod).sum())) <= 0.5:
                continue
            rows.append(
                {
                    "locality": LOCALITY_LABELS.get(str(locality), str(locality)),
                    "pod": POD_LABELS.get(str(pod), str(pod)),
                    "percent": float(percent.sel(locality=locality, pod=pod)),
                    "change": float(change.sel(locality=locality, pod=pod)),
                }
            )
    return pd.DataFrame(rows, columns=["locality", "pod", "percent", "change"])


def waiting_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Waiting list at year end, all localities and services (median over draws)."""
    rows = []
    for ds in datasets:
        total = _median(ds["waiting_list"]).sum(("locality", "pod"))
        rows += _year_rows(ds, total, "patients")
    return pd.DataFrame(rows)


def _yearly(array: xr.DataArray) -> xr.DataArray | None:
    """An amount (km, tonnes) by ``year``: median over draws, summed over every other dim."""
    if "year" not in array.dims:
        return None
    array = _median(array)
    if "replication" in array.dims:
        array = array.mean("replication")
    extra = [d for d in array.dims if d != "year"]
    return array.sum(extra) if extra else array


def travel_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Travel and carbon avoided by scenario and year, for results that carry such variables."""
    rows = []
    for ds in datasets:
        for name in ds.data_vars:
            if not any(word in str(name).lower() for word in TRAVEL_WORDS):
                continue
            yearly = _yearly(ds[name])
            if yearly is None:
                continue
            label = str(ds[name].attrs.get("long_name", name))
            unit = str(ds[name].attrs.get("units", ""))
            if unit == "km":  # millions of km read badly on an axis
                yearly, unit = yearly / 1000.0, "thousand km"
            rows += _year_rows(ds, yearly, "value", measure=label, unit=unit)
    return pd.DataFrame(rows, columns=["scenario", "title", "measure", "unit", "year", "value"])


def find_reference(datasets: Sequence[xr.Dataset]) -> xr.Dataset | None:
    """The do-nothing result among ``datasets``, if any (the headline's rule:
    :func:`sefton_finance.headline.find_comparator`)."""
    return find_comparator(datasets)


def colour_for(index: int) -> str:
    """The ``index``-th colour of :data:`PALETTE` (for series that are not scenarios;
    a scenario's colour is :func:`scenario_colour`, by its name)."""
    return PALETTE[index % len(PALETTE)]


def scenario_colour(ds: xr.Dataset | str) -> str:
    """A scenario's colour, from its name: the same on every page and in every chart."""
    return palette.scenario_colour(ds if isinstance(ds, str) else scenario_name(ds))


def has_draws(ds: xr.Dataset) -> bool:
    """Whether a result holds Monte Carlo draws (more than the central run)."""
    return "draw" in ds.dims and ds.sizes["draw"] > 1


def common_years(datasets: Sequence[xr.Dataset]) -> list[str]:
    """The financial years every result has, in order."""
    years = [str(y) for y in datasets[0].year.values]
    for ds in datasets[1:]:
        theirs = {str(y) for y in ds.year.values}
        years = [y for y in years if y in theirs]
    return years


@_shared
def comparator_frame(datasets: Sequence[xr.Dataset], reference: xr.Dataset) -> pd.DataFrame:
    """Each scenario's difference from ``reference``, by organisation and year (GBP m).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, comparator, organisation, year, central, p10, p50,
        p90, probability_better, draws`` (from
        :func:`sefton_finance.comparison.comparator_table`; ``central`` is draw 0).
        Scenarios run on another baseline than the comparator are left out.
    """
    frames = []
    for ds in datasets:
        if ds is reference:
            continue
        try:
            table = comparator_table(ds, reference)
        except ValueError:
            continue  # another baseline, or no shared year: not a comparison
        table = table.reset_index().rename(columns={"principal": "central"})
        table.insert(0, "comparator", scenario_title(reference))
        table.insert(0, "title", scenario_title(ds))
        table.insert(0, "scenario", scenario_name(ds))
        frames.append(table)
    columns = ["scenario", "title", "comparator", "organisation", "year", "central"]
    columns += ["p10", "p50", "p90", "probability_better", "draws"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


@_shared
def wrong_pocket_frame(ds: xr.Dataset, year: str) -> pd.DataFrame:
    """The wrong-pocket matrix for ``year``: interventions (rows) by organisation (columns),
    the change in each organisation's surplus the intervention makes on its own, GBP m
    (central run), with a ``Sefton system`` column (their sum).

    Empty when the result has no bridge by organisation. ``attrs`` carry the year, and
    with draws the P10 and P90 matrices (``p10``, ``p90``).
    """
    if "bridge_by_org" not in ds or not intervention_names(ds):
        return pd.DataFrame()
    long = wrong_pocket(ds, year).reset_index()
    long["intervention"] = long["intervention"].map(intervention_label)
    order = list(dict.fromkeys(long["organisation"]))
    rows = list(dict.fromkeys(long["intervention"]))

    def matrix(column: str) -> pd.DataFrame:
        wide = long.pivot(index="intervention", columns="organisation", values=column)
        wide = wide.loc[rows, order]
        wide.insert(0, SYSTEM, wide.sum(axis=1))
        wide.index.name, wide.columns.name = "intervention", None
        return wide

    frame = matrix("principal")
    frame.attrs["year"] = year
    if has_draws(ds):
        frame.attrs["p10"], frame.attrs["p90"] = matrix("p10"), matrix("p90")
    return frame


@_shared
def savings_frame(ds: xr.Dataset, year: str) -> pd.DataFrame:
    """Savings by kind in ``year``, GBP m, central run: each intervention on its own (from
    ``bridge_savings``) and all interventions together (``savings`` summed over the
    organisations inside the system), with a total column.

    Empty when the result carries no savings by kind. The rows on their own do not add
    up to the together row: interventions act on the same patients (the bridge's overlap).
    """
    if "savings" not in ds or not intervention_names(ds):
        return pd.DataFrame()
    kinds = [str(k) for k in ds.kind.values]
    rows = {}
    if "bridge_savings" in ds:
        own = _principal(ds["bridge_savings"]).sel(year=year) / GBP_M
        for name in intervention_names(ds):
            rows[intervention_label(name)] = own.sel(intervention=name).sel(kind=kinds).values
    inside = (
        ds["in_system"].values.astype(bool)
        if "in_system" in ds.coords
        else np.ones(ds.sizes["org"], bool)
    )
    together = _principal(ds["savings"]).sel(year=year).isel(org=np.flatnonzero(inside))
    rows["All interventions together"] = (together.sum("org") / GBP_M).sel(kind=kinds).values
    frame = pd.DataFrame(rows, index=[KIND_LABELS.get(k, k) for k in kinds]).T
    frame["Total"] = frame.sum(axis=1)
    frame.index.name = "intervention"
    frame.attrs["year"] = year
    return frame


def money(value: float) -> str:
    """GBP m for a board: one decimal, a minus sign for a deficit (never "-0.0")."""
    value = 0.0 if abs(value) < 0.05 else value
    return f"{value:,.1f}".replace("-", "\u2212")


SURPLUS_RGB = "0,114,178"
DEFICIT_RGB = "213,94,0"
BALANCED_RGB = "128,139,150"
"""Cell shading: the palette's blue (surplus, gain) and vermillion (deficit, loss)."""


def shade(value: float, scale: float) -> tuple[str, str]:
    """``(class, style)`` of a money cell: blue for a surplus or gain, vermillion for a
    deficit or loss, stronger for larger amounts (relative to ``scale``)."""
    strength = 0.12 + 0.5 * min(abs(float(value)) / max(scale, 1e-9), 1.0)
    if value < -0.05:
        return "deficit", f"background: rgba({DEFICIT_RGB},{strength:.2f})"
    if value > 0.05:
        return "surplus", f"background: rgba({SURPLUS_RGB},{strength:.2f})"
    return "balanced", f"background: rgba({BALANCED_RGB},0.12)"


def surplus_table_html(
    table: pd.DataFrame,
    scenario: str,
    caption: str = "",
    corner: str = "GBP m",
    table_class: str = "surplus-table",
    row_class: dict[str, str] | None = None,
    notes: pd.DataFrame | None = None,
    attributes: tuple[str, str, str] = ("scenario", "org", "year"),
) -> str:
    """A table of GBP m (rows by columns) as HTML, deficits vermillion, surpluses blue.

    Cells carry ``data-scenario``, ``data-org`` (the row) and ``data-year`` (the column)
    attributes so tests and screen readers can find a value without relying on layout.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows (organisations, interventions) by columns (years, organisations, kinds).
    corner : str
        The top-left header cell (the units).
    row_class : dict, optional
        Extra class of a row, by its label (default: the system row is ``system``).
    notes : pandas.DataFrame, optional
        Same shape as ``table``: text each cell carries as its ``title`` (a tooltip),
        e.g. the P10 to P90 range.
    attributes : (str, str, str)
        Names of the cells' ``data-`` attributes for the scenario, the row and the
        column. The surplus tables keep the default; other tables name theirs (a
        difference is not a surplus, so a page looking for one never finds the other).
    """
    values = table.to_numpy(dtype=float) if table.size else np.zeros((0, 0))
    scale = max(float(np.nanmax(np.abs(values))) if values.size else 0.0, 1e-9)
    row_class = {SYSTEM: "system"} if row_class is None else row_class
    who, across, down = attributes
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    body = []
    for org, row in table.iterrows():
        cells = []
        for column, value in row.items():
            kind, style = shade(float(value), scale)
            note = ""
            if notes is not None:
                note = f' title="{html.escape(str(notes.loc[org, column]))}"'
            cells.append(
                f'<td class="{kind}" style="{style}"{note} '
                f'data-{who}="{html.escape(scenario)}" data-{across}="{html.escape(str(org))}" '
                f'data-{down}="{html.escape(str(column))}">{money(float(value))}</td>'
            )
        extra = row_class.get(str(org))
        css = f' class="{html.escape(extra)}"' if extra else ""
        body.append(f'<tr{css}><th scope="row">{html.escape(str(org))}</th>{"".join(cells)}</tr>')
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="{html.escape(table_class)}" data-{who}="{html.escape(scenario)}">{cap}'
        f'<thead><tr><th scope="col">{html.escape(corner)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


TABLE_CSS = """
table.surplus-table, table.board-table {border-collapse: collapse; font-size: 13px;
  margin: 4px 0 12px 0;}
table.surplus-table caption, table.board-table caption {caption-side: top; text-align: left;
  font-weight: 600; padding: 4px 0;}
table.surplus-table th, table.surplus-table td, table.board-table th, table.board-table td {
  padding: 3px 8px; border-bottom: 1px solid #ddd;}
table.surplus-table td, table.board-table td {text-align: right; font-variant-numeric: tabular-nums;}
table.surplus-table th[scope=row], table.board-table th[scope=row] {text-align: left;
  font-weight: normal; white-space: nowrap;}
table.board-table th[scope=col] {vertical-align: bottom;}
table.surplus-table tr.system th, table.surplus-table tr.system td,
table.board-table tr.system th, table.board-table tr.system td,
table.board-table tr.together th, table.board-table tr.together td {font-weight: 700;}
table.board-table td.capped {font-style: italic;}
table.board-table td.text {text-align: left;}
div.headline {border-left: 6px solid #0072B2; background: #f2f7fb; padding: 10px 14px;
  margin: 8px 0 16px 0; font-size: 16px; line-height: 1.45;}
div.headline p {margin: 0;}
p.note {font-size: 12px; color: #424949; margin: 2px 0 10px 0;}
"""


@dataclass(frozen=True)
class PackChoice:
    """The year and comparator a pack is drawn for (the same in the HTML and the workbook)."""

    year: str
    """Year of the headline, bridge, wrong-pocket, savings, activity and locality views."""
    reference: xr.Dataset | None
    """The comparator (do nothing unless another is chosen), if among the results."""
    years: tuple[str, ...]
    """The years every result has."""


def choose(
    datasets: Sequence[xr.Dataset], year: str | None = None, comparator: str | None = None
) -> PackChoice:
    """The pack's year (default: the last year every result has) and comparator.

    Raises
    ------
    ValueError
        No results, no shared year, a ``year`` the results do not all have, or a
        ``comparator`` that is not among them.
    """
    datasets = list(datasets)
    if not datasets:
        raise ValueError("the board pack needs at least one result")
    years = common_years(datasets)
    if not years:
        raise ValueError("the results share no financial year")
    if year in (None, "all years"):
        year = years[-1]
    elif year not in years:
        raise ValueError(f"year {year!r}: the results all have only {', '.join(years)}")
    if comparator is None:
        reference = find_reference(datasets)
    else:
        reference = next((ds for ds in datasets if scenario_name(ds) == comparator), None)
        if reference is None:
            names = ", ".join(scenario_name(ds) for ds in datasets)
            raise ValueError(f"comparator {comparator!r} is not among the results ({names})")
    return PackChoice(year, reference, tuple(years))


def provenance_line(ds: xr.Dataset) -> str:
    """One line saying how a result was made."""
    attrs = ds.attrs
    return (
        f"sefton-finance {attrs.get('sefton_finance_version', '?')}, commit {attrs.get('git_commit', '?')}, "
        f"scenario sha256 {str(attrs.get('scenario_sha256', '?'))[:12]}, baseline sha256 "
        f"{str(attrs.get('baseline_sha256', '?'))[:12]}, seed {attrs.get('seed', '?')}, draws "
        f"{attrs.get('draws', ds.sizes.get('draw', 1))}, created {attrs.get('created', '?')}"
    )
