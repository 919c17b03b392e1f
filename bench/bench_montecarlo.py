"""Benchmark: the 1,000-draw analytic Monte Carlo run, single runs, and goal-seek on the place plan.

Prints wall-clock seconds (best of a few repeats). Run: ``.venv/bin/python bench/bench_montecarlo.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

from sefton_finance import montecarlo, sensitivity
from sefton_finance.api import run
from sefton_finance.baseline import load_baseline
from sefton_finance.config.loading import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def best(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    baseline = load_baseline()
    print(f"load baseline                      {time.perf_counter() - start:7.3f} s")
    for name in ("do_nothing", "place_plan"):
        scenario = load_scenario(SCENARIOS / f"{name}.yaml")
        print(
            f"single run {name:<12} with bridge {best(lambda scenario=scenario: run(scenario, baseline)):7.3f} s"
        )
        print(
            f"single run {name:<12} no bridge   {best(lambda scenario=scenario: run(scenario, baseline, with_bridge=False)):7.3f} s"
        )
    scenario = load_scenario(SCENARIOS / "place_plan.yaml")
    draws = 1000
    for bridge in (False, True):
        seconds = best(
            lambda bridge=bridge: montecarlo.run_draws(
                scenario, baseline, 0, draws, with_bridge=bridge
            ),
            2,
        )
        label = "with bridge" if bridge else "no bridge"
        print(
            f"{draws} draws x {len(scenario.years) - 1} years place_plan {label:<11} {seconds:7.3f} s"
            f"  ({1000 * seconds / draws:.2f} ms per draw, in one process)"
        )

    # The README's goal-seek (200 draws, a 21-point grid, then two points a round: 29 evaluations).
    for workers in (1, None):
        start = time.perf_counter()
        found = sensitivity.goal_seek(
            scenario,
            baseline,
            levers=["finance.efficiency_delivered"],
            value_range=(0.0, 0.05),
            probability=0.5,
            workers=workers,
        )
        where = "one process" if workers == 1 else f"{montecarlo.default_workers()} processes"
        print(
            f"goal-seek efficiency_delivered 0-5%, 50%  {time.perf_counter() - start:7.3f} s"
            f"  ({found['evaluations']} evaluations, side by side in {where})"
        )


if __name__ == "__main__":
    main()
