"""What a board asks of results: comparisons, bridges, break-even, net present value.

Functions take result datasets and return small labelled tables (pandas) or
arrays; they never print and never write files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from sefton_finance.model.bridge import NOT_INTERVENTIONS

GBP_M = 1e6
SYSTEM = "Sefton system"
WITHOUT_COUNCIL = "Sefton system without the council"
"""The NHS view: a council must set a balanced budget, so its surplus cannot meet an NHS
deficit (nor its pressure add to one: that shows as savings required)."""
BEFORE_SUPPORT = "Sefton system before deficit support"
"""The recurrent position: the system less its non-recurrent deficit support (removed
from 2026/27), shown where a result has any."""


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
        system row first within each scenario, then the system before deficit support
        (:data:`BEFORE_SUPPORT`, where there is any), the system without the council
        (:data:`WITHOUT_COUNCIL`, where the result names each body's kind),
        organisations inside Sefton next, then each council's savings required (as a
        negative: the gap it must close).
    """
    frames = []
    for ds in datasets:
        name = str(ds.attrs.get("scenario", ds.coords.get("scenario", "scenario")))
        system = _principal(ds["system_surplus"]) / GBP_M
        rows = {SYSTEM: system.values}
        in_system = (
            ds["in_system"].values if "in_system" in ds.coords else np.ones(ds.sizes["org"], bool)
        )
        if "deficit_support" in ds["line"].values:
            support = _principal(ds["ledger"].sel(line="deficit_support"))
            support = support.sel(org=ds.org.values[in_system.astype(bool)]).sum("org") / GBP_M
            if float(np.abs(support).max()) >= 0.05:
                rows[BEFORE_SUPPORT] = (system - support).values
        names = ds["org_name"].values if "org_name" in ds.coords else ds.org.values
        surplus = _principal(ds["surplus"]) / GBP_M
        if "org_kind" in ds.coords:
            council = ds["org_kind"].values == "council"
            if (council & in_system.astype(bool)).any():
                nhs = ds.org.values[in_system.astype(bool) & ~council]
                rows[WITHOUT_COUNCIL] = surplus.sel(org=nhs).sum("org").values
        for org, label, inside in zip(ds.org.values, names, in_system, strict=True):
            if inside:
                rows[str(label)] = surplus.sel(org=org).values
        if "savings_required" in ds["line"].values:
            # A council balances by law: its gap shows as the savings it must find (negative).
            savings = _principal(ds["ledger"].sel(line="savings_required")) / GBP_M
            for org, label in zip(ds.org.values, names, strict=True):
                # Pence of rounding in the published budgets are not a gap to close.
                if float(np.abs(savings.sel(org=org)).max()) >= 0.05:
                    rows[f"{label}: savings required"] = -savings.sel(org=org).values
        frame = pd.DataFrame(rows, index=list(ds.year.values)).T
        frame.index = pd.MultiIndex.from_product(
            [[name], frame.index], names=["scenario", "organisation"]
        )
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


def payback_index(net: np.ndarray, cost: np.ndarray) -> int | None:
    """Index of the payback year: the first year, from the start of spend, whose cumulative
    net saving is non-negative; ``None`` if there is no spend or no payback in the horizon."""
    spent = np.flatnonzero(cost > 0)
    if spent.size == 0:
        return None
    paid = np.flatnonzero(np.cumsum(net)[spent[0] :] >= 0)
    return int(paid[0] + spent[0]) if paid.size else None


def intervention_names(ds: xr.Dataset) -> list[str]:
    """The bridge's interventions (not its congestion, capacity-steps or overlap bars)."""
    return [str(n) for n in ds.intervention.values if n not in NOT_INTERVENTIONS]


def intervention_returns(ds: xr.Dataset) -> pd.DataFrame:
    """Per intervention: cost, net saving by year, payback, net ROI, benefit-cost ratio, NPV
    and the saving by kind (GBP m, cash: nominal prices of each year).

    The net saving is the intervention's standalone bridge bar (the change in system
    surplus it makes on its own); the gross saving adds back its own cost. Payback
    is the first year the cumulative net saving turns non-negative after the spend
    starts. Net ROI = cumulative net saving / cumulative cost; the benefit-cost ratio
    = cumulative gross saving / cumulative cost (so BCR = net ROI + 1). The NPV
    discounts the net saving at the scenario's discount rate. The savings by kind
    (cash-releasing, cost avoidance, non-cash-releasing) are summed over the horizon.
    """
    bars = _principal(ds["bridge"])
    costs = _principal(ds["intervention_cost"])
    rate = scenario_discount_rate(ds)
    factors = discount_factors(ds.year.values, rate).values
    kinds = _principal(ds["bridge_savings"]) if "bridge_savings" in ds else None
    rows = []
    for name in intervention_names(ds):
        net = bars.sel(intervention=name).values
        cost = costs.sel(intervention=name).values
        gross = net + cost
        paid_back = payback_index(net, cost)
        payback = "never in horizon" if paid_back is None else str(ds.year.values[paid_back])
        spent = cost.sum()
        row = {
            "intervention": name,
            "cost_total_gbp_m": spent / GBP_M,
            "net_saving_total_gbp_m": net.sum() / GBP_M,
        }
        row.update({f"net_{y}": v / GBP_M for y, v in zip(ds.year.values, net, strict=True)})
        row.update(
            {
                "payback_year": payback,
                "net_roi": net.sum() / spent if spent > 0 else np.nan,
                "benefit_cost_ratio": gross.sum() / spent if spent > 0 else np.nan,
                f"npv_at_{rate:.1%}_gbp_m": float((net * factors).sum()) / GBP_M,
            }
        )
        if kinds is not None:
            totals = kinds.sel(intervention=name).sum("year")
            row.update(
                {f"{k}_gbp_m": float(totals.sel(kind=k)) / GBP_M for k in totals.kind.values}
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("intervention") if rows else pd.DataFrame()


# --- Uncertainty: the board's risk figures -------------------------------------------------

QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.50, 0.90, 0.95)
"""Fan-chart bands: P5, P10, P50 (median), P90, P95."""


def _label(q: float) -> str:
    return f"p{round(q * 100):02d}"


def with_draw_dim(array: xr.DataArray) -> xr.DataArray:
    """An array with a ``draw`` dim (a single run counts as one draw)."""
    return array if "draw" in array.dims else array.expand_dims(draw=1)


def _organisations(ds: xr.Dataset) -> list[tuple[str, str]]:
    """``(code, label)`` of organisations inside Sefton, in the dataset's order."""
    in_system = (
        ds["in_system"].values if "in_system" in ds.coords else np.ones(ds.sizes["org"], bool)
    )
    names = ds["org_name"].values if "org_name" in ds.coords else ds.org.values
    return [
        (str(o), str(n))
        for o, n, inside in zip(ds.org.values, names, in_system, strict=True)
        if inside
    ]


def _positions(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """System and in-system organisations' surplus ``(draw, year)``, GBP, labelled for tables."""
    out = {SYSTEM: with_draw_dim(ds["system_surplus"])}
    surplus = with_draw_dim(ds["surplus"])
    for code, label in _organisations(ds):
        out[label] = surplus.sel(org=code)
    return out


def fan_table(ds: xr.Dataset, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Fan-chart data: quantiles over draws of system and organisation surplus, GBP m.

    Returns
    -------
    pandas.DataFrame
        Index ``(organisation, year)``; columns ``p05, p10, p50, p90, p95`` and
        ``principal`` (draw 0). The system comes first.
    """
    frames = []
    for label, array in _positions(ds).items():
        q = array.quantile(list(quantiles), dim="draw") / GBP_M
        frame = pd.DataFrame(
            q.values.T, index=list(ds.year.values), columns=[_label(x) for x in quantiles]
        )
        frame["principal"] = array.isel(draw=0).values / GBP_M
        frame.index = pd.MultiIndex.from_product(
            [[label], frame.index], names=["organisation", "year"]
        )
        frames.append(frame)
    return pd.concat(frames)


def breakeven_probability(ds: xr.Dataset) -> pd.DataFrame:
    """Probability of breaking even (surplus >= 0) each year and over the plan.

    ``cumulative`` is the probability that the surplus summed over the years
    after the base year is >= 0 (deficits in one year made good in another).

    Returns
    -------
    pandas.DataFrame
        Rows: the system, then organisations inside Sefton; columns: the years
        and ``cumulative``.
    """
    rows = {}
    for label, array in _positions(ds).items():
        yearly = (array >= 0).mean("draw").values
        cumulative = float((array.isel(year=slice(1, None)).sum("year") >= 0).mean("draw"))
        rows[label] = [*yearly, cumulative]
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=[*map(str, ds.year.values), "cumulative"]
    )


def breakeven_standard_error(probability: float, draws: int) -> float:
    """Monte Carlo (binomial) standard error of an estimated probability."""
    return float(np.sqrt(max(probability * (1 - probability), 0.0) / max(draws, 1)))


def bridge_interval(ds: xr.Dataset, year: str | None = None) -> pd.DataFrame:
    """Bridge by intervention with its uncertainty: change in system surplus, GBP m.

    Parameters
    ----------
    year : str, optional
        A financial year; default: the sum over the horizon.

    Returns
    -------
    pandas.DataFrame
        Rows interventions (and the ``capacity_steps`` and ``overlap`` bars); columns ``p10, p50, p90, principal``.
    """
    bars = with_draw_dim(ds["bridge"])
    bars = bars.sum("year") if year is None else bars.sel(year=year)
    q = bars.quantile([0.10, 0.50, 0.90], dim="draw") / GBP_M
    frame = pd.DataFrame(
        q.values.T, index=list(ds.intervention.values), columns=["p10", "p50", "p90"]
    )
    frame["principal"] = bars.isel(draw=0).values / GBP_M
    frame.index.name = "intervention"
    return frame


def discount_factors(years: Sequence[str], discount_rate: float) -> xr.DataArray:
    """``(1 + r) ^ -t`` by year, t = 0 in the base year (HM Treasury Green Book)."""
    return xr.DataArray(
        (1 + discount_rate) ** -np.arange(len(years), dtype=float),
        dims="year",
        coords={"year": list(years)},
    )


def scenario_discount_rate(ds: xr.Dataset, default: float = 0.035) -> float:
    """The discount rate recorded with a result (the scenario's ``finance.discount_rate``)."""
    return float(ds.attrs.get("discount_rate", default))


def returns_interval(ds: xr.Dataset, discount_rate: float | None = None) -> pd.DataFrame:
    """Invest-to-save per intervention across draws: net ROI, payback and NPV with intervals.

    Net saving is the intervention's bridge bar (change in system surplus it makes on
    its own). Net ROI = net saving / cost over the horizon; payback is the first year cumulative net saving turns non-negative
    after spend starts; NPV discounts the net saving at the scenario's rate.

    Returns
    -------
    pandas.DataFrame
        One row per intervention: total cost (P50), NPV of net saving (P10, P50,
        P90, GBP m), net ROI (P10, P50, P90), median payback year, probability of
        paying back within the horizon.
    """
    rate = scenario_discount_rate(ds) if discount_rate is None else discount_rate
    factors = discount_factors(ds.year.values, rate)
    bars, costs = with_draw_dim(ds["bridge"]), with_draw_dim(ds["intervention_cost"])
    years = list(ds.year.values)
    rows = []
    for name in intervention_names(ds):
        net = bars.sel(intervention=name)
        cost = costs.sel(intervention=name)
        total_cost = cost.sum("year")
        npv = (net * factors).sum("year") / GBP_M
        roi = (net.sum("year") / total_cost.where(total_cost > 0)).values
        paybacks = np.array(
            [
                np.nan if (index := payback_index(n, c)) is None else index
                for n, c in zip(
                    net.transpose("draw", "year").values,
                    cost.transpose("draw", "year").values,
                    strict=True,
                )
            ],
            dtype=float,
        )
        paid = np.isfinite(paybacks)
        median = np.nanmedian(paybacks) if paid.mean() >= 0.5 else np.nan
        rows.append(
            {
                "intervention": name,
                "cost_total_gbp_m": float(total_cost.median()) / GBP_M,
                "npv_p10_gbp_m": float(npv.quantile(0.10)),
                "npv_p50_gbp_m": float(npv.quantile(0.50)),
                "npv_p90_gbp_m": float(npv.quantile(0.90)),
                "net_roi_p10": float(np.nanquantile(roi, 0.10))
                if np.isfinite(roi).any()
                else np.nan,
                "net_roi_p50": float(np.nanquantile(roi, 0.50))
                if np.isfinite(roi).any()
                else np.nan,
                "net_roi_p90": float(np.nanquantile(roi, 0.90))
                if np.isfinite(roi).any()
                else np.nan,
                "payback_year_p50": years[int(np.ceil(median))]
                if np.isfinite(median)
                else "never in horizon",
                "probability_of_payback": float(paid.mean()),
            }
        )
    return pd.DataFrame(rows).set_index("intervention") if rows else pd.DataFrame()


def npv_table(ds: xr.Dataset, discount_rate: float | None = None) -> pd.DataFrame:
    """NPV of system surplus and of its change from do-nothing, P10/P50/P90 and principal, GBP m."""
    rate = scenario_discount_rate(ds) if discount_rate is None else discount_rate
    factors = discount_factors(ds.year.values, rate)
    series = {
        "system surplus": with_draw_dim(ds["system_surplus"]),
        "change from do-nothing": with_draw_dim(ds["system_surplus"] - ds["plan_system_surplus"]),
    }
    rows = {}
    for label, array in series.items():
        npv = (array * factors).sum("year") / GBP_M
        rows[label] = {
            "p10": float(npv.quantile(0.1)),
            "p50": float(npv.quantile(0.5)),
            "p90": float(npv.quantile(0.9)),
            "principal": float(npv.isel(draw=0)),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.attrs["discount_rate"] = rate
    return frame


@xr.register_dataset_accessor("sefton")
class SeftonAccessor:
    """Board verbs on a result: ``ds.sefton.fan()``, ``.bridge()``, ``.breakeven()``, ``.npv()``."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    def fan(self, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Quantiles of system and organisation surplus by year (see :func:`fan_table`)."""
        return fan_table(self._ds, quantiles)

    def bridge(self, year: str | None = None) -> pd.DataFrame:
        """Bridge by intervention with P10/P50/P90 (see :func:`bridge_interval`)."""
        return bridge_interval(self._ds, year)

    def breakeven(self) -> pd.DataFrame:
        """Probability of breaking even by year and over the plan (see :func:`breakeven_probability`)."""
        return breakeven_probability(self._ds)

    def npv(self, discount_rate: float | None = None) -> pd.DataFrame:
        """NPV of the system position (see :func:`npv_table`)."""
        return npv_table(self._ds, discount_rate)

    def returns(self) -> pd.DataFrame:
        """Invest-to-save figures per intervention (see :func:`returns_interval`)."""
        return returns_interval(self._ds)
