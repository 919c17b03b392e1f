"""Back-test: the default baseline's do-nothing projection against published positions.

The 2019/20 baseline (the seeds' plan period, no COVID) projects five years to
2024/25. Cheshire & Merseyside published plan positions for 2023/24 and 2024/25,
and Sefton Council its net budgets; this module sets the model's figures beside
them. ``docs/back-test.md`` quotes :func:`back_test_rows`; a test checks the page
against a fresh run, so the page cannot go stale (``tools/back_test.py`` rewrites
its table).

The Cheshire & Merseyside figures are for nine places; Sefton's share is taken as
its population share (ASSUMPTION: a place's share of the system position follows
its population; the published figures are not split by place).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario
from sefton_finance.shipped import scenario_path

CM_POPULATION = 2_700_000
"""Cheshire & Merseyside ICB population (DATA.md "Organisations today", H)."""
SEFTON_RESIDENTS_2024 = 282_060
"""Sefton residents mid-2024 in the sefton-2024-25 baseline (Census 2021, H, projected)."""
SEFTON_SHARE = SEFTON_RESIDENTS_2024 / CM_POPULATION


@dataclass(frozen=True)
class Published:
    """One published figure: what, for which year, its value (GBP m) and where from."""

    key: str
    year: str
    measure: str
    value: float
    source: str
    scale: float = SEFTON_SHARE
    """Multiplier to Sefton's part (the population share for C&M figures, 1 for Sefton's)."""


PUBLISHED: tuple[Published, ...] = (
    Published(
        "system_2023_24",
        "2023/24",
        "system",
        -51.2,
        "C&M 2023/24 plan, £51.2m deficit (ICB board, May 2023, via press; M)",
    ),
    Published(
        "commissioner_2023_24",
        "2023/24",
        "commissioner",
        69.0,
        "C&M ICB 2023/24 plan surplus £69m (same paper; M)",
    ),
    Published(
        "providers_2023_24",
        "2023/24",
        "providers",
        -120.0,
        "C&M providers 2023/24 plan deficit £120m (same paper; M)",
    ),
    Published(
        "system_2024_25",
        "2024/25",
        "system",
        -150.0,
        "C&M 2024/25 plan, £150m deficit (ICB board papers via press; M)",
    ),
    Published(
        "commissioner_2024_25",
        "2024/25",
        "commissioner",
        62.0,
        "C&M ICB 2024/25 plan surplus £62m (same; M)",
    ),
    Published(
        "providers_2024_25",
        "2024/25",
        "providers",
        -212.0,
        "C&M providers 2024/25 plan deficit £212m (same; M)",
    ),
    Published(
        "system_2024_25_m6",
        "2024/25",
        "system",
        -183.5,
        "C&M month 6 2024/25: £183.5m deficit in six months, excluding deficit support (press; M)",
    ),
)
"""The published positions the page compares with (GBP m, whole of C&M)."""

COUNCIL_BUDGETS: dict[str, float] = {
    "2019/20": 237.04,
    "2022/23": 257.4,
    "2023/24": 315.8,
    "2024/25": 330.4,
}
"""Sefton Council net budget, GBP m ("How your Council Tax is spent", H)."""


@dataclass(frozen=True)
class Row:
    """One line of the back-test table (GBP m)."""

    key: str
    year: str
    measure: str
    model: float
    published: float
    source: str

    @property
    def gap(self) -> float:
        """Model minus published (GBP m)."""
        return self.model - self.published


def _position(ds, year: str, measure: str) -> float:
    inside = ds["in_system"].values.astype(bool)
    commissions = ds["commissions"].values.astype(bool)
    surplus = ds["surplus"].sel(year=year).values
    nhs = np.array([name != "council" for name in _kinds(ds)])
    if measure == "system":
        # The NHS system, as C&M publishes it (ICB and providers): the council is not in it.
        return float(surplus[inside & nhs].sum()) / 1e6
    if measure == "commissioner":
        return float(surplus[inside & commissions & nhs].sum()) / 1e6
    if measure == "providers":
        return float(surplus[inside & ~commissions].sum()) / 1e6
    raise ValueError(f"unknown measure {measure!r}")


def _kinds(ds) -> list[str]:
    if "org_kind" in ds.coords:
        return [str(kind) for kind in ds["org_kind"].values]
    baseline = load_baseline(ds.attrs["baseline_directory"])
    return list(baseline.organisations.kinds)


def back_test_rows(scenario: str = "do_nothing") -> list[Row]:
    """The model's projection beside each published figure (GBP m, Sefton's part).

    Parameters
    ----------
    scenario : str
        A shipped scenario on the default baseline (do nothing: what would have happened
        to the 2019 plan's economy without the plan, and without COVID).
    """
    ds = run(load_scenario(scenario_path(scenario)), with_bridge=False)
    rows = []
    for figure in PUBLISHED:
        model = _position(ds, figure.year, figure.measure)
        if figure.key.endswith("_m6"):
            # Six months published: compare with the model's half year.
            model = model / 2
        rows.append(
            Row(
                figure.key,
                figure.year,
                figure.measure,
                model,
                figure.value * figure.scale,
                figure.source,
            )
        )
    council = ds["ledger"].sel(line="allocation").values
    council_index = int(np.flatnonzero(np.array(_kinds(ds)) == "council")[0])
    funding = {y: float(council[i, council_index]) / 1e6 for i, y in enumerate(ds.year.values)}
    base = str(ds.year.values[0])
    for year, budget in COUNCIL_BUDGETS.items():
        if year == base or year not in funding:
            continue
        # Growth since the base year, as an index (2019/20 = 100): the model carries only
        # the adult social care and public health part of the budget, so levels differ.
        rows.append(
            Row(
                f"council_index_{year.replace('/', '_')}",
                year,
                "council funding index",
                100 * funding[year] / funding[base],
                100 * budget / COUNCIL_BUDGETS[base],
                "Sefton Council net budget, 'How your Council Tax is spent' (H)",
            )
        )
    return rows


def markdown_table(rows: list[Row]) -> str:
    """The rows as the page's table (GBP m to one decimal; indices to one decimal)."""
    lines = [
        "| key | year | measure | model | published (Sefton's part) | gap | source |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.key} | {r.year} | {r.measure} | {r.model:.1f} | {r.published:.1f} | "
            f"{r.gap:+.1f} | {r.source} |"
        )
    return "\n".join(lines)
