"""Team: the sergeant's home. Every abstraction of the period with its review state (what awaits
the sergeant first), the highlighted one's notes and history, who takes the officers, then the
team's officers with their abstraction and unavailability rates (kept apart), what abstraction cost,
and the weekly abstraction rate."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Header, Input, Static

from slo.models.enums import label
from slo.reports.overview import TeamOverview, team_periods, team_screen, team_weekly
from slo.services import Store
from slo.services.actors import Actor
from slo.services.queries.team import (
    STATUS_FILTERS,
    AbstractionDetail,
    ReviewLine,
    abstraction_detail,
    team_abstractions,
    when,
)
from slo.tui import bindings
from slo.tui.messages import AbstractionDetailLoaded, TeamAbstractionsLoaded, TeamLoaded, TeamWeeklyLoaded
from slo.tui.widgets import DeskFooter, DeskTable, FilterInput
from slo.tui.widgets.charts import Chart, columns, pct
from slo.tui.widgets.job_status import JobStatusLine

from .base import DeskScreen

ABSTRACTION_COLUMNS = [
    ("Officer", "officer"), ("Name", "name"), ("Days", "days"), ("Portion", "portion"), ("Category", "category"),
    ("Requested by", "requested_by"), ("Review", "review"), ("Cancelled", "cancelled"), ("Ref", "ref"),
]
REQUESTER_COLUMNS = [
    ("Requested by", "requested_by"), ("Abstractions", "abstractions"), ("Days taken", "days"),
    ("Share of days", "share"), ("Sessions cancelled", "cancelled"), ("Days by category", "categories"),
]
OFFICER_COLUMNS = [
    ("Officer", "collar"), ("Name", "name"), ("Rostered", "rostered"), ("Abstracted", "abstracted"),
    ("Abstraction", "abstraction_rate"), ("Absent", "absent"), ("Unavailability", "unavailability_rate"),
    ("Cancelled (abstr.)", "cancelled"), ("Schools hit", "schools"), ("YP let down", "young_people"),
    ("Pending", "pending"), ("Days by category", "categories"),
]
STATES = list(STATUS_FILTERS)
#: how a review state stands out in the list
STATE_STYLE = {"pending": "bold yellow", "challenged": "bold magenta", "withdrawn": "green", "upheld": ""}


def categories_text(by_category: dict[str, float]) -> str:
    return ", ".join(f"{label(k)} {v:g}" for k, v in by_category.items() if v) or "–"


def review_cell(line: ReviewLine) -> Text:
    """The review state in words; a challenge awaiting its result says when it is due."""
    text = Text(line.state_words, style=STATE_STYLE.get(line.status, ""))
    if line.due_on is not None:
        text.append(f" · result {'OVERDUE since' if line.overdue else 'due'} {line.due_on:%d %b}",
                    style="bold red" if line.overdue else "dim")
    return text


def detail_text(detail: AbstractionDetail) -> Text:
    """The highlighted abstraction: the notes, what it cancels now, and its history (plain text)."""
    line = detail.line
    out = Text()
    out.append(f"{line.ref}", style="bold")
    out.append(f"  {line.officer} {line.officer_name}  {line.span}  {label(line.portion).lower()} day, "
               f"{label(line.category).lower()}, requested by {line.requested_by}\n")
    out.append("Review: ", style="bold")
    out.append_text(review_cell(line))
    if line.reviewed_by:
        out.append(f"  (by {line.reviewed_by}" + (f", {line.reviewed_at.replace('T', ' ')[:16]})"
                                                   if line.reviewed_at else ")"))
    if detail.reason:
        out.append("\nReason: ", style="bold")
        out.append(detail.reason)
    if detail.review_note:
        out.append("\nSergeant's note: ", style="bold")
        out.append(detail.review_note)
    if line.resolved_on:
        out.append(f"\nResult ({label(line.status).lower()} on {line.resolved_on}): ", style="bold")
        out.append(detail.resolution_note or "no note")
    if detail.cancelled:
        out.append(f"\nStill cancelled ({len(detail.cancelled)}): ", style="bold")
        out.append("; ".join(f"{when(c.starts_at)} {c.school_name}" + (" (1:1)" if c.one_to_one else "")
                             for c in detail.cancelled[:6]) + (" ..." if len(detail.cancelled) > 6 else ""))
    if detail.history:
        out.append("\nHistory:", style="bold")
        for h in detail.history[-8:]:
            out.append(f"\n  {h.at}  {h.actor}  {h.what}")
    return out


def read_team(store: Store, actor: Actor, team: str | None, date_from: date, date_to: date, today: date, *,
              state: str = STATES[0], text: str = "") -> TeamLoaded:
    """The team's figures (``team``, or the first the actor may see), its abstractions for the review
    ``state`` and filter ``text``, and the first one's detail, in one read (one message, one frame:
    the list waited for the figures, the detail for the list); the chart's 26 weeks of figures come
    after them (:meth:`TeamScreen.load_weekly`). Runs in a worker."""
    teams, ov = team_screen(store, actor, team, date_from, date_to, as_of=today, weeks=0)
    lines = team_abstractions(store, actor, ov.team, date_from, date_to, today=today, status=state, text=text)
    detail = abstraction_detail(store, actor, lines[0].ref, today=today) if lines else None
    filters = (ov.team, date_from.isoformat(), date_to.isoformat(), state, text)
    return TeamLoaded(teams, ov, TeamAbstractionsLoaded(lines, filters), detail)


class TeamScreen(DeskScreen):
    HELP = (
        "Your team (a sergeant's home; admins and inspectors can look at any team with t). At the top, "
        "every abstraction of the period with its review state, what awaits you first: pending ones "
        "(r reviews: accept, or challenge with a note to whoever asked for the officer) and challenges "
        "awaiting their result (u records it: upheld, or withdrawn with the day the officer came back, "
        "which gives the sessions of the days after back to the schools). A challenge's result is due 5 "
        "working days after the challenge. / filters by officer, who asked, category or ref; s shows one "
        "review state at a time. Under the list, the highlighted abstraction's notes, what it still "
        "cancels and its history. Then who takes the team's officers (days by who asked), and each "
        "officer in post in the period: rostered days, abstracted days and the abstraction rate, absence "
        "days and the unavailability rate (kept apart), engagements cancelled by abstraction, schools "
        "affected and young people let down. o (or Enter on an officer) opens their figures. p changes "
        "the period (this term to date, last 4 weeks, academic year to date). The chart is the team's "
        "abstraction rate week by week over the last 26 weeks. The figures are the continuity report's "
        "(metrics.md). Under the heading, when the scheduled jobs last ran: ok, LATE or FAILED."
    )
    BINDINGS = bindings.TEAM
    CSS_PATH = "team.tcss"
    #: the list has the focus from the start: Textual's first focusable widget is the scrolling body,
    #: and giving it the focus and then taking it restyled everything inside it twice (about 9% of
    #: the screen's opening, profiled on the national demo)
    AUTO_FOCUS = "#abstractions"

    def __init__(self, team: str | None = None) -> None:
        super().__init__()
        self.team = team
        self.teams: list[tuple[str, str]] = []
        self.period_index = 0
        self.state_index = 0
        self.overview: TeamOverview | None = None
        self.lines: list[ReviewLine] = []
        #: the list has been shown once (its first showing places the focus)
        self._listed = False
        #: the abstraction whose detail was last asked for
        self._detail_ref: str | None = None
        #: the review state's line as drawn (show_state)
        self._state_shown = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="team-heading")
        yield JobStatusLine(id="team-jobs")
        with VerticalScroll(id="team-body"):
            with Horizontal(id="team-filters"):
                yield FilterInput(placeholder="Filter abstractions: officer, who asked, category, ref (/)",
                                  id="team-filter")
                yield Static(Text(""), id="team-state")
            # a screenful of each long list first (a force's officers and abstractions), the rest after
            yield DeskTable(ABSTRACTION_COLUMNS, id="abstractions", first_page=30)
            yield Static(Text(""), id="abstraction-detail")
            yield Static(Text("Who takes our officers", style="bold"), classes="section-title")
            yield DeskTable(REQUESTER_COLUMNS, id="requesters")
            yield Static(Text("Officers", style="bold"), classes="section-title")
            yield DeskTable(OFFICER_COLUMNS, id="officers", first_page=40)
            yield Chart(id="weekly-chart")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Team"

    def _period(self) -> tuple[str, date, date]:
        periods = team_periods(self.desk.today())
        return periods[self.period_index % len(periods)]

    @property
    def state(self) -> str:
        return STATES[self.state_index % len(STATES)]

    def _filters(self) -> tuple[str, ...]:
        _label, date_from, date_to = self._period()
        return (self.team or "", date_from.isoformat(), date_to.isoformat(), self.state,
                self.query_one("#team-filter", Input).value)

    def reload(self) -> None:
        self.query_one(JobStatusLine).reload()
        self.load_team()

    def load_team(self) -> None:
        """The team's figures, abstractions and first detail for the period (not the jobs' line: a
        period or a team changed is not a reason to read it again, and its worker shared the
        interpreter with this read, issue 20's seventh pass)."""
        store, actor, team = self.store, self.actor, self.team
        _label, date_from, date_to = self._period()
        today = self.desk.today()
        state, text = self.state, self.query_one("#team-filter", Input).value
        self.show_state()

        self.load_first("team", TeamLoaded, self.on_team_loaded,
                        lambda: read_team(store, actor, team, date_from, date_to, today, state=state, text=text))

    def load_weekly(self, team: str) -> None:
        store, actor, today = self.store, self.actor, self.desk.today()
        _label, _date_from, date_to = self._period()
        self.load("team-weekly", lambda: TeamWeeklyLoaded(team, team_weekly(store, actor, team, date_to, as_of=today)))

    def load_abstractions(self) -> None:
        if self.team is None:
            return
        store, actor, team, today = self.store, self.actor, self.team, self.desk.today()
        filters = self._filters()
        _label, date_from, date_to = self._period()
        state, text = self.state, self.query_one("#team-filter", Input).value
        self.show_state()
        self.load("team-abstractions", lambda: TeamAbstractionsLoaded(
            team_abstractions(store, actor, team, date_from, date_to, today=today, status=state, text=text),
            filters))

    def show_state(self) -> None:
        """The review state shown (s), drawn again only when it changed."""
        shown = f"showing {STATUS_FILTERS[self.state]} (s)"
        if shown != self._state_shown:
            self._state_shown = shown
            self.query_one("#team-state", Static).update(Text(shown, style="dim"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``t`` (the next team) is shown only to someone who has another team to see."""
        if action == "next_team":
            return len(self.teams) > 1
        return True

    def on_team_loaded(self, message: TeamLoaded) -> None:
        self.teams, ov = message.teams, message.overview
        self.refresh_bindings()
        self.overview = ov
        self.team = ov.team
        if message.abstractions is not None:
            self.show_abstractions(message.abstractions, message.detail)
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
        taken = t["abstracted_days"]
        self.query_one("#requesters", DeskTable).replace_rows(
            (r["requested_by"], [r["requested_by"], r["abstractions"], f"{r['abstracted_days']:g}",
                                 pct(r["abstracted_days"] / taken if taken else None), r["engagements_cancelled"],
                                 categories_text(r["abstracted_days_by_category"])])
            for r in ov.by_requested_by
        )
        self.query_one("#officers", DeskTable).replace_rows(
            (o.collar, [o.collar, o.name, f"{o.figures['rostered_days']:g}", f"{o.figures['abstracted_days']:g}",
                        pct(o.figures["abstraction_rate"]), f"{o.figures['absence_days']:g}",
                        pct(o.figures["unavailability_rate"]), o.figures["engagements"]["cancelled"]["abstraction"],
                        o.schools_affected, o.young_people_let_down, o.figures["pending_review"],
                        categories_text(o.figures["abstracted_days_by_category"])]) for o in ov.officers
        )
        self.call_after_refresh(self.load_weekly, ov.team)

    def on_team_weekly_loaded(self, message: TeamWeeklyLoaded) -> None:
        if message.team != self.team:
            return
        weekly = message.weekly
        if self.overview is not None:
            self.overview.weekly = weekly
        self.query_one("#weekly-chart", Chart).update_chart(
            "Weekly abstraction rate, last 26 weeks (weeks from " + (weekly[0]["week"] if weekly else "-") + ")",
            columns([w["abstraction_rate"] for w in weekly]),
        )

    def on_team_abstractions_loaded(self, message: TeamAbstractionsLoaded) -> None:
        self.show_abstractions(message)

    def show_abstractions(self, message: TeamAbstractionsLoaded, detail: AbstractionDetail | None = None) -> None:
        """The list (for the filters it was read for, if they are still the screen's); ``detail``: the
        first line's, read with it."""
        if message.filters != self._filters():
            return
        self.lines = message.lines
        table = self.query_one("#abstractions", DeskTable)
        table.replace_rows(
            (ln.ref, [ln.officer, ln.officer_name, ln.span, label(ln.portion), label(ln.category), ln.requested_by,
                      review_cell(ln), ln.cancelled, ln.ref]) for ln in message.lines
        )
        if not message.lines:
            self.query_one("#abstraction-detail", Static).update(Text(
                "No abstraction in this period" + ("" if self.state == "all" and not message.filters[-1]
                                                   else " matches the filter") + ".", style="dim"))
        first, self._listed = not self._listed, True
        if (self.focused is None or not isinstance(self.focused, (DeskTable, Input))
                or (first and self.focused is table)):
            (table if table.row_count else self.query_one("#officers", DeskTable)).focus()
        if detail is not None and detail.line.ref == table.current_key:
            self._detail_ref = detail.line.ref
            self.query_one("#abstraction-detail", Static).update(detail_text(detail))
        else:
            self.load_detail(again=True)

    def load_detail(self, *, again: bool = False) -> None:
        """Read the highlighted abstraction's notes and history (once per highlight; ``again`` after a change)."""
        ref = self.query_one("#abstractions", DeskTable).current_key
        if ref is None or (ref == self._detail_ref and not again):
            return
        self._detail_ref = ref
        store, actor, today = self.store, self.actor, self.desk.today()
        self.load("abstraction-detail",
                  lambda: AbstractionDetailLoaded(abstraction_detail(store, actor, ref, today=today)))

    def on_abstraction_detail_loaded(self, message: AbstractionDetailLoaded) -> None:
        if message.detail.line.ref != self.query_one("#abstractions", DeskTable).current_key:
            return
        self.query_one("#abstraction-detail", Static).update(detail_text(message.detail))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "abstractions":
            self.load_detail()

    # ------------------------------------------------------------------ filter

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "team-filter":
            self.load_abstractions()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "team-filter":
            self.query_one("#abstractions", DeskTable).focus()

    def action_filter(self) -> None:
        self.query_one("#team-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#team-filter", Input)
        if box.value:
            box.value = ""
            self.query_one("#abstractions", DeskTable).focus()
        elif self.desk.can_go_back():
            self.app.pop_screen()

    def action_state(self) -> None:
        self.state_index += 1
        self.load_abstractions()

    # ------------------------------------------------------------------ actions

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "abstractions":
            self._open_abstraction()
        elif event.data_table.id == "officers":
            self.action_open_officer()

    def action_open_row(self) -> None:
        if self.focused is self.query_one("#officers", DeskTable):
            self.action_open_officer()
        else:
            self._open_abstraction()

    def _current(self) -> ReviewLine | None:
        ref = self.query_one("#abstractions", DeskTable).current_key
        return next((ln for ln in self.lines if ln.ref == ref), None)

    def _open_abstraction(self) -> None:
        """Enter: the form the highlighted abstraction needs next (its review, or its challenge's result)."""
        line = self._current()
        if line is not None and line.status in ("challenged",):
            self.action_result()
        else:
            self.action_review()

    def action_review(self) -> None:
        line = self._current()
        if line is None:
            self.notify("No abstraction to review.", markup=False)
            return
        if line.removed or line.status == "withdrawn":
            self.notify(f"{line.ref} was withdrawn: its review is closed.", markup=False)
            return
        from .forms.review import ReviewForm

        self.desk.open_form(ReviewForm(line.ref), on_result=self._reviewed)

    def action_result(self) -> None:
        line = self._current()
        if line is None or line.status not in ("challenged", "upheld") or line.removed:
            self.notify("Only a challenged abstraction has a result: highlight one that is challenged.",
                        markup=False)
            return
        from .forms.challenge_result import ChallengeResultForm

        form = ChallengeResultForm(line.ref)
        self.desk.open_form(form, on_result=lambda key: self._resolved(form, key))

    def _reviewed(self, key: str | None) -> None:
        if key:
            self.notify(f"Reviewed {key}", markup=False)
        self.reload()

    def _resolved(self, form: object, key: str | None) -> None:
        from .forms.challenge_result import ChallengeResultForm
        from .rebook import RebookScreen

        self._reviewed(key)
        outcome = form.outcome if isinstance(form, ChallengeResultForm) else None
        if key and outcome is not None and outcome.to_rebook:
            self.app.push_screen(RebookScreen(outcome.to_rebook), callback=lambda _none: self.reload())

    def action_open_officer(self) -> None:
        table = self.query_one("#officers", DeskTable)
        collar = table.current_key
        if self.focused is self.query_one("#abstractions", DeskTable):
            line = self._current()
            collar = line.officer if line else collar
        if collar:
            self.desk.open_officer(collar)

    def action_period(self) -> None:
        self.period_index += 1
        self.load_team()

    def action_next_team(self) -> None:
        if len(self.teams) < 2:
            self.notify("No other team to show.", markup=False)
            return
        refs = [t for t, _n in self.teams]
        self.team = refs[(refs.index(self.team) + 1) % len(refs)] if self.team in refs else refs[0]
        self.load_team()
