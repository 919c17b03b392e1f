"""Run every benchmark script under bench/ and print its figures (`make bench`).

Benchmarks measure speed; tests never fail because a machine is slow.

The nested DES Monte Carlo benchmark runs 4 draws by default (about 2.5 minutes on two
cores); its full size, 100 draws (about 26 minutes on one core), runs with
``make bench-long`` (``--long``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = (
    "bench_pipeline.py",
    "bench_montecarlo.py",
    "bench_des.py",
    "bench_des_montecarlo.py",
    "bench_dashboard.py",
)


# Arguments of the short default run; ``--long`` drops them for each script's own defaults.
SHORT = {"bench_des_montecarlo.py": ["--draws", "4"]}


def main() -> int:
    long = "--long" in sys.argv[1:]
    failures = 0
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        extra = [] if long else SHORT.get(script.name, [])
        result = subprocess.run([sys.executable, str(script), *extra], check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
