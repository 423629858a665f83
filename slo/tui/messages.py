"""Every message the desk's screens, forms and workers post: one class per payload (as in Harlequin).

A screen reads in a thread worker (:meth:`slo.tui.screens.base.DeskScreen.load`): the worker
calls a read model of :mod:`slo.services.queries` and posts one of the ``...Loaded``
messages below with the result; the screen's handler (``on_caseload_loaded`` ...) runs
on the event loop and updates widgets. A message names what it carries, typed, and
whatever the screen needs to tell a stale result from the current one (the filter
text, the page). Messages that belong to a widget (``Picker.Changed``,
``KeyChoice.Changed``) stay nested in the widget, as Textual's own do.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from slo.calendars import CalendarExportResult
    from slo.reports.overview import OfficerOverview, TeamOverview
    from slo.reports.previews import KeptPreview
    from slo.scheduler.state import JobStatus
    from slo.services.actors import Actor
    from slo.services.due import DueItem
    from slo.services.handover import HandoverNote
    from slo.services.queries.admin import AssignmentLine, OfficerLine, SchoolsList
    from slo.services.queries.audit_log import AuditPage
    from slo.services.queries.caseload import CaseloadHeader, CaseloadRow
    from slo.services.queries.handover import HandoverLine
    from slo.services.queries.lines import EngagementLine
    from slo.services.queries.record import RecordDetail
    from slo.services.queries.school import ConsultationLine, SchoolDetail, YoungPersonLine
    from slo.services.queries.team import AbstractionDetail, ReviewLine
    from slo.services.queries.week import Week
    from slo.services.queries.young_person import YoungPersonDetail
    from slo.services.schooldays import Term
    from slo.tui.screens.forms.base import SaveResult

D = TypeVar("D")


class DataLoaded(Message, bubble=False):
    """Base of the messages a screen's worker posts to its own screen (they never bubble)."""


class LoadFailed(Message, bubble=False):
    """A worker's service call failed with an error meant for the user (one line).

    ``what`` is the worker's name (``caseload``, ``header``...)."""

    def __init__(self, what: str, error: str, *, refused: bool = False) -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.refused = refused


class RecordSaved(Message):
    """A form saved a record (``key``): screens reload what they show."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


# --------------------------------------------------------------------------- who is using the desk


class OfficersLoaded(DataLoaded):
    def __init__(self, officers: list[Actor]) -> None:
        super().__init__()
        self.officers = officers


# --------------------------------------------------------------------------- caseload


class CaseloadLoaded(DataLoaded):
    def __init__(self, rows: list[CaseloadRow], text: str) -> None:
        super().__init__()
        self.rows = rows
        #: the filter text the rows are for
        self.text = text


class CaseloadHeaderLoaded(DataLoaded):
    def __init__(self, header: CaseloadHeader) -> None:
        super().__init__()
        self.header = header


class DueLoaded(DataLoaded):
    """The Due screen's items (``days``: the window they were read for)."""

    def __init__(self, items: list[DueItem], days: int) -> None:
        super().__init__()
        self.items = items
        self.days = days


class JobStatusRead(DataLoaded):
    """The scheduled jobs' last runs (None when the table could not be read, with ``error``)."""

    def __init__(self, jobs: list[JobStatus] | None, schedules: dict[str, dict[str, Any]],
                 error: str | None = None) -> None:
        super().__init__()
        self.jobs = jobs
        self.schedules = schedules
        self.error = error


# --------------------------------------------------------------------------- school


class SchoolLoaded(DataLoaded):
    def __init__(self, detail: SchoolDetail, calendar_path: Path | None) -> None:
        super().__init__()
        self.detail = detail
        self.calendar_path = calendar_path


class ScreenRead(DataLoaded):
    """What a screen shows first, read before the screen is pushed (:meth:`SloApp.open_read`): the
    screen's own message, or the one-line refusal or error; posted to the app."""

    def __init__(self, key: str, result: DataLoaded | LoadFailed) -> None:
        super().__init__()
        self.key = key
        self.result = result


class SchoolEngagementsLoaded(DataLoaded):
    def __init__(self, engagements: list[EngagementLine], page: int) -> None:
        super().__init__()
        self.engagements = engagements
        self.page = page


class SchoolConsultationsLoaded(DataLoaded):
    def __init__(self, consultations: list[ConsultationLine]) -> None:
        super().__init__()
        self.consultations = consultations


class SchoolYoungPeopleLoaded(DataLoaded):
    def __init__(self, young_people: list[YoungPersonLine]) -> None:
        super().__init__()
        self.young_people = young_people


# --------------------------------------------------------------------------- young person, week


class YoungPersonLoaded(DataLoaded):
    def __init__(self, detail: YoungPersonDetail) -> None:
        super().__init__()
        self.detail = detail


class WeekLoaded(DataLoaded):
    def __init__(self, week: Week) -> None:
        super().__init__()
        self.week = week


# --------------------------------------------------------------------------- team, officer, reports


class TeamLoaded(DataLoaded):
    def __init__(self, teams: list[tuple[str, str]], overview: TeamOverview,
                 abstractions: TeamAbstractionsLoaded | None = None,
                 detail: AbstractionDetail | None = None) -> None:
        super().__init__()
        self.teams = teams
        self.overview = overview
        #: the team's abstractions and the first one's detail, when read with the figures (one message)
        self.abstractions = abstractions
        self.detail = detail


class TeamWeeklyLoaded(DataLoaded):
    def __init__(self, team: str, weekly: list[dict[str, Any]]) -> None:
        super().__init__()
        self.team = team
        self.weekly = weekly


class OfficerLoaded(DataLoaded):
    """One officer's figures, their abstractions and the first one's detail (one read, one message)."""

    def __init__(self, overview: OfficerOverview, abstractions: TeamAbstractionsLoaded,
                 detail: AbstractionDetail | None = None) -> None:
        super().__init__()
        self.overview = overview
        self.abstractions = abstractions
        self.detail = detail


class TeamAbstractionsLoaded(DataLoaded):
    """The team's (or one officer's) abstractions with their review state, for ``filters``."""

    def __init__(self, lines: list[ReviewLine], filters: tuple[str, ...]) -> None:
        super().__init__()
        self.lines = lines
        #: what the lines are for (team or officer, period, state filter, text)
        self.filters = filters


class AbstractionDetailLoaded(DataLoaded):
    def __init__(self, detail: AbstractionDetail) -> None:
        super().__init__()
        self.detail = detail


class Rebooked(DataLoaded):
    """A session given back too late was rebooked (``new_ref`` at ``starts_at``), or why not (``error``)."""

    def __init__(self, ref: str, new_ref: str | None, starts_at: str | None, error: str | None = None) -> None:
        super().__init__()
        self.ref = ref
        self.new_ref = new_ref
        self.starts_at = starts_at
        self.error = error


class EvaluationLoaded(DataLoaded):
    """The evaluation dataset for ``date_from`` .. ``date_to`` (audited as a disclosure when built)."""

    def __init__(self, report: dict[str, Any], date_from: date, date_to: date) -> None:
        super().__init__()
        self.report = report
        self.date_from = date_from
        self.date_to = date_to


class KeptPreviewLoaded(DataLoaded):
    """The figures kept from the last opening of the period (None: none kept)."""

    def __init__(self, kept: KeptPreview | None, date_from: date, date_to: date) -> None:
        super().__init__()
        self.kept = kept
        self.date_from = date_from
        self.date_to = date_to


class ReportPreviewLoaded(DataLoaded):
    def __init__(self, figures: dict[str, Any], date_from: date, date_to: date) -> None:
        super().__init__()
        self.figures = figures
        self.date_from = date_from
        self.date_to = date_to


# --------------------------------------------------------------------------- calendars


class ExportProgress(DataLoaded):
    """The calendar export built ``done`` of ``total`` changed schools."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class CalendarsExported(DataLoaded):
    def __init__(self, result: CalendarExportResult) -> None:
        super().__init__()
        self.result = result


# --------------------------------------------------------------------------- term dates


class TermsLoaded(DataLoaded):
    def __init__(self, terms: list[Term], authority: str) -> None:
        super().__init__()
        self.terms = terms
        #: the filter (lower case) the terms are for
        self.authority = authority


class TermsChanged(DataLoaded):
    """A term was added or deleted, or a file imported: ``summary`` says what."""

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary


class TermsRefused(DataLoaded):
    """An import changed nothing: one line per bad row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__()
        self.problems = problems


# --------------------------------------------------------------------------- audit log


class AuditLogLoaded(DataLoaded):
    """One page of the audit log (``lines`` is the page: its rows, the total and the page number)."""

    def __init__(self, lines: AuditPage, page: int, filters: tuple[str, ...]) -> None:
        super().__init__()
        self.lines = lines
        self.page = page
        self.filters = filters


# --------------------------------------------------------------------------- admin: officers, schools, handovers


class OfficersListLoaded(DataLoaded):
    def __init__(self, officers: list[OfficerLine], text: str) -> None:
        super().__init__()
        self.officers = officers
        #: the filter text the list is for
        self.text = text


class SchoolsListLoaded(DataLoaded):
    def __init__(self, schools: SchoolsList, filters: tuple[str, bool]) -> None:
        super().__init__()
        self.schools = schools
        #: (filter text, no-officer only) the list is for
        self.filters = filters


class AssignmentsLoaded(DataLoaded):
    def __init__(self, urn: str, assignments: list[AssignmentLine]) -> None:
        super().__init__()
        self.urn = urn
        self.assignments = assignments


class HandoversLoaded(DataLoaded):
    def __init__(self, handovers: list[HandoverLine]) -> None:
        super().__init__()
        self.handovers = handovers


class HandoverNoteLoaded(DataLoaded):
    def __init__(self, note: HandoverNote) -> None:
        super().__init__()
        self.note = note


class NoteWritten(DataLoaded):
    """The handover note was printed to ``path``, or why not (``error``)."""

    def __init__(self, path: Path | None, error: str | None) -> None:
        super().__init__()
        self.path = path
        self.error = error


# --------------------------------------------------------------------------- forms


class FormLoaded(DataLoaded, Generic[D]):
    """What a form's :meth:`~slo.tui.screens.forms.base.FormScreen.load` read, for its ``fill``."""

    def __init__(self, data: D) -> None:
        super().__init__()
        self.data = data


class FormSaved(DataLoaded):
    def __init__(self, result: SaveResult) -> None:
        super().__init__()
        self.result = result


class FormFailed(DataLoaded):
    """Not saved (or not loaded): a message for the top of the form, and problems by field."""

    def __init__(self, message: str | None, problems: list[tuple[str | None, str]] | None = None) -> None:
        super().__init__()
        self.message = message
        self.problems = problems or []


class FormNeedsConfirm(DataLoaded):
    """Warnings to confirm before saving (ctrl+s again saves this very ``signature``)."""

    def __init__(self, messages: list[tuple[str | None, str]], signature: str) -> None:
        super().__init__()
        self.messages = messages
        self.signature = signature


# --------------------------------------------------------------------------- one record (slo/tui/screens/record.py)


class RecordLoaded(DataLoaded):
    def __init__(self, detail: RecordDetail) -> None:
        super().__init__()
        self.detail = detail


class RecordDeleted(DataLoaded):
    """A record created by mistake was deleted; ``text`` says so in one line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
