"""The board pack: comparison tables and charts, and a self-contained HTML file.

Four layers, so the dashboard (``dashboards/``) and the exported pack show the
same numbers drawn the same way:

1. *Tables* (pandas, GBP m): the system surplus (central run and quantiles of
   draws), the chance of breaking even, surplus by organisation, the comparator
   view, the bridge from do nothing, the wrong-pocket matrix, savings by kind,
   activity shifts, the locality view, hospital capacity and performance
   (:mod:`~sefton_finance.report.hospital`: sites added up, rates weighted).
   They work with or without a Monte Carlo ``draw`` dim.
2. *Blocks* (:mod:`~sefton_finance.report.blocks`): the headline
   (:mod:`sefton_finance.headline`) and the tables as escaped HTML.
3. *Figures* (hvplot / HoloViews): one builder per chart, each with a title that
   names the units and a one-line plain-English explanation (:data:`EXPLAIN`);
   scenario colours come from :mod:`sefton_finance.palette`.
4. *The pack*: :func:`write_pack` renders everything into one HTML file with
   bokeh's core JavaScript inlined (no CDN, so it opens offline and from an e-mail;
   a print stylesheet for A4 landscape) and writes the same tables, for the same
   year, as an Excel workbook beside it (:mod:`~sefton_finance.report.workbook`).

Panel, hvplot, HoloViews and bokeh are imported lazily: the library itself does
not need the dashboard extras to compute results.
"""

from sefton_finance.report.blocks import (
    chances_html,
    comparator_html,
    headline_html,
    hospital_html,
    savings_html,
    wrong_pocket_html,
)
from sefton_finance.report.charts import (
    activity_chart,
    break_even_chart,
    bridge_chart,
    fan_chart,
    locality_chart,
    padded_limits,
    yearly_lines,
)
from sefton_finance.report.hospital import MEASURES, TOTAL, hospital_frame
from sefton_finance.report.pack import (
    PACK_CSS,
    Section,
    bokeh_resources,
    pack_sections,
    render_pack_html,
    write_pack,
)
from sefton_finance.report.tables import (
    DEFICIT_COLOUR,
    EXPLAIN,
    GBP_M,
    INTERVENTION_LABELS,
    KIND_LABELS,
    LOCALITY_LABELS,
    PALETTE,
    POD_LABELS,
    QUANTILES,
    SURPLUS_COLOUR,
    SYSTEM,
    TABLE_CSS,
    TRAVEL_WORDS,
    PackChoice,
    activity_frame,
    break_even_frame,
    bridge_frame,
    choose,
    colour_for,
    common_years,
    comparator_frame,
    distinct_names,
    fan_frame,
    find_reference,
    has_draws,
    intervention_label,
    locality_frame,
    money,
    organisation_table,
    provenance_line,
    quantiles,
    savings_frame,
    scenario_colour,
    scenario_name,
    scenario_title,
    surplus_by_organisation,
    surplus_table_html,
    travel_frame,
    waiting_frame,
    wrong_pocket_frame,
)
from sefton_finance.report.workbook import pack_sheets, pack_tables, write_workbook

performance_frame = hospital_frame
"""The former name of :func:`hospital_frame`."""

__all__ = [
    "DEFICIT_COLOUR",
    "EXPLAIN",
    "GBP_M",
    "INTERVENTION_LABELS",
    "KIND_LABELS",
    "LOCALITY_LABELS",
    "MEASURES",
    "PACK_CSS",
    "PALETTE",
    "POD_LABELS",
    "QUANTILES",
    "SURPLUS_COLOUR",
    "SYSTEM",
    "TABLE_CSS",
    "TOTAL",
    "TRAVEL_WORDS",
    "PackChoice",
    "Section",
    "activity_chart",
    "activity_frame",
    "bokeh_resources",
    "break_even_chart",
    "break_even_frame",
    "bridge_chart",
    "bridge_frame",
    "chances_html",
    "choose",
    "colour_for",
    "common_years",
    "comparator_frame",
    "comparator_html",
    "distinct_names",
    "fan_chart",
    "fan_frame",
    "find_reference",
    "has_draws",
    "headline_html",
    "hospital_frame",
    "hospital_html",
    "intervention_label",
    "locality_chart",
    "locality_frame",
    "money",
    "organisation_table",
    "pack_sections",
    "pack_sheets",
    "pack_tables",
    "padded_limits",
    "performance_frame",
    "provenance_line",
    "quantiles",
    "render_pack_html",
    "savings_frame",
    "savings_html",
    "scenario_colour",
    "scenario_name",
    "scenario_title",
    "surplus_by_organisation",
    "surplus_table_html",
    "travel_frame",
    "waiting_frame",
    "write_pack",
    "write_workbook",
    "wrong_pocket_frame",
    "wrong_pocket_html",
    "yearly_lines",
]
