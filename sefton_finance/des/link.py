"""Link the discrete-event model to the pipeline: baseline -> DES inputs, DES outputs -> cost.

The DES simulates the two acute sites (Aintree, Southport & Ormskirk) for the
Sefton share of their activity. What it adds to the analytic path is the cost
of congestion, which averages hide:

- **escalation beds**: bed-days above the funded bed base, staffed at a premium;
- **elective cancellations**: inpatients cancelled for want of a bed, treated
  by the independent sector at a premium on tariff;
- **unmet outpatient demand**: referrals not seen within the year, cleared by
  extra (waiting-list initiative) sessions at a premium.

Every premium is a named, sourced default below; the scenario chooses the
path with ``capacity.method: des``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.des.inputs import PODS as DES_PODS
from sefton_finance.des.inputs import DesCapacity
from sefton_finance.des.outputs import confidence_interval
from sefton_finance.des.run import simulate

SITES: tuple[str, ...] = ("aintree", "southport_ormskirk")

ELECTIVE_INPATIENT_SHARE = 0.2
"""Share of elective admissions that stay overnight: about 80% are day cases (NHS Digital,
2019-20; DATA.md, trust M). The baseline's elective bed days per admission (1.04) is this
share times a 5.2-day stay."""

ESCALATION_PREMIUM = 1.5
"""ASSUMPTION: an escalation bed-day costs 1.5 x a funded bed-day (bank and agency staff at
premium rates in unplanned wards)."""

OUTSOURCING_PREMIUM = 1.1
"""ASSUMPTION: a cancelled elective treated in the independent sector costs tariff + 10%
(transport, contract management and the premium on short-notice capacity)."""

VIRTUAL_WARD_STAY_DAYS = 7.0
"""ASSUMPTION: mean virtual-ward stay; NHS guidance allows up to 14 days (DATA.md, trust M), and
the virtual_ward intervention counts 7 days per admission avoided."""

EXTRA_SESSION_PREMIUM = 1.5
"""ASSUMPTION: outpatient waiting-list initiative sessions are paid at time and a half."""


def des_capacity(baseline: Baseline) -> DesCapacity:
    """DES capacity and pathway parameters from the baseline (capacity.csv, pods.csv).

    The virtual ward (run by Mersey Care) is split between the sites pro rata to
    their non-elective admissions. Its diversion of admissions is modelled by the
    ``virtual_ward`` intervention in demand, so the DES does not divert again
    (``nel_virtual_ward_eligible_share`` = 0).
    """
    capacity = baseline.capacity
    pods = baseline.pods

    def per_site(resource: str) -> dict[str, float]:
        if resource not in capacity.resource.values:
            return dict.fromkeys(SITES, 0.0)
        return {site: float(capacity.sel(org=site, resource=resource)) for site in SITES}

    nel_share = (
        baseline.activity.sel(pod="nel_admission").sum("age_band")
        * baseline.provision.sel(pod="nel_admission")
    ).sum("locality")
    nel_share = nel_share.sel(org=list(SITES)) / nel_share.sel(org=list(SITES)).sum()
    virtual_total = (
        float(capacity.sel(org="mersey_care", resource="virtual_ward_beds"))
        if ("virtual_ward_beds" in capacity.resource.values)
        else 0.0
    )
    stays = baseline.bed_days_per_unit
    return DesCapacity(
        ed_cubicles={k: round(v) for k, v in per_site("ed_cubicles").items()},
        utc_cubicles={k: max(round(v), 1) for k, v in per_site("utc_cubicles").items()},
        acute_beds={k: round(v) for k, v in per_site("acute_beds").items()},
        escalation_beds={k: round(v) for k, v in per_site("escalation_beds").items()},
        op_slots_per_week=per_site("op_slots_per_week"),
        virtual_ward_beds={
            site: round(virtual_total * float(nel_share.sel(org=site))) for site in SITES
        },
        ed_mean_hours=float(pods["service_hours"].sel(pod="ae_type1")),
        utc_mean_hours=float(pods["service_hours"].sel(pod="ae_type3")),
        nel_los_days=stays.get("nel_admission", 0.0),
        elective_los_days=stays.get("elective", 0.0) / ELECTIVE_INPATIENT_SHARE,
        virtual_ward_los_days=VIRTUAL_WARD_STAY_DAYS,
        elective_inpatient_share=ELECTIVE_INPATIENT_SHARE,
        nel_virtual_ward_eligible_share=0.0,
    )


def des_demand(activity: xr.DataArray, baseline: Baseline) -> xr.DataArray:
    """Monthly demand at each acute site ``(year, month, site, pod)`` from pipeline activity.

    Parameters
    ----------
    activity : xarray.DataArray
        ``(year, month, locality, pod)`` activity for Sefton residents.
    """
    by_site = (
        activity.sel(pod=list(DES_PODS))
        * baseline.provision.sel(pod=list(DES_PODS), org=list(SITES))
    ).sum("locality")
    # Outpatient demand is first attendances plus follow-ups still seen face to face.
    return (
        by_site.rename(org="site")
        .transpose("year", "month", "site", "pod")
        .assign_attrs(units="count", long_name="Demand per month at each acute site")
    )


def run_des(
    activity: xr.DataArray,
    baseline: Baseline,
    *,
    seed: int | np.random.SeedSequence,
    replications: int,
    warmup_days: float,
    capacity: DesCapacity | None = None,
) -> xr.Dataset:
    """Simulate the acute sites for the given activity (fast engine)."""
    return simulate(
        des_demand(activity, baseline),
        des_capacity(baseline) if capacity is None else capacity,
        seed=seed,
        replications=replications,
        warmup_days=warmup_days,
        engine="fast",
    )


def congestion_cost(des: xr.Dataset, baseline: Baseline, price_index: xr.DataArray) -> xr.Dataset:
    """Extra provider cost of congestion (mean over replications), by year, site and pod.

    Escalation is costed on ``bed_days``, outsourced electives on ``elective``, and
    extra outpatient sessions on ``op_first`` / ``op_followup``, so the cost lands
    where the capacity ran short.

    Returns
    -------
    xarray.Dataset
        ``congestion_cost (year, org, pod)`` in GBP (cash), and its three parts
        ``escalation_cost``, ``outsourcing_cost``, ``extra_session_cost`` ``(year, org)``.
    """
    mean = des.mean("replication")
    bed_day = float(baseline.unit_cost.sel(pod="bed_days"))
    escalation = mean["escalation_bed_days"] * bed_day * ESCALATION_PREMIUM * price_index
    outsourcing = (
        mean["elective_cancellations"]
        * float(baseline.tariff.sel(pod="elective"))
        * OUTSOURCING_PREMIUM
        * price_index
    )
    op_pods = ["op_first", "op_followup"]
    op_cost = baseline.unit_cost.sel(pod=op_pods)
    sessions = mean["unmet_demand"].sel(pod=op_pods) * op_cost * EXTRA_SESSION_PREMIUM * price_index
    by_pod = xr.concat(
        [
            escalation.expand_dims(pod=["bed_days"]),
            outsourcing.expand_dims(pod=["elective"]),
            sessions.transpose("pod", ...),
        ],
        dim="pod",
        coords="minimal",
    )
    out = xr.Dataset(
        {
            "congestion_cost": by_pod.rename(site="org").transpose("year", "org", "pod"),
            "escalation_cost": escalation.rename(site="org").transpose("year", "org"),
            "outsourcing_cost": outsourcing.rename(site="org").transpose("year", "org"),
            "extra_session_cost": sessions.sum("pod").rename(site="org").transpose("year", "org"),
        }
    )
    for name, long_name in (
        ("congestion_cost", "Extra provider cost of congestion (DES)"),
        ("escalation_cost", "Cost of escalation beds above the funded base"),
        ("outsourcing_cost", "Cost of cancelled electives treated elsewhere"),
        ("extra_session_cost", "Cost of extra outpatient sessions for unmet demand"),
    ):
        out[name] = out[name].assign_attrs(units="GBP", long_name=long_name)
    return out


def performance_summary(des: xr.Dataset) -> xr.Dataset:
    """Mean and 95% confidence interval over replications of the board's performance measures."""
    measures = {
        "ed_4hr_performance": "ED (type 1) seen within 4 hours",
        "ed_mean_time_hours": "Mean time in ED",
        "bed_occupancy_mean": "Mean occupied beds",
        "bed_occupancy_peak": "Peak occupied beds",
        "escalation_bed_days": "Escalation bed-days",
        "elective_cancellations": "Elective cancellations",
        "op_waiting_list": "Outpatient waiting list",
        "op_18wk_performance": "Outpatients seen within 18 weeks",
    }
    out = xr.Dataset()
    for name, label in measures.items():
        if name not in des:
            continue
        mean, lower, upper = confidence_interval(des[name], dim="replication")
        units = des[name].attrs.get("units", "")
        out[f"des_{name}"] = mean.assign_attrs(units=units, long_name=label)
        out[f"des_{name}_lower"] = lower.assign_attrs(
            units=units, long_name=f"{label}, 95% CI lower"
        )
        out[f"des_{name}_upper"] = upper.assign_attrs(
            units=units, long_name=f"{label}, 95% CI upper"
        )
    return out
