"""The what-if page for finance directors: move the main levers, see the deficit move.

Each change rebuilds a :class:`~sefton_finance.config.scenario.Scenario` from the chosen
base scenario and the lever values, and reruns the analytic pipeline (one draw,
no bridge) against the baseline loaded once per server. "Save as scenario"
writes the validated YAML to the scenarios folder and never overwrites a file.
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

import panel as pn
import param

from dashboards import jobs, store
from dashboards.text import markdown_text
from sefton_finance import palette, report
from sefton_finance.config.levers import central
from sefton_finance.config.loading import parse_scenario
from sefton_finance.config.scenario import Scenario, scenario_to_yaml
from sefton_finance.errors import InputError

FOLLOW_UP = ("pifu", "virtual_followup")
"""Outpatient follow-up programmes scaled by the follow-up slider."""
DIVERSIONS = {"utc": "utc_diversion", "pharmacy": "pharmacy_diversion"}
"""A&E diversion schemes whose effect (share of attendances diverted) the sliders set."""
CONTRACT_FORMS = {
    "As today (contracts.csv)": "baseline",
    "Payment by results (activity x tariff)": "pbr",
    "Block": "block",
    "Blended (fixed + variable)": "blended",
    "Whole-system capitated budget": "capitated",
}
NAME = re.compile(r"^[a-z0-9_]+$")
log = logging.getLogger("sefton_finance.dashboard")
TITLE_LENGTH = 120
"""Most characters in a saved scenario's title (it heads charts and tables)."""


def prevention_programmes() -> tuple[str, ...]:
    """Interventions whose mechanism is prevention (scaled together by the prevention slider)."""
    return tuple(
        sorted(n for n, d in store.intervention_library().items() if d.mechanism == "prevent")
    )


def _uses(scenario: Scenario) -> dict[str, dict[str, Any]]:
    return {use.name: dict(use.overrides) for use in scenario.interventions}


def lever_defaults(scenario: Scenario) -> dict[str, Any]:
    """Slider positions that reproduce a scenario exactly."""
    uses = _uses(scenario)
    library = store.intervention_library()

    def intensity(names) -> float:
        present = [float(uses[n].get("intensity", 1.0)) for n in names if n in uses]
        return present[0] if present else 0.0

    def effect_percent(name: str) -> float:
        if name not in uses:
            return 0.0
        effect = uses[name].get("effect", library[name].params.get("effect", 0.0))
        effect = tuple(effect) if isinstance(effect, list) else effect
        scale = float(uses[name].get("intensity", 1.0))
        return round(100.0 * min(central(effect) * scale, 1.0), 2)

    return {
        "follow_up": intensity(FOLLOW_UP),
        "utc": effect_percent(DIVERSIONS["utc"]),
        "pharmacy": effect_percent(DIVERSIONS["pharmacy"]),
        "prevention": intensity(prevention_programmes()),
        "allocation_growth": round(100 * central(scenario.finance.allocation_growth), 2),
        "efficiency": round(100 * central(scenario.finance.efficiency_delivered), 2),
        "contract": scenario.contract.form,
        "risk_share": round(100 * scenario.contract.risk_share),
        "horizon": scenario.horizon.years_ahead,
    }


def build_scenario(
    base: Scenario, levers: dict[str, Any], caps: store.Settings, name: str | None = None
) -> Scenario:
    """The base scenario with the what-if levers applied (validated, frozen).

    A lever that reproduces the base leaves its part of the scenario untouched, so
    the unmoved page equals the base scenario to the penny. Draws and horizon are
    capped: the page always runs one analytic draw.
    """
    defaults = lever_defaults(base)
    uses = _uses(base)
    order = [use.name for use in base.interventions]

    def set_intensity(names, value: float) -> None:
        for n in names:
            if value <= 0:
                uses.pop(n, None)
            elif n in uses:
                uses[n]["intensity"] = value
            else:
                uses[n] = {"intensity": value} if value != 1.0 else {}
                order.append(n)

    if levers["follow_up"] != defaults["follow_up"]:
        set_intensity(FOLLOW_UP, float(levers["follow_up"]))
    if levers["prevention"] != defaults["prevention"]:
        set_intensity(prevention_programmes(), float(levers["prevention"]))
    for key, n in DIVERSIONS.items():
        if levers[key] == defaults[key]:
            continue
        share = float(levers[key]) / 100.0
        if share <= 0:
            uses.pop(n, None)
            continue
        if n not in uses:
            uses[n] = {}
            order.append(n)
        # The slider is the share diverted, so it replaces both the effect and its scaling.
        uses[n]["effect"] = share
        uses[n].pop("intensity", None)

    data = base.model_dump(mode="json", exclude_defaults=True)
    data["name"] = name or base.name
    data["interventions"] = [{"name": n, **uses[n]} for n in dict.fromkeys(order) if n in uses]
    finance = dict(data.get("finance", {}))
    if levers["allocation_growth"] != defaults["allocation_growth"]:
        finance["allocation_growth"] = float(levers["allocation_growth"]) / 100.0
    if levers["efficiency"] != defaults["efficiency"]:
        finance["efficiency_delivered"] = float(levers["efficiency"]) / 100.0
    data["finance"] = finance
    contract = dict(data.get("contract", {}))
    contract["form"] = levers["contract"]
    if levers["contract"] == "blended" and contract.get("variable_share") is None:
        contract["variable_share"] = 0.2  # the 2019/20 blended-payment variable share
    contract["risk_share"] = float(levers["risk_share"]) / 100.0
    data["contract"] = contract
    horizon = dict(data.get("horizon", {}))
    horizon["years_ahead"] = int(min(levers["horizon"], caps.max_horizon))
    data["horizon"] = horizon
    data["draws"] = min(int(data.get("draws", 1)), caps.max_draws)
    capacity = dict(data.get("capacity", {}))
    if "replications" in capacity:
        capacity["replications"] = min(int(capacity["replications"]), caps.max_replications)
    data["capacity"] = capacity
    return Scenario.model_validate(data)


def save_scenario(scenario: Scenario, directory: Path) -> Path:
    """Write a scenario as YAML into ``directory``, refusing to replace an existing file.

    The text is validated by reading it back exactly as ``sefton-finance run`` would.

    Raises
    ------
    FileExistsError
        If ``<name>.yaml`` is already there.
    InputError
        If the written text would not validate.
    """
    text = scenario_to_yaml(scenario)
    parse_scenario(text, source=f"{scenario.name}.yaml")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{scenario.name}.yaml"
    header = "# Saved from the what-if page of the sefton-finance dashboard.\n"
    # Mode "x" creates the file or fails if it exists, atomically: never a silent overwrite.
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(header + text)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def analytic(scenario: Scenario) -> Scenario:
    """The scenario on the analytic capacity model (the what-if page never runs the DES).

    A discrete-event run takes tens of seconds; the page reruns on every lever move.
    """
    if scenario.capacity.method == "analytic":
        return scenario
    data = scenario.model_dump(mode="json")
    data["capacity"]["method"] = "analytic"
    return Scenario.model_validate(data)


def base_labels(titles: dict[str, str]) -> dict[str, str]:
    """Chooser labels for scenario names -> titles; a title two scenarios share gets its name.

    Returns
    -------
    dict
        Label -> scenario name, in the order given.
    """
    counts: dict[str, int] = {}
    for title in titles.values():
        counts[title] = counts.get(title, 0) + 1
    return {(t if counts[t] == 1 else f"{t} ({n}.yaml)"): n for n, t in titles.items()}


LEVERS = (
    "follow_up",
    "utc",
    "pharmacy",
    "prevention",
    "allocation_growth",
    "efficiency",
    "contract",
    "risk_share",
    "horizon",
)
"""The what-if levers, in the order of :func:`lever_defaults`."""


class WhatIf(pn.viewable.Viewer):
    """Levers, the recomputed position, and "save as scenario"."""

    scenarios_dir = param.Path(default=None, check_exists=False, doc="Folder of scenario files.")
    last_seconds = param.Number(default=0.0, doc="Compute time of the last update (seconds).")

    def __init__(self, **params):
        super().__init__(**params)
        self.settings = store.Settings.from_env()
        if self.scenarios_dir is None:
            self.scenarios_dir = str(self.settings.scenarios_dir)
        self._files = store.available_scenarios(Path(self.scenarios_dir))
        # Bokeh's Select writes option labels as text nodes, so titles go in unescaped.
        bases = base_labels(
            {n: store.load_scenario_cached(p).title or n for n, p in self._files.items()}
        )
        first = next(iter(self._files), None)
        self.base = pn.widgets.Select(
            name="Start from scenario", options=bases, value=first, sizing_mode="stretch_width"
        )
        d = lever_defaults(self._base()) if first else lever_defaults(Scenario(name="empty"))
        slider = dict(sizing_mode="stretch_width")
        self.follow_up = pn.widgets.FloatSlider(
            name="Follow-up programmes (PIFU, virtual): scale, 1 = plan",
            start=0, end=3, step=0.25, value=d["follow_up"], **slider,
        )  # fmt: skip
        self.utc = pn.widgets.FloatSlider(
            name="A&E streamed to urgent treatment centre, %",
            start=0, end=15, step=0.5, value=d["utc"], **slider,
        )  # fmt: skip
        self.pharmacy = pn.widgets.FloatSlider(
            name="A&E diverted to community pharmacy, %",
            start=0, end=10, step=0.5, value=d["pharmacy"], **slider,
        )  # fmt: skip
        self.prevention = pn.widgets.FloatSlider(
            name="Prevention spend: scale, 1 = plan",
            start=0,
            end=3,
            step=0.25,
            value=d["prevention"],
            **slider,
        )
        self.allocation_growth = pn.widgets.FloatSlider(
            name="Allocation growth per head, % a year",
            start=0, end=6, step=0.1, value=d["allocation_growth"], format="0.0", **slider,
        )  # fmt: skip
        self.efficiency = pn.widgets.FloatSlider(
            name="Efficiency delivered, % of costs a year",
            start=0, end=5, step=0.1, value=d["efficiency"], format="0.0", **slider,
        )  # fmt: skip
        self.contract = pn.widgets.Select(
            name="Contract form", options=CONTRACT_FORMS, value=d["contract"], **slider
        )
        self.risk_share = pn.widgets.IntSlider(
            name="Commissioners' risk share (capitated), %",
            start=0,
            end=100,
            step=5,
            value=d["risk_share"],
            **slider,
        )
        self.horizon = pn.widgets.IntSlider(
            name="Years ahead",
            start=1,
            end=self.settings.max_horizon,
            value=min(d["horizon"], self.settings.max_horizon),
            **slider,
        )
        self.reset = pn.widgets.Button(name="Reset to the base scenario", width=220)
        self.save_name = pn.widgets.TextInput(
            name="New scenario name (a-z, 0-9, _)", placeholder="my_scenario", **slider
        )
        self.save_title = pn.widgets.TextInput(
            name="Title", placeholder="My scenario", max_length=TITLE_LENGTH, **slider
        )
        self.save_button = pn.widgets.Button(
            name="Save as scenario", button_type="primary", width=220
        )
        self.save_status = pn.pane.Alert(
            "", alert_type="light", visible=False, sizing_mode="stretch_width"
        )
        self.headline = pn.pane.HTML(
            "", sizing_mode="stretch_width", css_classes=["whatif-headline"]
        )
        self.model_note = pn.pane.HTML(
            "", sizing_mode="stretch_width", css_classes=["whatif-model"]
        )
        # A plain bokeh figure whose data sources are replaced in place: building a
        # HoloViews chart per move took ~200 ms on the server; this takes ~1 ms.
        self._sources, figure, self._renderers = _whatif_figure()
        self.chart = pn.pane.Bokeh(figure, sizing_mode="stretch_width", height=340)
        self.table = pn.pane.HTML("", sizing_mode="stretch_width")
        self.error = pn.pane.Alert(
            "", alert_type="danger", visible=False, sizing_mode="stretch_width"
        )
        self.timing = pn.pane.Markdown("", styles={"color": "#566573", "font-size": "11px"})
        self._generation = 0
        """Number of the latest requested run: a run that finishes after a newer one
        was asked for is dropped, so a slow answer never overwrites a newer one."""
        self._applying = False
        """True while a base's values are being put into the widgets (one run at the end)."""
        self._running = False
        """A run of this session is in the workers."""
        self._pending = False
        """The levers moved while it ran: run again with the latest."""

        self.base.param.watch(self._on_base, "value")
        self.reset.on_click(self._on_base)
        self.save_button.on_click(self._on_save)
        # Sliders recompute on release (value_throttled): a drag would otherwise queue a
        # pipeline run for every pixel the handle passes.
        for widget in self._widgets().values():
            name = "value_throttled" if hasattr(widget.param, "value_throttled") else "value"
            widget.param.watch(self._on_lever, name)
        self.contract.param.watch(
            lambda e: setattr(self.risk_share, "disabled", e.new != "capitated"), "value"
        )
        self.risk_share.disabled = self.contract.value != "capitated"
        if first:
            self._show_model_note()
            # The first run is scheduled on the server's event loop once the page exists.
            if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
                pn.state.onload(self._request)
            else:
                pn.state.execute(self._request)

    # ------------------------------------------------------------------ state

    def _base(self) -> Scenario:
        return store.load_scenario_cached(self._files[self.base.value])

    def _widgets(self) -> dict[str, pn.widgets.Widget]:
        return {key: getattr(self, key) for key in LEVERS}

    def levers(self) -> dict[str, Any]:
        """Current lever values, in the units the widgets show."""
        return {key: widget.value for key, widget in self._widgets().items()}

    def scenario(self, name: str | None = None) -> Scenario:
        """The scenario the levers describe."""
        return build_scenario(self._base(), self.levers(), self.settings, name=name)

    def base_levers(self) -> dict[str, Any]:
        """The lever positions that reproduce the base scenario (horizon within the cap)."""
        d = lever_defaults(self._base())
        d["horizon"] = min(d["horizon"], self.settings.max_horizon)
        return d

    def _on_base(self, *_):
        """Put every lever at the base scenario's values, then run once."""
        d = self.base_levers()
        self._applying = True
        try:
            for key, widget in self._widgets().items():
                widget.value = d[key]
                if hasattr(widget.param, "value_throttled"):
                    # value_throttled is read-only to code (the browser sets it on release);
                    # it must follow, or a later move back to the old position would not
                    # count as a change and the page would keep the base's numbers.
                    with param.parameterized.edit_constant(widget):
                        widget.value_throttled = d[key]
        finally:
            self._applying = False
        self._show_model_note()
        if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
            # Queued behind the levers' own updates to the browser: a run started here could
            # draw the base's numbers while the sliders still showed the moved positions.
            pn.state.execute(self._request, schedule=True)
        else:
            self._request()

    def _on_lever(self, *_):
        if not self._applying:
            self._request()

    def _show_model_note(self) -> None:
        """Say which model the page runs, and where a DES base's own results are."""
        base = self._base()
        if base.capacity.method != "des":
            self.model_note.object = ""
            return
        saved = Path(self.settings.results_dir) / f"{self.base.value}.nc"
        text = (
            "<p><b>This base simulates the hospitals with the discrete-event model, which "
            "takes minutes.</b> The what-if page reruns the <b>analytic</b> capacity model "
            "(seconds), so its figures leave out the cost of congestion the discrete-event "
            "run adds."
        )
        if saved.exists():
            try:
                ds = store.load_result(saved)
                year = str(ds.year.values[-1])
                surplus = ds["system_surplus"]
                surplus = surplus.isel(draw=0) if "draw" in surplus.dims else surplus
                value = float(surplus.sel(year=year)) / report.GBP_M
                text += (
                    f" The saved discrete-event result ({html.escape(saved.name)}) puts the "
                    f"system at <span class='whatif-des-saved' data-value='{value:.6f}'>"
                    f"GBP {report.money(value)}m</span> in {html.escape(year)}."
                )
            except Exception:  # an unreadable file is listed on the Compare page
                pass
        self.model_note.object = text + "</p>"

    def _request(self) -> None:
        """Ask for a run of the current levers; the answer arrives without blocking the page.

        A session has at most one run in the workers at a time: moves made meanwhile are
        folded into one run of the latest levers once it finishes, so one session
        pressing a key thirty times cannot fill the pool that every session shares.
        """
        self._generation += 1
        if self._running:
            self._pending = True
            return
        self._running = True

        async def job() -> None:
            try:
                while True:
                    self._pending = False
                    await self._compute(self._generation, self.levers(), self.base.value)
                    if not self._pending:
                        break
            finally:
                self._running = False

        pn.state.execute(job)

    async def _compute(self, generation: int, levers: dict[str, Any], base_name: str) -> None:
        started = time.perf_counter()
        try:
            base = store.load_scenario_cached(self._files[base_name])
            scenario = analytic(build_scenario(base, levers, self.settings))
            years = scenario.horizon.years_ahead
            reference = analytic(
                build_scenario(base, lever_defaults(base) | {"horizon": years}, self.settings)
            )
            # The base's own run at this horizon, computed once per server for each base
            # and horizon (and not twice when the levers are the base's).
            base_run = await jobs.run_base(reference.model_dump(mode="json"))
            if scenario == reference:
                ours = base_run
            else:
                ours = await jobs.run_whatif(scenario.model_dump(mode="json"))
        except (InputError, ValueError) as error:
            if generation == self._generation:
                self.error.object = (
                    f"These levers do not make a valid scenario: {markdown_text(error)}"
                )
                self.error.visible = True
            return
        except Exception as error:  # a worker that died: say so, the next move retries
            log.exception("what-if run failed")
            if generation == self._generation:
                self.error.object = f"The model run failed: {markdown_text(error)}"
                self.error.visible = True
            return
        if generation != self._generation:
            return  # a newer request is on its way: never show these numbers
        self.last_seconds = time.perf_counter() - started
        self._draw(ours, base_run, base)

    def _draw(self, ours: dict[str, Any], reference: dict[str, Any], base: Scenario) -> None:
        years = ours["years"]
        last = years[-1]
        final = ours["system"][-1]
        total = sum(ours["system"])
        base_final = reference["system"][-1]
        word = "deficit" if final < 0 else "surplus"
        delta = final - base_final
        colour = palette.DEFICIT_COLOUR if final < 0 else palette.SURPLUS_COLOUR
        base_title = html.escape(base.title or base.name)
        headline = (
            "<div style='font-size:15px'>System position in "
            f"<b>{last}</b>: <span class='whatif-final' data-value='{final:.6f}' data-year='{last}' "
            f"style='font-size:28px;font-weight:700;color:{colour}'>"
            f"GBP {report.money(final)}m</span> ({word}).<br>"
            f"Change against <i>{base_title}</i>: "
            f"<span class='whatif-delta'>GBP {delta:+,.1f}m</span>. Total over {len(years)} "
            f"years: <span class='whatif-total'>GBP {report.money(total)}m</span>.</div>"
        )
        table = f"<style>{report.TABLE_CSS}</style>" + report.surplus_table_html(
            ours["table"],
            "what_if",
            caption="What-if: surplus (+) / deficit (\u2212) by organisation, GBP m",
        )
        # One message to the browser, headline last: when the headline changes, the chart
        # and table it summarises have changed too.
        with pn.io.hold():
            self.error.visible = False
            # The base keeps its own colour (the one it has on the Compare page).
            for renderer in self._renderers["base"]:
                for attribute in ("line_color", "fill_color"):
                    if hasattr(renderer.glyph, attribute):
                        setattr(renderer.glyph, attribute, palette.scenario_colour(base.name))
            self._sources["base"].data = {"year": years, "surplus": list(reference["system"])}
            self._sources["what_if"].data = {"year": years, "surplus": list(ours["system"])}
            # An invisible point at zero keeps break-even in view when every year is a deficit.
            self._sources["zero"].data = {"year": years[:1], "surplus": [0.0]}
            self.chart.object.x_range.factors = years
            self.table.object = table
            self.timing.object = (
                f"Recomputed in {1000 * self.last_seconds:,.0f} ms (analytic model, one run, "
                "in a worker process)."
            )
            self.headline.object = headline

    def _on_save(self, *_):
        name = self.save_name.value.strip()
        if not NAME.match(name):
            self._status(
                "A scenario name uses lower-case letters, digits and underscores only, e.g. `ae_push`.",
                "warning",
            )
            return
        title = self.save_title.value.strip() or name.replace("_", " ").capitalize()
        if len(title) > TITLE_LENGTH or not title.isprintable():
            self._status(
                f"A title is at most {TITLE_LENGTH} characters on one line, without tabs.",
                "warning",
            )
            return
        try:
            scenario = self.scenario(name=name)
            scenario = scenario.model_copy(
                update={
                    "title": title,
                    "description": f"What-if from {self.base.value}: {self._describe()}",
                }
            )
            path = save_scenario(scenario, Path(self.scenarios_dir))
        except FileExistsError:
            self._status(
                f"{name}.yaml already exists in the scenarios folder: not overwritten. Choose another name.",
                "danger",
            )
            return
        except (InputError, ValueError, OSError) as error:
            self._status(f"Not saved: {markdown_text(error)}", "danger")
            return
        self._status(f"Saved {path.name}. Run it with: sefton-finance run {path}", "success")

    def _describe(self) -> str:
        d = self.levers()
        return (
            f"follow-up programmes x{d['follow_up']}, {d['utc']}% of A&E to the UTC, {d['pharmacy']}% to pharmacy, "
            f"prevention x{d['prevention']}, allocation growth {d['allocation_growth']}%, efficiency "
            f"{d['efficiency']}%, contract {d['contract']}, risk share {d['risk_share']}%"
        )

    def _status(self, text: str, kind: str) -> None:
        # ``text`` is Markdown: anything from the user in it must go through markdown_text.
        self.save_status.param.update(object=text, alert_type=kind, visible=True)

    def yaml_preview(self) -> str:
        """The YAML the current levers would save."""
        return scenario_to_yaml(self.scenario())

    # ------------------------------------------------------------------ layout

    def __panel__(self):
        levers = pn.Column(
            pn.pane.Markdown("#### Levers"),
            self.base,
            self.follow_up,
            self.utc,
            self.pharmacy,
            self.prevention,
            self.allocation_growth,
            self.efficiency,
            self.contract,
            self.risk_share,
            self.horizon,
            self.reset,
            pn.layout.Divider(),
            pn.pane.Markdown("#### Save as scenario"),
            self.save_name,
            self.save_title,
            self.save_button,
            self.save_status,
            width=380,
        )
        results = pn.Column(
            pn.pane.Markdown(
                "### What-if: system surplus (+) / deficit (\u2212), GBP m\n"
                "Move a lever and the whole model reruns (analytic capacity model, central "
                "assumptions, in a worker process so other users' pages stay quick). "
                "The dashed line is break-even."
            ),
            self.error,
            self.model_note,
            self.headline,
            self.chart,
            pn.pane.Markdown(report.EXPLAIN["table"]),
            self.table,
            self.timing,
            sizing_mode="stretch_width",
        )
        return pn.Row(levers, results, sizing_mode="stretch_width")


def _whatif_figure():
    """The what-if chart: base and what-if system surplus by year, with a break-even line."""
    from bokeh.models import ColumnDataSource, HoverTool, Span
    from bokeh.plotting import figure

    sources = {
        name: ColumnDataSource({"year": [], "surplus": []}) for name in ("base", "what_if", "zero")
    }
    chart = figure(
        title="System surplus (+) / deficit (\u2212) by year, GBP m",
        x_range=[],
        height=340,
        sizing_mode="stretch_width",
        toolbar_location=None,
        y_axis_label="GBP m",
        x_axis_label="Financial year",
    )
    renderers = {}
    for name, colour, label in (
        ("base", palette.GREY, "Base scenario"),
        ("what_if", palette.BLACK, "What-if"),
    ):
        dash = "dashed" if name == "what_if" else "solid"
        renderers[name] = [
            chart.line(
                "year", "surplus", source=sources[name], color=colour, line_width=3,
                line_dash=dash, legend_label=label,
            ),
            chart.scatter(
                "year", "surplus", source=sources[name], color=colour, size=7, legend_label=label
            ),
        ]  # fmt: skip
    chart.scatter("year", "surplus", source=sources["zero"], alpha=0)
    chart.add_layout(Span(location=0, dimension="width", line_dash="dashed", line_color="black"))
    chart.add_tools(HoverTool(tooltips=[("year", "@year"), ("GBP m", "@surplus{0,0.0}")]))
    # Beside the plot, not on it: a legend inside sat on the lines.
    legend = chart.legend[0]
    chart.add_layout(legend, "right")
    return sources, chart, renderers
