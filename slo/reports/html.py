"""The html report: one self-contained file (inline CSS and SVG, no script, no external resource)
that opens with a one-page summary in plain sentences, then charts and tables that fit a 1280 px
screen and an A4 page (long tables scroll inside themselves on screen; a print stylesheet gives
clean pages), then the definitions in words with their formulas.

``html_chunks`` yields the file piece by piece, so a national report is streamed to its file
rather than built as one string. Every value is escaped: user text is data, never markup."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from .evaluation import SUPPRESSED
from .readable import (
    Bars,
    Table,
    charts,
    definition_rows,
    is_count,
    meta_lines,
    num,
    pct,
    summary,
    tables,
    title,
)

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0 auto;padding:1.5em 2em;
color:#1b1b1b;max-width:1200px;line-height:1.45;font-size:15px}
h1{font-size:1.55em;margin:.2em 0 .3em}h2{font-size:1.2em;margin:1.8em 0 .4em;border-bottom:1px solid #ccd;
padding-bottom:.15em}h3{font-size:1.02em;margin:1.3em 0 .3em}
.meta{color:#444;margin:0 0 1em;padding:0;list-style:none;font-size:.92em}
.summary{border:1px solid #ccd;background:#f7f9fc;padding:.6em 1.2em 1em;border-radius:4px}
.summary h3{margin:.8em 0 .15em;font-size:1em}.summary p{margin:0 0 .3em}
.howto{font-size:.9em;color:#333}
.intro{margin:.2em 0 .4em;font-size:.92em;color:#333}
.table-wrap{max-width:100%;overflow-x:auto;margin:.3em 0 1em}
.table-wrap.long{max-height:32em;overflow-y:auto;border:1px solid #dde}
table{border-collapse:collapse;font-size:.86em}
th,td{border:1px solid #c8ccd4;padding:.25em .5em;text-align:right;vertical-align:top}
th{background:#eef2f7;font-weight:600;text-align:center}
.long th{position:sticky;top:0}
td.t,th.t{text-align:left}
td.c{color:#555}td{white-space:nowrap}td.t{white-space:normal}
.of{display:block;font-size:.82em;color:#555}
table.definitions td:nth-child(2){text-align:left;max-width:34em}
table.definitions td:nth-child(3){text-align:left;font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:.92em;color:#333;max-width:24em}
.chart{margin:.3em 0 1.2em;max-width:820px}.chart svg{width:100%;height:auto;display:block}
.legend{font-size:.88em;margin:.2em 0}.legend span{margin-right:1.2em}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
.notes{font-size:.88em;color:#333}
@page{size:A4;margin:14mm 12mm}
@media print{
body{font-size:9pt;padding:0;max-width:none;line-height:1.35}
.meta{margin-bottom:.4em}.summary{padding:.2em .8em .5em}.summary h3{margin-top:.5em}
.summary{page-break-after:always;break-after:page;background:none}
h2{break-after:avoid;page-break-after:avoid}h3{break-after:avoid}
.table-wrap,.table-wrap.long{overflow:visible;max-height:none;border:none}
.long th{position:static}
table{font-size:8pt;width:100%}thead{display:table-header-group}
tr,.chart{break-inside:avoid;page-break-inside:avoid}
.chart{max-width:100%}
a{color:inherit;text-decoration:none}
}
"""

#: a rate cell of ``readable.rate_of``: the percentage, then its counts on a line of their own
_RATE = re.compile(r"^(\S+%|–) \((.+ of .+)\)$")

BLUE, ORANGE, RED, GREY = "#2b6cb0", "#c05621", "#c53030", "#718096"
SERIES_COLOURS = {"before the decision": BLUE, "after the decision": ORANGE, "delivered": BLUE,
                  "cancelled": RED}


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def svg_bars(chart: Bars, *, width: int = 800) -> str:
    """Horizontal bars (stacked when there are two series), labels cut to fit with the whole label in a
    tooltip; a suppressed value ("c") is drawn as no bar and written as c."""
    bar_h, label_w, value_w = 18, 250, 120
    h = bar_h * len(chart.items) + 12
    plot = width - label_w - value_w
    totals = [sum(v for v in vals if is_count(v)) for _l, vals in chart.items]
    top = max(totals + [0.0])
    scale = max(top, 0.05) if chart.percent else max(top, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" width="{width}" height="{h}" '
             f'role="img" aria-label="{esc(chart.title)}"><title>{esc(chart.title)}</title>']
    for i, (name, vals) in enumerate(chart.items):
        y = 6 + i * bar_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
                     f'<title>{esc(name)}</title>{esc(_fit(name, 32))}</text>')
        x = float(label_w)
        for v, series in zip(vals, chart.series, strict=True):
            if is_count(v) and v:
                w = plot * v / scale
                colour = SERIES_COLOURS.get(series, BLUE)
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="{colour}">'
                             f'<title>{esc(series)}: {esc(pct(v) if chart.percent else num(v))}</title></rect>')
                x += w
        shown = " / ".join(pct(v) if chart.percent else num(v) for v in vals)
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 13}" font-size="12" fill="#222">{esc(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_html(chart: Bars) -> str:
    marker = f' data-suppressed="{esc(chart.section)}"' if chart.section else ""
    legend = ""
    if len(chart.series) > 1:
        legend = '<div class="legend">' + "".join(
            f'<span><i class="swatch" style="background:{SERIES_COLOURS.get(s, BLUE)}"></i>{esc(s)}</span>'
            for s in chart.series) + "</div>"
    return (f'<h3>{esc(chart.title)}</h3><p class="intro">{esc(chart.caption)}</p>{legend}'
            f'<div class="chart"{marker}>{svg_bars(chart)}</div>')


def table_chunks(table: Table) -> Iterator[str]:
    marker = f' data-suppressed="{esc(table.section)}"' if table.section else ""
    yield f"<h3>{esc(table.title)}</h3>"
    if table.intro:
        yield f'<p class="intro">{esc(table.intro)}</p>'
    cls = "table-wrap long" if table.long else "table-wrap"
    head = "".join(f'<th class="t">{esc(h)}</th>' if i < table.text_columns else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(table.headers))
    table_class = f' class="{esc(table.extra["class"])}"' if table.extra.get("class") else ""
    yield f'<div class="{cls}"{marker}><table{table_class}><thead><tr>{head}</tr></thead><tbody>'
    batch: list[str] = []
    for row in table.rows:
        cells = []
        for i, cell in enumerate(row):
            if i < table.text_columns:
                cells.append(f'<td class="t">{esc(cell)}</td>')
            elif cell == SUPPRESSED:
                cells.append('<td class="c" title="a count from 1 to 9, suppressed">c</td>')
            else:
                rate = _RATE.match(cell)
                if rate:
                    cells.append(f'<td>{esc(rate[1])}<span class="of">({esc(rate[2])})</span></td>')
                else:
                    cells.append(f"<td>{esc(cell)}</td>")
        batch.append("<tr>" + "".join(cells) + "</tr>")
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    yield "".join(batch) + "</tbody></table></div>"


def html_chunks(report: dict[str, Any]) -> Iterator[str]:
    """The html report, piece by piece."""
    name = title(report)
    evaluation = bool(report.get("evaluation"))
    yield ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "img-src data:\">"
           f"<title>{esc(name)}</title><style>{CSS}</style></head><body>\n")
    yield f"<h1>{esc(name)}</h1>"
    yield '<ul class="meta">' + "".join(f"<li>{esc(line)}</li>" for line in meta_lines(report)) + "</ul>"
    yield '<section class="summary"><h2>Summary</h2>'
    for p in summary(report):
        yield f"<h3>{esc(p.heading)}</h3><p>{esc(p.text)}</p>"
    howto = ("How to read this report: a rate is a share, shown as a percentage with the counts it comes from in "
             "brackets (26.9% (3.5 of 13)); – means there is nothing to divide by. The tables follow; every term "
             "is defined in words, with its formula, at the end.")
    if evaluation:
        howto += (" In this evaluation dataset, c stands for a count from 1 to 9 about children (and for one more "
                  "count where the hidden one could be worked out from a total), so that no child can be "
                  "identified; officers, teams and young people are shown by the first 12 characters of their "
                  "pseudonyms.")
    yield f'<p class="howto">{esc(howto)}</p></section>\n'
    yield "<h2>Charts</h2>"
    for chart in charts(report):
        yield chart_html(chart)
    yield "\n<h2>Tables</h2>"
    for table in tables(report):
        yield from table_chunks(table)
        yield "\n"
    yield f"<h2>Definitions (version {esc(report['definitions_version'])})</h2>"
    yield from table_chunks(Table("What each figure means", ["Figure", "What it means", "Formula"],
                                  definition_rows(), text_columns=3, extra={"class": "definitions"}))
    yield '<h2>Notes on reading the definitions</h2><ul class="notes">'
    yield "".join(f"<li>{esc(n)}</li>" for n in report.get("notes", []))
    yield "</ul>\n</body></html>\n"


def to_html(report: dict[str, Any]) -> str:
    return "".join(html_chunks(report))
