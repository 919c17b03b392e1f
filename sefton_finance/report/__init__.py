"""The board pack: comparison tables and charts, and a self-contained HTML file.

Three layers, so the dashboard (``dashboards/``) and the exported pack show the
same numbers drawn the same way:

1. *Tables* (pandas, GBP m): quantiles of the system surplus, probability of
   breaking even, surplus by organisation, the bridge from do-nothing, activity
   shifts by point of delivery, the locality view, capacity and performance.
   They work with or without a Monte Carlo ``draw`` dim: without one the single
   run is both the median and the band, and the probability of breaking even is
   1 or 0.
2. *Figures* (hvplot / HoloViews): one builder per chart, each with a title that
   names the units and a one-line plain-English explanation (:data:`EXPLAIN`).
3. *The pack*: :func:`write_pack` renders everything into one HTML file with all
   JavaScript inlined (no CDN, so it opens offline and from an e-mail) and writes
   the same tables as an Excel workbook beside it.

Panel, hvplot, HoloViews and bokeh are imported lazily: the library itself does
not need the dashboard extras to compute results.
"""

from sefton_finance.report.charts import (
    activity_chart,
    break_even_chart,
    bridge_chart,
    fan_chart,
    locality_chart,
    yearly_lines,
)
from sefton_finance.report.pack import (
    Section,
    pack_sections,
    pack_tables,
    provenance_line,
    render_pack_html,
    write_pack,
)
from sefton_finance.report.tables import (
    DEFICIT_COLOUR,
    DES_VARIABLES,
    EXPLAIN,
    GBP_M,
    INTERVENTION_LABELS,
    LOCALITY_LABELS,
    PALETTE,
    POD_LABELS,
    QUANTILES,
    SURPLUS_COLOUR,
    SYSTEM,
    TABLE_CSS,
    TRAVEL_WORDS,
    activity_frame,
    break_even_frame,
    bridge_frame,
    colour_for,
    fan_frame,
    find_reference,
    intervention_label,
    locality_frame,
    money,
    organisation_table,
    performance_frame,
    quantiles,
    scenario_name,
    scenario_title,
    surplus_table_html,
    travel_frame,
    waiting_frame,
)

__all__ = [
    "DEFICIT_COLOUR",
    "DES_VARIABLES",
    "EXPLAIN",
    "GBP_M",
    "INTERVENTION_LABELS",
    "LOCALITY_LABELS",
    "PALETTE",
    "POD_LABELS",
    "QUANTILES",
    "SURPLUS_COLOUR",
    "SYSTEM",
    "TABLE_CSS",
    "TRAVEL_WORDS",
    "Section",
    "activity_chart",
    "activity_frame",
    "break_even_chart",
    "break_even_frame",
    "bridge_chart",
    "bridge_frame",
    "colour_for",
    "fan_chart",
    "fan_frame",
    "find_reference",
    "intervention_label",
    "locality_chart",
    "locality_frame",
    "money",
    "organisation_table",
    "pack_sections",
    "pack_tables",
    "performance_frame",
    "provenance_line",
    "quantiles",
    "render_pack_html",
    "scenario_name",
    "scenario_title",
    "surplus_table_html",
    "travel_frame",
    "waiting_frame",
    "write_pack",
    "yearly_lines",
]
