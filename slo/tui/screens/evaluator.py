"""The evaluator's desk: the force-wide evaluation figures (metrics.md definitions version 2) for a
period, read from the evaluation dataset itself (pseudonyms, suppressed counts: nothing the dataset
would not show), in the report's words and with the report's charts; and its exports.

Looking at the figures is the dataset reaching the evaluator, so each load is audited as a
disclosure (format ``desk``), as each export is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, ProgressBar, Static

from slo.reports.overview import period_choices
from slo.services.errors import USER_ERRORS
from slo.tui import bindings
from slo.tui.messages import EvaluationLoaded
from slo.tui.widgets import DeskFooter
from slo.tui.widgets.charts import Chart

from .base import DeskScreen

EXTENSIONS = {"json": "json", "csv": "zip", "md": "md", "html": "html", "package": "zip"}
BAR_WIDTH = 36
LABEL_WIDTH = 24


def export_path(exports: Path, date_from: date, date_to: date, fmt: str) -> Path:
    suffix = "_evaluation_package" if fmt == "package" else "_evaluation"
    return Path(exports) / "reports" / f"continuity_{date_from}_{date_to}{suffix}.{EXTENSIONS[fmt]}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value: Any, percent: bool) -> str:
    if value is None:
        return "–"
    if not _number(value):
        return "c (suppressed)" if value == "c" else str(value)
    return f"{value * 100:.1f}%" if percent else f"{value:g}"


def bars_text(bars: Any) -> Text:
    """One of the report's charts (:class:`slo.reports.readable.Bars`) as terminal bars: a line per
    item, one segment per series (suppressed counts draw nothing and read ``c``)."""
    styles = ["cyan", "magenta", "green", "red"]
    numbers = [sum(v for v in values if _number(v)) for _label, values in bars.items]
    top = max(numbers + [0]) or 1
    out = Text()
    if bars.caption:
        out.append(bars.caption + "\n", style="dim")
    if len(bars.series) > 1:
        for i, name in enumerate(bars.series):
            out.append("█ ", style=styles[i % len(styles)])
            out.append(f"{name}  ", style="dim")
        out.append("\n")
    for i, (label, values) in enumerate(bars.items):
        if i:
            out.append("\n")
        out.append(str(label)[:LABEL_WIDTH].ljust(LABEL_WIDTH) + " ")
        used = 0
        for j, value in enumerate(values):
            if _number(value):
                n = round(BAR_WIDTH * value / top)
                out.append("█" * n, style=styles[j % len(styles)])
                used += n
        out.append(" " * max(0, BAR_WIDTH - used))
        out.append(" " + " / ".join(_shown(v, bars.percent) for v in values))
    return out


def summary_text(report: dict[str, Any]) -> Text:
    """The report's first page: what the dataset covers, then the headline figures in sentences."""
    from slo.reports.readable import meta_lines, summary

    out = Text()
    for line in meta_lines(report):
        out.append(line + "\n", style="dim")
    for paragraph in summary(report):
        out.append("\n" + paragraph.heading + "\n", style="bold")
        out.append(paragraph.text + "\n")
    return out


class EvaluatorScreen(DeskScreen):
    """The evaluation dataset's figures on screen (an evaluator's home)."""

    HELP = (
        "The evaluation dataset for the whole force, on screen: the continuity figures of definitions "
        "version 2 (docs/spec/metrics.md), with officers, teams and young people as pseudonyms, no names, no "
        "officer beside a school, and counts from 1 to 9 about children shown as c (suppressed). It is "
        "exactly what the exports hold: a summary in sentences, then the report's charts. Choose the "
        "period with 1 (this term), 2 (last term), 3 (this academic year) or 4 (custom dates: type them and "
        "press Enter); the figures are counted to today at the latest. Export with j (json), c (csv, "
        "zipped), m (markdown), h (html) or d (a documented data package, .zip) into the exports folder's "
        "reports/. Every look and every export is recorded in the audit log as a disclosure."
    )
    BINDINGS = bindings.EVALUATOR
    CSS_PATH = "evaluator.tcss"
    AUTO_FOCUS = None

    def __init__(self) -> None:
        super().__init__()
        self.period_key = "this_term"
        self.custom: tuple[date, date] | None = None
        self.exporting = False
        self.report: dict[str, Any] | None = None
        self.last_export: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(""), id="eval-period")
        with Horizontal(id="eval-custom"):
            yield Input(placeholder="from YYYY-MM-DD", id="eval-from")
            yield Input(placeholder="to YYYY-MM-DD", id="eval-to")
        with VerticalScroll(id="eval-body"):
            yield Static(Text("Loading…", style="dim"), id="eval-summary")
            for i in range(4):
                yield Chart(id=f"eval-chart-{i}")
        yield ProgressBar(total=3, show_eta=False, id="eval-progress")
        yield Static(Text(""), id="eval-status")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Evaluation dataset"
        for box in self.query("#eval-custom Input"):
            box.disabled = True

    def period(self) -> tuple[str, date, date]:
        if self.period_key == "custom" and self.custom:
            return ("Custom", *self.custom)
        return period_choices(self.desk.today())[self.period_key if self.period_key != "custom" else "this_term"]

    def show_period(self, counted_to: str | None = None) -> None:
        name, a, b = self.period()
        text = Text()
        text.append(f"{name}: {a} to {b}", style="bold")
        if counted_to and counted_to != b.isoformat():
            text.append(f", counted to {counted_to}")
        text.append("   the whole force, evaluation dataset (pseudonymised, small numbers suppressed)",
                    style="bold magenta")
        self.query_one("#eval-period", Static).update(text)

    def reload(self) -> None:
        from slo.reports import build_report

        self.show_period()
        _name, a, b = self.period()
        store, actor, today = self.store, self.actor, self.desk.today()
        self.query_one("#eval-summary", Static).update(Text("Building the evaluation dataset…", style="dim"))
        self.load("evaluation", lambda: EvaluationLoaded(
            build_report(store, actor, a, b, evaluation=True, audit_format="desk", as_of=today), a, b))

    def on_evaluation_loaded(self, message: EvaluationLoaded) -> None:
        from slo.reports.readable import charts

        _name, a, b = self.period()
        if (message.date_from, message.date_to) != (a, b):
            return
        report = self.report = message.report
        self.show_period(report["period"].get("counted_to"))
        self.query_one("#eval-summary", Static).update(summary_text(report))
        for i, bars in enumerate(charts(report)[:4]):
            self.query_one(f"#eval-chart-{i}", Chart).update_chart(bars.title, bars_text(bars))

    # ------------------------------------------------------------------ period

    def action_period(self, key: str) -> None:
        if key == self.period_key:
            self.notify("That is the period shown.", markup=False)
            return
        self.period_key = key
        self.query_one("#eval-custom").remove_class("shown")
        self.reload()

    def action_custom(self) -> None:
        box = self.query_one("#eval-custom")
        box.add_class("shown")
        for field in box.query(Input):
            field.disabled = False
        self.query_one("#eval-from", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            a = date.fromisoformat(self.query_one("#eval-from", Input).value.strip())
            b = date.fromisoformat(self.query_one("#eval-to", Input).value.strip())
        except ValueError:
            if event.input.id == "eval-from":
                self.query_one("#eval-to", Input).focus()
                return
            self.notify("Dates must be YYYY-MM-DD.", severity="error", markup=False)
            return
        if b < a:
            self.notify("The period must end on or after its first day.", severity="error", markup=False)
            return
        if a > self.desk.today():
            self.notify("The period starts after today: nothing in it has happened yet.", severity="error",
                        markup=False)
            return
        self.custom = (a, b)
        self.period_key = "custom"
        self.set_focus(None)
        self.query_one("#eval-custom").remove_class("shown")
        for field in self.query("#eval-custom Input"):
            field.disabled = True
        self.reload()

    # ------------------------------------------------------------------ exports

    def action_export(self, fmt: str) -> None:
        if self.exporting:
            self.notify("An export is already running.", markup=False)
            return
        from slo.reports import build_report, write_report

        _name, a, b = self.period()
        store, actor, today = self.store, self.actor, self.desk.today()
        out = export_path(self.desk.exports, a, b, fmt)
        bar = self.query_one("#eval-progress", ProgressBar)
        status = self.query_one("#eval-status", Static)
        bar.update(total=3, progress=0)
        status.update(Text("Building the evaluation dataset…"))
        self.exporting = True
        app = self.app

        def step(n: int, text: str) -> None:
            app.call_from_thread(bar.update, progress=n)
            app.call_from_thread(status.update, Text(text))

        def job() -> None:
            try:
                report = build_report(store, actor, a, b, evaluation=True, audit_format=fmt, as_of=today)
                step(1, "Writing…")
                path = write_report(report, fmt, out)
                size = path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.iterdir())
                step(3, f"Wrote {path} ({size:,} bytes)")
                app.call_from_thread(self._exported, path, None)
            except USER_ERRORS as exc:
                app.call_from_thread(self._exported, None, str(exc))
            except OSError as exc:
                app.call_from_thread(self._exported, None, f"could not write {out}: {exc.strerror or exc}")

        self.run_worker(job, name="export", group="export", thread=True, exclusive=True)

    def _exported(self, path: Path | None, error: str | None) -> None:
        self.exporting = False
        if error:
            self.query_one("#eval-status", Static).update(Text(error, style="red"))
            self.notify(error, title="Export failed", severity="error", markup=False)
            return
        self.last_export = path
        self.notify(f"Exported {path}", markup=False)
