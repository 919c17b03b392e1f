"""Run scenario files: validate, compute, stamp provenance. No printing, no writing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.codes import ORGANISATION_LABELS
from sefton_finance.pipeline import run
from sefton_finance.results import in_design_order, make_attrs
from sefton_finance.scenario import Scenario, load_scenario, scenario_text_hash, scenario_to_yaml
from sefton_finance.travel import travel_avoided


def run_scenario(
    scenario: Scenario,
    baseline: Baseline | None = None,
    scenario_text: str | None = None,
    with_bridge: bool = True,
) -> xr.Dataset:
    """Run a validated scenario and stamp the result with provenance.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged baseline.
    scenario_text : str, optional
        The file's text as written (recorded and hashed); default: the scenario
        serialised to YAML.
    with_bridge : bool
        Compute the bridge by intervention.
    """
    baseline = load_baseline() if baseline is None else baseline
    ds = run(scenario, baseline, with_bridge=with_bridge)
    return stamp(ds, scenario, baseline, draws=1, scenario_text=scenario_text)


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
        Output of :func:`sefton_finance.pipeline.run` (one draw or many).
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
    ds = in_design_order(ds.merge(derived_views(ds, baseline)))
    ds = ds.assign_coords(
        scenario=scenario.name,
        in_system=(
            "org",
            [bool(baseline.organisations["in_system"].sel(org=o)) for o in ds.org.values],
        ),
        org_name=("org", [ORGANISATION_LABELS.get(str(o), str(o)) for o in ds.org.values]),
        org_long_name=(
            "org",
            [baseline.organisations["long_name"].sel(org=o).item() for o in ds.org.values],
        ),
    )
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
            "scenario_title": scenario.title or scenario.name,
            "scenario_description": scenario.description,
            **(extra or {}),
        },
    )
    return ds


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


def run_file(path: str | Path, baseline: Baseline | None = None) -> xr.Dataset:
    """Validate and run one scenario file.

    Raises
    ------
    ScenarioError
        If the file is not a valid scenario.
    """
    path = Path(path)
    scenario = load_scenario(path)
    return run_scenario(scenario, baseline, scenario_text=path.read_text(encoding="utf-8"))
