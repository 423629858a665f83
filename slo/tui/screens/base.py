"""What every desk screen shares: ``HELP``, database calls in thread workers, error notices."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.worker import Worker, active_worker, get_current_worker

from slo.services.errors import USER_ERRORS, PermissionDenied
from slo.tui.messages import Loaded, LoadFailed, RecordSaved


def run_query(node, what: str, fn: Callable[[], Any], token: Any = None) -> None:
    """Run ``fn`` in a thread worker (exclusive per ``what``) and post :class:`Loaded` or :class:`LoadFailed`.

    ``fn`` runs in the worker's thread, so it must reach the database through
    ``app.store.db`` there (each thread has its own connection).
    """

    def job() -> None:
        worker = get_current_worker()
        try:
            _run_and_post(worker)
        finally:
            # Textual sets its active-worker variable in the pool thread's own context and never
            # clears it: each of the executor's threads would keep its last worker, and through it
            # that worker's screen with every widget, alive until the thread runs another job.
            active_worker.set(None)  # type: ignore[arg-type]

    def _run_and_post(worker: Worker) -> None:
        try:
            data = fn()
        except USER_ERRORS as exc:
            if not worker.is_cancelled:
                node.post_message(LoadFailed(what, str(exc), refused=isinstance(exc, PermissionDenied)))
            return
        except sqlite3.DatabaseError as exc:
            if not worker.is_cancelled:
                node.post_message(LoadFailed(what, f"database problem: {exc}"))
            return
        if not worker.is_cancelled:
            node.post_message(Loaded(what, data, token))

    node.run_worker(job, name=what, group=what, thread=True, exclusive=True)


class DeskScreen(Screen):
    """A desk screen. Subclasses set ``HELP``, ``BINDINGS`` and handle :class:`Loaded`."""

    HELP: str = ""

    @property
    def store(self):
        return self.app.store

    @property
    def actor(self):
        return self.app.actor

    def query_db(self, what: str, fn: Callable[[], Any], token: Any = None) -> None:
        run_query(self, what, fn, token)

    def reload(self) -> None:
        """Load (again) everything the screen shows."""

    def action_reload(self) -> None:
        self.reload()

    def on_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self.notify(message.error, title="Refused" if message.refused else "Problem", severity="error", markup=False)
        if message.refused and self.app.screen is self and self.app.can_go_back():
            self.app.pop_screen()

    def on_record_saved(self, message: RecordSaved) -> None:
        message.stop()
        self.reload()

    def on_screen_resume(self) -> None:
        # shown for the first time, or back from a form or another screen: (re)load
        self.reload()

    def on_unmount(self) -> None:
        forget_closed_watchers(self.app)


def forget_closed_watchers(app) -> None:
    """Drop the app's watchers whose widget has gone (Textual prunes them only when the value changes).

    Each screen's Header watches the app's ``title`` and ``sub_title``, which the desk sets once:
    every screen ever opened stayed alive through its header (about 2,700 objects a screen), so
    the heap grew with each screen change and each full garbage collection took longer (over
    200 ms after a few dozen screens, a pause in the middle of a screen change).
    """
    watchers = getattr(app, "__watchers", None)  # where textual.reactive keeps them
    if not watchers:
        return
    for name, entries in watchers.items():
        entries[:] = [(node, callback) for node, callback in entries if not node._closing]
