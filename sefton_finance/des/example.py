"""An illustrative whole-Sefton year for tests, benchmarks and examples (not baseline data).

Annual volumes are of the order of Sefton's two acute sites (type-1 A&E about
80k, UTC 45k, NEL admissions 32k, electives 38k, outpatient first 155k and
follow-up 330k); capacity is sized so beds run near 92% occupancy. Real runs
take demand from ``demand.py`` and capacity from the baseline.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .inputs import PODS, DesCapacity

ANNUAL = {  # per site, per pod
    "large_site": (50_000, 25_000, 20_000, 23_000, 95_000, 200_000),
    "small_site": (30_000, 20_000, 12_000, 15_000, 60_000, 130_000),
}
# Winter pressure on urgent care (April..March); planned work dips in August and December.
_URGENT_SEASON = np.array([0.97, 1.0, 0.98, 1.0, 0.96, 0.97, 1.0, 1.01, 1.05, 1.05, 0.98, 1.03])
_PLANNED_SEASON = np.array([0.98, 1.02, 1.04, 1.02, 0.92, 1.02, 1.06, 1.06, 0.88, 1.02, 1.0, 0.98])


def example_demand(years: tuple[str, ...] = ("2019/20",), scale: float = 1.0) -> xr.DataArray:
    """Monthly demand ``(year, month, site, pod)`` for two acute sites of the size of Sefton's (Aintree and Southport & Ormskirk)."""
    sites = list(ANNUAL)
    values = np.empty((len(years), 12, len(sites), len(PODS)))
    for s, site in enumerate(sites):
        for p, pod in enumerate(PODS):
            season = _URGENT_SEASON if pod.startswith(("ae", "nel")) else _PLANNED_SEASON
            values[:, :, s, p] = scale * ANNUAL[site][p] * season / season.sum()
    return xr.DataArray(
        values,
        dims=("year", "month", "site", "pod"),
        coords={"year": list(years), "month": np.arange(1, 13), "site": sites, "pod": list(PODS)},
        attrs={"units": "count", "long_name": "Demand per month"},
    )


def example_capacity(scale: float = 1.0, **changes: object) -> DesCapacity:
    """Capacity matched to ``example_demand(scale=scale)``; keyword arguments override fields."""

    def sized(large: float, small: float) -> dict[str, float]:
        # At least one of everything, so a scaled-down example still serves every flow.
        return {
            "large_site": max(round(large * scale), 1),
            "small_site": max(round(small * scale), 1),
        }

    base = DesCapacity(
        ed_cubicles=sized(30, 20),
        utc_cubicles=sized(10, 8),
        acute_beds=sized(330, 205),
        escalation_beds=sized(20, 15),
        op_slots_per_week={"large_site": 5_800 * scale, "small_site": 3_750 * scale},
        virtual_ward_beds=sized(30, 20),
        nel_virtual_ward_eligible_share=0.1,
    )
    return base.replace(**changes)
