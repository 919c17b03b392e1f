"""Patient travel and carbon avoided when visits move closer to home or become virtual.

Every factor is a named default with its source; change them here or pass
your own to :func:`travel_avoided`.
"""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr

from sefton_finance.codes import LOCALITIES

HOSPITAL_KM_ONE_WAY: Mapping[str, float] = {
    "bootle": 6.0,
    "crosby": 8.0,
    "maghull": 5.0,
    "seaforth_litherland": 6.0,
    "southport": 3.0,
    "formby": 12.0,
}
"""ASSUMPTION: road distance from each locality's centre to its main acute site (Aintree
University Hospital for the south, Southport District General for the north), read off a map."""

LOCAL_KM_ONE_WAY = 2.0
"""ASSUMPTION: a trip to a GP surgery, pharmacy or community clinic within the locality."""

TRIPS_PER_UNIT: Mapping[str, tuple[str, float]] = {
    "op_first": ("hospital", 1.0),
    "op_followup": ("hospital", 1.0),
    "ae_type1": ("hospital", 1.0),
    "elective": ("hospital", 1.0),
    "ae_type3": ("local", 1.0),
    "gp_appointment": ("local", 1.0),
    "gp_extended_access": ("local", 1.0),
    "pharmacy_consultation": ("local", 1.0),
    "community": ("local", 0.5),
}
"""Return trips a patient makes per unit of activity, and where to. Virtual and remote pods
(virtual follow-up, advice & guidance, NHS 111, virtual ward) make none; admissions by
ambulance are counted in the ambulance service's own mileage, not here. ASSUMPTION: half of
community contacts are clinic visits, half home visits."""

CAR_SHARE = 0.7
"""ASSUMPTION: share of patient trips made by car (the rest on foot, by bus or train)."""

KG_CO2E_PER_CAR_KM = 0.166
"""Average car, unknown fuel, kg CO2e per km: UK Government GHG conversion factors for company
reporting (DESNZ, 2023), rounded. Check against the current year's table."""


def travel_avoided(
    locality_activity_change: xr.DataArray,
    hospital_km: Mapping[str, float] = HOSPITAL_KM_ONE_WAY,
    local_km: float = LOCAL_KM_ONE_WAY,
    car_share: float = CAR_SHARE,
    kg_per_km: float = KG_CO2E_PER_CAR_KM,
) -> xr.Dataset:
    """Car kilometres and CO2e avoided by changes in activity.

    Parameters
    ----------
    locality_activity_change : xarray.DataArray
        Change in yearly activity ``(year, locality, pod)`` (+ ``intervention``,
        ``draw``): negative where visits were avoided.

    Returns
    -------
    xarray.Dataset
        ``car_km_avoided`` (km) and ``co2e_avoided`` (tonnes CO2e) with the input's
        dims except ``pod``; positive means less travel.
    """
    pods = [p for p in TRIPS_PER_UNIT if p in locality_activity_change.pod.values]
    km = xr.DataArray(
        [
            [
                2 * trips * (hospital_km[loc] if where == "hospital" else local_km)
                for where, trips in (TRIPS_PER_UNIT[p] for p in pods)
            ]
            for loc in LOCALITIES
        ],
        dims=("locality", "pod"),
        coords={"locality": list(LOCALITIES), "pod": pods},
    )
    car_km = -(locality_activity_change.sel(pod=pods) * km).sum("pod") * car_share
    return xr.Dataset(
        {
            "car_km_avoided": car_km.assign_attrs(
                units="km", long_name="Patient car travel avoided"
            ),
            "co2e_avoided": (car_km * kg_per_km / 1000).assign_attrs(
                units="tonnes CO2e", long_name="Carbon from patient travel avoided"
            ),
        }
    )
