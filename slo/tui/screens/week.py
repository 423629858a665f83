"""Week planner: an officer's week, Monday to Sunday, by day and hour."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Header, Static

from slo.models.enums import label
from slo.models.words import plural
from slo.services.queries.lines import EngagementLine
from slo.services.queries.scope import week_start
from slo.services.queries.week import Week, week
from slo.tui import bindings
from slo.tui.messages import WeekLoaded
from slo.tui.widgets import DeskFooter, DeskTable

from .base import DeskScreen

FIRST_HOUR, LAST_HOUR = 7, 18
#: the narrowest day column: seven of them and the hours fit 80 columns (a time and a mark still show)
DAY_WIDTH = 8

#: (fill character, style, marker) per kind of day; the fill and marker tell them apart without colour
SHADES = {
    "full": ("░", "white on dark_red", "■"),
    "half": ("╱", "black on dark_orange", "◧ ½"),
    "absence": ("·", "white on dark_blue", "○"),
}


def day_states(shown: Week) -> dict[date, tuple[str, str]]:
    """Per day: (shade kind, description). A full abstraction wins over a half; absences last."""
    states: dict[date, tuple[str, str]] = {}
    for day in shown.days:
        iso = day.isoformat()
        for a in shown.abstractions:
            if a.date_from <= iso <= a.date_to:
                kind = "full" if a.portion == "full" else "half"
                if kind == "full" or day not in states:
                    states[day] = (kind, f"{SHADES[kind][2]} {label(a.category)}")
        if day not in states:
            for ab in shown.absences:
                if ab.date_from <= iso <= ab.date_to:
                    states[day] = ("absence", f"○ {label(ab.kind).upper()}")
    return states


#: narrower than this, an empty weekend is left out (five wider days instead of seven)
FULL_WEEK_WIDTH = 120


def shown_days(shown: Week, states: dict[date, tuple[str, str]], width: int) -> list[date]:
    """The days the grid shows: all seven, or on a narrow terminal Monday to Friday and any weekend
    day with something on it."""
    if width >= FULL_WEEK_WIDTH:
        return shown.days
    busy = {datetime.fromisoformat(e.starts_at).date() for e in shown.engagements} | set(states)
    return [d for d in shown.days if d.weekday() < 5 or d in busy]


#: from this day width the title and the school wrap onto lines of their own (below it, one line each, cut)
WRAP_WIDTH = 12
#: the most lines an engagement's title and its school each take
TITLE_LINES, SCHOOL_LINES = 2, 2


def engagement_text(e: EngagementLine) -> str:
    start = datetime.fromisoformat(e.starts_at)
    mark = {"cancelled": "✖ ", "delivered": "✔ "}.get(e.status, "")
    return f"{mark}{start:%H:%M} {e.title}, {e.school_name}"


def _wrapped(text: str, width: int, lines: int, indent: str = "") -> list[str]:
    out = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
                        break_long_words=False) or [indent]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…" if len(out[-1]) >= width else out[-1] + "…"
    return out


def engagement_lines(e: EngagementLine, width: int) -> list[str]:
    """An engagement in a day column: the time and title, then the school, each wrapped to the width
    (at most two lines each); in a narrow column one line, the time and title."""
    if width < WRAP_WIDTH:
        return [engagement_text(e)]
    start = datetime.fromisoformat(e.starts_at)
    mark = {"cancelled": "✖ ", "delivered": "✔ "}.get(e.status, "")
    return (_wrapped(f"{mark}{start:%H:%M} {e.title}", width, TITLE_LINES)
            + _wrapped(e.school_name, width, SCHOOL_LINES, indent="  "))


class WeekScreen(DeskScreen):
    """The week of ``officer`` (default: you) containing ``start`` (default: today)."""

    HELP = (
        "Your week, Monday to Sunday: engagements by day and hour (✔ delivered, ✖ cancelled). "
        "Days lost to an abstraction are shaded: ░ ■ a full-day abstraction, ╱ ◧ a half-day one; "
        "○ · marks leave, sickness, rest days and courses. Each engagement shows its time, title and school; "
        "on a narrow terminal an empty weekend is left out. [ and ] (or ← and →) move a week; "
        "t comes back to this week. Enter (or o) lists the week's visits, sessions, abstractions and "
        "absences: Enter on one opens it (every field, its history; e corrects it)."
    )
    BINDINGS = bindings.WEEK
    CSS_PATH = "week.tcss"

    def __init__(self, officer: str | None = None, start: date | None = None) -> None:
        super().__init__()
        self.officer = officer
        self.start = start
        self.monday: date | None = None
        self.shown: Week | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(""), id="week-title")
        yield DeskTable(id="week-grid", cursor_type="none", zebra_stripes=False)
        yield Static(Text(""), id="week-legend")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Week planner"
        self.query_one("#week-legend", Static).update(
            Text(
                "░ ■ full-day abstraction   ╱ ◧ half-day abstraction   ○ · absence   ✔ delivered   ✖ cancelled",
                style="dim",
            )
        )
        self.query_one("#week-grid", DeskTable).focus()

    def reload(self) -> None:
        officer = self.officer = self.officer or self.actor.collar
        if self.monday is None:
            self.monday = week_start(self.start or self.desk.today())
        store, actor, monday = self.store, self.actor, self.monday
        self.load_first("week", WeekLoaded, self.on_week_loaded,
                        lambda: WeekLoaded(week(store, actor, officer, monday)))

    def on_week_loaded(self, message: WeekLoaded) -> None:
        if message.week.monday == self.monday:
            self.show(message.week)

    def show(self, shown: Week) -> None:
        self.shown = shown
        today = self.desk.today()
        sunday = shown.monday + timedelta(days=6)
        title = Text()
        title.append(f"{shown.officer_name} ({shown.officer})", style="bold")
        title.append(f"   Week of {shown.monday:%a %d %b %Y} to {sunday:%a %d %b %Y}")
        if shown.monday <= today <= sunday:
            title.append("   (this week)", style="green")
        planned = sum(1 for e in shown.engagements if e.status == "planned")
        cancelled = sum(1 for e in shown.engagements if e.status == "cancelled")
        title.append(f"   {plural(len(shown.engagements), 'engagement')}, {planned} planned, {cancelled} cancelled")
        self.query_one("#week-title", Static).update(title)

        states = day_states(shown)
        grid = self.query_one("#week-grid", DeskTable)
        grid.clear(columns=True)
        days = shown_days(shown, states, self.size.width)
        width = max(DAY_WIDTH, (self.size.width - 10) // len(days) - 2)
        grid.add_column("Time", key="time", width=5)
        for day in days:
            heading = f"{day:%a %d %b}" + (" ◆" if day == today else "")
            grid.add_column(heading, key=day.isoformat(), width=width)

        slots: dict[tuple[int, date], list[EngagementLine]] = {}
        for e in shown.engagements:
            start = datetime.fromisoformat(e.starts_at)
            hour = min(max(start.hour, FIRST_HOUR), LAST_HOUR)
            slots.setdefault((hour, start.date()), []).append(e)

        def fit(line: str) -> str:
            return line if len(line) <= width else line[: width - 1] + "…"

        def day_cell(day: date, lines: list[str]) -> Text:
            state = states.get(day)
            if not lines:
                if state is None:
                    return Text("")
                fill, style, _ = SHADES[state[0]]
                return Text(fill * width, style=style)
            lines = [fit(line).ljust(width) for line in lines]
            text = Text("\n".join(lines), style=SHADES[state[0]][1] if state else "", no_wrap=True)
            struck = False
            for i, line in enumerate(lines):
                if not line.startswith(" "):  # the first line of an engagement
                    struck = line.startswith("✖")
                if struck:
                    start = sum(len(x) + 1 for x in lines[:i])
                    text.stylize("strike", start, start + len(line.rstrip()))
            return text

        status_row = [Text("Day", style="bold")]
        for day in days:
            state = states.get(day)
            if state is None:
                status_row.append(Text(""))
            else:
                status_row.append(Text(fit(state[1]).ljust(width), style="bold " + SHADES[state[0]][1]))
        grid.add_row(*status_row, key="day")
        for hour in range(FIRST_HOUR, LAST_HOUR + 1):
            cells: list[Text] = [Text(f"{hour:02d}:00", style="dim")]
            height = 1
            for day in days:
                lines = [line for e in slots.get((hour, day), []) for line in engagement_lines(e, width)]
                height = max(height, len(lines))
                cells.append(day_cell(day, lines))
            grid.add_row(*cells, key=f"h{hour:02d}", height=height)

    # ------------------------------------------------------------------ actions

    def move(self, weeks: int) -> None:
        if self.monday is not None:
            self.monday = self.monday + timedelta(days=7 * weeks)
            self.reload()

    def action_previous_week(self) -> None:
        self.move(-1)

    def action_next_week(self) -> None:
        self.move(1)

    def action_this_week(self) -> None:
        monday = week_start(self.desk.today())
        if self.monday == monday:
            self.notify("This week is the one shown.", markup=False)
            return
        self.monday = monday
        self.reload()

    def action_visit(self) -> None:
        from .forms.engagement import EngagementForm

        self.desk.open_form(EngagementForm())

    def action_abstraction(self) -> None:
        from .forms.abstraction import AbstractionForm

        self.desk.open_form(AbstractionForm(officer=self.officer))

    def action_open_record(self) -> None:
        from .record import ChooseRecord

        shown = self.shown
        if shown is None or not (shown.engagements or shown.abstractions or shown.absences):
            self.notify("Nothing recorded this week.", markup=False)
            return
        rows: list[tuple[str, list[str]]] = [
            (f"engagements|{e.ref}", [f"{datetime.fromisoformat(e.starts_at):%a %d %b %Y %H:%M}", label(e.kind),
                                      e.title, e.school_name, label(e.status)]) for e in shown.engagements]
        rows += [(f"abstractions|{a.ref}", [f"{a.date_from} to {a.date_to}", "Abstraction", label(a.category),
                                            label(a.portion), label(a.review_status)]) for a in shown.abstractions]
        rows += [(f"absences|{a.officer}/{a.date_from}", [f"{a.date_from} to {a.date_to}", "Absence", label(a.kind),
                                                          "", ""]) for a in shown.absences]
        columns = [("When", "when"), ("What", "kind"), ("Title", "title"), ("School", "school"), ("Status", "status")]

        def chosen(key: str | None) -> None:
            if key:
                entity, _, record = key.partition("|")
                self.desk.open_record(entity, record)

        self.app.push_screen(ChooseRecord(f"Week of {shown.monday:%a %d %b %Y}: open which?", columns, rows), chosen)
