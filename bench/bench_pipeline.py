"""Time one scenario run on the analytic path (the figure `make run` depends on).

Prints the median of several runs for each shipped scenario, with and without
the bridge (one extra evaluation per intervention), and the baseline load time.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario

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
        plain = timed(lambda s=scenario: run(s, baseline, with_bridge=False))
        bridged = timed(lambda s=scenario: run(s, baseline, with_bridge=True))
        print(
            f"{name:12s} one draw: {plain * 1000:8.1f} ms   with bridge "
            f"({len(scenario.interventions)} interventions): {bridged * 1000:8.1f} ms"
        )


if __name__ == "__main__":
    main()
