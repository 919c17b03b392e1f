"""Scenario comparison for boards: two to four scenarios side by side.

Every figure and table comes from :mod:`sefton_finance.report`, the same code
that writes the exported board pack, so the page and the pack never disagree.
The sections are built in a worker process (:mod:`dashboards.jobs`) and cached
per server: the page appears at once, and one session's selection never holds
another session's page.
"""

from __future__ import annotations

import asyncio
import html
import io
import tempfile
from pathlib import Path
from typing import ClassVar

import panel as pn
import param

from dashboards import jobs, store
from dashboards.text import markdown_text
from sefton_finance import report

MAX_SCENARIOS = 4
SETTLE_SECONDS = 0.25
"""How long the page waits after a change of selection before building it."""
DEFAULT_COMPARATOR = "Do nothing (or the result without interventions)"


SECTION_CSS = """
:host {display: block; width: 100%;}
div.board-section {margin: 0 0 4px 0;}
div.board-section h3 {margin: 10px 5px 0 5px;}
div.board-section p.explanation {margin: 0 5px 0 5px; color: #424949;}
div.board-section div.section-html {margin: 5px;}
div.board-section div.section-chart {margin: 5px; width: calc(100% - 10px);}
"""


class BoardSections(pn.custom.JSComponent):
    """Every section of the Compare page drawn in the browser by one component.

    Each section was a column of three or four panes (some 130 bokeh models for four
    scenarios): building them took the server about a second per session and laying
    them out kept the browser busy as long again. Here the browser builds the headings,
    tables and charts itself from the sections' text, so a session sends one model.
    Titles and explanations (which name scenarios any what-if user may title) are set
    as text, never as HTML; the sections' HTML is the board pack's, escaped already.
    """

    sections = param.List(
        default=[],
        item_type=dict,
        doc="The sections from :func:`dashboards.jobs.compare_view`, in reading order.",
    )

    _stylesheets: ClassVar[list[str]] = [SECTION_CSS + report.TABLE_CSS]

    # A chart is drawn when it comes near the screen, one at a time in idle time: a page
    # of four scenarios has some twenty charts, and drawing them all at once kept the
    # browser busy for seconds before the controls at the top answered.
    _esm = """
    const idle = () => new Promise((resolve) =>
      window.requestIdleCallback ? requestIdleCallback(resolve, { timeout: 300 }) : setTimeout(resolve))

    export function render({ model, el }) {
      let observer = null
      let queue = []
      let drawing = false
      const pump = async () => {
        if (drawing) return
        drawing = true
        while (queue.length) {
          const [holder, item] = queue.shift()
          await idle()
          if (!holder.isConnected) continue
          try {
            await Bokeh.embed.embed_item(JSON.parse(item), holder)
          } catch (error) {
            // A new selection replaced the sections while this chart was being drawn
            // (seen under load): there is nothing left to draw it into.
            if (holder.isConnected) throw error
          }
        }
        drawing = false
      }
      const build = () => {
        if (observer) observer.disconnect()
        queue = []
        const charts = new Map()
        observer = new IntersectionObserver((entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting && charts.has(entry.target)) {
              observer.unobserve(entry.target)
              queue.push([entry.target, charts.get(entry.target)])
              charts.delete(entry.target)
            }
          }
          pump()
        }, { rootMargin: '300px 0px' })
        const blocks = []
        for (const section of model.sections) {
          const block = document.createElement('div')
          block.className = 'board-section'
          const heading = document.createElement('h3')
          heading.dataset.section = section.key || ''
          heading.textContent = section.title
          const explanation = document.createElement('p')
          explanation.className = 'explanation'
          explanation.textContent = section.explanation
          block.append(heading, explanation)
          if (section.html) {
            const part = document.createElement('div')
            part.className = 'section-html'
            part.innerHTML = section.html
            block.append(part)
          }
          if (section.item) {
            const holder = document.createElement('div')
            holder.className = 'section-chart'
            holder.style.height = `${(section.height || 320) + 10}px`
            charts.set(holder, section.item)
            block.append(holder)
          }
          blocks.push(block)
        }
        el.replaceChildren(...blocks)
        for (const holder of charts.keys()) observer.observe(holder)
      }
      build()
      model.on('sections', build)
    }
    """


def checks_banner(results) -> pn.pane.Alert:
    """The master balance check of every selected result, as one banner.

    Parameters
    ----------
    results : list of (Path, xarray.Dataset)
        Each result's file (its checks are cached by it) and its dataset.
    """
    failed = [
        markdown_text(f"{report.scenario_title(ds)}: {check.describe()}")
        for path, ds in results
        for check in store.result_checks(path)
        if not check.passed
    ]
    if failed:
        return pn.pane.Alert("**Balance checks FAILED.** " + "; ".join(failed), alert_type="danger")
    return pn.pane.Alert(
        "Balance checks pass: organisations add up to the system and payments between Sefton "
        "organisations cancel out, to the penny.",
        alert_type="success",
    )


def draws_of(ds) -> int:
    """Monte Carlo draws in a result (1 for a single run)."""
    return int(ds.sizes.get("draw", 1))


def result_labels(files: dict[str, Path]) -> dict[str, str]:
    """Chooser labels (label -> file key) for result files, unique even when titles repeat.

    A title shared by two results gets its number of draws and, if that does not tell
    them apart, its file name: a 200-draw "Place plan" and a single-run one are both
    selectable. Labels are HTML-escaped: Choices.js renders them as HTML.
    """
    titles = {key: report.scenario_title(store.load_result(p)) for key, p in files.items()}
    draws = {key: draws_of(store.load_result(p)) for key, p in files.items()}
    labels: dict[str, str] = {}
    for key, title in titles.items():
        twins = [k for k, t in titles.items() if t == title]
        label = title
        if len(twins) > 1:
            runs = f"{draws[key]} draws" if draws[key] > 1 else "single run"
            same_runs = [k for k in twins if draws[k] == draws[key]]
            label = (
                f"{title} ({runs})"
                if len(same_runs) == 1
                else f"{title} ({runs}, {files[key].name})"
            )
        labels[html.escape(label)] = key
    return labels


def common_years(datasets) -> list[str]:
    """The financial years every result has, in order."""
    if not datasets:
        return []
    years = [str(y) for y in datasets[0].year.values]
    for ds in datasets[1:]:
        theirs = {str(y) for y in ds.year.values}
        years = [y for y in years if y in theirs]
    return years


class ScenarioComparison(pn.viewable.Viewer):
    """Pick two to four saved results and compare them; download the board pack."""

    results_dir = param.Path(default=None, check_exists=False, doc="Folder of result files (.nc).")

    def __init__(self, **params):
        super().__init__(**params)
        if self.results_dir is None:
            self.results_dir = str(store.Settings.from_env().results_dir)
        # An unreadable file is named and skipped: it must not take the page down.
        self._files, self._skipped = store.scan_results(Path(self.results_dir))
        names = list(self._files)
        self.choose = pn.widgets.MultiChoice(
            name=f"Scenarios to compare (up to {MAX_SCENARIOS})",
            options=result_labels(self._files),
            value=names[:MAX_SCENARIOS],
            max_items=MAX_SCENARIOS,
            sizing_mode="stretch_width",
        )
        self.year = pn.widgets.Select(
            name="Year for the headline, bridge, activity and locality views", width=320
        )
        self.comparator = pn.widgets.Select(name="Compare against", width=320)
        self.download_html = pn.widgets.FileDownload(
            callback=self._pack_html,
            filename="sefton_board_pack.html",
            label="Download board pack (HTML)",
            button_type="primary",
            width=260,
        )
        self.download_xlsx = pn.widgets.FileDownload(
            callback=self._pack_xlsx,
            filename="sefton_board_pack.xlsx",
            label="Download figures (Excel)",
            width=240,
        )
        self._body = pn.Column(sizing_mode="stretch_width", css_classes=["compare-body"])
        self._generation = 0
        self._follow_selection()
        self.choose.param.watch(self._on_choose, "value")
        self.year.param.watch(self._on_view, "value")
        self.comparator.param.watch(self._on_view, "value")
        self._show()

    # ------------------------------------------------------------------ selection

    def datasets(self, names=None):
        """The selected results, in the order chosen."""
        names = self.choose.value if names is None else names
        return [store.load_result(self._files[name]) for name in names if name in self._files]

    def _follow_selection(self) -> None:
        """Year and comparator choices that the selected results all have.

        The year keeps its value when the new selection has it, else moves to the last
        year they share, so the selector and every heading name the same year.
        """
        datasets = self.datasets()
        years = common_years(datasets)
        value = self.year.value if self.year.value in years else (years[-1] if years else None)
        self.year.param.update(options=years, value=value)
        choices = {DEFAULT_COMPARATOR: ""}
        for name in self.choose.value:
            if name in self._files:
                ds = store.load_result(self._files[name])
                choices.setdefault(report.scenario_title(ds), report.scenario_name(ds))
        kept = self.comparator.value if self.comparator.value in choices.values() else ""
        self.comparator.param.update(options=choices, value=kept)

    def _on_choose(self, *_):
        self._applying = True
        try:
            self._follow_selection()
        finally:
            self._applying = False
        self._show()

    def _on_view(self, *_):
        if not getattr(self, "_applying", False):
            self._show()

    def skipped_alert(self) -> pn.pane.Alert | None:
        """A warning naming each result file that could not be read, and why."""
        if not self._skipped:
            return None
        listed = "; ".join(
            f"{markdown_text(path.name)}: {markdown_text(reason)}"
            for path, reason in self._skipped.items()
        )
        return pn.pane.Alert(
            f"**Skipped {len(self._skipped)} unreadable result file(s).** {listed}",
            alert_type="warning",
            css_classes=["skipped-results"],
        )

    # ------------------------------------------------------------------ drawing

    def _show(self) -> None:
        """Redraw for the current selection: at once from the cache, else when the
        worker has built it (the rest of the page stays usable meanwhile)."""
        self._generation += 1
        generation = self._generation
        names, year = list(self.choose.value), self.year.value
        comparator = self.comparator.value or None
        skipped = [alert] if (alert := self.skipped_alert()) is not None else []
        if not self._files:
            self._body[:] = [
                *skipped,
                pn.pane.Alert(
                    f"No results in {markdown_text(self.results_dir)}. "
                    "Run `sefton-finance run scenarios/*.yaml` first.",
                    alert_type="warning",
                ),
            ]
            return
        datasets = self.datasets(names)
        if not datasets:
            self._body[:] = [
                pn.pane.Alert("Choose at least one scenario to compare.", alert_type="info")
            ]
            return
        paths = [str(self._files[n]) for n in names if n in self._files]
        self._body.loading = True

        async def job() -> None:
            # Clicks come in bursts (remove three scenarios, add two): only the last
            # selection of a burst is built.
            if not jobs.compare_ready(paths, year, comparator):
                await asyncio.sleep(SETTLE_SECONDS)
                if generation != self._generation:
                    return
            try:
                sections = await jobs.compare_sections(paths, year, comparator)
            except Exception as error:  # a result the pack cannot draw: say so, keep the page
                if generation == self._generation:
                    self._body.loading = False
                    self._body[:] = [
                        *skipped,
                        pn.pane.Alert(
                            f"These results cannot be compared: {markdown_text(error)}",
                            alert_type="danger",
                        ),
                    ]
                return
            if generation != self._generation:
                return  # the selection changed meanwhile: its own answer is on its way
            with pn.io.hold():
                self._body[:] = [
                    *skipped,
                    checks_banner(list(zip(paths, datasets, strict=True))),
                    BoardSections(sections=sections, sizing_mode="stretch_width"),
                ]
                self._body.loading = False

        pn.state.execute(job)

    # ------------------------------------------------------------------ downloads

    def _pack(self, suffix: str) -> io.BytesIO:
        options = {"year": self.year.value}
        if self.comparator.value:
            options["comparator"] = self.comparator.value
        with tempfile.TemporaryDirectory() as folder:
            chosen = [
                (self._files[n], store.load_result(self._files[n])) for n in self.choose.value
            ]
            html_path, xlsx = report.write_pack(
                jobs.distinct(chosen), Path(folder) / "sefton_board_pack.html", **options
            )
            return io.BytesIO((html_path if suffix == "html" else xlsx).read_bytes())

    def _pack_html(self) -> io.BytesIO:
        return self._pack("html")

    def _pack_xlsx(self) -> io.BytesIO:
        return self._pack("xlsx")

    def controls(self) -> pn.Column:
        """The selection and export widgets (for a sidebar)."""
        return pn.Column(
            self.choose,
            self.year,
            self.comparator,
            self.download_html,
            self.download_xlsx,
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        return pn.Column(
            pn.Row(self.choose, self.year, self.comparator, sizing_mode="stretch_width"),
            pn.Row(self.download_html, self.download_xlsx),
            self._body,
            sizing_mode="stretch_width",
        )
