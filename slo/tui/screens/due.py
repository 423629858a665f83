"""Due: everything that needs doing, by name, each item opened with Enter (d on the caseload, U anywhere)."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from slo.models.words import plural
from slo.services.due import PLAIN_TITLES, DueItem
from slo.services.queries.due import WINDOWS, due_list, opens
from slo.tui import bindings
from slo.tui.messages import DueLoaded
from slo.tui.widgets import Col, DeskFooter, DeskTable

from .base import DeskScreen

#: each column as wide as its content where the terminal allows; on a narrow one the columns of
#: priority 1 and more move to the line under the table (DeskTable, Col)
COLUMNS = [
    Col("Due", "due", min=15),
    Col("", "state", min=7),
    Col("What", "what", min=18),
    Col("Who", "who", min=12),
    Col("School", "school", priority=1),
    Col("Ref", "ref", priority=2),
]


def due_date(item: DueItem) -> str:
    """``Mon 19 Jan 2026``: always with its year."""
    return item.due_on.strftime("%a %d %b %Y")


def state_cell(item: DueItem) -> Text:
    if item.overdue:
        return Text("OVERDUE", style="bold red")
    if item.provisional:
        return Text("provisional", style="yellow")
    return Text("")


def who(item: DueItem) -> str:
    """The young person by name, or whose abstraction (the officer)."""
    if item.kind in ("abstraction_review", "challenge_result"):
        return f"{item.officer}'s abstraction"
    return item.young_person_name or item.young_person or ""


def item_text(item: DueItem) -> Text:
    """Under the table: the highlighted item in full (what, who, where, and what it says)."""
    out = Text()
    out.append(f"{due_date(item)}  ", style="bold")
    if item.overdue:
        out.append("OVERDUE  ", style="bold red")
    out.append(f"{item.what}: ", style="bold")
    out.append(item.about)
    said = [item.title] if item.kind not in PLAIN_TITLES else []
    said += [item.detail] if item.detail else []
    if said:
        out.append("\n")
        out.append("; ".join(said), style="dim")
    return out


class DueScreen(DeskScreen):
    """What is due for the person using the desk: overdue first, then by day."""

    HELP = (
        "Everything due for you (for a sergeant, your team's too): outcomes to record, follow-ups, "
        "the exclusion deadlines, abstractions to review, handover notes to read. Overdue items come "
        "first, then the next 7 days (n shows the next 4 weeks). Enter opens the item: the "
        "consultation, the abstraction or the handover note; s opens its school, y its young person. "
        "Under the list, the highlighted item in full."
    )
    BINDINGS = bindings.DUE
    CSS_PATH = "due.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.days = WINDOWS[0]
        self.items: list[DueItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="due-summary")
        yield DeskTable(COLUMNS, id="due")
        yield Static(Text(""), id="due-item")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.title = "Due"
        self.query_one("#due", DeskTable).focus()

    def reload(self) -> None:
        store, actor, today, days = self.store, self.actor, self.desk.today(), self.days
        self.load("due", lambda: DueLoaded(due_list(store, actor, today, days), days))

    def on_due_loaded(self, message: DueLoaded) -> None:
        if message.days != self.days:
            return
        self.items = message.items
        today = self.desk.today()
        last = today + timedelta(days=self.days - 1)
        overdue = sum(1 for i in self.items if i.overdue)
        summary = Text()
        summary.append(plural(len(self.items), "item"), style="bold")
        summary.append(f" due from {today:%a %d %b %Y} to {last:%a %d %b %Y}")
        if overdue:
            summary.append(", ")
            summary.append(f"{overdue} overdue", style="bold red")
        if not self.items:
            summary = Text(f"Nothing due from {today:%a %d %b %Y} to {last:%a %d %b %Y}.", style="green")
        self.query_one("#due-summary", Static).update(summary)
        self.sub_title = plural(len(self.items), "item")
        self.query_one("#due", DeskTable).replace_rows(
            (
                str(n),
                [
                    Text(due_date(i), style="bold red" if i.overdue else ""),
                    state_cell(i),
                    i.what,
                    who(i),
                    i.school_name or i.school or "",
                    i.ref,
                ],
            )
            for n, i in enumerate(self.items)
        )
        self.show_item()

    # ------------------------------------------------------------------ the highlighted item

    @property
    def current(self) -> DueItem | None:
        key = self.query_one("#due", DeskTable).current_key
        if key is None or not key.isdigit() or int(key) >= len(self.items):
            return None
        return self.items[int(key)]

    def show_item(self) -> None:
        item = self.current
        self.query_one("#due-item", Static).update(item_text(item) if item else Text(""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_item()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_item()

    # ------------------------------------------------------------------ actions

    def _nothing_highlighted(self) -> bool:
        if self.current is None:
            self.notify("Nothing is due: there is no item to open.", severity="warning", markup=False)
            return True
        return False

    def action_open_item(self) -> None:
        if self._nothing_highlighted():
            return
        item = self.current
        assert item is not None
        target = opens(item)
        if target is None:
            self.notify(f"The desk has no screen for this item ({item.what}).", severity="warning", markup=False)
        elif target.entity == "handovers":
            self.desk.action_handovers()
        else:
            self.desk.open_record(target.entity, target.key)

    def action_open_school(self) -> None:
        if self._nothing_highlighted():
            return
        item = self.current
        assert item is not None
        if item.school:
            self.desk.open_school(item.school)
        else:
            self.notify(f"This item is not about one school ({item.about}).", severity="warning", markup=False)

    def action_open_young_person(self) -> None:
        if self._nothing_highlighted():
            return
        item = self.current
        assert item is not None
        if item.young_person:
            self.desk.open_young_person(item.young_person)
        else:
            self.notify(f"This item is not about a young person ({item.about}).", severity="warning",
                        markup=False)

    def action_window(self) -> None:
        self.days = WINDOWS[1] if self.days == WINDOWS[0] else WINDOWS[0]
        self.reload()
