"""RebookScreen: cancelled sessions to rebook: those a withdrawn abstraction (or a corrected absence)
gave back too late to put back as they were (their time had passed, or the slot was taken since),
or those an absence just cancelled. Each can be rebooked into the officer's next free slot with
``b`` (:func:`slo.services.engagements.rebook`). Escape closes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from slo.services.abstractions import NotReinstated
from slo.services.engagements import rebook
from slo.services.errors import USER_ERRORS
from slo.services.queries.team import when
from slo.tui import bindings
from slo.tui.desk import desk_of
from slo.tui.messages import LoadFailed, Rebooked
from slo.tui.widgets import DeskTable

from .base import load_in_worker

COLUMNS = [("When", "when"), ("School", "school"), ("Kind", "kind"), ("Why it is cancelled", "why"),
           ("Now", "now"), ("Ref", "ref")]


class RebookScreen(ModalScreen[None]):
    """Offer each session in ``sessions`` for rebooking."""

    HELP = (
        "These sessions are cancelled: an absence cancelled them, or an abstraction (or absence) that was "
        "withdrawn or cut back gave them back too late to go in the diary as they were (their time had "
        "passed, or the slot has been taken since). b rebooks the highlighted one into the officer's next "
        "free slot in school hours, on a working day they are not away (its head teacher's calendar shows "
        "the new time); Escape closes (you can rebook them later from the school's engagements)."
    )
    BINDINGS = bindings.REBOOK
    DEFAULT_CSS = """
    RebookScreen { align: center middle; }
    RebookScreen > Vertical { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    RebookScreen #rebook-title { text-style: bold; padding: 0 0 1 0; }
    RebookScreen DeskTable { height: auto; max-height: 12; }
    RebookScreen #rebook-status { color: $text-muted; height: auto; }
    """

    def __init__(self, sessions: list[NotReinstated], *, why: str | None = None) -> None:
        super().__init__()
        self.sessions = sessions
        #: what the title says about them ("Cancelled because the officer is away")
        self.why = why
        self.done: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            n = len(self.sessions)
            title = f"{n} session{'s' if n != 1 else ''} to rebook" + (f" · {self.why}" if self.why else "")
            yield Static(Text(title), id="rebook-title")
            yield DeskTable(COLUMNS, id="rebook")
            yield Static(Text("b rebook the highlighted session · Escape close", style="dim"), id="rebook-status")

    def on_mount(self) -> None:
        self.show()
        self.query_one(DeskTable).focus()

    def show(self) -> None:
        self.query_one(DeskTable).replace_rows(
            (n.engagement.ref, [when(n.engagement.starts_at.isoformat()), n.engagement.school_name,
                                "1:1 session" if n.engagement.one_to_one else n.engagement.kind.replace("_", " "),
                                n.why, self.done.get(n.engagement.ref, "cancelled"), n.engagement.ref])
            for n in self.sessions)

    def action_rebook(self) -> None:
        ref = self.query_one(DeskTable).current_key
        if ref is None or ref in self.done:
            return
        desk = desk_of(self.app)
        store, actor = desk.store, desk.actor
        assert actor is not None

        def read() -> Rebooked:
            try:
                new = rebook(store, actor, ref)
            except USER_ERRORS as exc:
                return Rebooked(ref, None, None, str(exc))
            return Rebooked(ref, new.ref, new.starts_at.isoformat())

        self.query_one("#rebook-status", Static).update(Text(f"Rebooking {ref}...", style="dim"))
        load_in_worker(self, "rebook", read)

    def on_rebooked(self, message: Rebooked) -> None:
        status = self.query_one("#rebook-status", Static)
        if message.error or message.starts_at is None:
            status.update(Text(f"{message.ref} not rebooked: {message.error}", style="bold red"))
            return
        self.done[message.ref] = f"rebooked {when(message.starts_at)} ({message.new_ref})"
        status.update(Text(f"{message.ref} rebooked for {when(message.starts_at)} as {message.new_ref}"))
        self.show()

    def on_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self.query_one("#rebook-status", Static).update(Text(message.error, style="bold red"))

    def action_close(self) -> None:
        self.dismiss(None)
