"""What every desk screen shares: ``HELP``, service calls in thread workers, error notices.

A screen never touches the database: it calls a read model (:mod:`slo.services.queries`)
or a use case of :mod:`slo.services` in a thread worker with :meth:`DeskScreen.load`, which
posts the typed message the call returns (:mod:`slo.tui.messages`) back to the screen::

    def reload(self) -> None:
        store, actor, urn = self.store, self.actor, self.urn
        self.load("school", lambda: SchoolLoaded(school_detail(store, actor, urn)))

    def on_school_loaded(self, message: SchoolLoaded) -> None:
        ...  # on the event loop: update the widgets
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.worker import active_worker, get_current_worker

from slo.services import Store
from slo.services.actors import Actor
from slo.services.errors import DATABASE_ERRORS, USER_ERRORS, PermissionDenied
from slo.tui.desk import desk_of
from slo.tui.messages import DataLoaded, LoadFailed, RecordSaved

if TYPE_CHECKING:
    from slo.tui.app import SloApp

#: the message a screen's first read posts
M = TypeVar("M", bound=DataLoaded)


def read_or_failure(name: str, read: Callable[[], DataLoaded]) -> DataLoaded | LoadFailed:
    """``read()``'s message, or :class:`LoadFailed` (named ``name``) for an error meant for the user:
    a refusal, a user error, or a database problem, in one line."""
    try:
        return read()
    except USER_ERRORS as exc:
        return LoadFailed(name, str(exc), refused=isinstance(exc, PermissionDenied))
    except DATABASE_ERRORS as exc:
        return LoadFailed(name, f"database problem: {exc}")


def load_in_worker(node: DOMNode, name: str, read: Callable[[], DataLoaded]) -> None:
    """Run ``read`` in a thread worker (one at a time per ``name``: a newer one cancels the older)
    and post the message it returns to ``node``, or :class:`LoadFailed` for an error meant for
    the user. ``read`` runs in the worker's thread: the services it calls reach the database
    through the store, which gives each thread its own connection."""

    def job() -> None:
        worker = get_current_worker()
        try:
            message = read_or_failure(name, read)
        finally:
            # Textual sets its active-worker variable in the pool thread's own context and never
            # clears it: each of the executor's threads would keep its last worker, and through it
            # that worker's screen with every widget, alive until the thread runs another job.
            active_worker.set(None)  # type: ignore[arg-type]
        if not worker.is_cancelled:
            node.post_message(message)

    node.run_worker(job, name=name, group=name, thread=True, exclusive=True)


class StyledOnce:
    """A screen whose styles are applied once when it is first shown, not twice.

    Textual applies the stylesheet to every widget as it is mounted, and then, on the ScreenResume
    that :meth:`App.push_screen` posts, to the whole screen again (for a screen pushed again, whose
    look may have changed since it was last shown). For a screen just composed nothing has: the
    second pass was 14.5% of a consultation form's opening (profiled on the national demo,
    docs/performance.md, sixth pass). The first resume is posted without it; later ones are passed
    on as Textual posts them."""

    _resumed_once = False

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenResume) and not self._resumed_once:
            self._resumed_once = True
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)  # type: ignore[misc]  # the Screen this is mixed into


class ReadFirst:
    """A screen the app may read before it pushes it (:meth:`SloApp.open_read`), so that it is drawn
    once, with its content: the app hands it the result (:meth:`hand_first`) and the screen takes
    it (:meth:`take_first`) where it would otherwise start its own read."""

    _first: DataLoaded | LoadFailed | None = None
    _awaiting: bool = False

    def hand_first(self, result: DataLoaded | LoadFailed | None) -> None:
        """Given by the app before the screen is pushed: what it shows first (None: still being read,
        and posted to the screen when it comes)."""
        self._first, self._awaiting = result, result is None

    def take_first(self) -> tuple[DataLoaded | LoadFailed | None, bool]:
        """Once: what the app read before pushing this screen (None if nothing), and whether it is
        still coming (then the screen reads nothing itself: the result is posted to it)."""
        first, awaiting = self._first, self._awaiting
        self._first, self._awaiting = None, False
        return first, awaiting


class DeskScreen(StyledOnce, ReadFirst, Screen[Any]):
    """A desk screen. Subclasses set ``HELP`` and ``BINDINGS`` (from :mod:`slo.tui.bindings`),
    load in :meth:`reload` and handle the messages their loads post."""

    @property
    def desk(self) -> SloApp:
        return desk_of(self.app)

    @property
    def store(self) -> Store:
        """The handle services take (never opened here: pass it on)."""
        return self.desk.store

    @property
    def actor(self) -> Actor:
        """Who is using the desk (screens other than the picker exist only once that is known)."""
        actor = self.desk.actor
        assert actor is not None, "no one is using the desk yet"
        return actor

    def load(self, name: str, read: Callable[[], DataLoaded]) -> None:
        """See :func:`load_in_worker`."""
        load_in_worker(self, name, read)

    def load_first(self, name: str, kind: type[M], show: Callable[[M], None], read: Callable[[], DataLoaded]) -> None:
        """Show what the app read before pushing this screen (:meth:`SloApp.open_read`), a message of
        ``kind``, with ``show`` now, before the screen's first frame; or, when nothing was read for
        it, :meth:`load` ``read`` as ``name``. Nothing is read while the app's read is still coming
        (it is posted to the screen), and a refusal or an error it met is posted as a worker's
        would be. Only the screen's first load finds anything (:meth:`ReadFirst.take_first`)."""
        first, awaiting = self.take_first()
        if isinstance(first, kind):
            show(first)
        elif isinstance(first, LoadFailed):
            self.post_message(first)
        elif first is None and not awaiting:
            self.load(name, read)

    def reload(self) -> None:
        """Load (again) everything the screen shows."""

    def action_reload(self) -> None:
        self.reload()

    def on_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self.notify(message.error, title="Refused" if message.refused else "Problem", severity="error", markup=False)
        if message.refused and self.app.screen is self and self.desk.can_go_back():
            self.app.pop_screen()

    def on_record_saved(self, message: RecordSaved) -> None:
        message.stop()
        self.reload()

    def on_screen_resume(self) -> None:
        # shown for the first time, or back from a form or another screen: (re)load
        self.reload()

    def on_unmount(self) -> None:
        forget_closed_watchers(self.app)


def forget_closed_watchers(app: App[Any]) -> None:
    """Drop the app's watchers whose widget has gone (Textual prunes them only when the value changes).

    Each screen's Header watches the app's ``title`` and ``sub_title``, which the desk sets once:
    every screen ever opened stayed alive through its header (about 2,700 objects a screen), so
    the heap grew with each screen change and each full garbage collection took longer (over
    200 ms after a few dozen screens, a pause in the middle of a screen change).
    """
    watchers = getattr(app, "__watchers", None)  # where textual.reactive keeps them
    if not watchers:
        return
    for _name, entries in watchers.items():
        entries[:] = [(node, callback) for node, callback in entries if not node._closing]
