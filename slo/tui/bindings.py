"""Every key of the desk, as data: one list per screen (Harlequin style).

Screens set ``BINDINGS = bindings.CASELOAD`` and so on; the help screen and the
command palette read the same lists, so the keys shown are the keys that work.
"""

from __future__ import annotations

from textual.binding import Binding

#: the whole desk (SloApp.BINDINGS); ctrl+p (command palette) is Textual's own
GLOBAL: list[Binding] = [
    Binding("ctrl+q", "quit", "Quit", priority=True),
    Binding("f1", "help", "Help"),
    Binding("question_mark", "help", "Help", show=False, key_display="?"),
    Binding("escape", "back", "Back", show=False),
    # screens without a key of their own on the home screens (capitals: no screen uses them)
    Binding("H", "home", "Home", show=False),
    Binding("T", "team", "Team (sergeants)", show=False),
    Binding("D", "term_dates", "Term dates", show=False),
    Binding("L", "audit_log", "Audit log (admins)", show=False),
]

CASELOAD: list[Binding] = [
    Binding("enter", "open_school", "Open school", show=False),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("c", "consultation", "Consultation"),
    Binding("v", "visit", "Visit"),
    Binding("a", "abstraction", "Abstraction"),
    Binding("l", "absence", "Absence/leave"),
    Binding("w", "week", "Week"),
    Binding("r", "reports", "Reports"),
    Binding("x", "export_calendars", "Calendars"),
    Binding("f5", "reload", "Reload", show=False),
    Binding("escape", "clear_filter", "Clear filter", show=False),
]

SCHOOL: list[Binding] = [
    Binding("v", "visit", "Visit/session"),
    Binding("c", "consultation", "Consultation"),
    Binding("y", "young_person", "New young person"),
    Binding("d", "engagement_status", "Deliver/cancel"),
    Binding("enter", "open_row", "Open", show=False),
    Binding("n", "next_page", "Next page"),
    Binding("p", "previous_page", "Prev page"),
    Binding("x", "export_calendar", "Calendar"),
    Binding("1", "tab('tab-engagements')", "Engagements tab", show=False),
    Binding("2", "tab('tab-consultations')", "Consultations tab", show=False),
    Binding("3", "tab('tab-young-people')", "Young people tab", show=False),
    Binding("4", "tab('tab-assignments')", "Assignments tab", show=False),
    Binding("f5", "reload", "Reload", show=False),
]

YOUNG_PERSON: list[Binding] = [
    Binding("s", "session", "Session"),
    Binding("c", "consultation", "Consultation"),
    Binding("o", "outcome", "Outcome"),
    Binding("f", "referral", "Referral"),
    Binding("e", "edit", "Edit"),
    Binding("f5", "reload", "Reload", show=False),
]

WEEK: list[Binding] = [
    Binding("left_square_bracket", "previous_week", "Prev week", key_display="["),
    Binding("right_square_bracket", "next_week", "Next week", key_display="]"),
    Binding("left", "previous_week", "Prev week", show=False, priority=True),
    Binding("right", "next_week", "Next week", show=False, priority=True),
    Binding("t", "this_week", "Today"),
    Binding("v", "visit", "Visit"),
    Binding("a", "abstraction", "Abstraction"),
    Binding("f5", "reload", "Reload", show=False),
]

AUDIT_LOG: list[Binding] = [
    Binding("pagedown", "next_page", "Next page", key_display="PgDn", priority=True),
    Binding("pageup", "previous_page", "Prev page", key_display="PgUp", priority=True),
    Binding("f5", "reload", "Reload", show=False),
]

HELP: list[Binding] = [
    Binding("escape", "close", "Close"),
    Binding("q", "close", "Close", show=False),
    Binding("f1", "close", "Close", show=False),
]

PICKER: list[Binding] = [
    Binding("enter", "choose", "Choose", show=False),
    Binding("escape", "cancel", "Leave", show=False),
]
