"""One officer: their continuity figures for a period, their abstractions with the sergeant's review
(the challenge, its result and the notes), what each still cancels, and its history. An officer opens
their own (``A`` from anywhere); a sergeant, admin or inspector any officer they may report on."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label
from slo.reports.overview import OfficerOverview, officer_screen, team_periods
from slo.services import Store
from slo.services.actors import Actor
from slo.services.queries.team import AbstractionDetail, ReviewLine, abstraction_detail, officer_abstractions
from slo.tui import bindings
from slo.tui.messages import AbstractionDetailLoaded, OfficerLoaded, TeamAbstractionsLoaded
from slo.tui.widgets import DeskFooter, DeskTable
from slo.tui.widgets.charts import pct

from .base import DeskScreen
from .team import detail_text, review_cell

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


def read_officer(store: Store, actor: Actor, collar: str, date_from: date, date_to: date, today: date) -> OfficerLoaded:
    """The officer's figures, their abstractions in the period and the first one's detail, in one read
    (one message, one frame): what the officer screen shows first. Runs in a worker."""
    overview = officer_screen(store, actor, collar, date_from, date_to, as_of=today)
    lines = officer_abstractions(store, actor, collar, date_from, date_to, today=today)
    detail = abstraction_detail(store, actor, lines[0].ref, today=today) if lines else None
    filters = (collar, date_from.isoformat(), date_to.isoformat())
    return OfficerLoaded(overview, TeamAbstractionsLoaded(lines, filters), detail)


class OfficerScreen(DeskScreen):
    HELP = (
        "One officer's continuity figures for the period (the same as the continuity report): pattern, "
        "absence, rostered and abstracted days, abstraction and unavailability rates, engagements and "
        "what was cancelled. Below, their abstractions in the period, newest first, with the sergeant's "
        "review: pending, accepted, challenged (and to whom), upheld or withdrawn (a withdrawn one was cut "
        "back to the days that happened, or removed). Under them, the highlighted abstraction's notes (the "
        "sergeant's and the result's), what it still cancels and its history; Enter opens it (e corrects it: "
        "before review its officer, after review only the sergeant). p changes the period; "
        "sergeants: r reviews the highlighted abstraction, u records a challenge's result."
    )
    BINDINGS = bindings.OFFICER
    CSS_PATH = "officer.tcss"

    def __init__(self, collar: str) -> None:
        super().__init__()
        self.collar = collar
        self.period_index = 0
        self.overview: OfficerOverview | None = None
        self.lines: list[ReviewLine] = []
        self._detail_ref: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="officer-heading")
        with VerticalScroll(id="officer-body"):
            yield Static(Text("Abstractions", style="bold"), classes="section-title")
            yield DeskTable(ABSTRACTION_COLUMNS, id="abstractions")
            yield Static(Text(""), id="abstraction-detail")
            yield Static(Text("What it cancels", style="bold"), classes="section-title")
            yield DeskTable(CANCELLED_COLUMNS, id="cancelled")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = f"Officer {self.collar}"
        self.query_one("#abstractions", DeskTable).focus()

    def _period(self) -> tuple[str, date, date]:
        periods = team_periods(self.desk.today())
        return periods[self.period_index % len(periods)]

    def _filters(self) -> tuple[str, ...]:
        _label, date_from, date_to = self._period()
        return (self.collar, date_from.isoformat(), date_to.isoformat())

    def reload(self) -> None:
        """The figures, the abstractions and the first one's detail in one read (:func:`read_officer`),
        read by the app before the screen is pushed the first time (:meth:`SloApp.open_officer`)."""
        store, actor, collar = self.store, self.actor, self.collar
        _label, date_from, date_to = self._period()
        today = self.desk.today()
        self.load_first("officer", OfficerLoaded, self.on_officer_loaded,
                        lambda: read_officer(store, actor, collar, date_from, date_to, today))

    def on_officer_loaded(self, message: OfficerLoaded) -> None:
        if message.abstractions.filters != self._filters():
            return  # read for another period (p pressed meanwhile)
        ov = self.overview = message.overview
        self.title = f"{ov.name} ({ov.collar})"
        heading = Text(self._period()[0] + "   ", style="dim")
        heading.append_text(figures_text(ov))
        self.query_one("#officer-heading", Static).update(heading)
        self.show_abstractions(message.abstractions, message.detail)

    def show_abstractions(self, message: TeamAbstractionsLoaded, detail: AbstractionDetail | None) -> None:
        """The officer's abstractions; ``detail``: the first one's, read with them."""
        self.lines = message.lines
        self.query_one("#abstractions", DeskTable).replace_rows(
            (a.ref, [a.date_from, a.date_to, label(a.portion), label(a.category), a.requested_by, review_cell(a),
                     a.cancelled, a.ref]) for a in message.lines
        )
        if not message.lines:
            self.query_one("#abstraction-detail", Static).update(Text("No abstraction in this period.", style="dim"))
            self.query_one("#cancelled", DeskTable).replace_rows([])
        if detail is not None and detail.line.ref == self.query_one("#abstractions", DeskTable).current_key:
            self._detail_ref = detail.line.ref
            self.show_detail(detail)
        else:
            self.load_detail(again=True)

    def load_detail(self, *, again: bool = False) -> None:
        ref = self.query_one("#abstractions", DeskTable).current_key
        if ref is None or (ref == self._detail_ref and not again):
            return
        self._detail_ref = ref
        store, actor, today = self.store, self.actor, self.desk.today()
        self.load("abstraction-detail",
                  lambda: AbstractionDetailLoaded(abstraction_detail(store, actor, ref, today=today)))

    def on_abstraction_detail_loaded(self, message: AbstractionDetailLoaded) -> None:
        if message.detail.line.ref == self.query_one("#abstractions", DeskTable).current_key:
            self.show_detail(message.detail)

    def show_detail(self, detail: AbstractionDetail) -> None:
        self.query_one("#abstraction-detail", Static).update(detail_text(detail))
        self.query_one("#cancelled", DeskTable).replace_rows(
            (c.ref, [f"{datetime.fromisoformat(c.starts_at):%a %d %b %Y %H:%M}", c.school_name, label(c.kind),
                     "yes" if c.one_to_one else "", c.ref]) for c in detail.cancelled
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "abstractions":
            self.load_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value if event.row_key else None
        if key and event.data_table.id == "abstractions":
            self.desk.open_record("abstractions", key)
        elif key and event.data_table.id == "cancelled":
            self.desk.open_record("engagements", key)

    def action_open_record(self) -> None:
        ref = self.query_one("#abstractions", DeskTable).current_key
        if ref:
            self.desk.open_record("abstractions", ref)

    def action_period(self) -> None:
        self.period_index += 1
        self.reload()

    def _current(self) -> ReviewLine | None:
        ref = self.query_one("#abstractions", DeskTable).current_key
        return next((a for a in self.lines if a.ref == ref), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Review and the challenge's result are the sergeant's, of someone else's abstractions."""
        if action in ("review", "result"):
            return self.actor.role == "sergeant" and self.collar != self.actor.collar
        return True

    def action_review(self) -> None:
        line = self._current()
        if line is None or line.removed:
            self.notify("No abstraction is highlighted to review.", markup=False)
            return
        from .forms.review import ReviewForm

        self.desk.open_form(ReviewForm(line.ref), on_result=lambda _key: self.reload())

    def action_result(self) -> None:
        line = self._current()
        if line is None or line.status not in ("challenged", "upheld") or line.removed:
            self.notify("Only a challenged abstraction has a result.", markup=False)
            return
        from .forms.challenge_result import ChallengeResultForm
        from .rebook import RebookScreen

        form = ChallengeResultForm(line.ref)

        def done(key: str | None) -> None:
            self.reload()
            if key and form.outcome is not None and form.outcome.to_rebook:
                self.app.push_screen(RebookScreen(form.outcome.to_rebook), callback=lambda _none: self.reload())

        self.desk.open_form(form, on_result=done)
