"""Forms built ahead: the forms an officer opens most, composed and styled in an idle moment, so that
opening one is filling it in and drawing it.

A form's opening was about half Textual building it (composing its widgets, mounting them, applying
the stylesheet to each) and half laying it out and drawing it (docs/performance.md, seventh pass):
the consultation form, 45 widgets, was the one screen change over 1.5x Textual's own push. Building
does not depend on what the form is opened for (a school, a pupil, a record to correct): that is
only read and filled in. So :class:`FormsAhead` keeps one built, unshown instance of each form class
of :func:`_forms`, made when the desk has been idle for :data:`IDLE` seconds (no key, no click, no
worker, no screen being opened), one form per idle moment, and a new one after each is taken.

The caller still makes its form as before (``ConsultationForm(school=urn)``, which only sets
attributes); :meth:`FormsAhead.take` hands back the form built ahead instead, given that form's
context (:meth:`FormScreen.adopt`), or the caller's form when there is none yet. The form built
ahead reads and fills itself only when it is opened (:meth:`FormScreen.hand_first`). Each instance
is used once: a form closed is freed as before, and the next one is built in the next idle moment.

Mounting a screen before it is pushed uses two of Textual's private methods (``_load_screen_css``,
``_get_screen``: what ``push_screen`` does first); tests/tui/test_forms_ahead.py fails if that
stops working, and shows the form built ahead is drawn as a new one is.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.worker import WorkerState

from . import gc_idle

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import AwaitMount

    from .screens.forms.base import FormScreen

#: seconds without a key, a click, a worker or a screen being opened before a form is built ahead
IDLE = 0.3
#: how often the desk looks whether it is idle (seconds)
TICK = 0.1


def _forms() -> list[type[FormScreen[Any]]]:
    """The forms built ahead: the three an officer opens from the caseload and a school every day."""
    from .screens.forms.abstraction import AbstractionForm
    from .screens.forms.consultation import ConsultationForm
    from .screens.forms.engagement import EngagementForm

    return [ConsultationForm, EngagementForm, AbstractionForm]


class FormsAhead:
    """One form of each class in :func:`_forms`, built in idle moments (see the module docstring)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.ready: dict[type[FormScreen[Any]], FormScreen[Any]] = {}
        self._last_activity = time.monotonic()
        self._wanted: list[type[FormScreen[Any]]] | None = None
        self._started = False
        #: who the forms were built for (a form's searches hold the desk's actor when composed)
        self._actor: object = None

    def start(self) -> None:
        """Look for idle moments from now on (when the desk's home screen is up; once)."""
        if self._started:
            return
        self._started = True
        self.app.set_interval(TICK, self.tick, name="forms-ahead")
        self.app.theme_changed_signal.subscribe(self.app, lambda _theme: self.clear())

    def activity(self) -> None:
        """A key, a click or a screen opened: not idle."""
        self._last_activity = time.monotonic()

    def idle(self) -> bool:
        if time.monotonic() - self._last_activity < IDLE:
            return False
        busy = (WorkerState.PENDING, WorkerState.RUNNING)
        return not any(worker.state in busy for worker in self.app.workers)

    async def tick(self) -> None:
        """Build one missing form if the desk is idle (and tell the collector it was idle work)."""
        from .screens.base import DeskScreen

        stack = self.app.screen_stack  # empty as the desk closes
        if not stack or not isinstance(stack[-1], DeskScreen) or getattr(self.app, "_opening", None) is not None:
            return
        if self._wanted is None:
            self._wanted = _forms()
        missing = [cls for cls in self._wanted if cls not in self.ready]
        if not missing or not self.idle():
            return
        started = time.thread_time()
        mounted = self.build(missing[0])
        built_at = self._last_activity
        await mounted
        if self._last_activity == built_at:  # no key or click meanwhile: all of it was idle work
            gc_idle.idle_work(time.thread_time() - started)

    def build(self, cls: type[FormScreen[Any]]) -> AwaitMount:
        """Make a ``cls`` form and mount it, unshown: composed and styled, waiting to be opened
        (``ready[cls]``); awaiting the result waits until it is mounted."""
        app = self.app
        self._for_actor()
        form = cls()
        form.built_ahead = True
        app._load_screen_css(form)  # what push_screen does first: the form's own CSS, then mount it
        _screen, mounted = app._get_screen(form)
        self.ready[cls] = form
        self._last_activity = time.monotonic()  # the next one in the next idle moment
        return mounted

    def take(self, form: FormScreen[Any]) -> FormScreen[Any]:
        """The form built ahead in ``form``'s place, given ``form``'s context; ``form`` when none is
        built (or it is still being mounted)."""
        self.activity()
        self._for_actor()  # built for someone else: never handed on
        ahead = self.ready.get(type(form))
        if ahead is None or not ahead.is_mounted or not ahead.built_ahead or form.is_attached:
            return form
        del self.ready[type(form)]
        ahead.adopt(form)
        return ahead

    def _for_actor(self) -> None:
        """Drop what was built for another actor than the desk's, and build for the desk's from now on."""
        actor = getattr(self.app, "actor", None)
        if actor is not self._actor:
            self.clear()
            self._actor = actor

    def clear(self) -> None:
        """Drop the forms built ahead (the theme changed: they were styled for the old one; the actor
        changed: their searches would search as the old one)."""
        ready, self.ready = self.ready, {}
        for form in ready.values():
            form.remove()
