"""The dashboard server's shared caches: a base's what-if run and a result's balance checks
are computed once per server, and again only when what they depend on changes."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from dashboards import jobs, store
from sefton_finance.api import run_file
from sefton_finance.results import save
from tests.helpers import SCENARIOS


def _run(coroutine):
    """Await ``coroutine`` on a loop of its own thread: a browser test earlier in the same
    worker process may leave an event loop running in this one (asyncio.run refuses then)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


class CountingPool:
    """Stands in for the worker pool: answers at once and counts the runs asked of it."""

    def __init__(self):
        self.runs = []

    def submit(self, function, scenario_json):
        self.runs.append(scenario_json)
        future = Future()
        future.set_result({"system": [float(len(self.runs))]})
        return future


@pytest.fixture
def pool(monkeypatch):
    counting = CountingPool()
    monkeypatch.setattr(jobs, "pool", lambda: counting)
    monkeypatch.setattr(jobs, "_base_runs", type(jobs._base_runs)())
    return counting


def test_a_base_is_run_once_for_every_session(pool):
    base = {"name": "do_nothing", "horizon": {"years_ahead": 3}}
    first = _run(jobs.run_base(base))
    again = _run(jobs.run_base(dict(base)))  # another session's equal scenario
    assert len(pool.runs) == 1
    assert again is first
    other = _run(jobs.run_base({**base, "horizon": {"years_ahead": 4}}))
    assert len(pool.runs) == 2 and other != first


def test_a_changed_intervention_library_runs_the_base_again(pool, monkeypatch):
    import sefton_finance.interventions as interventions

    base = {"name": "place_plan"}
    _run(jobs.run_base(base))
    monkeypatch.setattr(interventions, "library_fingerprint", lambda: ("a model file changed",))
    _run(jobs.run_base(base))
    assert len(pool.runs) == 2


def test_balance_checks_follow_the_file(tmp_path):
    text = (SCENARIOS / "do_nothing.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "do_nothing.yaml"
    scenario.write_text(text.replace("years_ahead: 5", "years_ahead: 2"), encoding="utf-8")
    ds = run_file(scenario)
    path = tmp_path / "do_nothing.nc"
    save(ds, path)
    assert all(check.passed for check in store.result_checks(path))
    assert store.result_checks(path) is store.result_checks(path)  # cached
    # The same file rewritten with a system that no longer adds up: checked again.
    save(ds.assign(system_surplus=ds["system_surplus"] + 1e6), path, overwrite=True)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not all(check.passed for check in store.result_checks(path))


@pytest.mark.parametrize("file", ["place_plan.yaml", "2024-25/place_plan_2024_25.yaml"])
def test_the_what_if_run_skips_the_stamping_but_not_a_penny(file):
    """The page's run leaves out the Dataset, derived views and provenance (three
    quarters of its time); its organisation table and system line equal the stamped
    result's exactly."""
    from sefton_finance import report
    from sefton_finance.api import run, run_surpluses
    from sefton_finance.config.loading import load_scenario

    scenario = load_scenario(SCENARIOS / file)
    stamped = run(scenario, store.baseline(scenario.baseline), with_bridge=False)
    page = jobs.whatif_run(scenario.model_dump(mode="json"))
    pd.testing.assert_frame_equal(page["table"], report.organisation_table(stamped), rtol=0, atol=0)
    assert page["system"] == [float(v) / report.GBP_M for v in stamped["system_surplus"].values]
    assert page["years"] == [str(y) for y in stamped.year.values]
    arrays = run_surpluses(scenario, store.baseline(scenario.baseline))
    np.testing.assert_array_equal(
        arrays.surplus, stamped["surplus"].transpose("year", "org").values
    )
    np.testing.assert_array_equal(arrays.system_surplus, stamped["system_surplus"].values)
    unstamped = run(scenario, store.baseline(scenario.baseline), stamped=False)
    assert "scenario_hash" not in unstamped.attrs and "locality_cost_change" not in unstamped
    assert list(unstamped["org_name"].values) == list(stamped["org_name"].values)


def test_monte_carlo_draws_are_always_stamped():
    from sefton_finance.api import run
    from sefton_finance.config.loading import load_scenario

    with pytest.raises(ValueError, match="stamped"):
        run(load_scenario(SCENARIOS / "place_plan.yaml"), draws=3, stamped=False)
