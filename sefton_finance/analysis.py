"""What a board asks of results: comparisons, bridges, break-even, net present value.

Functions take result datasets and return small labelled tables (pandas) or
arrays; they never print and never write files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

GBP_M = 1e6
SYSTEM = "Sefton system"


def _principal(array: xr.DataArray) -> xr.DataArray:
    """Draw 0 (the principal run) where a result has draws."""
    return array.isel(draw=0) if "draw" in array.dims else array


def surplus_table(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """System and per-organisation surplus by year, GBP m, one row per scenario and organisation.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Results (one per scenario); the principal draw is used.

    Returns
    -------
    pandas.DataFrame
        Index ``(scenario, organisation)``, columns the financial years; the
        system row first within each scenario, organisations inside Sefton next.
    """
    frames = []
    for ds in datasets:
        name = str(ds.attrs.get("scenario", ds.coords.get("scenario", "scenario")))
        system = _principal(ds["system_surplus"]) / GBP_M
        rows = {SYSTEM: system.values}
        in_system = ds["in_system"].values if "in_system" in ds.coords else np.ones(ds.sizes["org"], bool)
        names = ds["org_name"].values if "org_name" in ds.coords else ds.org.values
        surplus = _principal(ds["surplus"]) / GBP_M
        for org, label, inside in zip(ds.org.values, names, in_system, strict=True):
            if inside:
                rows[str(label)] = surplus.sel(org=org).values
        frame = pd.DataFrame(rows, index=list(ds.year.values)).T
        frame.index = pd.MultiIndex.from_product([[name], frame.index], names=["scenario", "organisation"])
        frames.append(frame)
    return pd.concat(frames)


def system_table(datasets: Sequence[xr.Dataset]) -> pd.DataFrame:
    """System surplus by year (GBP m), one row per scenario, plus the plan total."""
    table = surplus_table(datasets).xs(SYSTEM, level="organisation")
    table["total"] = table.sum(axis=1)
    return table


def bridge_table(ds: xr.Dataset) -> pd.DataFrame:
    """Change in system surplus by intervention (GBP m), rows interventions, columns years."""
    bridge = _principal(ds["bridge"]) / GBP_M
    return bridge.transpose("intervention", "year").to_pandas()


def net_present_value(ds: xr.Dataset, discount_rate: float, variable: str = "system_surplus") -> xr.DataArray:
    """Net present value of a yearly money variable, discounted to the base year."""
    years = ds.year.size
    factors = xr.DataArray((1 + discount_rate) ** -np.arange(years, dtype=float), dims="year", coords={"year": ds.year})
    return (ds[variable] * factors).sum("year").assign_attrs(units="GBP", long_name=f"Net present value of {variable}")


def intervention_returns(ds: xr.Dataset) -> pd.DataFrame:
    """Per intervention: cost, net saving by year, payback year and return on investment.

    The saving is the intervention's standalone bridge bar plus its own cost (the
    gross saving); net saving = bar. Payback is the first year the cumulative
    net saving turns non-negative after the spend starts. ROI = cumulative gross
    saving / cumulative cost over the horizon.
    """
    names = [n for n in ds.intervention.values if n != "interaction"]
    bars = _principal(ds["bridge"])
    costs = _principal(ds["intervention_cost"])
    rows = []
    for name in names:
        net = bars.sel(intervention=name).values
        cost = costs.sel(intervention=name).values
        gross = net + cost
        cumulative = np.cumsum(net)
        spent = np.flatnonzero(cost > 0)
        payback = "never in horizon"
        if spent.size:
            later = [i for i in range(spent[0], len(net)) if cumulative[i] >= 0]
            if later:
                payback = str(ds.year.values[later[0]])
        roi = gross.sum() / cost.sum() if cost.sum() > 0 else np.nan
        row = {"intervention": name, "cost_total_gbp_m": cost.sum() / GBP_M, "net_saving_total_gbp_m": net.sum() / GBP_M}
        row.update({f"net_{y}": v / GBP_M for y, v in zip(ds.year.values, net, strict=True)})
        row.update({"payback_year": payback, "roi": roi})
        rows.append(row)
    return pd.DataFrame(rows).set_index("intervention") if rows else pd.DataFrame()
