"""Board tables (pandas, GBP m) from result datasets, with or without Monte Carlo draws."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

GBP_M = 1e6
SYSTEM = "Sefton system"
QUANTILES = (0.1, 0.5, 0.9)
"""The fan band is P10-P90 around the median."""

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
"""Okabe-Ito colours (distinguishable with common colour-vision deficiencies), one per scenario."""
DEFICIT_COLOUR = "#C0392B"
SURPLUS_COLOUR = "#1E8449"

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
    "fan": "The line is the median forecast of the whole Sefton system's surplus (deficit below "
    "zero); the shaded band holds 8 in 10 of the simulated outcomes.",
    "break_even": "How likely the Sefton system is to end each year at break-even or better, "
    "across the simulated outcomes.",
    "table": "Each organisation's surplus (green) or deficit (red) under central assumptions; the "
    "system row adds up the Sefton organisations (payments between them cancel out).",
    "bridge": "How each intervention moves the system position from the do-nothing forecast to "
    "this scenario; 'overlap' is what is left because interventions act on the same patients.",
    "activity": "How many more (right) or fewer (left) appointments, attendances, admissions and "
    "bed days each scenario means for each service, compared with doing nothing.",
    "locality": "Change in demand by locality and service (share of do-nothing demand): whether "
    "the benefit reaches every part of Sefton.",
    "waiting": "People waiting for planned care at the end of each year (outpatients and planned "
    "admissions), all localities.",
    "performance": "Capacity and performance from the discrete-event model of the hospital.",
    "overload": "Where demand exceeds what a hospital's cubicles, beds or clinics can do, or a "
    "queue never settles, the discrete-event model has no steady state: its waits and the "
    "cost of congestion grow with the years simulated and are not estimates.",
    "travel": "Travel and carbon avoided when care moves closer to home or online.",
    "assumptions": "The scenario file exactly as run: every assumption behind the numbers.",
}

DES_VARIABLES: dict[str, tuple[str, str, float]] = {
    "ed_4hr_performance": ("A&E type 1 seen within 4 hours", "%", 100.0),
    "ae_4hr_performance": ("All A&E seen within 4 hours", "%", 100.0),
    "bed_occupancy_rate": ("Acute bed occupancy", "%", 100.0),
    "rtt_18wk_performance": ("Incomplete RTT pathways within 18 weeks", "%", 100.0),
    "op_waiting_list": ("Outpatient waiting list (DES)", "patients", 1.0),
    "elective_cancellations": (
        "Planned operations cancelled for want of a bed",
        "cancellations",
        1.0,
    ),
}
"""DES outputs shown when a result carries them: label, display unit, scale to that unit.

A result's variable matches when its name ends with one of these keys (so a
``des_`` prefix is fine)."""

TRAVEL_WORDS = ("co2", "carbon", "travel", "_km")
"""A variable whose name contains one of these is shown in the travel / carbon panel."""


# --------------------------------------------------------------------------- tables


def scenario_name(ds: xr.Dataset) -> str:
    """The scenario's identifier."""
    return str(ds.attrs.get("scenario") or ds.coords.get("scenario", "scenario").item())


def scenario_title(ds: xr.Dataset) -> str:
    """The scenario's display title."""
    return str(ds.attrs.get("scenario_title") or scenario_name(ds))


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
    """System surplus quantiles by scenario and year (GBP m).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, year, p10, p50, p90``.
    """
    rows = []
    for ds in datasets:
        q = quantiles(ds[variable]) / GBP_M
        for year in ds.year.values:
            values = q.sel(year=year).values
            rows.append(
                {
                    "scenario": scenario_name(ds),
                    "title": scenario_title(ds),
                    "year": str(year),
                    **{
                        f"p{round(p * 100):02d}": float(v)
                        for p, v in zip(QUANTILES, values, strict=True)
                    },
                }
            )
    return pd.DataFrame(rows)


def break_even_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Probability that the system surplus is at least zero, by scenario and year.

    Without draws the probability is 1 (break-even or better) or 0.
    """
    rows = []
    for ds in datasets:
        surplus = ds["system_surplus"]
        probability = (
            (surplus >= 0).mean("draw") if "draw" in surplus.dims else (surplus >= 0).astype(float)
        )
        rows += _year_rows(ds, probability, "probability")
    return pd.DataFrame(rows)


def organisation_table(ds: xr.Dataset) -> pd.DataFrame:
    """Surplus by organisation and year under central assumptions (GBP m), system first.

    Only organisations inside the Sefton system are listed; their surpluses sum to
    the system row.
    """
    surplus = _principal(ds["surplus"]) / GBP_M
    rows = {SYSTEM: (_principal(ds["system_surplus"]) / GBP_M).values}
    inside = (
        ds["in_system"].values.astype(bool)
        if "in_system" in ds.coords
        else np.ones(ds.sizes["org"], bool)
    )
    for org, keep in zip(ds.org.values, inside, strict=True):
        if keep:
            label = str(org)
            if "org_name" in ds.coords:
                label = str(ds["org_name"].sel(org=org).item())
            rows[label] = surplus.sel(org=org).values
    table = pd.DataFrame(rows, index=[str(y) for y in ds.year.values]).T
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


def _yearly(array: xr.DataArray, how: str = "mean") -> xr.DataArray | None:
    """Reduce a variable to ``year``: median over draws, then ``how`` (mean or sum) over the rest.

    Rates (4-hour performance, occupancy) are averaged; amounts (km, tonnes) summed.
    """
    if "year" not in array.dims:
        return None
    array = _median(array)
    if "replication" in array.dims:
        array = array.mean("replication")
    extra = [d for d in array.dims if d != "year"]
    if not extra:
        return array
    return array.sum(extra) if how == "sum" else array.mean(extra)


def performance_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """DES capacity and performance by scenario and year, for results that carry them.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, title, measure, unit, year, value``; empty when no DES ran.
    """
    rows = []
    for ds in datasets:
        for name in ds.data_vars:
            key = next((k for k in DES_VARIABLES if str(name).endswith(k)), None)
            if key is None or str(name).endswith("_month"):
                continue
            yearly = _yearly(ds[name])
            if yearly is None:
                continue
            label, unit, scale = DES_VARIABLES[key]
            rows += _year_rows(ds, yearly * scale, "value", measure=label, unit=unit)
    return pd.DataFrame(rows, columns=["scenario", "title", "measure", "unit", "year", "value"])


def travel_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Travel and carbon avoided by scenario and year, for results that carry such variables."""
    rows = []
    for ds in datasets:
        for name in ds.data_vars:
            if not any(word in str(name).lower() for word in TRAVEL_WORDS):
                continue
            yearly = _yearly(ds[name], how="sum")
            if yearly is None:
                continue
            label = str(ds[name].attrs.get("long_name", name))
            unit = str(ds[name].attrs.get("units", ""))
            if unit == "km":  # millions of km read badly on an axis
                yearly, unit = yearly / 1000.0, "thousand km"
            rows += _year_rows(ds, yearly, "value", measure=label, unit=unit)
    return pd.DataFrame(rows, columns=["scenario", "title", "measure", "unit", "year", "value"])


def find_reference(datasets: Sequence[xr.Dataset]) -> xr.Dataset | None:
    """The do-nothing result among ``datasets`` (a scenario with no interventions), if any."""
    for ds in datasets:
        if scenario_name(ds) == "do_nothing":
            return ds
    for ds in datasets:
        if ds.sizes.get("intervention", 0) == 0 or ("bridge" in ds and not ds["intervention"].size):
            return ds
    return None


def colour_for(index: int) -> str:
    """The colour of the ``index``-th scenario, the same in every chart."""
    return PALETTE[index % len(PALETTE)]


def money(value: float) -> str:
    """GBP m for a board: one decimal, a minus sign for a deficit (never "-0.0")."""
    value = 0.0 if abs(value) < 0.05 else value
    return f"{value:,.1f}".replace("-", "\u2212")


def surplus_table_html(table: pd.DataFrame, scenario: str, caption: str = "") -> str:
    """An organisation-by-year table (GBP m) as HTML, deficits red and surpluses green.

    Cells carry ``data-scenario``, ``data-org`` and ``data-year`` attributes so tests and
    screen readers can find a value without relying on layout.
    """
    scale = max(float(np.abs(table.to_numpy()).max()) if table.size else 0.0, 1e-9)
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    body = []
    for org, values in table.iterrows():
        cells = []
        for year, value in values.items():
            strength = 0.15 + 0.55 * min(abs(float(value)) / scale, 1.0)
            rgb = "192,57,43" if value < -0.05 else ("30,132,73" if value > 0.05 else "128,139,150")
            kind = "deficit" if value < -0.05 else ("surplus" if value > 0.05 else "balanced")
            cells.append(
                f'<td class="{kind}" style="background: rgba({rgb},{strength:.2f})" '
                f'data-scenario="{html.escape(scenario)}" data-org="{html.escape(str(org))}" '
                f'data-year="{html.escape(str(year))}">{money(float(value))}</td>'
            )
        row_class = ' class="system"' if org == SYSTEM else ""
        body.append(
            f'<tr{row_class}><th scope="row">{html.escape(str(org))}</th>{"".join(cells)}</tr>'
        )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="surplus-table" data-scenario="{html.escape(scenario)}">{cap}'
        f'<thead><tr><th scope="col">GBP m</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


TABLE_CSS = """
table.surplus-table {border-collapse: collapse; font-size: 13px; margin: 4px 0 12px 0;}
table.surplus-table caption {caption-side: top; text-align: left; font-weight: 600; padding: 4px 0;}
table.surplus-table th, table.surplus-table td {padding: 3px 8px; border-bottom: 1px solid #ddd;}
table.surplus-table td {text-align: right; font-variant-numeric: tabular-nums;}
table.surplus-table th[scope=row] {text-align: left; font-weight: normal; white-space: nowrap;}
table.surplus-table tr.system th, table.surplus-table tr.system td {font-weight: 700;}
"""
