"""``simulate``: demand and capacity in, an xarray Dataset of outputs per replication out.

Replication ``r`` of site ``s`` draws its patients from streams keyed by
``(r, s, stream)`` under the run's root ``SeedSequence``; the engine only
decides how those patients move through capacity. So the same seed gives the
same numbers on either engine and on any worker, and runs that differ only in
capacity share their patients (common random numbers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import xarray as xr

from . import fast, model
from .inputs import (
    PODS,
    YEARLY_FIELDS,
    DesCapacity,
    check_demand,
    make_calendar,
    root_seed,
    sample_site,
)
from .outputs import RESOURCES, STATIONS, VARIABLES, summarise_site

ENGINES = ("fast", "simpy")


def simulate(
    monthly_demand: xr.DataArray,
    capacity: DesCapacity | Sequence[DesCapacity],
    *,
    seed: int | np.random.SeedSequence,
    replications: int = 10,
    warmup_days: float = 28.0,
    engine: str = "fast",
) -> xr.Dataset:
    """Simulate hospital flows driven by monthly demand.

    Parameters
    ----------
    monthly_demand : xarray.DataArray
        Counts per month, dims ``(year, month, site, pod)``; ``year`` labels like
        ``"2019/20"`` (consecutive), ``month`` 1..12 = April..March, ``pod`` a
        subset of ``ae_type1, ae_type3, nel_admission, elective, op_first,
        op_followup``. NEL admissions arrive through type-1 A&E (the admitted
        share is ``nel_admission / ae_type1``, capped at 1); any surplus arrives
        directly.
    capacity : DesCapacity or sequence of DesCapacity
        Capacity and pathway parameters, per site or shared; or one per year, the
        capacity held that year. Years then run on without a break: each
        replication carries its own waiting lists, occupied beds, boarders and
        elective retries from one year into the next, and a change of capacity
        takes effect at 00:00 on 1 April (places that open go to the queues at
        once; places that close are taken out of use as their patients leave).
        Only the fields in ``inputs.YEARLY_FIELDS`` may differ between years.
    seed : int or numpy.random.SeedSequence
        Root of every random stream.
    replications : int
        Independent replications (at least 1).
    warmup_days : float
        Days simulated before 1 April of the first year at the first month's
        rates and discarded from every statistic.
    engine : {"fast", "simpy"}
        Compiled kernels or the SimPy process model; same inputs, same rules.

    Returns
    -------
    xarray.Dataset
        Dims ``(replication, year, site)`` plus ``month``, ``pod`` or
        ``station`` where relevant; every variable has ``units`` and
        ``long_name``. Summarise with ``confidence_interval``.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be an int >= 1, got {replications!r}")
    demand = check_demand(monthly_demand)
    years = tuple(str(y) for y in demand["year"].values)
    yearly = _yearly_capacity(capacity, years)
    calendar = make_calendar(years, warmup_days)
    root = root_seed(seed)
    sites = [str(s) for s in demand["site"].values]
    site_capacity = {site: [c.for_site(site) for c in yearly] for site in sites}

    results = []
    journeys = 0
    for rep in range(replications):
        row = []
        for site in sites:
            inputs = sample_site(demand, site, site_capacity[site], calendar, root, rep)
            journeys += inputs.journeys
            if engine == "fast":
                records = fast.run_site(inputs)
            else:
                records = model.run_site(inputs, float(calendar.day_start[0]))
            row.append(summarise_site(inputs, records, calendar))
        results.append(row)

    coords = {
        "replication": np.arange(replications),
        "year": list(years),
        "month": np.arange(1, 13),
        "site": sites,
        "pod": list(PODS),
        "station": list(STATIONS),
        "resource": list(RESOURCES),
    }
    data_vars = {}
    for name, (extra, units, long_name) in VARIABLES.items():
        # (replication, site, year, extra...) -> (replication, year, month?, site, pod/station?)
        values = np.stack([np.stack([site[name] for site in row]) for row in results])
        values = np.moveaxis(values, 1, 2)
        dims = ["replication", "year", "site"]
        if extra == ("month",):
            values = np.moveaxis(values, 3, 2)
            dims = ["replication", "year", "month", "site"]
        elif extra:
            dims.append(extra[0])
        data_vars[name] = xr.Variable(dims, values, {"units": units, "long_name": long_name})
    used = {d for v in data_vars.values() for d in v.dims}
    return xr.Dataset(
        data_vars,
        coords={k: v for k, v in coords.items() if k in used},
        attrs={
            "seed_entropy": str(root.entropy),
            "seed_spawn_key": str(tuple(root.spawn_key)),
            "replications": replications,
            "warmup_days": float(warmup_days),
            "engine": engine,
            "capacity_by_year": int(len(yearly) > 1),
            "journeys_per_replication": journeys // replications,
            "time_unit": "hours",
        },
    )


def _yearly_capacity(
    capacity: DesCapacity | Sequence[DesCapacity], years: tuple[str, ...]
) -> list[DesCapacity]:
    """One ``DesCapacity`` (the same every year) or one per year, checked."""
    if isinstance(capacity, DesCapacity):
        return [capacity]
    if isinstance(capacity, str | bytes) or not isinstance(capacity, Sequence):
        raise ValueError(
            f"capacity must be a DesCapacity or one per year, got {type(capacity).__name__}"
        )
    yearly = list(capacity)
    if len(yearly) != len(years) or not all(isinstance(c, DesCapacity) for c in yearly):
        raise ValueError(
            f"capacity by year must be {len(years)} DesCapacity (one per year of "
            f"monthly_demand), got {len(yearly)}"
        )
    first = yearly[0]
    for year, held in zip(years[1:], yearly[1:], strict=True):
        for field in dataclasses.fields(DesCapacity):
            if field.name in YEARLY_FIELDS:
                continue
            if getattr(held, field.name) != getattr(first, field.name):
                raise ValueError(
                    f"capacity for {year}: DesCapacity.{field.name} must be the same every "
                    f"year (only {', '.join(YEARLY_FIELDS)} may change), got "
                    f"{getattr(held, field.name)!r} after {getattr(first, field.name)!r}"
                )
    return yearly
