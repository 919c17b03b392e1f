"""Finish a computed result: the board's derived views, the design's dim order,
organisation names and the provenance every saved result carries."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline
from sefton_finance.baseline.packaged import name_and_label
from sefton_finance.config.scenario import Scenario, scenario_text_hash, scenario_to_yaml
from sefton_finance.results import in_design_order, make_attrs
from sefton_finance.travel import travel_avoided


def stamp(
    ds: xr.Dataset,
    scenario: Scenario,
    baseline: Baseline,
    draws: int,
    scenario_text: str | None = None,
    extra: dict[str, Any] | None = None,
) -> xr.Dataset:
    """Finish a computed result: the derived views, the design's dim order, organisation
    labels, and provenance attributes (every saved result records how it was made).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`sefton_finance.model.run.run_model` (one draw or many).
    scenario : Scenario
    baseline : Baseline
    draws : int
        Monte Carlo draws in ``ds`` (1 for a single run).
    scenario_text : str, optional
        The scenario file's text; default the scenario serialised to YAML.
    extra : dict, optional
        More provenance attributes (e.g. the Monte Carlo conventions).
    """
    text = scenario_to_yaml(scenario) if scenario_text is None else scenario_text
    # What the figures describe goes beside them (the dashboard and the pack read these):
    # a 2019 plan's numbers must never pass for today's.
    baseline_name, baseline_label = name_and_label(baseline.directory)
    ds = in_design_order(ds.merge(derived_views(ds, baseline)))
    ds = label_organisations(ds.assign_coords(scenario=scenario.name), baseline)
    ds.attrs = make_attrs(
        scenario_name=scenario.name,
        scenario_text=text,
        scenario_hash=scenario_text_hash(text),
        baseline_hash=baseline.digest,
        baseline_directory=str(baseline.directory),
        seed=scenario.seed,
        draws=draws,
        capacity_method=scenario.capacity.method,
        extra={
            "baseline_name": baseline_name,
            "baseline_label": baseline_label,
            "baseline_base_year": baseline.base_year,
            "scenario_title": scenario.title or scenario.name,
            "scenario_description": scenario.description,
            **(extra or {}),
        },
    )
    return ds


def label_organisations(ds: xr.Dataset, baseline: Baseline) -> xr.Dataset:
    """The organisation coordinates a reader needs beside the ``org`` codes.

    Which organisations are inside the Sefton system (their surpluses sum to the system's),
    which receive an allocation, what kind of body each is, and their names.
    """
    organisations = baseline.organisations
    return ds.assign_coords(
        in_system=("org", organisations.in_system.copy()),
        # Who receives an allocation: the organisations whose allocation must be a number.
        commissions=(
            "org",
            np.array([code in organisations.commissioners for code in organisations.codes]),
        ),
        # What each body is (commissioner, acute, council...): a council balances by law,
        # so a board also reads the system without it.
        org_kind=("org", list(organisations.kinds)),
        org_name=("org", list(organisations.short_names)),
        org_long_name=("org", list(organisations.long_names)),
    )


def derived_views(ds: xr.Dataset, baseline: Baseline) -> xr.Dataset:
    """Views a board asks for beyond the ledgers: equity by locality, travel and carbon.

    ``locality_cost_change`` values each locality's change in activity at base-year
    unit cost (the resource freed or used, not cash released: that is the ledger's job).
    """
    change = ds["locality_activity_change"]
    cost = (change * baseline.unit_cost).sum("pod")
    views = travel_avoided(change)
    views["locality_cost_change"] = cost.assign_attrs(
        units="GBP (2019/20 prices)",
        long_name="Change in activity valued at unit cost, by locality",
    )
    return views
