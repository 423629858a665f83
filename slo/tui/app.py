"""The desk's shell: :class:`SloApp` and :func:`run_desk`.

Who is using the desk comes from ``--user``/``SLO_USER`` or, when not given, the
picker. Home is the screen :func:`slo.services.queries.home.home_of` names for the
role (an SLO's caseload, a sergeant's team, every school for an admin or inspector,
the reports for an evaluator). Each screen's module is imported when the screen is
first opened (the imports inside the methods below), so the desk's first screen does
not pay for the others; an import that fails is an error like any other.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget

from slo.services import Store
from slo.services.actors import Actor
from slo.services.identity import Principal
from slo.services.queries.home import Home, home_of

from . import bindings
from .ahead import FormsAhead
from .held_keys import HeldKey, is_replayed, replayed
from .messages import RecordSaved
from .providers import DeskCommands, NavigationProvider

if TYPE_CHECKING:
    from .messages import DataLoaded, LoadFailed, ScreenRead


#: how long :meth:`SloApp.open_read` waits for a screen's read before it pushes the screen anyway
OPEN_WAIT = 0.15


@dataclass
class _Opening:
    """A screen being opened: read first, pushed when the read is done (or OPEN_WAIT has passed), with
    the keys typed meanwhile."""

    key: str
    make: Callable[[], Screen[Any]]
    #: called with the screen's result when it is dismissed (a form's saved key)
    callback: Callable[[Any], None] | None = None
    held: list[HeldKey] = field(default_factory=list)
    timer: Timer | None = None
    #: the screen, once pushed before the read was done
    screen: Screen[Any] | None = None


class SloApp(App[int]):
    """SLO Desk. ``app.store``, ``app.actor``, ``app.exports``, ``app.today()``."""

    TITLE = "SLO Desk"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings.GLOBAL
    COMMANDS = App.COMMANDS | {DeskCommands, NavigationProvider}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        store: Store,
        actor: Actor | None,
        exports: Path,
        today: date | None = None,
        *,
        principal: Principal | None = None,
        demo: bool = False,
        build_ahead: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        #: who reached the desk (the picker offers only their officers); None for in-process callers
        self.principal = principal
        #: a demo database: the header says so on every screen
        self.demo = demo
        self.exports = Path(exports)
        self._today = today
        self._home_depth = 1
        #: a screen being read to be opened (:meth:`open_read`)
        self._opening: _Opening | None = None
        #: the forms an officer opens most, built in idle moments (slo.tui.ahead; the desk command
        #: turns it on, tests that drive the app ask for it)
        self.forms_ahead: FormsAhead | None = FormsAhead(self) if build_ahead else None

    # ------------------------------------------------------------------ basics

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        """As Textual's, for nodes on screen only. Textual restyles a node (and everything in it) on
        every change of its CSS classes, mounted or not: a widget's constructor setting a class
        (``Input(compact=True)``) or a form field marking its control was styled then, and again
        when the widget was mounted, which styles it anyway. That was about 11% of a form's
        opening (docs/performance.md, sixth pass)."""
        if isinstance(node, Widget) and not node.is_attached:
            return
        super().update_styles(node, animate)

    def today(self) -> date:
        """Today in Europe/London (fixed in tests)."""
        return self.now().date()

    def now(self) -> datetime:
        """Now in Europe/London (09:00 on the fixed day in tests)."""
        if self._today is not None:
            return datetime.combine(self._today, datetime.min.time()).replace(hour=9)
        from slo.services.audit import now_local

        return now_local()

    async def on_event(self, event: events.Event) -> None:
        """Keys typed while a form is still loading are held by the form and delivered once it is
        ready (:meth:`slo.tui.screens.forms.base.FormScreen.hold_key`), and keys typed while a screen
        is being read to be opened are held until it is up (:meth:`open_read`): nothing typed is
        lost, and nothing typed for the new screen reaches the old one."""
        if self.forms_ahead is not None and isinstance(event, (events.Key, events.MouseDown)):
            self.forms_ahead.activity()
        if isinstance(event, events.Key) and not event.is_forwarded and event.key != "ctrl+q":
            opening = self._opening
            if opening is not None and opening.screen is None and not is_replayed(event):
                opening.held.append((event.key, event.character))
                return
            screen = self.screen if self._screen_stack else None
            hold = getattr(screen, "hold_key", None)
            if hold is not None and hold(event):
                return
        await super().on_event(event)

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.actor is None:
            from .screens.picker import PickerScreen

            self.push_screen(PickerScreen(), callback=self._chosen)
        else:
            self.go_home()

    def _chosen(self, collar: str | None) -> None:
        if collar is None:
            self.exit(0)
            return
        from slo.services.errors import USER_ERRORS
        from slo.services.queries.picker import acting_officer

        try:
            self.actor = acting_officer(self.store, collar, self.principal)
        except USER_ERRORS as exc:  # e.g. the binding was revoked while the picker was open
            from .screens.picker import PickerScreen

            self.notify(str(exc), title="Refused", severity="error", markup=False)
            self.push_screen(PickerScreen(), callback=self._chosen)
            return
        self.go_home()

    def format_title(self, title: str, sub_title: str) -> Content:
        """Every header: the screen's title, and DEMO first on a demo database."""
        text = super().format_title(title, sub_title)
        if self.demo:
            return Content.assemble(("DEMO - made-up data", "bold reverse"), "  ", text)
        return text

    def _update_title(self) -> None:
        if self.actor is not None:
            self.sub_title = f"{self.actor.name} ({self.actor.collar}, {self.actor.role})"

    def home_screen(self) -> Screen[Any]:
        """The first screen for the current actor (:func:`slo.services.queries.home.home_of`)."""
        assert self.actor is not None
        home = home_of(self.actor)
        if home.screen == Home.TEAM:
            from .screens.team import TeamScreen

            return TeamScreen()
        if home.screen == Home.SCHOOLS:
            from .screens.schools import SchoolsAdminScreen

            return SchoolsAdminScreen()
        if home.screen == Home.EVALUATION:
            from .screens.evaluator import EvaluatorScreen

            return EvaluatorScreen()
        if home.screen == Home.REPORTS:
            from .screens.reports import ReportsScreen

            return ReportsScreen()
        from .screens.caseload import CaseloadScreen

        return CaseloadScreen(scope=home.scope or "own")

    def go_home(self) -> None:
        """Show the home screen, dropping every screen above the default one."""
        self._update_title()
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(self.home_screen())
        self._home_depth = len(self.screen_stack)
        if self.forms_ahead is not None and self.actor is not None and home_of(self.actor).screen == Home.CASELOAD:
            self.forms_ahead.start()  # an officer's desk: consultations, visits, abstractions

    def can_go_back(self) -> bool:
        return len(self.screen_stack) > self._home_depth

    # ------------------------------------------------------------------ opening screens and forms

    def open_form(self, form: ModalScreen[str | None], on_result: Callable[[str | None], None] | None = None) -> None:
        """Push ``form``, read first (:meth:`open_read`: what it fills in, so it is drawn once, ready to
        type in); when it saves, say so and have the screen below reload (or call ``on_result``)."""
        from .screens.forms.base import FormScreen

        callback = on_result or self._form_closed
        if isinstance(form, FormScreen):
            if self.forms_ahead is not None:
                form = self.forms_ahead.take(form)  # the same form, built ahead, if there is one
            # the form finds the desk through Textual's active app, which a worker's thread does not
            # have (the form is not mounted yet to find it through its parents): read in this context
            context = contextvars.copy_context()
            self.open_read(f"form {id(form)}", lambda: context.run(form.read_first), lambda: form, callback=callback)
        else:
            self.push_screen(form, callback=callback)

    def _form_closed(self, key: str | None) -> None:
        if key:
            self.notify(f"Saved {key}", markup=False)
            self.screen.post_message(RecordSaved(str(key)))

    def open_school(self, urn: str) -> None:
        """Open the school ``urn``, read first (:meth:`open_read`): its details and first page."""
        from .screens.school import SchoolScreen, read_school

        store, actor, exports = self.store, self.actor, self.exports
        assert actor is not None
        self.open_read(f"school {urn}", lambda: read_school(store, actor, urn, exports), lambda: SchoolScreen(urn))

    def open_read(self, key: str, read: Callable[[], DataLoaded], make: Callable[[], Screen[Any]], *,
                  callback: Callable[[Any], None] | None = None) -> None:
        """Push the screen ``make()`` once ``read()`` (what it shows first, in a worker) is done, and hand
        it the result (:meth:`DeskScreen.load_first`), so the screen is drawn once, with its content:
        pushed first, a screen was drawn with "Loading…" and again when its read came (about 25 ms more
        for a school on the national demo, benchmarks/bench_terminal.py). A read that takes longer than
        :data:`OPEN_WAIT` pushes the screen at once and hands it the result when it comes. Keys typed
        meanwhile are held and delivered to the new screen, in order (a form that is not yet filled
        in holds them on until it is). ``make()`` is a :class:`~.screens.base.ReadFirst`;
        ``callback`` is given the screen's result when it is dismissed."""
        from .messages import ScreenRead
        from .screens.base import load_in_worker, read_or_failure

        if self._opening is not None and self._opening.screen is None:
            return  # one at a time (keys are held meanwhile, so this is a click or the palette)
        opening = self._opening = _Opening(key, make, callback)

        load_in_worker(self, "open-read", lambda: ScreenRead(key, read_or_failure(key, read)))
        opening.timer = self.set_timer(OPEN_WAIT, lambda: self._push_read(opening, None))

    def on_screen_read(self, message: ScreenRead) -> None:
        opening = self._opening
        if opening is None or opening.key != message.key:
            return
        if opening.screen is None:
            self._push_read(opening, message.result)
        else:
            # pushed already (the read took longer than OPEN_WAIT): the screen waits for it
            self._opening = None
            opening.screen.post_message(message.result)

    def _push_read(self, opening: _Opening, result: DataLoaded | LoadFailed | None) -> None:
        if self._opening is not opening or opening.screen is not None:
            return
        if opening.timer is not None:
            opening.timer.stop()
        from .screens.base import ReadFirst

        screen = opening.make()
        assert isinstance(screen, ReadFirst), "open_read opens screens that take a first read"
        screen.hand_first(result)
        if result is None:
            opening.screen = screen  # the read's result goes to the screen when it comes
        else:
            self._opening = None
        held, opening.held = opening.held, []
        self.push_screen(screen, callback=opening.callback)
        take_keys = getattr(screen, "take_keys", None)  # a form holds keys until it is filled in
        if held and take_keys is not None:
            take_keys(held)
        elif held:
            self.call_after_refresh(self._replay_keys, held)

    def _replay_keys(self, held: list[HeldKey]) -> None:
        """Deliver keys held while a screen was being read (:meth:`open_read`), in the order typed."""
        for key in held:
            self.post_message(replayed(key))

    def open_young_person(self, ref: str) -> None:
        from .screens.young_person import YoungPersonScreen

        self.push_screen(YoungPersonScreen(ref))

    def open_record(self, entity: str, key: str) -> None:
        """One record with its history: ``e`` corrects it, ``x`` deletes one made by mistake."""
        from .screens.record import RecordScreen

        self.push_screen(RecordScreen(entity, key))

    def open_officer(self, collar: str) -> None:
        """One officer's figures and abstractions for this term, read first (:meth:`open_read`)."""
        from slo.reports.overview import team_periods

        from .screens.officer import OfficerScreen, read_officer

        store, actor, today = self.store, self.actor, self.today()
        assert actor is not None
        _label, date_from, date_to = team_periods(today)[0]
        self.open_read(f"officer {collar} {date_from}",
                       lambda: read_officer(store, actor, collar, date_from, date_to, today),
                       lambda: OfficerScreen(collar))

    def open_calendars(self, school: str | None = None) -> None:
        from .screens.export_calendars import ExportCalendarsScreen

        self.push_screen(ExportCalendarsScreen(school=school))

    # ------------------------------------------------------------------ global actions

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def _in_a_form(self) -> bool:
        """A form (or another modal) is open: navigating away from it would leave it half done."""
        if isinstance(self.screen, ModalScreen):
            self.notify("Close this first (Escape), then go on.", severity="warning", markup=False)
            return True
        return False

    async def action_back(self) -> None:
        if isinstance(self.screen, ModalScreen):
            self.screen.dismiss(None)
        elif self.can_go_back():
            self.pop_screen()

    def action_home(self) -> None:
        if self.actor is not None and not self._in_a_form():
            self.go_home()

    def action_week(self) -> None:
        """Your week, read first (:meth:`open_read`)."""
        from slo.services.queries.scope import week_start
        from slo.services.queries.week import week

        from .messages import WeekLoaded
        from .screens.week import WeekScreen

        if self._in_a_form() or self.actor is None:
            return
        store, actor, monday = self.store, self.actor, week_start(self.today())
        self.open_read(f"week {actor.collar} {monday}", lambda: WeekLoaded(week(store, actor, actor.collar, monday)),
                       WeekScreen)

    def action_due(self) -> None:
        """Everything due for you, by name; Enter opens each item."""
        from .screens.due import DueScreen

        if self.actor is not None and not self._in_a_form():
            self.push_screen(DueScreen())

    def action_audit_log(self) -> None:
        """The newest page of the audit log, read first (:meth:`open_read`)."""
        from .screens.audit_log import AuditLogScreen, read_audit

        if self._in_a_form() or self.actor is None:
            return
        store, actor = self.store, self.actor
        self.open_read("audit log", lambda: read_audit(store, actor), AuditLogScreen)

    def action_team(self) -> None:
        """The team's figures and abstractions for this term, read first (:meth:`open_read`)."""
        from slo.reports.overview import team_periods

        from .screens.team import TeamScreen, read_team

        if self._in_a_form() or self.actor is None:
            return
        store, actor, today = self.store, self.actor, self.today()
        _label, date_from, date_to = team_periods(today)[0]
        self.open_read(f"team {date_from}", lambda: read_team(store, actor, None, date_from, date_to, today),
                       TeamScreen)

    def action_officers(self) -> None:
        from .screens.officers import OfficersScreen

        if not self._in_a_form():
            self.push_screen(OfficersScreen())

    def action_schools(self) -> None:
        from .screens.schools import SchoolsAdminScreen

        if not self._in_a_form():
            self.push_screen(SchoolsAdminScreen())

    def action_handovers(self) -> None:
        from .screens.handovers import HandoversScreen

        if not self._in_a_form():
            self.push_screen(HandoversScreen())

    def action_my_abstractions(self) -> None:
        """Your own abstractions and what the sergeant made of each (the officer screen, for you)."""
        if self.actor is not None and not self._in_a_form():
            self.open_officer(self.actor.collar)

    def action_reports(self) -> None:
        if self._in_a_form():
            return
        if self.actor is not None and self.actor.role == "evaluator":
            from .screens.evaluator import EvaluatorScreen  # an evaluator gets the evaluation dataset only

            self.push_screen(EvaluatorScreen())
            return
        from .screens.reports import ReportsScreen, first_period, read_reports

        # read first (open_read): the kept figures for this term, so the screen is drawn once, with them
        store, actor, today = self.store, self.actor, self.today()
        assert actor is not None
        date_from, date_to = first_period(today)
        self.open_read(f"reports {date_from}", lambda: read_reports(store, actor, date_from, date_to, today),
                       ReportsScreen)

    def action_export_calendars(self) -> None:
        if not self._in_a_form():
            self.open_calendars()

    def action_term_dates(self) -> None:
        """Every local authority's terms, read first (:meth:`open_read`)."""
        from .screens.term_dates import TermDatesScreen, read_terms

        if not self._in_a_form():
            store = self.store
            self.open_read("term dates", lambda: read_terms(store), TermDatesScreen)

    # the forms from anywhere (command palette); screens with their own key preset what they show
    def action_new_visit(self) -> None:
        from .screens.forms.engagement import EngagementForm

        if not self._in_a_form():
            self.open_form(EngagementForm())

    def action_new_consultation(self) -> None:
        from .screens.forms.consultation import ConsultationForm

        if not self._in_a_form():
            self.open_form(ConsultationForm())

    def action_new_abstraction(self) -> None:
        from .screens.forms.abstraction import AbstractionForm

        if not self._in_a_form():
            self.open_form(AbstractionForm())

    def action_new_absence(self) -> None:
        from .screens.forms.absence import AbsenceForm

        if not self._in_a_form():
            self.open_form(AbsenceForm())

    async def action_quit(self) -> None:
        self.exit(0)


def run_desk(
    store: Store,
    actor: Actor | None,
    exports: Path,
    today: date | None = None,
    *,
    principal: Principal | None = None,
    demo: bool = False,
) -> int:
    """Run the desk in this terminal; the exit code (0 after ctrl+q)."""
    app = SloApp(store, actor, exports, today=today, principal=principal, demo=demo, build_ahead=True)
    app.run()
    code = app.return_code
    return 0 if code is None else int(code)
