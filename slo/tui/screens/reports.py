"""Reports: the continuity report's headline figures for your scope, with charts, and exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, ProgressBar, Static

from slo.models.words import plural
from slo.reports.overview import kept_preview, period_choices, report_preview
from slo.services import Store
from slo.services.actors import Actor
from slo.services.errors import USER_ERRORS
from slo.tui import bindings
from slo.tui.messages import KeptPreviewLoaded, ReportPreviewLoaded
from slo.tui.widgets import DeskFooter
from slo.tui.widgets.charts import Chart, hbars, pct, stacked

from .base import DeskScreen

EXTENSIONS = {"json": "json", "csv": "zip", "md": "md", "html": "html"}


def export_path(exports: Path, date_from: date, date_to: date, fmt: str, evaluation: bool) -> Path:
    name = f"continuity_{date_from}_{date_to}{'_evaluation' if evaluation else ''}.{EXTENSIONS[fmt]}"
    return Path(exports) / "reports" / name


def headline_text(data: dict[str, Any]) -> Text:
    f = data["force"]
    c = data["consultations"]
    e = f["engagements"]
    scope = data["scope"]
    out = Text()
    out.append("Scope: ", style="bold")
    out.append(scope["level"] + (f" {scope['key']}" if scope.get("key") else ""))
    counts = data["counts"]
    out.append(f"   {plural(len(data['officers']), 'officer')}, {plural(counts['schools'], 'school')}, "
               f"{plural(counts['young_people'], 'young person')} with sessions\n")
    out.append(f"Abstraction rate {pct(f['abstraction_rate'])}", style="bold yellow")
    out.append(f" ({f['abstracted_days']:g} of {f['rostered_days']:g} rostered days)   ")
    out.append(f"Unavailability rate {pct(f['unavailability_rate'])}", style="bold")
    out.append(f" ({f['absence_days']:g} of {f['pattern_days']:g} pattern days)   pending reviews "
               f"{f['pending_review']}\n")
    out.append(f"Engagements {e['total']}: delivered {e['delivered']}, cancelled {sum(e['cancelled'].values())} "
               f"({e['cancelled']['abstraction']} by abstraction)   delivery rate {pct(f['delivery_rate'])}   "
               f"abstraction cancellation rate {pct(f['abstraction_cancellation_rate'])}\n")
    out.append(f"Consultations {c['total']}: before decision {c['before_decision']} "
               f"({pct(c['before_decision_rate'])}), after {c['after_decision']}   permanent exclusion avoided "
               f"{pct(c['pex_avoided_rate'])}   ethnicity recorded {pct(c['ethnicity_recorded_rate'])}   "
               f"referrals {c['referrals']['total']} (outcome 22: {c['referrals']['outcome22']})")
    return out


def read_reports(store: Store, actor: Actor, date_from: date, date_to: date, today: date) -> KeptPreviewLoaded:
    """The figures kept for the period (what the screen shows first; counted again after if something
    they are counted from has changed). Runs in a worker."""
    return KeptPreviewLoaded(kept_preview(store, actor, date_from, date_to, as_of=today), date_from, date_to)


#: the period the screen opens on (one of period_choices' keys)
FIRST_PERIOD = "this_term"


def first_period(today: date) -> tuple[date, date]:
    """The dates of the period the screen opens on (what the app reads before pushing it)."""
    _name, date_from, date_to = period_choices(today)[FIRST_PERIOD]
    return date_from, date_to


class ReportsScreen(DeskScreen):
    HELP = (
        "The continuity report (definitions version 2) for your scope: an SLO sees their own figures, a "
        "sergeant their team, admins and inspectors the force. Choose the period with 1 (this term), "
        "2 (last term), 3 (this academic year) or 4 (custom dates: type them and press Enter). Export "
        "with j (json), c (csv, zipped), m (markdown) or h (html, one self-contained file with charts) "
        "into the exports folder's reports/; e switches to the evaluation dataset (pseudonymised, small "
        "numbers suppressed, audited as a disclosure). The figures are counted to today at the latest: the "
        "period line says to which day. The figures last counted are shown at once; if anything they are "
        "counted from has changed since, the period line says when they were counted while they are "
        "counted again. Every export is recorded in the audit log."
    )
    BINDINGS = bindings.REPORTS
    CSS_PATH = "reports.tcss"
    AUTO_FOCUS = None  # keys are the screen's until 4 opens the custom dates

    def __init__(self) -> None:
        super().__init__()
        self.period_key = FIRST_PERIOD
        self.custom: tuple[date, date] | None = None
        self.evaluation = False
        self.exporting = False
        self.last_export: Path | None = None
        #: the day the figures shown are counted to
        self.counted_to: str | None = None
        #: when the figures shown were counted, while they are kept ones being counted again
        self.kept_at: str | None = None

    def compose(self) -> ComposeResult:
        # the custom dates' fields and the export's progress bar are mounted when first wanted (4, an
        # export): two inputs and a progress bar were a third of what opening the screen mounted
        yield Header()
        yield Static(Text(""), id="reports-period")
        yield Horizontal(id="reports-custom")
        with VerticalScroll(id="reports-body"):
            yield Static(Text("Loading…"), id="headline")
            yield Chart(id="chart-officers")
            yield Chart(id="chart-months")
        yield Static(Text(""), id="export-status")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Continuity report"
        if self.actor.role == "evaluator":
            self.evaluation = True

    def period(self) -> tuple[str, date, date]:
        if self.period_key == "custom" and self.custom:
            return ("Custom", *self.custom)
        return period_choices(self.desk.today())[self.period_key if self.period_key != "custom" else FIRST_PERIOD]

    def show_period(self, counted_to: str | None = None) -> None:
        name, a, b = self.period()
        text = Text()
        text.append(f"{name}: {a} to {b}", style="bold")
        if counted_to and counted_to != b.isoformat():
            text.append(f", counted to {counted_to}")
        if self.kept_at:
            day, time = self.kept_at[:10], self.kept_at[11:16]
            when = f"at {time}" if day == self.desk.today().isoformat() else f"on {day} at {time}"
            text.append(f"   figures as counted {when}; counting again…", style="yellow")
        text.append("   exports: ")
        text.append("evaluation dataset (pseudonymised)" if self.evaluation else "named report",
                    style="bold magenta" if self.evaluation else "")
        self.query_one("#reports-period", Static).update(text)

    def reload(self) -> None:
        self.show_period()
        _name, a, b = self.period()
        store, actor = self.store, self.actor
        if actor.role == "evaluator":
            self.query_one("#headline", Static).update(Text(
                "Evaluators receive the evaluation dataset only: export it with j, c, m or h.", style="dim"))
            return
        self.kept_at = None
        self.query_one("#headline", Static).update(Text("Loading…", style="dim"))
        today = self.desk.today()
        # the figures kept from the last opening first (a read of one row), counted again in a second
        # worker only if something they are counted from has changed since (docs/performance.md); the
        # first, this term's, read by the app before it pushed the screen (SloApp.action_reports)
        self.workers.cancel_group(self, "preview-count")
        self.load_first("preview", KeptPreviewLoaded, self.on_kept_preview_loaded,
                        lambda: read_reports(store, actor, a, b, today))

    def on_kept_preview_loaded(self, message: KeptPreviewLoaded) -> None:
        _name, a, b = self.period()
        if (message.date_from, message.date_to) != (a, b):
            return
        kept = message.kept
        if kept is not None:
            self.kept_at = None if kept.current else kept.made_at
            self.show_figures(kept.figures)
            if kept.current:
                return
        store, actor, now = self.store, self.actor, self.desk.now()
        made_at = now.isoformat(sep=" ", timespec="seconds")
        self.load("preview-count", lambda: ReportPreviewLoaded(
            report_preview(store, actor, a, b, as_of=now.date(), made_at=made_at), a, b))

    def on_report_preview_loaded(self, message: ReportPreviewLoaded) -> None:
        _name, a, b = self.period()
        if (message.date_from, message.date_to) != (a, b):
            return
        self.kept_at = None
        self.show_figures(message.figures)

    def show_figures(self, data: dict[str, Any]) -> None:
        self.counted_to = data.get("period", {}).get("counted_to")
        self.show_period(self.counted_to)
        self.query_one("#headline", Static).update(headline_text(data))
        officers = sorted(data["officers"], key=lambda o: -(o["abstraction_rate"] or 0))[:20]
        title = "Abstraction rate by officer" + (" (the 20 highest)" if len(data["officers"]) > 20 else "")
        self.query_one("#chart-officers", Chart).update_chart(
            title, hbars([(o["collar_number"], o["abstraction_rate"]) for o in officers]))
        body = stacked([(m["month"], [m["delivered"], m["cancelled"]]) for m in data["months"]], ["green", "red"])
        self.query_one("#chart-months", Chart).update_chart("Delivered (green) and cancelled (red) by month", body)

    # ------------------------------------------------------------------ actions

    def action_period(self, key: str) -> None:
        if key == self.period_key:
            self.notify(f"{self.period()[0]} is the period shown.", markup=False)
            return
        self.period_key = key
        self.query_one("#reports-custom").remove_class("shown")
        self.reload()

    async def action_custom(self) -> None:
        box = self.query_one("#reports-custom")
        if not box.children:
            await box.mount(Input(placeholder="from YYYY-MM-DD", id="custom-from"),
                            Input(placeholder="to YYYY-MM-DD", id="custom-to"))
        box.add_class("shown")
        for field in box.query(Input):
            field.disabled = False
        self.query_one("#custom-from", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            a = date.fromisoformat(self.query_one("#custom-from", Input).value.strip())
            b = date.fromisoformat(self.query_one("#custom-to", Input).value.strip())
        except ValueError:
            if event.input.id == "custom-from":
                self.query_one("#custom-to", Input).focus()
                return
            self.notify("Dates must be YYYY-MM-DD.", severity="error", markup=False)
            return
        if b < a:
            self.notify("The period must end on or after its first day.", severity="error", markup=False)
            return
        self.custom = (a, b)
        self.period_key = "custom"
        self.set_focus(None)
        self.query_one("#reports-custom").remove_class("shown")
        for field in self.query("#reports-custom Input"):
            field.disabled = True
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``e`` (the evaluation dataset) is shown only to those who may produce it and are not limited
        to it (an SLO may not; an evaluator gets nothing else)."""
        if action == "toggle_evaluation":
            from slo.services.permissions import PERMISSIONS, REPORT_EVALUATION

            role = self.actor.role
            return (role, REPORT_EVALUATION) in PERMISSIONS and role != "evaluator"
        return True

    def action_toggle_evaluation(self) -> None:
        if self.actor.role == "evaluator":
            self.notify("Evaluators receive the evaluation dataset only.", markup=False)
            return
        self.evaluation = not self.evaluation
        self.show_period(self.counted_to)

    async def action_export(self, fmt: str) -> None:
        if self.exporting:
            self.notify("An export is already running.", markup=False)
            return
        if not self.query("#export-progress"):
            await self.mount(ProgressBar(total=3, show_eta=False, id="export-progress"), before="#export-status")
        from slo.reports import build_report, write_report  # the renderers: only when exporting

        _name, a, b = self.period()
        store, actor, evaluation = self.store, self.actor, self.evaluation
        out = export_path(self.desk.exports, a, b, fmt, evaluation)
        bar = self.query_one("#export-progress", ProgressBar)
        status = self.query_one("#export-status", Static)
        bar.update(total=3, progress=0)
        status.update(Text(f"Building the {'evaluation dataset' if evaluation else 'report'}…"))
        self.exporting = True
        app = self.app

        def step(n: int, text: str) -> None:
            app.call_from_thread(bar.update, progress=n)
            app.call_from_thread(status.update, Text(text))

        def job() -> None:
            try:
                report = build_report(store, actor, a, b, evaluation=evaluation, audit_format=fmt)
                step(1, "Writing…")
                path = write_report(report, fmt, out)
                step(2, "Checking…")
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
            self.query_one("#export-status", Static).update(Text(error, style="red"))
            self.notify(error, title="Export failed", severity="error", markup=False)
            return
        self.last_export = path
        self.notify(f"Exported {path}", markup=False)
