"""Time the board pack and measure its size (the figures `make bench` quotes for the pack).

Runs the three shipped scenarios (not timed), then writes the pack (HTML and
workbook) from their results several times: prints the median build time, the
HTML's size and how much of it is bokeh's script, and the workbook's size. The
pack must stay under 2.5 MB (tests/e2e/test_report.py holds it there); this only
reports.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sefton_finance import report
from sefton_finance.api import run_file

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPEATS = 3


def main() -> None:
    datasets = [run_file(SCENARIOS / f"{n}.yaml") for n in ("do_nothing", "place_plan", "stretch")]
    script = sum(len(code.encode("utf-8")) for code in report.bokeh_resources().js_raw)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pack.html"
        report.write_pack(datasets, out)  # warm-up: imports, bokeh bundle, fonts
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            html, xlsx = report.write_pack(datasets, out)
            times.append(time.perf_counter() - start)
        size, book = html.stat().st_size, xlsx.stat().st_size
    years = datasets[0].sizes["year"]
    print(
        f"board pack, 3 shipped scenarios x {years} years: build {statistics.median(times):5.1f} s "
        f"(median of {REPEATS}; HTML and workbook)"
    )
    print(
        f"pack.html: {size / 1e6:5.2f} MB (limit 2.50 MB), of which bokeh's script "
        f"{script / 1e6:4.2f} MB; pack.xlsx: {book / 1e6:5.2f} MB"
    )
    sys.exit(0 if size < 2_500_000 else 1)


if __name__ == "__main__":
    main()
