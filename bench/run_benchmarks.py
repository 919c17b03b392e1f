"""Run every benchmark script under bench/ and print its figures (`make bench`).

Benchmarks measure speed; tests never fail because a machine is slow.
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


def main() -> int:
    failures = 0
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
