"""One officer: their continuity figures for a period, their abstractions and what each cancelled."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label
from slo.reports.overview import OfficerOverview, officer_screen, team_periods
from slo.tui import bindings
from slo.tui.messages import OfficerLoaded
from slo.tui.widgets import DeskFooter, DeskTable
from slo.tui.widgets.charts import pct

from .base import DeskScreen

ABSTRACTION_COLUMNS = [
    ("From", "from"), ("To", "to"), ("Portion", "portion"), ("Category", "category"),
    ("Requested by", "requested_by"), ("Review", "review"), ("Cancelled", "cancelled"), ("Ref", "ref"),
]
CANCELLED_COLUMNS = [("When", "when"), ("School", "school"), ("Kind", "kind"), ("1:1", "one_to_one"), ("Ref", "ref")]


def figures_text(ov: OfficerOverview) -> Text:
    out = Text()
    out.append(f"{ov.name} ({ov.collar})", style="bold")
    out.append(f"   team {ov.team or '-'}   {ov.date_from} to {ov.date_to}\n")
    f = ov.figures
    if f is None:
        out.append("Not in post in this period.", style="dim")
        return out
    out.append(f"Pattern days {f['pattern_days']:g}   absence {f['absence_days']:g}   "
               f"rostered {f['rostered_days']:g}   abstracted {f['abstracted_days']:g}\n")
    out.append(f"Abstraction rate {pct(f['abstraction_rate'])}", style="bold yellow")
    out.append("   ")
    out.append(f"Unavailability rate {pct(f['unavailability_rate'])}", style="bold")
    out.append(f"   pending review {f['pending_review']}\n")
    e = f["engagements"]
    cancelled = sum(e["cancelled"].values())
    out.append(f"Engagements {e['total']}: delivered {e['delivered']}, planned {e['planned']}, cancelled "
               f"{cancelled} ({e['cancelled']['abstraction']} for abstraction)   delivery rate "
               f"{pct(f['delivery_rate'])}   abstraction cancellation rate {pct(f['abstraction_cancellation_rate'])}\n")
    out.append(f"Schools affected by abstraction {ov.schools_affected}   young people let down "
               f"{ov.young_people_let_down}\n")
    cats = ", ".join(f"{label(k)} {v:g}" for k, v in f["abstracted_days_by_category"].items() if v)
    out.append("Days by category: " + (cats or "none"))
    return out


class OfficerScreen(DeskScreen):
    HELP = (
        "One officer's continuity figures for the period (the same as the continuity report): pattern, "
        "absence, rostered and abstracted days, abstraction and unavailability rates, engagements and "
        "what was cancelled. Below, their abstractions in the period, newest first; the highlighted "
        "abstraction's cancelled engagements are listed underneath. p changes the period; r reviews the "
        "highlighted abstraction (sergeants)."
    )
    BINDINGS = bindings.OFFICER
    CSS_PATH = "officer.tcss"

    def __init__(self, collar: str) -> None:
        super().__init__()
        self.collar = collar
        self.period_index = 0
        self.overview: OfficerOverview | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="officer-heading")
        with VerticalScroll(id="officer-body"):
            yield Static(Text("Abstractions", style="bold"), classes="section-title")
            yield DeskTable(ABSTRACTION_COLUMNS, id="abstractions")
            yield Static(Text("What it cancelled", style="bold"), classes="section-title")
            yield DeskTable(CANCELLED_COLUMNS, id="cancelled")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = f"Officer {self.collar}"
        self.query_one("#abstractions", DeskTable).focus()

    def _period(self) -> tuple[str, date, date]:
        periods = team_periods(self.desk.today())
        return periods[self.period_index % len(periods)]

    def reload(self) -> None:
        store, actor, collar = self.store, self.actor, self.collar
        _label, date_from, date_to = self._period()
        today = self.desk.today()
        self.load("officer", lambda: OfficerLoaded(
            officer_screen(store, actor, collar, date_from, date_to, as_of=today)))

    def on_officer_loaded(self, message: OfficerLoaded) -> None:
        ov = self.overview = message.overview
        self.title = f"{ov.name} ({ov.collar})"
        heading = Text(self._period()[0] + "   ", style="dim")
        heading.append_text(figures_text(ov))
        self.query_one("#officer-heading", Static).update(heading)
        self.query_one("#abstractions", DeskTable).replace_rows(
            (a.ref, [a.date_from, a.date_to, label(a.portion), label(a.category), a.requested_by,
                     Text(label(a.review_status), style="bold yellow" if a.review_status == "pending" else ""),
                     len(a.cancelled), a.ref]) for a in ov.abstractions
        )
        self.show_cancelled()

    def show_cancelled(self) -> None:
        if self.overview is None:
            return
        ref = self.query_one("#abstractions", DeskTable).current_key
        lines = next((a.cancelled for a in self.overview.abstractions if a.ref == ref), [])
        self.query_one("#cancelled", DeskTable).replace_rows(
            (c.ref, [f"{datetime.fromisoformat(c.starts_at):%a %d %b %Y %H:%M}", c.school_name, label(c.kind),
                     "yes" if c.one_to_one else "", c.ref]) for c in lines
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "abstractions":
            self.show_cancelled()

    def action_period(self) -> None:
        self.period_index += 1
        self.reload()

    def action_review(self) -> None:
        ref = self.query_one("#abstractions", DeskTable).current_key
        if ref:
            from .forms.review import ReviewForm

            self.desk.open_form(ReviewForm(ref), on_result=lambda _key: self.reload())
