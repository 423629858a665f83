"""The desk's shell: :class:`SloApp` and :func:`run_desk`.

Who is using the desk comes from ``--user``/``SLO_USER`` or, when not given, the
picker. Home is the caseload for an SLO, the team screen for a sergeant (the
team's caseload when that screen is not available), and every school for an
admin or inspector. Other people's screens and forms are opened by name and
imported only when used (:meth:`SloApp.open_screen`), so a part that has not
landed yet fails only when someone asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import ModalScreen, Screen

from slo.services.actors import Actor
from slo.store.db import Store

from . import bindings
from .messages import RecordSaved
from .providers import DeskCommands, NavigationProvider

FORMS = "slo.tui.screens.forms"


class SloApp(App[int]):
    """SLO Desk. ``app.store``, ``app.actor``, ``app.exports``, ``app.today()``."""

    TITLE = "SLO Desk"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings.GLOBAL
    COMMANDS = App.COMMANDS | {DeskCommands, NavigationProvider}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, store: Store, actor: Actor | None, exports: Path, today: date | None = None) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.exports = Path(exports)
        self._today = today
        self._home_depth = 1

    # ------------------------------------------------------------------ basics

    def today(self) -> date:
        """Today in Europe/London (fixed in tests)."""
        if self._today is not None:
            return self._today
        from slo.services.audit import now_local

        return now_local().date()

    def now(self) -> datetime:
        if self._today is not None:
            return datetime.combine(self._today, datetime.min.time()).replace(hour=9)
        from slo.services.audit import now_local

        return now_local()

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
        from slo.services.actors import load_actor

        self.actor = load_actor(self.store.db, collar)
        self.go_home()

    def _update_title(self) -> None:
        if self.actor is not None:
            self.sub_title = f"{self.actor.name} ({self.actor.collar}, {self.actor.role})"

    def home_screen(self) -> Screen:
        """The first screen for the current actor's role."""
        from .screens.caseload import CaseloadScreen

        role = self.actor.role if self.actor else ""
        if role == "sergeant":
            try:
                from .screens.team import TeamScreen  # the team issue builds it

                return TeamScreen()
            except (ImportError, AttributeError):
                self.notify("The team screen is not available yet: showing the team's caseload.", markup=False)
                return CaseloadScreen(scope="team")
        if role in ("admin", "inspector"):
            return CaseloadScreen(scope="all")
        if role == "evaluator":
            # an evaluator may see no caseload (refused): their work is the evaluation dataset
            from .screens.reports import ReportsScreen

            return ReportsScreen()
        return CaseloadScreen(scope="own")

    def go_home(self) -> None:
        """Show the home screen, dropping every screen above the default one."""
        self._update_title()
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(self.home_screen())
        self._home_depth = len(self.screen_stack)

    def can_go_back(self) -> bool:
        return len(self.screen_stack) > self._home_depth

    # ------------------------------------------------------------------ opening screens and forms

    def open_screen(
        self,
        module: str,
        name: str,
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> bool:
        """Import ``module`` now, build ``name(*args, **kwargs)`` and push it. False when not available."""
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            self.notify(f"{name} is not available in this version yet.", severity="warning", markup=False)
            return False
        screen = cls(*args, **kwargs)
        if isinstance(screen, ModalScreen):
            self.push_screen(screen, callback=on_result or self._form_closed)
        else:
            self.push_screen(screen)
        return True

    def open_form(self, module: str, name: str, *args: Any, **kwargs: Any) -> bool:
        """A form under ``slo.tui.screens.forms`` (or a full module path)."""
        if "." not in module:
            module = f"{FORMS}.{module}"
        return self.open_screen(module, name, *args, **kwargs)

    def _form_closed(self, key: Any) -> None:
        if key:
            self.notify(f"Saved {key}", markup=False)
            self.screen.post_message(RecordSaved(str(key)))

    def open_school(self, urn: str) -> None:
        from .screens.school import SchoolScreen

        self.push_screen(SchoolScreen(urn))

    def open_young_person(self, ref: str) -> None:
        from .screens.young_person import YoungPersonScreen

        self.push_screen(YoungPersonScreen(ref))

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

    def action_back(self) -> None:
        if isinstance(self.screen, ModalScreen):
            self.screen.dismiss(None)
        elif self.can_go_back():
            self.pop_screen()

    def action_home(self) -> None:
        if self.actor is not None and not self._in_a_form():
            self.go_home()

    def action_week(self) -> None:
        from .screens.week import WeekScreen

        if not self._in_a_form():
            self.push_screen(WeekScreen())

    def action_audit_log(self) -> None:
        from .screens.audit_log import AuditLogScreen

        if not self._in_a_form():
            self.push_screen(AuditLogScreen())

    def action_team(self) -> None:
        if not self._in_a_form():
            self.open_screen("slo.tui.screens.team", "TeamScreen")

    def action_reports(self) -> None:
        if not self._in_a_form():
            self.open_screen("slo.tui.screens.reports", "ReportsScreen")

    def action_export_calendars(self) -> None:
        if not self._in_a_form():
            self.open_screen("slo.tui.screens.export_calendars", "ExportCalendarsScreen")

    def action_term_dates(self) -> None:
        if not self._in_a_form():
            self.open_screen("slo.tui.screens.term_dates", "TermDatesScreen")

    # the forms from anywhere (command palette); screens with their own key preset what they show
    def action_new_visit(self) -> None:
        if not self._in_a_form():
            self.open_form("engagement", "EngagementForm")

    def action_new_consultation(self) -> None:
        if not self._in_a_form():
            self.open_form("consultation", "ConsultationForm")

    def action_new_abstraction(self) -> None:
        if not self._in_a_form():
            self.open_form("slo.tui.screens.abstraction_form", "AbstractionForm")

    def action_new_absence(self) -> None:
        if not self._in_a_form():
            self.open_form("absence", "AbsenceForm")

    async def action_quit(self) -> None:
        self.exit(0)


def run_desk(store: Store, actor: Actor | None, exports: Path, today: date | None = None) -> int:
    """Run the desk in this terminal; the exit code (0 after ctrl+q)."""
    app = SloApp(store, actor, exports, today=today)
    app.run()
    code = app.return_code
    return 0 if code is None else int(code)
