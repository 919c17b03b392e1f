"""Against a comparator: a scenario's difference from do nothing (or any scenario), who
gains and who loses by intervention (the wrong pocket), and the transfers that would
leave no organisation worse off (gain share).

Differences are taken draw by draw: scenarios share their random streams (common
random numbers), so the difference is not noise, and its interval is far narrower
than the two scenarios' own. Money is GBP m, cash (each year's prices).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

from sefton_finance.analysis import GBP_M, SYSTEM, intervention_names, with_draw_dim

QUANTILES = (0.10, 0.50, 0.90)


def _positions(ds: xr.Dataset) -> xr.DataArray:
    """Each organisation inside the system and the system itself ``(draw, year, who)``."""
    surplus = with_draw_dim(ds["surplus"]).sel(org=ds.org.values[ds["in_system"].values])
    names = [str(ds["org_name"].sel(org=o).item()) for o in surplus.org.values]
    surplus = surplus.drop_vars([c for c in surplus.coords if c not in ("draw", "year", "org")])
    organisations = surplus.assign_coords(org=names).rename(org="who")
    system = with_draw_dim(ds["system_surplus"])
    system = system.drop_vars([c for c in system.coords if c not in ("draw", "year")])
    return xr.concat([system.expand_dims(who=[SYSTEM]), organisations], dim="who")


def _aligned(ds: xr.Dataset, reference: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Both results' positions on the draws and years they share.

    Raises
    ------
    ValueError
        If they share no year, or were made from different baselines (their
        difference would mix two economies).
    """
    if ds.attrs.get("baseline_sha256") != reference.attrs.get("baseline_sha256"):
        raise ValueError(
            f"{ds.attrs.get('scenario')} and {reference.attrs.get('scenario')} were run on "
            "different baselines: a difference between them is not a comparison"
        )
    years = [y for y in ds.year.values if y in set(reference.year.values)]
    if not years:
        raise ValueError("the two results share no financial year")
    ours, theirs = _positions(ds).sel(year=years), _positions(reference).sel(year=years)
    draws = min(ours.sizes["draw"], theirs.sizes["draw"])
    return ours.isel(draw=slice(0, draws)), theirs.isel(draw=slice(0, draws))


def comparator_table(ds: xr.Dataset, reference: xr.Dataset) -> pd.DataFrame:
    """A scenario's difference from a comparator, by organisation and year.

    Returns
    -------
    pandas.DataFrame
        Index ``(organisation, year)``; columns ``principal`` (draw 0), ``p10``,
        ``p50``, ``p90`` of the difference (GBP m), ``probability_better`` (share of
        draws in which the scenario's position is above the comparator's) and
        ``draws``. With one draw the quantiles equal the principal run.
    """
    ours, theirs = _aligned(ds, reference)
    difference = (ours - theirs) / GBP_M
    quantiles = difference.quantile(list(QUANTILES), dim="draw")
    better = (ours > theirs).mean("draw")
    rows = []
    for who in difference.who.values:
        for year in difference.year.values:
            at = {"who": who, "year": year}
            rows.append(
                {
                    "organisation": str(who),
                    "year": str(year),
                    "principal": float(difference.sel(at).isel(draw=0)),
                    **{
                        f"p{round(q * 100):02d}": float(quantiles.sel(at).sel(quantile=q))
                        for q in QUANTILES
                    },
                    "probability_better": float(better.sel(at)),
                    "draws": int(difference.sizes["draw"]),
                }
            )
    frame = pd.DataFrame(rows).set_index(["organisation", "year"])
    frame.attrs.update(
        scenario=ds.attrs.get("scenario_title", ds.attrs.get("scenario", "")),
        comparator=reference.attrs.get("scenario_title", reference.attrs.get("scenario", "")),
        units="GBP m, cash; difference = scenario - comparator",
    )
    return frame


def wrong_pocket(ds: xr.Dataset, year: str | None = None) -> pd.DataFrame:
    """The wrong-pocket matrix: change in each organisation's surplus by intervention.

    Each cell is what the intervention does on its own (standalone, against do
    nothing) to that organisation's surplus in ``year`` (default: the final year),
    GBP m: P10, P50, P90 across draws and the principal run. A row whose payer is a
    commissioner and whose gain lands with a provider is the wrong pocket.

    Returns
    -------
    pandas.DataFrame
        Index ``(intervention, organisation)``; columns ``principal``, ``p10``,
        ``p50``, ``p90``.
    """
    if "bridge_by_org" not in ds:
        raise ValueError("this result has no bridge by organisation (run it with the bridge)")
    year = str(ds.year.values[-1]) if year is None else year
    inside = ds.org.values[ds["in_system"].values]
    names = intervention_names(ds)
    cells = with_draw_dim(ds["bridge_by_org"]).sel(year=year, org=inside, intervention=names)
    cells = (cells / GBP_M).transpose("intervention", "org", "draw")
    quantiles = cells.quantile(list(QUANTILES), dim="draw").transpose("intervention", "org", ...)
    # One array pull per column, not one labelled lookup per cell (a 243-cell matrix
    # took seconds that way).
    frame = pd.DataFrame(
        {
            "principal": cells.values[:, :, 0].ravel(),
            **{
                f"p{round(q * 100):02d}": quantiles.sel(quantile=q).values.ravel()
                for q in QUANTILES
            },
        },
        index=pd.MultiIndex.from_product(
            [list(names), [str(v) for v in ds["org_name"].sel(org=inside).values]],
            names=["intervention", "organisation"],
        ),
    )
    frame.attrs.update(year=year, units="GBP m, cash; change in surplus, intervention on its own")
    return frame


@dataclass(frozen=True)
class GainShare:
    """Transfers that leave no organisation worse off than the comparator, if any exist."""

    possible: bool
    """Whether the system as a whole gains (transfers can then make every loser whole)."""
    changes: pd.Series
    """Each organisation's change in surplus against the comparator (GBP m, principal run)."""
    transfers: pd.Series
    """Transfer to each organisation (+ receives, - pays; they sum to zero), GBP m."""
    probability_no_one_worse_off: float
    """Share of draws in which these transfers, agreed on the principal run, leave every
    organisation at least as well off as the comparator."""
    explanation: str


def gain_share(ds: xr.Dataset, reference: xr.Dataset, year: str | None = None) -> GainShare:
    """Transfers agreed ex ante (on the principal run) that leave no organisation inside
    the system worse off than the comparator in ``year`` (default: the final year).

    Losers are made whole; winners pay pro rata to their gains. Such transfers exist
    exactly when the system's total change is not negative; otherwise none do and the
    explanation says by how much the system falls short.
    """
    ours, theirs = _aligned(ds, reference)
    year = str(ours.year.values[-1]) if year is None else year
    change = (ours - theirs).sel(year=year).drop_sel(who=SYSTEM) / GBP_M
    principal = change.isel(draw=0).to_series()
    total = float(principal.sum())
    losses = -principal.clip(upper=0.0)
    gains = principal.clip(lower=0.0)
    if total < 0:
        transfers = pd.Series(0.0, index=principal.index)
        return GainShare(
            False,
            principal,
            transfers,
            0.0,
            f"No transfers can leave everyone whole in {year}: the system as a whole loses "
            f"£{-total:,.2f}m against the comparator.",
        )
    needed = float(losses.sum())
    transfers = losses - (gains / gains.sum() * needed if needed > 0 else 0.0 * gains)
    after = change + xr.DataArray(transfers.values, dims="who", coords={"who": transfers.index})
    whole = float((after >= -0.005 / GBP_M).all("who").mean("draw"))
    payers = ", ".join(f"{who} £{-t:,.2f}m" for who, t in transfers.items() if t < -1e-9)
    payees = ", ".join(f"{who} £{t:,.2f}m" for who, t in transfers.items() if t > 1e-9)
    explanation = (
        f"In {year} the system gains £{total:,.2f}m; "
        + (f"{payers} would pay {payees}" if needed > 0 else "no organisation loses")
        + f", leaving no one worse off in {whole:.0%} of draws."
    )
    return GainShare(True, principal, transfers, whole, explanation)
