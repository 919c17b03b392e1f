"""The one entry point: ``run(scenario)`` and ``run_file(path)``.

Every command, the dashboard, the benchmarks and the tests run the model through
here: a single run (draw 0, every lever central), Monte Carlo draws (locally or
on a Dask cluster), or the same chain at lever values given by the caller (the
sensitivity analyses). Compute only: :func:`sefton_finance.results.save` writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from sefton_finance.baseline import Baseline, load_baseline
from sefton_finance.config.loading import read_scenario
from sefton_finance.config.scenario import Scenario
from sefton_finance.errors import ScenarioError
from sefton_finance.interventions import Intervention, resolve_cached
from sefton_finance.model.context import principal_levers
from sefton_finance.model.costing import freed_policy
from sefton_finance.model.draws import Levers
from sefton_finance.model.run import run_chain, run_model
from sefton_finance.montecarlo import correlated_normals, run_monte_carlo, uncertain_levers
from sefton_finance.stamp import label_organisations, stamp


def run(
    scenario: Scenario,
    baseline: Baseline | None = None,
    *,
    draws: int = 1,
    levers: Levers | None = None,
    with_bridge: bool = True,
    scenario_text: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    interventions: Sequence[Intervention] | None = None,
    stamped: bool = True,
) -> xr.Dataset:
    """Run a validated scenario and stamp the result with its provenance.

    Parameters
    ----------
    scenario : Scenario
    baseline : Baseline, optional
        Default: the packaged baseline.
    draws : int
        1 for the principal run; more (or any number on a ``scheduler``) for Monte Carlo
        draws, with a ``draw`` dim (draw 0 is the principal run).
    levers : mapping, optional
        Lever values by the scenario's field paths (numbers, or DataArrays with a
        ``draw`` dim: one variant per draw); default every lever central. Only with
        ``draws=1``.
    with_bridge : bool
        Attribute the change in surplus to each intervention.
    scenario_text : str, optional
        The scenario file's text (recorded and hashed); default the scenario as YAML.
    scheduler, workers, progress
        Monte Carlo execution: a ``dask.distributed`` scheduler address, local worker
        processes, and a ``progress(done, total)`` callback.
    interventions : sequence of Intervention, optional
        The scenario's interventions already resolved (saves re-reading the library).
    stamped : bool
        False returns the ledgers with organisation labels only: no derived views
        (locality, travel, carbon) and no provenance, which took half of a one-draw run.
        For a page that redraws on every move and saves nothing; a result to be saved
        must be stamped. Only with ``draws=1``.

    Returns
    -------
    xarray.Dataset
        Results with the design's dims and provenance attributes.
    """
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    check_base_year(scenario, baseline)
    variants = max(
        [
            draws,
            *(int(v.sizes.get("draw", 1)) for v in (levers or {}).values() if hasattr(v, "sizes")),
        ]
    )
    if variants > draws:
        # Lever variants are evaluated in one call; Monte Carlo draws of a DES scenario
        # each run their own replications (montecarlo.run_monte_carlo).
        check_draws(scenario, variants, what="lever values with a draw dim")
    if draws > 1 or scheduler is not None:
        if not stamped:
            raise ValueError("Monte Carlo draws are always stamped with how they were made")
        if levers is not None:
            raise ValueError("give either lever values or Monte Carlo draws, not both")
        return run_monte_carlo(
            scenario,
            baseline,
            draws,
            scheduler=scheduler,
            workers=workers,
            with_bridge=with_bridge,
            scenario_text=scenario_text,
            progress=progress,
        )
    interventions = resolve_cached(scenario) if interventions is None else interventions
    levers = principal_levers(scenario, interventions) if levers is None else levers
    ds = run_model(scenario, baseline, levers, interventions, with_bridge)
    if not stamped:
        return label_organisations(ds, baseline)
    return stamp(ds, scenario, baseline, draws=1, scenario_text=scenario_text)


@dataclass(frozen=True)
class Surpluses:
    """One central run's surpluses as plain arrays (:func:`run_surpluses`), in GBP."""

    years: list[str]
    surplus: np.ndarray
    """``(year, org)``, the baseline's organisations in order."""
    system_surplus: np.ndarray
    """``(year,)``: the sum over the organisations inside the system."""


def run_surpluses(
    scenario: Scenario,
    baseline: Baseline | None = None,
    *,
    interventions: Sequence[Intervention] | None = None,
) -> Surpluses:
    """The surpluses of :func:`run`'s principal run, with no Dataset, views or provenance.

    The same chain as ``run(scenario, baseline, with_bridge=False)``, to the penny; for
    a page that redraws on every move and reads the ledgers only (building the labelled
    Dataset was most of a one-draw run's remaining time). A result to be saved comes
    from :func:`run`.
    """
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    check_base_year(scenario, baseline)
    interventions = resolve_cached(scenario) if interventions is None else interventions
    levers = principal_levers(scenario, interventions)
    chain = run_chain(scenario, baseline, levers, interventions, with_bridge=False)
    ledger = chain.result.ledger
    return Surpluses(
        years=list(chain.context.years),
        surplus=ledger.surplus[0],
        system_surplus=ledger.system_surplus[0],
    )


def check_base_year(
    scenario: Scenario, baseline: Baseline, source: str | Path = "<scenario>"
) -> None:
    """A scenario starts in its baseline's year: a run never relabels the baseline's figures.

    Raises
    ------
    ScenarioError
        Naming the file, ``horizon.base_year``, its value and the baseline's year.
    """
    if scenario.horizon.base_year != baseline.base_year:
        raise ScenarioError(
            source,
            [
                f"field 'horizon.base_year': the baseline {baseline.directory} describes "
                f"{baseline.base_year}, so the scenario must start there "
                f"(got {scenario.horizon.base_year!r}); later years are projected from it"
            ],
        )


def check_draws(
    scenario: Scenario, draws: int, source: str | Path = "<scenario>", what: str = ""
) -> None:
    """Lever variants evaluated side by side need the analytic path: on DES, more is refused.

    Tornado, sweep and goal-seek evaluate many lever values at once, which the analytic
    path does in one vectorised call; the discrete-event model would need a full set of
    replications per value. Monte Carlo draws are not refused: ``run --draws N`` runs
    each draw's replications (:func:`sefton_finance.montecarlo.run_monte_carlo`).

    Parameters
    ----------
    scenario : Scenario
    draws : int
        Lever variants the caller would run at once.
    source : str or Path
        The file named in the message.
    what : str
        What asked for them, e.g. ``"tornado"``.

    Raises
    ------
    ScenarioError
        Naming the file, ``capacity.method`` and what asked for more than one variant.
    """
    if scenario.capacity.method == "des" and draws > 1:
        raise ScenarioError(
            source,
            [
                f"field 'capacity.method' is 'des', which runs a full set of replications "
                f"for each set of lever values; {what or f'{draws} lever values'} needs "
                f"{draws} evaluated side by side: set capacity.method: analytic for "
                "sensitivity analyses (Monte Carlo draws, run --draws N, work on either path)"
            ],
        )


def check_scenario(
    scenario: Scenario, baseline: Baseline, source: str | Path = "<scenario>"
) -> list[Intervention]:
    """Check what a scenario needs of a baseline; return its interventions, resolved.

    A scenario is valid on its own (:func:`sefton_finance.config.loading.load_scenario`); its
    interventions' payers and deliverers must also be organisations of the baseline
    it runs on.

    Raises
    ------
    ScenarioError
        Naming the file, the field (``interventions[i].payer``) and the value.
    """
    check_base_year(scenario, baseline, source)
    interventions = resolve_cached(scenario)
    organisations = baseline.organisations
    try:
        correlated_normals(scenario, list(uncertain_levers(scenario, interventions)), 1)
    except ValueError as error:
        raise ScenarioError(source, [str(error)]) from None
    contract = scenario.contract
    if contract.budget is not None:
        try:
            organisations.resolve(contract.budget.holder)
        except KeyError as error:
            raise ScenarioError(
                source, [f"field 'contract.budget.holder': {error.args[0]}"]
            ) from None
    for index, pair in enumerate(contract.pairs):
        for field, code, known in (
            ("commissioner", pair.commissioner, organisations.commissioners),
            ("provider", pair.provider, organisations.codes),
        ):
            if code not in known:
                raise ScenarioError(
                    source,
                    [
                        f"field 'contract.pairs[{index}].{field}': unknown {field} {code!r}; "
                        f"known: {', '.join(known)}"
                    ],
                )
    try:
        freed_policy(scenario.capacity.freed, organisations)
    except KeyError as error:
        raise ScenarioError(
            source,
            [f"field 'capacity.freed': {error.args[0]} in the baseline {baseline.directory}"],
        ) from None
    for index, intervention in enumerate(interventions):
        for field in ("payer", "delivered_by"):
            who = getattr(intervention.params, field)
            try:
                organisations.payers(who, {}) if field == "payer" else organisations.deliverer(who)
            except KeyError as error:
                raise ScenarioError(
                    source,
                    [
                        f"field 'interventions[{index}].{field}' ({intervention.name}): "
                        f"{error.args[0]} in the baseline {baseline.directory}"
                    ],
                ) from None
    return list(interventions)


def run_file(path: str | Path, baseline: Baseline | None = None, **options) -> xr.Dataset:
    """Validate and run one scenario file (options as :func:`run`).

    Raises
    ------
    ScenarioError
        If the file is not a valid scenario.
    """
    path = Path(path)
    scenario, text = read_scenario(path)
    baseline = load_baseline(scenario.baseline) if baseline is None else baseline
    interventions = check_scenario(scenario, baseline, path)
    return run(scenario, baseline, scenario_text=text, interventions=interventions, **options)
