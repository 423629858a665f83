"""Every key of the desk, as data: one list per screen, form and control (Harlequin style).

Screens set ``BINDINGS = bindings.CASELOAD`` and so on; the help screen and the
command palette read the same lists, so the keys shown are the keys that work.
A new screen adds its list here, never inline.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: the whole desk (SloApp.BINDINGS); ctrl+p (command palette) is Textual's own
GLOBAL: list[BindingType] = [
    Binding("ctrl+q", "quit", "Quit", priority=True),
    Binding("f1", "help", "Help"),
    Binding("question_mark", "help", "Help", show=False, key_display="?"),
    Binding("escape", "back", "Back", show=False),
    # screens without a key of their own on the home screens (capitals: no screen uses them)
    Binding("H", "home", "Home", show=False),
    Binding("U", "due", "Due list", show=False),
    Binding("T", "team", "Team (sergeants)", show=False),
    Binding("D", "term_dates", "Term dates", show=False),
    Binding("L", "audit_log", "Audit log (admins)", show=False),
    Binding("A", "my_abstractions", "My abstractions", show=False),
    Binding("N", "handovers", "Handover notes", show=False),
    Binding("O", "officers", "Officers (admins)", show=False),
    Binding("S", "schools", "Schools (admins)", show=False),
]

# --------------------------------------------------------------------------- screens

CASELOAD: list[BindingType] = [
    Binding("enter", "open_school", "Open school", show=False),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("c", "consultation", "Consultation"),
    Binding("v", "visit", "Visit"),
    Binding("a", "abstraction", "Abstraction"),
    Binding("l", "absence", "Absence/leave"),
    Binding("w", "week", "Week"),
    Binding("r", "reports", "Reports"),
    Binding("x", "export_calendars", "Calendars"),
    Binding("d", "due", "Due"),
    Binding("f5", "reload", "Reload", show=False),
    Binding("escape", "clear_filter", "Clear filter", show=False),
]

#: everything due (from the caseload's Due line, d; U from anywhere)
DUE: list[BindingType] = [
    Binding("enter", "open_item", "Open", show=False),
    Binding("o", "open_item", "Open"),
    Binding("s", "open_school", "School"),
    Binding("y", "open_young_person", "Young person"),
    Binding("n", "window", "7 days / 4 weeks"),
    Binding("f5", "reload", "Reload", show=False),
]

SCHOOL: list[BindingType] = [
    Binding("v", "visit", "Visit/session"),
    Binding("c", "consultation", "Consultation"),
    Binding("y", "young_person", "New young person"),
    Binding("d", "engagement_status", "Deliver/cancel"),
    Binding("enter", "open_row", "Open record: edit, correct, delete, history", show=False),
    Binding("n", "next_page", "Next page"),
    Binding("p", "previous_page", "Prev page"),
    Binding("x", "export_calendar", "Calendar"),
    Binding("1", "tab('tab-engagements')", "Engagements tab", show=False),
    Binding("2", "tab('tab-consultations')", "Consultations tab", show=False),
    Binding("3", "tab('tab-young-people')", "Young people tab", show=False),
    Binding("4", "tab('tab-assignments')", "Assignments tab", show=False),
    Binding("f5", "reload", "Reload", show=False),
]

YOUNG_PERSON: list[BindingType] = [
    Binding("enter", "open_record", "Open record: edit, correct, delete, history", show=False),
    Binding("s", "session", "Session"),
    Binding("c", "consultation", "Consultation"),
    Binding("o", "outcome", "Outcome"),
    Binding("f", "referral", "Referral"),
    Binding("e", "edit", "Edit"),
    Binding("h", "history", "History"),
    Binding("f5", "reload", "Reload", show=False),
]

WEEK: list[BindingType] = [
    Binding("left_square_bracket", "previous_week", "Prev week", key_display="["),
    Binding("right_square_bracket", "next_week", "Next week", key_display="]"),
    Binding("left", "previous_week", "Prev week", show=False, priority=True),
    Binding("right", "next_week", "Next week", show=False, priority=True),
    Binding("t", "this_week", "Today"),
    Binding("enter", "open_record", "Open a record of the week: edit, correct, delete, history", show=False,
            priority=True),
    Binding("o", "open_record", "Open"),
    Binding("v", "visit", "Visit"),
    Binding("a", "abstraction", "Abstraction"),
    Binding("f5", "reload", "Reload", show=False),
]

TEAM: list[BindingType] = [
    Binding("enter", "open_row", "Open", show=False),
    Binding("r", "review", "Review"),
    Binding("u", "result", "Challenge result"),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("s", "state", "State"),
    Binding("o", "open_officer", "Officer"),
    Binding("p", "period", "Period"),
    Binding("t", "next_team", "Team"),
    Binding("f5", "reload", "Reload", show=False),
    Binding("escape", "clear_filter", "Clear filter", show=False),
]

OFFICER: list[BindingType] = [
    Binding("enter", "open_record", "Open abstraction: edit, correct, delete, history", show=False),
    Binding("p", "period", "Period"),
    Binding("r", "review", "Review"),
    Binding("u", "result", "Challenge result"),
    Binding("f5", "reload", "Reload", show=False),
]

#: one record (slo/tui/screens/record.py): every field and its history
RECORD: list[BindingType] = [
    Binding("e", "edit", "Edit / correct"),
    Binding("x", "delete", "Delete (made by mistake)"),
    Binding("h", "history", "History"),
    Binding("y", "young_person", "Young person"),
    Binding("f5", "reload", "Reload", show=False),
]

#: deleting a record: the reason, then Enter (Escape keeps it)
CONFIRM_DELETE: list[BindingType] = [
    Binding("escape", "cancel", "Keep it"),
]

#: a list of records to open one of (the week planner's): Enter opens, Escape closes
CHOOSE_RECORD: list[BindingType] = [
    Binding("escape", "cancel", "Close"),
]

#: the sessions a withdrawal could not put back (their slot had gone), offered for rebooking
REBOOK: list[BindingType] = [
    Binding("b", "rebook", "Rebook"),
    Binding("escape", "close", "Close"),
]

REPORTS: list[BindingType] = [
    Binding("1", "period('this_term')", "This term"),
    Binding("2", "period('last_term')", "Last term"),
    Binding("3", "period('this_year')", "Year"),
    Binding("4", "custom", "Custom"),
    Binding("j", "export('json')", "JSON"),
    Binding("c", "export('csv')", "CSV"),
    Binding("m", "export('md')", "Markdown"),
    Binding("h", "export('html')", "HTML"),
    Binding("e", "toggle_evaluation", "Evaluation"),
    Binding("f5", "reload", "Reload", show=False),
]

EVALUATOR: list[BindingType] = [
    Binding("1", "period('this_term')", "This term"),
    Binding("2", "period('last_term')", "Last term"),
    Binding("3", "period('this_year')", "Year"),
    Binding("4", "custom", "Custom"),
    Binding("j", "export('json')", "JSON"),
    Binding("c", "export('csv')", "CSV"),
    Binding("m", "export('md')", "Markdown"),
    Binding("h", "export('html')", "HTML"),
    Binding("d", "export('package')", "Data package"),
    Binding("f5", "reload", "Reload", show=False),
]

EXPORT_CALENDARS: list[BindingType] = [
    Binding("r", "run_export", "Export again"),
    Binding("f5", "run_export", "Export again", show=False),
]

TERM_DATES: list[BindingType] = [
    Binding("ctrl+a", "add", "Add term", priority=True),
    Binding("ctrl+o", "import", "Import CSV", priority=True),
    Binding("delete", "delete", "Delete term"),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("f5", "reload", "Reload", show=False),
]

AUDIT_LOG: list[BindingType] = [
    Binding("pagedown", "next_page", "Next page", key_display="PgDn", priority=True),
    Binding("pageup", "previous_page", "Prev page", key_display="PgUp", priority=True),
    Binding("f5", "reload", "Reload", show=False),
]

OFFICERS: list[BindingType] = [
    Binding("n", "new", "New officer"),
    Binding("e", "edit", "Edit"),
    Binding("x", "leaving", "Leaving date"),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("f5", "reload", "Reload", show=False),
]

SCHOOLS: list[BindingType] = [
    Binding("a", "assign", "Assign"),
    Binding("x", "end_assignment", "End assignment"),
    Binding("h", "handover", "Handover"),
    Binding("f", "unassigned", "No officer only"),
    Binding("slash", "filter", "Filter", key_display="/"),
    Binding("r", "reports", "Reports"),
    Binding("f5", "reload", "Reload", show=False),
]

HANDOVERS: list[BindingType] = [
    Binding("enter", "open", "Open note", show=False),
    Binding("f5", "reload", "Reload", show=False),
]

HANDOVER_NOTE: list[BindingType] = [
    Binding("m", "print", "Print (markdown)"),
]

HELP: list[BindingType] = [
    Binding("escape", "close", "Close"),
    Binding("q", "close", "Close", show=False),
    Binding("f1", "close", "Close", show=False),
]

PICKER: list[BindingType] = [
    Binding("enter", "choose", "Choose", show=False),
    Binding("escape", "cancel", "Leave", show=False),
]

# --------------------------------------------------------------------------- forms

#: every form (FormScreen); a modal screen hides the desk's own keys, so help has to be the form's
FORM: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", priority=True),
    Binding("escape", "discard", "Discard / close"),
    Binding("f1", "app.help", "Help"),
    Binding("question_mark", "app.help", "Help", show=False, key_display="?"),
]

#: ctrl+r is shown once the absence is saved and cancelled something (AbsenceForm.check_action)
ABSENCE_FORM: list[BindingType] = FORM + [
    Binding("ctrl+r", "rebook", "Rebook cancelled sessions"),
]

CONSULTATION_FORM: list[BindingType] = FORM + [
    Binding("ctrl+n", "new_young_person", "New young person"),
]

CONFIRM_DISCARD: list[BindingType] = [
    Binding("y,d", "answer(True)", "Discard"),
    Binding("n,k,escape", "answer(False)", "Keep editing"),
]

# --------------------------------------------------------------------------- controls (widgets)

#: a form's picker: move through its suggestions
PICKER_CONTROL: list[BindingType] = [
    Binding("down", "cursor(1)", "Next suggestion", show=False),
    Binding("up", "cursor(-1)", "Previous suggestion", show=False),
]
