"""Link the discrete-event model to the pipeline: baseline -> DES inputs, DES outputs -> cost.

The DES simulates the two acute sites (Aintree, Southport & Ormskirk) for the
Sefton share of their activity. What it adds to the analytic path is the cost
of congestion, which averages hide:

- **escalation beds**: bed-days above the funded bed base, staffed at a premium;
- **electives not admitted**: inpatients cancelled for want of a bed are
  deferred and retried in house, across year ends; those never admitted (every
  try cancelled until the next would fall after the horizon) are treated by
  the independent sector at a premium on tariff, in the year they were booked;
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
from sefton_finance.des.inputs import RTT_AFTER_FIRST_WEEKS, DesCapacity
from sefton_finance.des.outputs import confidence_interval
from sefton_finance.des.run import simulate

ELECTIVE_INPATIENT_SHARE = 0.2
"""Share of elective admissions that stay overnight: about 80% are day cases (NHS Digital,
2019-20; DATA.md, trust M). The baseline's elective bed days per admission (1.04) is this
share times a 5.2-day stay."""

ESCALATION_PREMIUM = 1.5
"""ASSUMPTION: an escalation bed-day costs 1.5 x a funded bed-day (bank and agency staff at
premium rates in unplanned wards)."""

OUTSOURCING_PREMIUM = 1.1
"""ASSUMPTION: an elective never admitted in house (cancelled, perhaps several times, until
its next try would fall after the horizon) and treated in the independent sector costs tariff + 10%
(transport, contract management and the premium on short-notice capacity). A cancellation
followed by an in-house admission costs nothing extra here: its bed-days are already in the
activity the analytic path costs."""

BACKLOG_AGE_FACTOR = 2.0
"""ASSUMPTION: the oldest referral on the opening outpatient list is ``2 x list / weekly
slots`` weeks old (referral ages uniform, mean age = the Little's-law wait of a list cleared
at the baseline slot rate; see ``DesCapacity.op_waiting_max_age_weeks``)."""

VIRTUAL_WARD_STAY_DAYS = 7.0
"""ASSUMPTION: mean virtual-ward stay; NHS guidance allows up to 14 days (DATA.md, trust M), and
the virtual_ward intervention counts 7 days per admission avoided."""

CLINIC_WEEKS = 46
"""Clinic weeks a year behind capacity.csv's ``op_slots_per_week`` (SOURCES.md: attendances / 46
weeks); the DES spreads the same yearly slots over 52 weeks."""

EXTRA_SESSION_PREMIUM = 1.5
"""ASSUMPTION: outpatient waiting-list initiative sessions are paid at time and a half."""


def des_capacity(baseline: Baseline) -> DesCapacity:
    """DES capacity and pathway parameters from the baseline (capacity.csv, pods.csv).

    The virtual ward (run by Mersey Care) is split between the sites pro rata to
    their non-elective admissions. Its diversion of admissions is modelled by the
    ``virtual_ward`` intervention in demand, so the DES does not divert again
    (``nel_virtual_ward_eligible_share`` = 0).

    The opening outpatient list of each site is the baseline ``waiting_list``
    (first and follow-up) of every locality times the share of that locality's
    outpatient activity the site provides (as ``des_demand`` allocates demand).
    Its oldest referral is ``BACKLOG_AGE_FACTOR x list / baseline weekly slots``
    weeks old, fixed here so that a what-if on slots keeps the same history.
    """
    capacity = baseline.capacity
    pods = baseline.pods
    sites = baseline.organisations.des_sites

    def per_site(resource: str) -> dict[str, float]:
        if resource not in capacity.resource.values:
            return dict.fromkeys(sites, 0.0)
        return {site: float(capacity.sel(org=site, resource=resource)) for site in sites}

    nel_share = (
        baseline.activity.sel(pod="nel_admission").sum("age_band")
        * baseline.provision.sel(pod="nel_admission")
    ).sum("locality")
    nel_share = nel_share.sel(org=list(sites)) / nel_share.sel(org=list(sites)).sum()
    # The virtual ward's places, whoever runs them (the community provider in Sefton).
    virtual_total = (
        float(capacity.sel(resource="virtual_ward_beds").sum())
        if ("virtual_ward_beds" in capacity.resource.values)
        else 0.0
    )
    stays = baseline.bed_days_per_unit
    op_pods = ["op_first", "op_followup"]
    waiting = (
        (baseline.waiting_list.sel(pod=op_pods) * baseline.provision.sel(pod=op_pods))
        .sum(("locality", "pod"))
        .sel(org=list(sites))
    )
    waiting = {site: float(waiting.sel(org=site)) for site in sites}
    # capacity.csv counts clinic slots per clinic week (46 a year) for face-to-face and
    # virtual attendances; the DES runs face-to-face clinics every week of the year.
    outpatients = (
        baseline.activity.sel(pod=[*op_pods, "op_followup_virtual"]).sum("age_band")
        * baseline.provision.sel(pod=[*op_pods, "op_followup_virtual"])
    ).sum("locality")
    face_to_face = outpatients.sel(pod=op_pods).sum("pod") / outpatients.sum("pod")
    slots = {
        site: value * CLINIC_WEEKS / 52.0 * float(face_to_face.sel(org=site))
        for site, value in per_site("op_slots_per_week").items()
    }
    max_age = {
        site: BACKLOG_AGE_FACTOR * waiting[site] / slots[site] if slots[site] > 0 else 0.0
        for site in sites
    }
    return DesCapacity(
        ed_cubicles={k: round(v) for k, v in per_site("ed_cubicles").items()},
        utc_cubicles={k: max(round(v), 1) for k, v in per_site("utc_cubicles").items()},
        acute_beds={k: round(v) for k, v in per_site("acute_beds").items()},
        escalation_beds={k: round(v) for k, v in per_site("escalation_beds").items()},
        op_slots_per_week=slots,
        virtual_ward_beds={
            site: round(virtual_total * float(nel_share.sel(org=site))) for site in sites
        },
        ed_mean_hours=float(pods["service_hours"].sel(pod="ae_type1")),
        utc_mean_hours=float(pods["service_hours"].sel(pod="ae_type3")),
        nel_los_days=stays.get("nel_admission", 0.0),
        elective_los_days=stays.get("elective", 0.0) / ELECTIVE_INPATIENT_SHARE,
        virtual_ward_los_days=VIRTUAL_WARD_STAY_DAYS,
        elective_inpatient_share=ELECTIVE_INPATIENT_SHARE,
        nel_virtual_ward_eligible_share=0.0,
        op_waiting_at_start={site: round(n) for site, n in waiting.items()},
        op_waiting_max_age_weeks=max_age,
        rtt_after_first_weeks=baseline.des_rtt_after_first_weeks or RTT_AFTER_FIRST_WEEKS,
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
        * baseline.provision.sel(pod=list(DES_PODS), org=list(baseline.organisations.des_sites))
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
    capacity_growth: xr.DataArray | None = None,
) -> xr.Dataset:
    """Simulate the acute sites for the given activity (fast engine).

    Parameters
    ----------
    activity : xarray.DataArray
        ``(year, month, locality, pod)`` realised activity.
    baseline : Baseline
    seed : int or numpy.random.SeedSequence
        Root of the DES streams; the same seed for two scenarios gives common random numbers.
    replications : int
    warmup_days : float
    capacity : DesCapacity, optional
        Default: :func:`des_capacity` of the baseline.
    capacity_growth : xarray.DataArray, optional
        Capacity held each year relative to the base year, ``(year, org, pod)`` (the
        costing's steps held / base-year steps). When given, each year is simulated with
        the capacity the cost model pays for (beds, cubicles, clinic slots and virtual-ward
        places scaled), so congestion cost never double counts capacity already costed.
        The years run on without a break, so each replication carries its own waiting
        list, occupied beds, boarders and elective retries into the next year (its
        spread compounds as a continuous run's does).
    """
    base = des_capacity(baseline) if capacity is None else capacity
    demand = des_demand(activity, baseline)
    options = {"replications": replications, "warmup_days": warmup_days, "engine": "fast"}
    if capacity_growth is None:
        return simulate(demand, base, seed=seed, **options)
    years = [str(y) for y in demand.year.values]
    yearly = [_scaled_capacity(base, capacity_growth.sel(year=y), baseline) for y in years]
    # One run over every year: each replication carries its own state from year to year.
    return simulate(demand, yearly, seed=seed, **options)


def _scaled_capacity(base: DesCapacity, held: xr.DataArray, baseline: Baseline) -> DesCapacity:
    """Base capacity scaled by the capacity held this year (``(org, pod)`` ratios to base)."""
    sites = baseline.organisations.des_sites
    virtual_ward_providers = []
    if "virtual_ward_beds" in baseline.capacity.resource.values:
        places = baseline.capacity.sel(resource="virtual_ward_beds")
        virtual_ward_providers = [str(o) for o in places.org.values if float(places.sel(org=o)) > 0]

    def ratio(org: str, pods: list[str]) -> float:
        values = [float(held.sel(org=org, pod=p)) for p in pods]
        finite = [v for v in values if np.isfinite(v) and v > 0]
        return float(np.mean(finite)) if finite else 1.0

    def scale(field: str, pods: list[str], whole: bool = True) -> dict[str, float]:
        current = getattr(base, field)
        values = current if isinstance(current, dict) else dict.fromkeys(sites, current)
        scaled = {site: values[site] * ratio(site, pods) for site in sites}
        return {site: round(v) for site, v in scaled.items()} if whole else scaled

    ratios = [ratio(org, ["virtual_ward"]) for org in virtual_ward_providers]
    virtual = float(np.mean(ratios)) if ratios else 1.0
    current_virtual = base.virtual_ward_beds
    virtual_beds = (
        current_virtual
        if isinstance(current_virtual, dict)
        else dict.fromkeys(sites, current_virtual)
    )
    return base.replace(
        acute_beds=scale("acute_beds", ["bed_days"]),
        escalation_beds=scale("escalation_beds", ["bed_days"]),
        ed_cubicles=scale("ed_cubicles", ["ae_type1"]),
        utc_cubicles=scale("utc_cubicles", ["ae_type3"]),
        op_slots_per_week=scale("op_slots_per_week", ["op_first", "op_followup"], whole=False),
        virtual_ward_beds={site: round(v * virtual) for site, v in virtual_beds.items()},
    )


def congestion_cost(
    des: xr.Dataset,
    baseline: Baseline,
    price_index: xr.DataArray,
    by_replication: bool = False,
) -> xr.Dataset:
    """Extra provider cost of congestion (mean over replications), by year, site and pod.

    Escalation is costed on ``bed_days``, outsourced electives (never admitted in
    house, after deferrals; counted in the year they were booked) on ``elective``, and
    extra outpatient sessions (for the growth of the outpatient list over the year,
    split between first and follow-up as the unseen referrals are) on ``op_first`` /
    ``op_followup``, so the cost lands where the capacity ran short.

    With ``by_replication`` each replication is costed alone (a ``replication`` dim
    first): the stochastic spread of the cost.

    Returns
    -------
    xarray.Dataset
        ``congestion_cost (year, org, pod)`` in GBP (cash), and its three parts
        ``escalation_cost``, ``outsourcing_cost``, ``extra_session_cost`` ``(year, org)``.
    """
    mean = des if by_replication else des.mean("replication")
    bed_day = float(baseline.unit_cost.sel(pod="bed_days"))
    escalation = mean["escalation_bed_days"] * bed_day * ESCALATION_PREMIUM * price_index
    outsourcing = (
        mean["elective_not_admitted"]
        * float(baseline.tariff.sel(pod="elective"))
        * OUTSOURCING_PREMIUM
        * price_index
    )
    op_pods = ["op_first", "op_followup"]
    # Extra sessions are needed only for the list's growth over the year: a list held at
    # its opening size is the steady state the baseline's clinics already pay for.
    closing = mean["op_waiting_list"]
    opening_list = des_capacity(baseline).op_waiting_at_start
    opening = xr.DataArray(
        [float(opening_list[site]) for site in closing.site.values],
        dims="site",
        coords={"site": closing.site.values},
    )
    previous = xr.concat(
        [
            opening.expand_dims(year=[closing.year.values[0]]),
            closing.shift(year=1).isel(year=slice(1, None)),
        ],
        dim="year",
    )
    growth = (closing - previous).clip(min=0.0)
    unmet = mean["unmet_demand"].sel(pod=op_pods)
    mix = (unmet / unmet.sum("pod")).fillna(0.5)
    op_cost = baseline.unit_cost.sel(pod=op_pods)
    sessions = growth * mix * op_cost * EXTRA_SESSION_PREMIUM * price_index
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
            "congestion_cost": by_pod.rename(site="org").transpose(..., "year", "org", "pod"),
            "escalation_cost": escalation.rename(site="org").transpose(..., "year", "org"),
            "outsourcing_cost": outsourcing.rename(site="org").transpose(..., "year", "org"),
            "extra_session_cost": sessions.sum("pod")
            .rename(site="org")
            .transpose(..., "year", "org"),
        }
    )
    for name, long_name in (
        ("congestion_cost", "Extra provider cost of congestion (DES)"),
        ("escalation_cost", "Cost of escalation beds above the funded base"),
        ("outsourcing_cost", "Cost of electives not admitted in house, treated elsewhere"),
        ("extra_session_cost", "Cost of extra outpatient sessions for unmet demand"),
    ):
        out[name] = out[name].assign_attrs(units="GBP", long_name=long_name)
    return out


def performance_summary(des: xr.Dataset) -> xr.Dataset:
    """The board's performance measures with bounded 95% confidence intervals.

    For each measure: its mean over replications (``des_<measure>``), the
    interval (``_lower``, ``_upper``) clipped to the values the measure can
    take (counts and times at least 0, shares in [0, 1], occupied beds at most
    the beds open), each replication's value (``_replications``) and their
    variance across replications (``_within_variance``, ddof 1: the stochastic
    uncertainty). A measure
    the bed base caps (peak occupied beds) also carries the cap (``_cap``) and
    the share of replications that reached it (``_at_cap``): a peak at the cap
    says the beds were full, not that the peak is known exactly.
    """
    beds_open = des["station_capacity"].sel(station="acute_beds", drop=True).max("replication")
    measures = {
        # name: (label, lowest value, highest value or cap, capped)
        "ed_4hr_performance": ("ED (type 1) seen within 4 hours", 0.0, 1.0, False),
        "ed_mean_time_hours": ("Mean time in ED", 0.0, None, False),
        "bed_occupancy_mean": ("Mean occupied beds", 0.0, beds_open, False),
        "bed_occupancy_peak": ("Peak occupied beds", 0.0, beds_open, True),
        "escalation_bed_days": ("Escalation bed-days", 0.0, None, False),
        "elective_cancellations": ("Elective cancellations", 0.0, None, False),
        "op_waiting_list": ("Outpatient waiting list", 0.0, None, False),
        "rtt_18wk_performance": (
            "Incomplete RTT pathways within 18 weeks (year end)",
            0.0,
            1.0,
            False,
        ),
        # Each site's count of open pathways weights its 18-week share in a total.
        "rtt_incomplete_pathways": ("Incomplete RTT pathways (year end)", 0.0, None, False),
    }
    out = xr.Dataset()
    for name, (label, low, high, capped) in measures.items():
        if name not in des:
            continue
        mean, lower, upper = confidence_interval(des[name], dim="replication", bounds=(low, high))
        units = des[name].attrs.get("units", "")
        out[f"des_{name}"] = mean.assign_attrs(units=units, long_name=label)
        out[f"des_{name}_lower"] = lower.assign_attrs(
            units=units, long_name=f"{label}, 95% CI lower"
        )
        out[f"des_{name}_upper"] = upper.assign_attrs(
            units=units, long_name=f"{label}, 95% CI upper"
        )
        out[f"des_{name}_replications"] = des[name].assign_attrs(
            units=units, long_name=f"{label}, each replication"
        )
        # Stochastic uncertainty: the spread of the replications about their mean (nan with
        # one replication). Across Monte Carlo draws, the spread of the means is the
        # parameter uncertainty (model.congestion.uncertainty_split).
        out[f"des_{name}_within_variance"] = (
            des[name].var("replication", ddof=1)
            if des.sizes["replication"] > 1
            else des[name].mean("replication") * np.nan
        ).assign_attrs(
            units=f"({units})^2" if units not in ("", "1") else "1",
            long_name=f"{label}, variance across replications (stochastic uncertainty)",
        )
        if capped:
            out[f"des_{name}_cap"] = high.assign_attrs(units=units, long_name=f"{label}, cap")
            out[f"des_{name}_at_cap"] = (
                (des[name] >= high)
                .mean("replication")
                .assign_attrs(units="1", long_name=f"{label}: share of replications at the cap")
            )
    if "offered_utilisation" in des:
        out.update(overload_summary(des))
    return out


RESOURCE_LABELS = {
    "ed_cubicles": "ED cubicles",
    "utc_cubicles": "urgent treatment centre cubicles",
    "acute_beds": "acute beds (funded and escalation)",
    "op_slots": "outpatient clinic slots",
}

OVERLOAD_NOTE = (
    "No steady state: queues grow for as long as the model runs, so these waits and the "
    "congestion cost depend on the horizon simulated, not only on demand and capacity. Read "
    "them as a sign of overload, not as estimates."
)


def overload_summary(des: xr.Dataset) -> xr.Dataset:
    """Overload per year and site, in numbers and in words.

    ``des_offered_utilisation (year, site, resource)``: work arriving over what the
    resource can do (mean over replications; 1 or more is overload).
    ``des_queue_unsettled (year, site, resource)``: share of replications whose queue
    never emptied in the last weeks of the year. ``des_overloaded (year, site)``: share
    of replications with either, on any resource; its ``warning`` attribute says which,
    in words (empty when nothing is overloaded), for the CLI, the pack and the dashboard.
    """
    offered, unsettled = des["offered_utilisation"], des["queue_unsettled"]
    over_load = offered >= 1.0
    not_settled = unsettled > 0  # nan (not judged) counts as settled
    overloaded = (over_load | not_settled).any("resource").mean("replication")
    replications = des.sizes["replication"]
    messages = []
    for year in overloaded.year.values:
        for site in overloaded.site.values:
            for resource in offered.resource.values:
                at = {"year": year, "site": site, "resource": resource}
                loaded = int(over_load.sel(at).sum())
                stuck = int(not_settled.sel(at).sum())
                if not loaded and not stuck:
                    continue
                parts = []
                if loaded:
                    parts.append(
                        f"demand is {float(offered.sel(at).mean()):.0%} of capacity "
                        f"in {loaded} of {replications} replications"
                    )
                if stuck:
                    parts.append(
                        f"the queue never emptied in the year's last weeks in {stuck} of "
                        f"{replications}"
                    )
                label = RESOURCE_LABELS.get(str(resource), str(resource))
                messages.append(f"{site} {year}, {label}: {'; '.join(parts)}.")
    warning = ""
    if messages:
        warning = "Overloaded. " + " ".join(messages) + " " + OVERLOAD_NOTE
    return {
        "des_offered_utilisation": offered.mean("replication").assign_attrs(
            units="1", long_name="Demand over capacity (offered load; 1 or more: overload)"
        ),
        "des_queue_unsettled": unsettled.mean("replication").assign_attrs(
            units="1", long_name="Share of replications whose queue did not settle"
        ),
        "des_overloaded": overloaded.assign_attrs(
            units="1",
            long_name="Share of replications overloaded (demand over capacity or a queue "
            "that does not settle)",
            warning=warning,
        ),
    }
