"""Dashboard speed in Debian chromium: Compare page, slider redraw, and one session's
heavy work against another's page.

Starts ``sefton-finance serve`` on a free port over four scenarios (the three shipped
ones and the discrete-event place plan, each computed on first start if missing) and
measures:

1. **Compare page, four scenarios, interactive**: from navigation until the headline
   and the organisation tables are shown and the scenario chooser opens on a click.
   The first load after the server starts builds the view (cold); later loads of any
   session find it in the server's cache (warm).
2. **Slider to redraw** on the what-if page: the allocation-growth slider moved one step
   with the keyboard, timed in the page until the displayed position changes, over
   ``--moves`` moves (alternating right and left). Moves to the new position run the
   model; moves back to the base find its run cached on the server, so the two kinds
   are reported apart as well as together (with ten moves the median fell between
   the two groups and moved 30 ms from run to run).
3. **Another session's heavy work**: a second session's Compare page load with nobody
   else busy, then while a first session reruns the what-if page at the longest horizon
   (ten years) over and over. The ratio should stay at or under 1.5.

    .venv/bin/python bench/bench_dashboard.py --moves 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
FIND = """(selector) => {
  const find = (root) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; }
    }
    return null;
  };
  return find(document);
}"""


def start_server(results: Path, scenarios: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "sefton_finance", "serve", "--port", str(port)),
            *("--results", str(results), "--scenarios", str(scenarios), "--no-show"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 900  # the DES result is computed on first start
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the dashboard did not start") from None
            time.sleep(0.5)
    return server, f"http://127.0.0.1:{port}/app"


def compare_interactive(browser, url: str) -> float:
    """Seconds from navigation until the headline and tables show and the chooser opens."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    page.goto(url, timeout=300_000)
    page.locator(".headline").first.wait_for(timeout=300_000)
    page.locator("table.surplus-table").first.wait_for(timeout=300_000)
    page.locator(".choices__input--cloned").click(timeout=300_000)
    page.locator(".choices__list--dropdown.is-active").wait_for(timeout=300_000)
    seconds = time.perf_counter() - started
    tables = page.locator("table.surplus-table").count()
    page.close()
    if tables < 4:
        raise SystemExit(f"the Compare page showed {tables} scenarios, expected 4")
    return seconds


def slider_moves(browser, url: str, moves: int) -> tuple[list[float], list[float]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, timeout=300_000)
    page.get_by_role("tab", name="What-if").click(timeout=300_000)
    final = page.locator(".whatif-final")
    final.wait_for(timeout=300_000)
    handle = page.get_by_role("slider", name="Allocation growth per head, % a year")
    handle.focus()
    times, compute = [], []
    for move in range(moves):
        before = final.get_attribute("data-value")
        started = page.evaluate("() => performance.now()")
        handle.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
        # Poll inside the page so the timing does not include Playwright round trips.
        ended = page.evaluate(
            f"""([before]) => new Promise(resolve => {{
                const find = {FIND};
                const tick = () => {{
                  const el = find('.whatif-final');
                  if (el && el.dataset.value !== before) resolve(performance.now());
                  else requestAnimationFrame(tick);
                }};
                tick();
            }})""",
            [before],
        )
        times.append(ended - started)
        text = page.get_by_text("Recomputed in").inner_text()
        compute.append(float(text.split("Recomputed in ")[1].split(" ms")[0].replace(",", "")))
        print(f"  move {move + 1}: {times[-1]:.0f} ms in the browser ({compute[-1]:.0f} ms run)")
    page.close()
    return times, compute


def heavy_session(browser, url: str):
    """A what-if page at ten years ahead, its allocation-growth slider pressed 30 times:
    30 ten-year runs queued on the server while this returns."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, timeout=300_000)
    page.get_by_role("tab", name="What-if").click(timeout=300_000)
    page.locator(".whatif-final").wait_for(timeout=300_000)
    years = page.get_by_role("slider", name="Years ahead")
    years.focus()
    for _ in range(10):
        years.press("ArrowRight")
    page.locator('.whatif-final[data-year="2029/30"]').wait_for(timeout=300_000)
    growth = page.get_by_role("slider", name="Allocation growth per head, % a year")
    growth.focus()
    for move in range(30):
        growth.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--loads", type=int, default=3, help="warm page loads to time")
    parser.add_argument(
        "--results", type=Path, default=REPO / "results", help="results folder (reused)"
    )
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    scenarios = Path(tempfile.mkdtemp(prefix="sefton-bench-"))
    for name in ("do_nothing", "place_plan", "stretch"):
        shutil.copy(REPO / "scenarios" / f"{name}.yaml", scenarios)
    shutil.copy(REPO / "scenarios" / "des" / "place_plan_des.yaml", scenarios)
    options.results.mkdir(parents=True, exist_ok=True)
    server, url = start_server(options.results, scenarios)
    try:
        urllib.request.urlopen(url, timeout=600).close()  # starts the workers
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            cold = compare_interactive(browser, url)
            warm = [compare_interactive(browser, url) for _ in range(options.loads)]
            print(
                f"Compare page, four scenarios, interactive: first load {cold:.2f} s (builds the view)"
            )
            print(
                f"  later loads: {', '.join(f'{s:.2f}' for s in warm)} s; median {statistics.median(warm):.2f} s"
            )
            times, compute = slider_moves(browser, url, options.moves)
            print(
                f"median slider-to-redraw: {statistics.median(times):.0f} ms "
                f"(model run median {statistics.median(compute):.0f} ms, {options.moves} moves)"
            )
            print(
                f"  moves to the new position (model run): median "
                f"{statistics.median(times[0::2]):.0f} ms; back to the base (cached run): "
                f"median {statistics.median(times[1::2]):.0f} ms"
            )
            alone = statistics.median(
                compare_interactive(browser, url) for _ in range(options.loads)
            )
            busy_page = heavy_session(browser, url)
            busy = statistics.median(
                compare_interactive(browser, url) for _ in range(options.loads)
            )
            busy_page.close()
            print(
                f"second session's Compare page: {alone:.2f} s alone, {busy:.2f} s while another "
                f"session reruns ten-year what-ifs: {busy / alone:.2f}x (target <= 1.5x)"
            )
            browser.close()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(scenarios, ignore_errors=True)


if __name__ == "__main__":
    main()
