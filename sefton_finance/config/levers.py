"""Uncertain levers and financial-year labels.

A lever is either a number or an interval ``[low, high]``. The principal
run (draw 0) uses the centre of an interval; Monte Carlo draws sample it.
An interval is read as the central 80% of a normal distribution unless the
lever says otherwise (see :mod:`sefton_finance.montecarlo`). A run takes its
lever values as one mapping (:data:`Levers`).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _finite(value: Any, what: str) -> float:
    # bool is an int to Python; `true` for a growth rate is a typo, not 1.0.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not NaN or infinity")
    return number


def _lever(value: Any) -> float | tuple[float, float]:
    """A number or an interval ``[low, high]``, finite, low <= high (one message per problem)."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"an interval is [low, high], two numbers; got {len(value)}")
        low, high = (
            _finite(value[0], "the interval's low"),
            _finite(value[1], "the interval's high"),
        )
        if low > high:
            raise ValueError(f"interval low {low} is above high {high}")
        return (low, high)
    return _finite(value, "a lever (a number or an interval [low, high])")


Lever = Annotated[float | tuple[float, float], BeforeValidator(_lever)]
"""A finite number, or an interval ``[low, high]`` to be sampled in Monte Carlo draws."""

MAX_GROWTH = 1.0
"""Highest yearly growth or inflation rate (+100%: doubling every year).

A sanity bound, not an assumption (the shipped rates are 1-5% a year): a typo such
as ``1.0e+15`` would otherwise compound to numbers too large to balance to the penny.
"""
MAX_COST = 1e11
"""Highest cost of one intervention, GBP (a one-off or a year): GBP 100bn, more than half
the NHS in England spends in a year; a larger figure is a typo (a misplaced exponent)."""


def _growth_rate(lever: float | tuple[float, float]) -> float | tuple[float, float]:
    low, high = bounds(lever)
    if low <= -1 or high > MAX_GROWTH:
        raise ValueError(
            f"a yearly rate must be above -100% (-1.0) and at most +{MAX_GROWTH:.0%} ({MAX_GROWTH})"
        )
    return lever


def _cost(lever: float | tuple[float, float]) -> float | tuple[float, float]:
    low, high = bounds(lever)
    if low < 0 or high > MAX_COST:
        raise ValueError(f"a cost must be from 0 to GBP {MAX_COST:,.0f} ({MAX_COST:g})")
    return lever


MAX_PEOPLE = 1e8
"""Most people a service can reach in a year: more than England's population; a larger
figure is a typo."""


def _people(lever: float | tuple[float, float]) -> float | tuple[float, float]:
    low, high = bounds(lever)
    if low < 0 or high > MAX_PEOPLE:
        raise ValueError(f"a number of people must be from 0 to {MAX_PEOPLE:,.0f} ({MAX_PEOPLE:g})")
    return lever


def _share(lever: float | tuple[float, float]) -> float | tuple[float, float]:
    low, high = bounds(lever)
    if low < 0 or high > 1:
        raise ValueError("a share must be from 0 to 1")
    return lever


def _efficiency(lever: float | tuple[float, float]) -> float | tuple[float, float]:
    low, high = bounds(lever)
    if low < 0 or high >= 1:
        raise ValueError("an efficiency must be at least 0 and below 1 (a share of cost)")
    return lever


GrowthRate = Annotated[Lever, AfterValidator(_growth_rate)]
"""A yearly growth or inflation rate: a :data:`Lever` in (-100%, +:data:`MAX_GROWTH`]."""
Cost = Annotated[Lever, AfterValidator(_cost)]
"""A cost in GBP: a :data:`Lever` from 0 to :data:`MAX_COST`."""
People = Annotated[Lever, AfterValidator(_people)]
"""A number of people (a year): a :data:`Lever` from 0 to :data:`MAX_PEOPLE`."""
Share = Annotated[Lever, AfterValidator(_share)]
"""A share: a :data:`Lever` from 0 to 1."""
Efficiency = Annotated[Lever, AfterValidator(_efficiency)]
"""A yearly efficiency, a share of cost: a :data:`Lever` in [0, 1)."""


def central(lever: float | tuple[float, float]) -> float:
    """The principal (draw 0) value of a lever: the number, or the interval's midpoint."""
    if isinstance(lever, tuple):
        return 0.5 * (lever[0] + lever[1])
    return float(lever)


def bounds(lever: float | tuple[float, float]) -> tuple[float, float]:
    """``(low, high)`` of a lever; a plain number gives ``(x, x)``."""
    if isinstance(lever, tuple):
        return float(lever[0]), float(lever[1])
    return float(lever), float(lever)


def is_uncertain(lever: float | tuple[float, float]) -> bool:
    """Whether a lever is an interval with a positive width."""
    low, high = bounds(lever)
    return high > low


def intervention_levers(levers: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The levers of one intervention, keyed by parameter name."""
    prefix = f"interventions.{name}."
    return {key[len(prefix) :]: value for key, value in levers.items() if key.startswith(prefix)}


def year_label(start: int) -> str:
    """Financial-year label for the year starting in April of ``start``: 2019 -> '2019/20'."""
    return f"{start}/{(start + 1) % 100:02d}"


def year_start(label: str) -> int:
    """Calendar year in which a financial year starts: '2019/20' -> 2019.

    Raises
    ------
    ValueError
        If the label is not of the form ``YYYY/YY`` with consecutive years.
    """
    match = _YEAR.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"financial year must look like '2019/20', got {label!r}")
    return int(match.group(1))


def year_labels(base_year: str, years_ahead: int) -> list[str]:
    """Labels from the base year to ``years_ahead`` years later, inclusive."""
    start = year_start(base_year)
    return [year_label(start + offset) for offset in range(years_ahead + 1)]
