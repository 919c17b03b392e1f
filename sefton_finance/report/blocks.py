"""HTML blocks of the pack and the Compare page: the headline and the board's tables.

Every piece of text from a result (scenario titles, organisation and intervention
names) is escaped here: a title typed on the what-if page renders as text.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from sefton_finance.headline import Headline, share
from sefton_finance.report.hospital import TOTAL
from sefton_finance.report.tables import money, surplus_table_html


def headline_html(headline: Headline) -> str:
    """The headline: its first sentence in bold, every figure the record's.

    The block carries the year and the best scenario as ``data-`` attributes, so a
    test can find the figures without reading the words.
    """
    first, *rest = headline.parts
    text = f"<strong>{html.escape(first)}</strong>"
    if rest:
        text += " " + html.escape(" ".join(rest))
    return (
        f'<div class="headline" role="note" data-year="{html.escape(headline.year)}" '
        f'data-best="{html.escape(headline.best.scenario)}" '
        f'data-central="{headline.best.central:.6f}"><p>{text}</p></div>'
    )


def wrap(content: str, note: str = "") -> str:
    """One printed block (never split across pages): a table or chart and its note."""
    extra = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<div class="figure">{content}{extra}</div>'


def chances_html(frame: pd.DataFrame) -> str:
    """Chance of breaking even, scenarios (rows) by year, for results with draws."""
    data = frame[frame["draws"] > 1]
    if data.empty:
        return ""
    years = list(dict.fromkeys(data["year"]))
    head = "".join(f'<th scope="col">{html.escape(y)}</th>' for y in years)
    rows = []
    for (scenario, title), part in data.groupby(["scenario", "title"], sort=False):
        draws = int(part["draws"].iloc[0])
        cells = "".join(
            f'<td data-scenario="{html.escape(str(scenario))}" data-year="{html.escape(y)}">'
            f"{html.escape(percent(float(part.loc[part['year'] == y, 'probability'].iloc[0]), draws))}</td>"
            for y in years
        )
        rows.append(
            f'<tr><th scope="row">{html.escape(str(title))} ({draws} draws)</th>{cells}</tr>'
        )
    return (
        '<table class="board-table chances"><caption>Chance of breaking even or better, '
        f'% of draws</caption><thead><tr><th scope="col">Scenario</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def percent(probability: float, draws: int) -> str:
    """A chance as a percentage that never rounds to 0% or 100% unless it is exactly that."""
    if probability <= 0:
        return "0%"
    if probability >= 1:
        return "100%"
    return f"{min(max(round(100 * probability), 1), 99)}%"


def comparator_html(frame: pd.DataFrame, year: str) -> str:
    """Each scenario's difference from the comparator: organisations by year (central run),
    and for ``year`` the P10 to P90 range and the chance of doing better when draws exist."""
    blocks = []
    for (scenario, title, comparator), part in frame.groupby(
        ["scenario", "title", "comparator"], sort=False
    ):
        table = part.pivot(index="organisation", columns="year", values="central")
        table = table.loc[list(dict.fromkeys(part["organisation"]))]
        table.columns.name, table.index.name = None, None
        caption = f"{title} minus {comparator}, GBP m (central run)"
        content = surplus_table_html(
            table,
            str(scenario),
            caption,
            table_class="board-table comparator",
            attributes=("versus", "org", "year"),
        )
        draws = int(part["draws"].iloc[0])
        note = ""
        if draws > 1:
            at = part[part["year"] == year].set_index("organisation")
            rows = "".join(
                f'<tr{" class=system" if i == 0 else ""}><th scope="row">{html.escape(str(org))}</th>'
                f"<td>{money(r.p10)} to {money(r.p90)}</td>"
                f'<td data-versus="{html.escape(str(scenario))}" data-org="{html.escape(str(org))}">'
                f"{html.escape(share(r.probability_better, draws))}</td></tr>"
                for i, (org, r) in enumerate(at.iterrows())
            )
            content += (
                f'<table class="board-table comparator-range"><caption>{html.escape(title)} minus '
                f"{html.escape(str(comparator))} in {html.escape(year)}: range and chance, "
                f'{draws} paired draws</caption><thead><tr><th scope="col">GBP m</th>'
                '<th scope="col">P10 to P90</th><th scope="col">Better off in</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>"
            )
        else:
            note = "A single run: no range or chance of doing better is estimated."
        blocks.append(wrap(content, note))
    return "".join(blocks)


def wrong_pocket_html(frame: pd.DataFrame, scenario: str, title: str) -> str:
    """The wrong-pocket matrix: interventions by organisation, GBP m; with draws each
    cell's tooltip gives its P10 to P90 range."""
    if frame.empty:
        return ""
    notes = None
    if "p10" in frame.attrs:
        p10, p90 = frame.attrs["p10"], frame.attrs["p90"]
        notes = pd.DataFrame(
            {c: [f"P10 to P90: {money(a)} to {money(b)}" for a, b in zip(p10[c], p90[c], strict=True)] for c in frame.columns},
            index=frame.index,
        )  # fmt: skip
    caption = (
        f"{title}: change in each organisation's surplus by intervention on its own, "
        f"{frame.attrs.get('year', '')}, GBP m (central run)"
    )
    return wrap(
        surplus_table_html(
            frame, scenario, caption, corner="Intervention", table_class="board-table wrong-pocket", notes=notes,
            attributes=("pocket", "intervention", "org"),
        ),
        "Rows: interventions; columns: organisations inside Sefton, the system first (their sum).",
    )  # fmt: skip


def savings_html(frame: pd.DataFrame, scenario: str, title: str) -> str:
    """Savings by kind: interventions (on their own, then together) by kind, GBP m."""
    if frame.empty:
        return ""
    caption = f"{title}: savings by kind, {frame.attrs.get('year', '')}, GBP m (central run)"
    return wrap(
        surplus_table_html(
            frame,
            scenario,
            caption,
            corner="Intervention",
            table_class="board-table savings",
            row_class={"All interventions together": "together"},
            attributes=("savings", "intervention", "kind"),
        ),
        "Each intervention on its own, then all together; the rows on their own do not add "
        "up to the together row, since interventions act on the same patients.",
    )


def measure_value(value: float, unit: str) -> str:
    """A hospital measure in its unit: per cent and hours with one and two decimals,
    counts whole."""
    if not math.isfinite(value):
        return "n/a"
    if unit.startswith("%"):
        return f"{value:.1f}%"
    if unit == "hours":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def hospital_html(frame: pd.DataFrame, year: str) -> str:
    """Hospital measures for ``year``, one table per scenario: each site and Sefton's acute
    sites together, the mean over replications and its 95% confidence interval; a capped
    value says so."""
    data = frame[frame["year"] == year]
    blocks = []
    for (scenario, title), part in data.groupby(["scenario", "title"], sort=False):
        sites = [s for s in dict.fromkeys(part["site"]) if s != TOTAL]
        if (part["site"] == TOTAL).any():
            sites.append(TOTAL)
        head = "".join(f'<th scope="col">{html.escape(s)}</th>' for s in sites)
        rows = []
        for (measure, unit), rows_of in part.groupby(["measure", "unit"], sort=False):
            cells = []
            for site in sites:
                hit = rows_of[rows_of["site"] == site]
                if hit.empty:
                    cells.append('<td class="text">per site only</td>')
                    continue
                r = hit.iloc[0]
                shown = measure_value(r.value, unit)
                if math.isfinite(r.lower) and math.isfinite(r.upper) and not r.capped:
                    shown += f" ({measure_value(r.lower, unit)} to {measure_value(r.upper, unit)})"
                css, note = "", ""
                if r.capped:
                    css = ' class="capped"'
                    shown = f"{shown}, capped"
                    note = f' title="{html.escape(r.note)}"'
                cells.append(
                    f'<td{css}{note} data-scenario="{html.escape(str(scenario))}" '
                    f'data-measure="{html.escape(str(measure))}" data-site="{html.escape(site)}">'
                    f"{html.escape(shown)}</td>"
                )
            rows.append(
                f'<tr><th scope="row">{html.escape(str(measure))} ({html.escape(str(unit))})</th>'
                f"{''.join(cells)}</tr>"
            )
        capped = part[part["capped"]]
        note = "Mean over the model's replications (95% confidence interval)."
        if len(capped):
            note += (
                " Capped: the value is the beds open, reached in "
                + "; ".join(f"{r.site}: {r.note.split(':')[0]}" for r in capped.itertuples())
                + "."
            )
        blocks.append(
            wrap(
                f'<table class="board-table hospital" data-scenario="{html.escape(str(scenario))}">'
                f"<caption>{html.escape(str(title))}: hospital capacity and performance, "
                f'{html.escape(year)}</caption><thead><tr><th scope="col">Measure</th>{head}'
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table>",
                note,
            )
        )
    return "".join(blocks)


def des_uncertainty_html(frame: pd.DataFrame) -> str:
    """One table per discrete-event result with draws: each hospital's mean, and how much
    of its spread is the levers' (parameter) and how much the hospital's own randomness
    (stochastic)."""
    blocks = []
    for (scenario, title), part in frame.groupby(["scenario", "title"], sort=False):
        first = part.iloc[0]
        rows = "".join(
            f'<tr><th scope="row">{html.escape(str(r.measure))} ({html.escape(str(r.unit))})'
            f"</th><td class=text>{html.escape(str(r.site))}</td>"
            + "".join(
                f'<td data-uncertainty="{html.escape(str(scenario))}" '
                f'data-measure="{html.escape(str(r.measure))}" data-site="{html.escape(str(r.site))}" '
                f'data-column="{column}">{html.escape(uncertainty_value(getattr(r, column), r.unit))}</td>'
                for column in ("mean", "parameter_sd", "stochastic_sd")
            )
            + "<td>"
            + (f"{r.parameter_share:.0%}" if math.isfinite(r.parameter_share) else "n/a")
            + "</td></tr>"
            for r in part.itertuples()
        )
        blocks.append(
            wrap(
                f'<table class="board-table uncertainty" data-scenario="{html.escape(str(scenario))}">'
                f"<caption>{html.escape(str(title))}, {html.escape(str(first.year))}: "
                f"parameter uncertainty (across {first.draws} draws) and stochastic uncertainty "
                f"(across {first.replications} replications within a draw)</caption>"
                '<thead><tr><th scope="col">Measure</th><th scope="col">Hospital</th>'
                '<th scope="col">Mean</th><th scope="col">Parameter SD</th>'
                '<th scope="col">Stochastic SD</th><th scope="col">Parameter share of variance</th>'
                f"</tr></thead><tbody>{rows}</tbody></table>",
                "Parameter: how the draws' means differ (the levers' intervals; the fan shows "
                "it). Stochastic: how replications of one draw differ (random arrivals and "
                "stays). More replications narrow each draw's mean, not the parameter spread.",
            )
        )
    return "".join(blocks)


def uncertainty_value(value: float, unit: str) -> str:
    """A figure of the uncertainty table in its unit: GBP m with two decimals, beds with
    one, shares as :func:`measure_value` shows them."""
    if not math.isfinite(value):
        return "n/a"
    if unit == "GBP m":
        return f"{value:,.2f}"
    if unit == "beds":
        return f"{value:,.1f}"
    return measure_value(value, unit)
