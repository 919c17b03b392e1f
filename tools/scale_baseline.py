"""Write a Cheshire & Merseyside-sized copy of the packaged baseline, for scale tests.

Run from the repository root::

    .venv/bin/python tools/scale_baseline.py build/cheshire_merseyside

By default the population is scaled to about 2.7 million (NHS Cheshire & Merseyside,
DATA.md) and each of the two hospitals the discrete-event model simulates becomes
four trusts (eight in all). ``--population`` and ``--copies`` change them. The result
is deterministic (same arguments, same files) and a SCALE TEST of the software, not a
Cheshire & Merseyside financial baseline: its money, case mix and hospitals are
Sefton's, multiplied (see ``sefton_finance.baseline.scaling``). Run a scenario on it
with ``sefton-finance run SCENARIO --baseline build/cheshire_merseyside``.
"""

from __future__ import annotations

import argparse
import sys

from sefton_finance.baseline import load_baseline
from sefton_finance.baseline.scaling import (
    CHESHIRE_AND_MERSEYSIDE_COPIES,
    CHESHIRE_AND_MERSEYSIDE_POPULATION,
    scale_baseline,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="directory to write (new or empty)")
    parser.add_argument(
        "--population",
        type=float,
        default=CHESHIRE_AND_MERSEYSIDE_POPULATION,
        help="total population wanted (default: 2.7 million)",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=CHESHIRE_AND_MERSEYSIDE_COPIES,
        help="trusts each simulated hospital becomes (default: 4)",
    )
    args = parser.parse_args(argv)
    try:
        target = scale_baseline(args.target, population=args.population, copies=args.copies)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    baseline = load_baseline(target)
    people = float(baseline.population.sum())
    sites = ", ".join(baseline.organisations.des_sites)
    print(f"{target}: {people:,.0f} people; simulated hospitals: {sites} (a scale test)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
