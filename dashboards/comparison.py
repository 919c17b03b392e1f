"""Scenario comparison for boards: two to four scenarios side by side.

Every figure and table comes from :mod:`sefton_finance.report`, the same code
that writes the exported board pack, so the page and the pack never disagree.
"""

from __future__ import annotations

import html
import io
import tempfile
from pathlib import Path

import panel as pn
import param

from dashboards import store
from dashboards.text import markdown_text
from sefton_finance import report
from sefton_finance.results import balance_checks

MAX_SCENARIOS = 4


def section_view(section: report.Section) -> pn.viewable.Viewable:
    """One titled block: heading, plain-English line, then the chart or the HTML."""
    # Headings name scenarios, whose titles any what-if user types: HTML-escaped text only.
    parts: list = [
        pn.pane.HTML(f"<h3>{html.escape(section.title)}</h3>", margin=(10, 5, 0, 5)),
        pn.pane.HTML(
            f"<p>{html.escape(section.explanation)}</p>",
            margin=(0, 5, 0, 5),
            styles={"color": "#424949"},
        ),
    ]
    if section.figure is not None:
        parts.append(
            pn.pane.HoloViews(section.figure, sizing_mode="stretch_width", linked_axes=False)
        )
    if section.html:
        # HTML panes render in their own shadow root: the table styles must travel with them.
        parts.append(
            pn.pane.HTML(
                f"<style>{report.TABLE_CSS}</style>{section.html}", sizing_mode="stretch_width"
            )
        )
    return pn.Column(*parts, sizing_mode="stretch_width", css_classes=["board-section"])


def checks_banner(datasets) -> pn.pane.Alert:
    """The master balance check of every selected result, as one banner."""
    failed = [
        markdown_text(f"{report.scenario_title(ds)}: {check.describe()}")
        for ds in datasets
        for check in balance_checks(ds)
        if not check.passed
    ]
    if failed:
        return pn.pane.Alert("**Balance checks FAILED.** " + "; ".join(failed), alert_type="danger")
    return pn.pane.Alert(
        "Balance checks pass: organisations add up to the system and payments between Sefton "
        "organisations cancel out, to the penny.",
        alert_type="success",
    )


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
        # Choices.js (the MultiChoice widget) sets each label as innerHTML: escape the titles.
        titles = {
            html.escape(report.scenario_title(store.load_result(p))): n
            for n, p in self._files.items()
        }
        self.choose = pn.widgets.MultiChoice(
            name=f"Scenarios to compare (up to {MAX_SCENARIOS})",
            options=titles,
            value=names[:3],
            max_items=MAX_SCENARIOS,
            sizing_mode="stretch_width",
        )
        years = (
            [str(y) for y in store.load_result(self._files[names[0]]).year.values] if names else []
        )
        self.year = pn.widgets.Select(
            name="Year for the bridge, activity and locality views",
            options=years,
            value=years[-1] if years else None,
            width=320,
        )
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
        self._body = pn.bind(self._render, self.choose.param.value, self.year.param.value)

    def datasets(self, names=None):
        """The selected results, in the order chosen."""
        names = self.choose.value if names is None else names
        return [store.load_result(self._files[name]) for name in names if name in self._files]

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

    def _render(self, names, year):
        skipped = [alert] if (alert := self.skipped_alert()) is not None else []
        if not self._files:
            return pn.Column(
                *skipped,
                pn.pane.Alert(
                    f"No results in {markdown_text(self.results_dir)}. "
                    "Run `sefton-finance run scenarios/*.yaml` first.",
                    alert_type="warning",
                ),
            )
        datasets = self.datasets(names)
        if not datasets:
            return pn.pane.Alert("Choose at least one scenario to compare.", alert_type="info")
        sections = report.pack_sections(datasets, year=year, width=None)
        return pn.Column(
            *skipped,
            checks_banner(datasets),
            *map(section_view, sections),
            sizing_mode="stretch_width",
        )

    def _pack(self, suffix: str) -> io.BytesIO:
        with tempfile.TemporaryDirectory() as folder:
            html, xlsx = report.write_pack(self.datasets(), Path(folder) / "sefton_board_pack.html")
            return io.BytesIO((html if suffix == "html" else xlsx).read_bytes())

    def _pack_html(self) -> io.BytesIO:
        return self._pack("html")

    def _pack_xlsx(self) -> io.BytesIO:
        return self._pack("xlsx")

    def controls(self) -> pn.Column:
        """The selection and export widgets (for a sidebar)."""
        return pn.Column(
            self.choose,
            self.year,
            self.download_html,
            self.download_xlsx,
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        return pn.Column(
            pn.Row(self.choose, self.year, sizing_mode="stretch_width"),
            pn.Row(self.download_html, self.download_xlsx),
            pn.panel(self._body, loading_indicator=True, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
