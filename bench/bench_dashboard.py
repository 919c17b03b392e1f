"""Slider-to-redraw time of the what-if page, measured in Debian chromium.

Starts ``sefton-finance serve`` on a free port (shipped scenarios, results computed
if missing), opens the what-if page, moves the allocation-growth slider one step
with the keyboard, and times until the displayed deficit changes, over ``--moves``
moves (alternating right and left). Prints each time and the median.

    .venv/bin/python bench/bench_dashboard.py --moves 10
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--results", type=Path, default=REPO / "results")
    parser.add_argument("--scenarios", type=Path, default=REPO / "scenarios")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "sefton_finance", "serve", "--port", str(port)),
            *(
                "--results",
                str(options.results),
                "--scenarios",
                str(options.scenarios),
                "--no-show",
            ),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/app"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the dashboard did not start") from None
                time.sleep(0.25)
        urllib.request.urlopen(url, timeout=300).close()  # warm the shared caches
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=120_000)
            page.locator(".bk-tab", has_text="What-if").click()
            final = page.locator(".whatif-final")
            final.wait_for(timeout=120_000)
            titles = page.locator(".bk-slider-title").all_inner_texts()
            index = next(i for i, t in enumerate(titles) if t.startswith("Allocation growth"))
            handle = page.locator(".noUi-handle").nth(index)
            handle.focus()
            times, compute = [], []
            for move in range(options.moves):
                before = final.get_attribute("data-value")
                started = page.evaluate("() => performance.now()")
                handle.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
                # Poll inside the page so the timing does not include Playwright round trips.
                ended = page.evaluate(
                    """([before]) => new Promise(resolve => {
                        const find = (root) => {
                          const hit = root.querySelector('.whatif-final');
                          if (hit) return hit;
                          for (const el of root.querySelectorAll('*')) {
                            if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; }
                          }
                          return null;
                        };
                        const tick = () => {
                          const el = find(document);
                          if (el && el.dataset.value !== before) resolve(performance.now());
                          else requestAnimationFrame(tick);
                        };
                        tick();
                    })""",
                    [before],
                )
                times.append(ended - started)
                text = page.get_by_text("Recomputed in").inner_text()
                compute.append(
                    float(text.split("Recomputed in ")[1].split(" ms")[0].replace(",", ""))
                )
                print(
                    f"move {move + 1}: {times[-1]:.0f} ms in the browser ({compute[-1]:.0f} ms on the server)"
                )
            browser.close()
        print(
            f"median slider-to-redraw: {statistics.median(times):.0f} ms "
            f"(server compute median {statistics.median(compute):.0f} ms, {options.moves} moves)"
        )
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
