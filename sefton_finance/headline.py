"""The answer at a glance: a board's headline in words and numbers from a set of results.

One pure function, :func:`headline`, turns the results a board compares into a
small frozen record: the sentence the Compare page and the pack both print, and
every number in it, so the two show the same words and a test can check each
figure against the result file.

What it says, for the final year the results share (or a chosen one):

- whether any scenario breaks even (system surplus of zero or more) at central
  assumptions, and which comes closest or does best, with its figure;
- where a result has Monte Carlo draws: the median of the draws beside the central
  run (both labelled: they differ because the central run uses every assumption's
  midpoint while the median is of the outcomes), the P10-P90 range and the chance of
  breaking even; without draws a plain sentence and no chance at all;
- against the comparator (do nothing unless another is named): from which year the
  best scenario stays ahead at central assumptions, and in what share of draws it is
  ahead in every year from then (draws are paired: scenarios share their random
  streams, so the difference is not noise).

Money is GBP m, cash (each year's prices); surplus positive, deficit negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from sefton_finance.analysis import intervention_names

GBP_M = 1e6
MINUS = "\u2212"
"""A true minus sign: screen readers say "minus", and it never wraps away from its number."""


@dataclass(frozen=True)
class ScenarioFigures:
    """One scenario's system position in the headline year, GBP m."""

    scenario: str
    """Identifier (``name`` in the scenario file)."""
    title: str
    central: float
    """The central run (draw 0: every assumption at its midpoint)."""
    draws: int
    """Monte Carlo draws in the result (1: a single central run)."""
    median: float | None = None
    """Median of the draws; None without draws."""
    p10: float | None = None
    p90: float | None = None
    chance_break_even: float | None = None
    """Share of draws with a system surplus of zero or more; None without draws."""
    breaks_even_in: tuple[str, ...] = ()
    """Years (up to the headline year) in which the central run breaks even."""


@dataclass(frozen=True)
class Headline:
    """The headline sentence and every number in it."""

    year: str
    """Financial year the headline is about."""
    sentence: str
    """The whole headline, plain text (escape it before putting it in HTML)."""
    parts: tuple[str, ...]
    """The sentence's sentences, in order (for a page that sets the first in bold)."""
    scenarios: tuple[ScenarioFigures, ...]
    """Every scenario's figures, in the order given."""
    best: ScenarioFigures
    """The scenario with the highest central system surplus in ``year``."""
    breaking_even: tuple[str, ...]
    """Scenarios (identifiers) whose central run breaks even in ``year``."""
    comparator: str | None = None
    """The comparator's identifier, when one is among the results."""
    comparator_title: str | None = None
    difference: float | None = None
    """Best minus comparator in ``year``, central run, GBP m."""
    ahead_from: str | None = None
    """First year from which the best scenario's central run stays ahead of the comparator
    through ``year``; None if it is not ahead in ``year``."""
    chance_ahead: float | None = None
    """Share of paired draws in which the best scenario is ahead of the comparator in every
    year from ``ahead_from`` (or in ``year`` when it is not ahead there); None without draws."""
    paired_draws: int = 1
    """Draws the comparison with the comparator used (the fewer of the two results')."""
    note: str = ""
    """Why a comparison was left out, if it was."""


# ------------------------------------------------------------------ formatting


def gbp_m(value: float) -> str:
    """``-£28.0m`` / ``+£3.1m`` / ``£0.0m`` (one decimal, a true minus sign)."""
    if abs(value) < 0.05:
        return "£0.0m"
    return f"{MINUS if value < 0 else '+'}£{abs(value):,.1f}m"


def share(probability: float, draws: int) -> str:
    """A share of draws in words: never "100%" unless every draw, never "0%" unless none."""
    if probability >= 1.0:
        return f"all {draws} draws"
    if probability <= 0.0:
        return f"none of the {draws} draws"
    percent = min(max(round(100 * probability), 1), 99)
    return f"{percent}% of {draws} draws"


# ------------------------------------------------------------------ figures


def _name(ds: xr.Dataset) -> str:
    value = ds.attrs.get("scenario")
    if not value and "scenario" in ds.coords:
        value = ds.coords["scenario"].values.reshape(-1)[0]
    return str(value or "scenario")


def _title(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("scenario_title") or _name(ds))


def _by_draw(ds: xr.Dataset) -> xr.DataArray:
    """System surplus ``(draw, year)`` in GBP m (a single run is one draw)."""
    surplus = ds["system_surplus"]
    if "draw" not in surplus.dims:
        surplus = surplus.expand_dims(draw=1)
    extra = [d for d in surplus.dims if d not in ("draw", "year")]
    if extra:
        raise ValueError(f"system_surplus has unexpected dims {extra}: expected (draw, year)")
    return surplus.transpose("draw", "year") / GBP_M


def _figures(ds: xr.Dataset, years: list[str], year: str) -> ScenarioFigures:
    values = _by_draw(ds)
    at = values.sel(year=year).values
    draws = int(at.size)
    central = values.isel(draw=0)
    upto = years[: years.index(year) + 1]
    even = tuple(y for y in upto if float(central.sel(year=y)) >= 0.0)
    figures = {"scenario": _name(ds), "title": _title(ds), "central": float(at[0])}
    if draws > 1:
        p10, p50, p90 = np.quantile(at, [0.1, 0.5, 0.9])
        figures.update(
            median=float(p50),
            p10=float(p10),
            p90=float(p90),
            chance_break_even=float(np.mean(at >= 0.0)),
        )
    return ScenarioFigures(**figures, draws=draws, breaks_even_in=even)


def find_comparator(datasets: Sequence[xr.Dataset]) -> xr.Dataset | None:
    """Do nothing among ``datasets``: the result named ``do_nothing``, else the first whose
    bridge holds no intervention (capacity steps and overlap are not interventions)."""
    for ds in datasets:
        if _name(ds) == "do_nothing":
            return ds
    for ds in datasets:
        if "intervention" in ds.dims and not intervention_names(ds):
            return ds
    return None


def _comparator(datasets: Sequence[xr.Dataset], chosen: str | None) -> xr.Dataset | None:
    if chosen is None:
        return find_comparator(datasets)
    for ds in datasets:
        if _name(ds) == chosen:
            return ds
    names = ", ".join(_name(ds) for ds in datasets)
    raise ValueError(f"comparator {chosen!r} is not among the results ({names})")


def _against(best: xr.Dataset, other: xr.Dataset, years: list[str], year: str):
    """``(difference, ahead_from, chance_ahead, draws)`` of ``best`` against ``other``."""
    upto = years[: years.index(year) + 1]
    ours, theirs = _by_draw(best).sel(year=upto), _by_draw(other).sel(year=upto)
    draws = min(ours.sizes["draw"], theirs.sizes["draw"])
    gap = (ours.isel(draw=slice(0, draws)) - theirs.isel(draw=slice(0, draws))).values
    central = gap[0]
    ahead_from = None
    # The first year from which the central run is ahead in every later year to ``year``.
    for i in range(len(upto) - 1, -1, -1):
        if central[i] > 0:
            ahead_from = upto[i]
        else:
            break
    chance = None
    if draws > 1:
        window = gap[:, upto.index(ahead_from) :] if ahead_from else gap[:, -1:]
        chance = float(np.mean((window > 0).all(axis=1)))
    return float(central[-1]), ahead_from, chance, draws


# ------------------------------------------------------------------ words


def _position(f: ScenarioFigures, year: str) -> str:
    text = f"{gbp_m(f.central)} in {year} at central assumptions"
    if f.median is not None:
        text += (
            f"; median of {f.draws} draws {gbp_m(f.median)} "
            f"(P10 to P90: {gbp_m(f.p10)} to {gbp_m(f.p90)})"
        )
    return text


def _chance(f: ScenarioFigures, year: str) -> str:
    if f.chance_break_even is None:
        return (
            "This is a single run at central assumptions, so no chance of breaking even is "
            "given (a run with draws gives one)."
        )
    return f"It breaks even or better in {share(f.chance_break_even, f.draws)} in {year}."


def headline(
    datasets: Sequence[xr.Dataset], year: str | None = None, comparator: str | None = None
) -> Headline:
    """The board's headline for ``datasets``, in words and numbers.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Results as :func:`sefton_finance.results.load` returns them (with or without a
        ``draw`` dim), at least one.
    year : str, optional
        Financial year (``"2024/25"``); default the last year every result has.
    comparator : str, optional
        Identifier of the scenario to compare against; default do nothing (the result
        named ``do_nothing``, else one whose bridge holds no intervention), if present.

    Returns
    -------
    Headline

    Raises
    ------
    ValueError
        No results, no year they all share, ``year`` not among those, or an unknown
        ``comparator``.
    """
    datasets = list(datasets)
    if not datasets:
        raise ValueError("a headline needs at least one result")
    years = [str(y) for y in datasets[0].year.values]
    for ds in datasets[1:]:
        theirs = {str(y) for y in ds.year.values}
        years = [y for y in years if y in theirs]
    if not years:
        raise ValueError("the results share no financial year")
    if year is None:
        year = years[-1]
    elif year not in years:
        raise ValueError(f"year {year!r}: the results share only {', '.join(years)}")
    figures = [_figures(ds, years, year) for ds in datasets]
    # Highest central run wins; the first given wins a tie (so the order is the reader's).
    best_index = max(range(len(figures)), key=lambda i: (figures[i].central, -i))
    best = figures[best_index]
    even = tuple(f.scenario for f in figures if f.central >= 0.0)
    several = len(figures) > 1
    parts: list[str] = []
    if not even:
        ever = any(f.breaks_even_in for f in figures)
        span = f"in {year}" if ever else f"in any year to {year}"
        if several:
            parts.append(f"No scenario breaks even {span}.")
            parts.append(f"{best.title} comes closest: {_position(best, year)}.")
        else:
            parts.append(f"{best.title} does not break even {span}: {_position(best, year)}.")
    else:
        if len(even) == 1:
            lead = f"{best.title} breaks even in {year}"
        else:
            lead = f"{len(even)} of {len(figures)} scenarios break even in {year}"
        if several and len(even) > 1:
            parts.append(f"{lead}. {best.title} does best: {_position(best, year)}.")
        else:
            parts.append(f"{lead}: {_position(best, year)}.")
    parts.append(_chance(best, year))

    record: dict = {}
    reference = _comparator(datasets, comparator) if several or comparator else None
    if reference is not None:
        ref_name, ref_title = _name(reference), _title(reference)
        record.update(comparator=ref_name, comparator_title=ref_title)
        best_ds = datasets[best_index]
        if best_ds is reference:
            others = [f for f in figures if f.scenario != ref_name]
            if others:
                parts.append(f"No scenario beats {ref_title} in {year}.")
        elif best_ds.attrs.get("baseline_sha256") != reference.attrs.get("baseline_sha256"):
            record["note"] = (
                f"{best.title} and {ref_title} were run on different baselines: not compared."
            )
            parts.append(record["note"])
        else:
            difference, ahead_from, chance, draws = _against(best_ds, reference, years, year)
            record.update(
                difference=difference,
                ahead_from=ahead_from,
                chance_ahead=chance,
                paired_draws=draws,
            )
            parts.append(_comparison(ref_title, year, difference, ahead_from, chance, draws))
    return Headline(
        year=year,
        sentence=" ".join(parts),
        parts=tuple(parts),
        scenarios=tuple(figures),
        best=best,
        breaking_even=even,
        **record,
    )


def _comparison(
    ref: str, year: str, difference: float, ahead_from: str | None, chance: float | None, draws: int
) -> str:
    by = f"{gbp_m(difference)} against {ref} in {year} at central assumptions"
    if ahead_from is None:
        text = f"It does not beat {ref} in {year} ({by})"
        if chance is not None:
            text += f"; it is ahead in {share(chance, draws)}"
        return text + "."
    since = f"in {year}" if ahead_from == year else f"in every year from {ahead_from}"
    if chance is None:
        return f"It beats {ref} {since} ({by})."
    return f"It beats {ref} in {share(chance, draws)} {since} ({by})."
