"""Time one scenario run on the analytic path (the figure `make run` depends on).

Prints the median of several runs for each shipped scenario: the model chain
alone (``run_model``, what the what-if page and each Monte Carlo chunk compute),
and the whole entry point (``api.run``: the chain plus the board views and
provenance stamp a saved result carries), with and without the bridge (one extra
evaluation per intervention); and the baseline load time.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario
from sefton_finance.interventions import resolve_cached
from sefton_finance.model.context import principal_levers
from sefton_finance.model.run import run_model

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPEATS = 5


def timed(function, repeats: int = REPEATS) -> float:
    """Median wall-clock seconds of ``repeats`` calls (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    load = timed(load_baseline)
    baseline = load_baseline()
    print(f"baseline load: {load * 1000:8.1f} ms (median of {REPEATS})")
    for name in ("do_nothing", "place_plan", "stretch"):
        scenario = load_scenario(SCENARIOS / f"{name}.yaml")
        interventions = resolve_cached(scenario)
        levers = principal_levers(scenario, interventions)
        chain = timed(
            lambda s=scenario, i=interventions, v=levers: run_model(s, baseline, v, i, False)
        )
        plain = timed(lambda s=scenario: run(s, baseline, with_bridge=False))
        bridged = timed(lambda s=scenario: run(s, baseline, with_bridge=True))
        print(
            f"{name:12s} model chain: {chain * 1000:6.1f} ms   api.run: {plain * 1000:6.1f} ms   "
            f"with bridge ({len(scenario.interventions)} interventions): {bridged * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
