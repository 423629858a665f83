"""Team: the sergeant's home. Pending reviews first, then the team's officers with their abstraction
and unavailability rates (kept apart), what abstraction cost, and the weekly abstraction rate."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from slo.models.enums import label
from slo.reports.overview import TeamOverview, team_periods, team_screen
from slo.tui import bindings
from slo.tui.messages import TeamLoaded
from slo.tui.widgets import DeskFooter, DeskTable
from slo.tui.widgets.charts import Chart, columns, pct
from slo.tui.widgets.job_status import JobStatusLine

from .base import DeskScreen

PENDING_COLUMNS = [
    ("Officer", "officer"), ("Name", "name"), ("From", "from"), ("To", "to"), ("Portion", "portion"),
    ("Category", "category"), ("Requested by", "requested_by"), ("Cancelled", "cancelled"), ("Ref", "ref"),
]
OFFICER_COLUMNS = [
    ("Officer", "collar"), ("Name", "name"), ("Rostered", "rostered"), ("Abstracted", "abstracted"),
    ("Abstraction", "abstraction_rate"), ("Absent", "absent"), ("Unavailability", "unavailability_rate"),
    ("Cancelled (abstr.)", "cancelled"), ("Schools hit", "schools"), ("YP let down", "young_people"),
    ("Pending", "pending"), ("Days by category", "categories"),
]


def categories_text(by_category: dict[str, float]) -> str:
    return ", ".join(f"{label(k)} {v:g}" for k, v in by_category.items() if v) or "–"


class TeamScreen(DeskScreen):
    HELP = (
        "Your team (a sergeant's home; admins and inspectors can look at any team with t). At the top, "
        "the team's abstractions awaiting your review, oldest first: Enter or r opens the review form. "
        "Below, each officer in post in the period: rostered days, abstracted days and the abstraction "
        "rate, absence days and the unavailability rate (kept apart), engagements cancelled by "
        "abstraction, schools affected and young people let down, and days by category. Enter on an "
        "officer opens their figures and what each abstraction cancelled. p changes the period (this "
        "term to date, last 4 weeks, academic year to date). The chart is the team's abstraction rate "
        "week by week over the last 26 weeks. The figures are the continuity report's (metrics.md). "
        "Under the heading, when the scheduled jobs (calendars, digests, report) last ran: ok, LATE "
        "(a run is missing) or FAILED."
    )
    BINDINGS = bindings.TEAM
    CSS_PATH = "team.tcss"

    def __init__(self, team: str | None = None) -> None:
        super().__init__()
        self.team = team
        self.teams: list[tuple[str, str]] = []
        self.period_index = 0
        self.overview: TeamOverview | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="team-heading")
        yield JobStatusLine(id="team-jobs")
        with VerticalScroll(id="team-body"):
            yield Static(Text("Pending reviews", style="bold"), classes="section-title")
            yield DeskTable(PENDING_COLUMNS, id="pending")
            yield Static(Text("Officers", style="bold"), classes="section-title")
            yield DeskTable(OFFICER_COLUMNS, id="officers")
            yield Chart(id="weekly-chart")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Team"

    def _period(self) -> tuple[str, date, date]:
        periods = team_periods(self.desk.today())
        return periods[self.period_index % len(periods)]

    def reload(self) -> None:
        store, actor, team = self.store, self.actor, self.team
        _label, date_from, date_to = self._period()
        self.query_one(JobStatusLine).reload()
        today = self.desk.today()
        self.load("team", lambda: TeamLoaded(*team_screen(store, actor, team, date_from, date_to, as_of=today)))

    def on_team_loaded(self, message: TeamLoaded) -> None:
        self.teams, ov = message.teams, message.overview
        self.overview = ov
        self.team = ov.team
        period_label = self._period()[0]
        t = ov.total
        heading = Text()
        heading.append(ov.team_name, style="bold")
        heading.append(f" ({ov.team})   {period_label}: {ov.date_from} to {ov.date_to}\n")
        heading.append(f"Abstraction rate {pct(t['abstraction_rate'])}", style="bold yellow")
        heading.append(f" ({t['abstracted_days']:g} of {t['rostered_days']:g} rostered days)   ")
        heading.append(f"Unavailability rate {pct(t['unavailability_rate'])}", style="bold")
        heading.append(f" ({t['absence_days']:g} of {t['pattern_days']:g} pattern days)   ")
        heading.append(f"{len(ov.pending)} awaiting review")
        self.query_one("#team-heading", Static).update(heading)
        self.query_one("#pending", DeskTable).replace_rows(
            (p.ref, [p.officer, p.officer_name, p.date_from, p.date_to, label(p.portion), label(p.category),
                     p.requested_by, p.cancelled, p.ref]) for p in ov.pending
        )
        self.query_one("#officers", DeskTable).replace_rows(
            (o.collar, [o.collar, o.name, f"{o.figures['rostered_days']:g}", f"{o.figures['abstracted_days']:g}",
                        pct(o.figures["abstraction_rate"]), f"{o.figures['absence_days']:g}",
                        pct(o.figures["unavailability_rate"]), o.figures["engagements"]["cancelled"]["abstraction"],
                        o.schools_affected, o.young_people_let_down, o.figures["pending_review"],
                        categories_text(o.figures["abstracted_days_by_category"])]) for o in ov.officers
        )
        self.query_one("#weekly-chart", Chart).update_chart(
            "Weekly abstraction rate, last 26 weeks (weeks from " + (ov.weekly[0]["week"] if ov.weekly else "-") + ")",
            columns([w["abstraction_rate"] for w in ov.weekly]),
        )
        pending = self.query_one("#pending", DeskTable)
        if self.focused is None or not isinstance(self.focused, DeskTable):
            (pending if pending.row_count else self.query_one("#officers", DeskTable)).focus()

    # ------------------------------------------------------------------ actions

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "pending":
            self.action_review()
        elif event.data_table.id == "officers":
            self.action_open_officer()

    def action_open_row(self) -> None:
        if self.focused is self.query_one("#pending", DeskTable):
            self.action_review()
        else:
            self.action_open_officer()

    def action_review(self) -> None:
        ref = self.query_one("#pending", DeskTable).current_key
        if ref is None:
            self.notify("No abstraction awaiting review.", markup=False)
            return
        from .forms.review import ReviewForm

        self.desk.open_form(ReviewForm(ref), on_result=self._reviewed)

    def _reviewed(self, key: str | None) -> None:
        if key:
            self.notify(f"Reviewed {key}", markup=False)
        self.reload()

    def action_open_officer(self) -> None:
        collar = self.query_one("#officers", DeskTable).current_key
        if collar:
            self.desk.open_officer(collar)

    def action_period(self) -> None:
        self.period_index += 1
        self.reload()

    def action_next_team(self) -> None:
        if len(self.teams) < 2:
            self.notify("No other team to show.", markup=False)
            return
        refs = [t for t, _n in self.teams]
        self.team = refs[(refs.index(self.team) + 1) % len(refs)] if self.team in refs else refs[0]
        self.reload()
