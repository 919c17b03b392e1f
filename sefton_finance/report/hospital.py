"""Hospital capacity and performance from the discrete-event model, per site and for Sefton.

The discrete-event model simulates each acute site on its own; a board wants the
hospitals together. Totals are built replication by replication (each replication
is one possible year at every site), and the 95% confidence interval is then taken
across replications, as the model does for each site:

- counts add up over sites: outpatient waiting list, elective cancellations,
  escalation bed-days;
- rates are weighted: A&E 4-hour performance and the mean time in A&E by each site's
  A&E (type 1) attendances, bed occupancy as occupied beds over beds open;
- the peak of occupied beds is shown per site only (peaks at two sites fall on
  different days, so they do not add up), and as *capped* where replications reached
  the beds open: "297 (all beds full)" says the beds ran out, not that 297 is the peak
  demand;
- incomplete RTT pathways within 18 weeks is weighted by each site's open pathways
  at year end, replication by replication: the share of all Sefton's open pathways
  that are within 18 weeks, as NHS England adds up trusts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from sefton_finance.des.outputs import confidence_interval
from sefton_finance.report.tables import _principal, _shared, scenario_name, scenario_title

TOTAL = "Sefton acute sites together"
"""The label of the all-sites row."""


@dataclass(frozen=True)
class Measure:
    """How one discrete-event output is shown."""

    label: str
    unit: str
    scale: float
    """Multiplier to the display unit (shares to %)."""
    total: str
    """``sum``, ``attendances`` (weighted by A&E attendances), ``beds`` (occupied over
    open), ``pathways`` (weighted by open RTT pathways) or ``none`` (per site only)."""
    bounds: tuple[float | None, float | None] = (0.0, None)


MEASURES: dict[str, Measure] = {
    "ed_4hr_performance": Measure("A&E (type 1) seen within 4 hours", "%", 100.0, "attendances", (0.0, 1.0)),
    "ed_mean_time_hours": Measure("Mean time in A&E (type 1)", "hours", 1.0, "attendances"),
    "bed_occupancy_mean": Measure("Acute bed occupancy", "% of beds open", 100.0, "beds", (0.0, 1.0)),
    "bed_occupancy_peak": Measure("Peak occupied beds", "beds", 1.0, "none"),
    "escalation_bed_days": Measure("Escalation bed-days", "bed-days", 1.0, "sum"),
    "elective_cancellations": Measure("Planned operations cancelled for want of a bed", "cancellations", 1.0, "sum"),
    "op_waiting_list": Measure("Outpatient waiting list at year end", "patients", 1.0, "sum"),
    "rtt_18wk_performance": Measure("Incomplete RTT pathways within 18 weeks", "%", 100.0, "pathways", (0.0, 1.0)),
    "rtt_incomplete_pathways": Measure("Incomplete RTT pathways at year end", "patients", 1.0, "sum"),
}  # fmt: skip
"""Discrete-event outputs (``des_<key>`` in a result) shown in the pack, in this order."""

COLUMNS = [
    "scenario", "title", "measure", "unit", "year", "site", "value", "lower", "upper",
    "capped", "note",
]  # fmt: skip


def _site_names(ds: xr.Dataset) -> dict[str, str]:
    if "org_name" not in ds.coords:
        return {}
    return {str(o): str(n) for o, n in zip(ds.org.values, ds["org_name"].values, strict=True)}


def _attendances(ds: xr.Dataset, sites: Sequence[str]) -> xr.DataArray | None:
    """A&E (type 1) attendances of Sefton residents at each site ``(year, site)``."""
    if "provider_activity" not in ds or "ae_type1" not in ds.pod.values:
        return None
    if not all(site in ds.org.values for site in sites):
        return None
    activity = _principal(ds["provider_activity"]).sel(pod="ae_type1", org=list(sites))
    activity = activity.drop_vars([c for c in activity.coords if c not in ("year", "org")])
    return activity.rename(org="site")


def _total(ds: xr.Dataset, key: str, measure: Measure) -> tuple[xr.DataArray, str] | None:
    """All sites together, each replication ``(year, replication)``, and how it was made."""
    name = f"des_{key}_replications"
    if name not in ds or measure.total == "none":
        return None
    each = _principal(ds[name])
    sites = [str(s) for s in each.site.values]
    if measure.total == "sum":
        return each.sum("site"), "sum over sites"
    if measure.total == "beds":
        cap = f"des_{key.replace('_mean', '_peak')}_cap"
        if cap not in ds:
            return None
        beds = _principal(ds[cap])
        return each.sum("site") / beds.sum("site"), "occupied beds over beds open, all sites"
    if measure.total == "pathways":
        pathways = "des_rtt_incomplete_pathways_replications"
        if pathways not in ds:
            return None
        weights = _principal(ds[pathways])
        return (each * weights).sum("site") / weights.sum("site"), "weighted by open pathways"
    weights = _attendances(ds, sites)
    if weights is None:
        return None
    return (each * weights).sum("site") / weights.sum("site"), "weighted by A&E attendances"


@_shared
def hospital_frame(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """Discrete-event capacity and performance by scenario, measure, year and site.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``value`` is the mean over replications, ``lower`` and
        ``upper`` its 95% confidence interval (NaN with one replication), in the
        measure's display unit; ``site`` is a hospital or :data:`TOTAL`; ``capped``
        says the value is the cap (beds open) in at least one replication, and
        ``note`` says how a total is made or that beds were full. Empty when no result
        carries discrete-event outputs.
    """
    rows = []
    for ds in datasets:
        names = _site_names(ds)
        for key, measure in MEASURES.items():
            if f"des_{key}" not in ds:
                continue
            base = {
                "scenario": scenario_name(ds),
                "title": scenario_title(ds),
                "measure": measure.label,
                "unit": measure.unit,
            }
            bounds = measure.bounds
            if key == "bed_occupancy_mean" and f"des_{key}_replications" in ds:
                # Occupied beds as a share of beds open, per site too.
                cap = _principal(ds["des_bed_occupancy_peak_cap"])
                each = _principal(ds[f"des_{key}_replications"]) / cap
                mean, lower, upper = confidence_interval(each, bounds=bounds)
            else:
                mean = _principal(ds[f"des_{key}"])
                lower = _principal(ds.get(f"des_{key}_lower", mean * np.nan))
                upper = _principal(ds.get(f"des_{key}_upper", mean * np.nan))
            at_cap = ds.get(f"des_{key}_at_cap")
            for year in ds.year.values:
                for site in mean.site.values:
                    at = {"year": year, "site": site}
                    capped = at_cap is not None and float(_principal(at_cap).sel(at)) > 0
                    share = float(_principal(at_cap).sel(at)) if capped else 0.0
                    rows.append(
                        {
                            **base,
                            "year": str(year),
                            "site": names.get(str(site), str(site)),
                            "value": float(mean.sel(at)) * measure.scale,
                            "lower": float(lower.sel(at)) * measure.scale,
                            "upper": float(upper.sel(at)) * measure.scale,
                            "capped": capped,
                            "note": (
                                f"all beds full in {share:.0%} of replications: the peak is "
                                "the beds open, not the peak demand"
                                if capped
                                else ""
                            ),
                        }
                    )
            total = _total(ds, key, measure)
            if total is None:
                continue
            each, how = total
            t_mean, t_lower, t_upper = confidence_interval(each, bounds=bounds)
            for year in ds.year.values:
                rows.append(
                    {
                        **base,
                        "year": str(year),
                        "site": TOTAL,
                        "value": float(t_mean.sel(year=year)) * measure.scale,
                        "lower": float(t_lower.sel(year=year)) * measure.scale,
                        "upper": float(t_upper.sel(year=year)) * measure.scale,
                        "capped": False,
                        "note": how,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


UNCERTAINTY_MEASURES: dict[str, tuple[str, str, float]] = {
    "congestion_cost": ("Congestion cost", "GBP m", 1e-6),
    "ed_4hr_performance": ("A&E (type 1) seen within 4 hours", "%", 100.0),
    "rtt_18wk_performance": ("Incomplete RTT pathways within 18 weeks", "%", 100.0),
    "bed_occupancy_mean": ("Mean occupied beds", "beds", 1.0),
}
"""Discrete-event figures whose two kinds of uncertainty are shown: label, unit and the
multiplier to that unit."""

UNCERTAINTY_COLUMNS = [
    "scenario", "title", "year", "measure", "unit", "site", "mean", "parameter_sd",
    "stochastic_sd", "parameter_share", "draws", "replications",
]  # fmt: skip


@_shared
def des_uncertainty_frame(datasets: Sequence[xr.Dataset], year: str) -> pd.DataFrame:
    """Parameter against stochastic uncertainty of discrete-event results with draws, in
    ``year``, by hospital (law of total variance,
    :func:`sefton_finance.model.congestion.uncertainty_split`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNCERTAINTY_COLUMNS`: ``mean`` over every draw and replication;
        ``parameter_sd`` across draws of each draw's mean (the levers' intervals: what
        the fan charts show); ``stochastic_sd`` across one draw's replications, averaged
        over draws (random arrivals and stays); ``parameter_share`` of the total
        variance. Only results with more than one draw and more than one replication.
    """
    from sefton_finance.model.congestion import uncertainty_split

    rows = []
    for ds in datasets:
        draws, replications = ds.sizes.get("draw", 1), ds.sizes.get("replication", 1)
        if draws < 2 or replications < 2 or "site" not in ds.dims or year not in ds.year:
            continue
        names = _site_names(ds)
        for key, (label, unit, scale) in UNCERTAINTY_MEASURES.items():
            try:
                split = uncertainty_split(ds, key).sel(year=year)
            except KeyError:
                continue
            place = "org" if "org" in split.dims else "site"
            for site in (str(s) for s in ds.site.values):
                at = split.sel({place: site})
                total = float(at["total_variance"])
                rows.append(
                    {
                        "scenario": scenario_name(ds),
                        "title": scenario_title(ds),
                        "year": year,
                        "measure": label,
                        "unit": unit,
                        "site": names.get(site, site),
                        "mean": float(at["mean"]) * scale,
                        "parameter_sd": np.sqrt(float(at["parameter_variance"])) * scale,
                        "stochastic_sd": np.sqrt(float(at["stochastic_variance"])) * scale,
                        "parameter_share": float(at["parameter_variance"]) / total
                        if total > 0
                        else np.nan,
                        "draws": int(draws),
                        "replications": int(replications),
                    }
                )
    return pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS)
