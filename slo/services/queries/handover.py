"""The handover notes: which an officer may read (the incoming officer's first), and one note.

A note names young people (those seen at the school in the last term, the pupils of pending
consultations and planned 1:1 sessions), so reading one is a view of personal records: audited
(operation ``view``, entity ``handovers``, the handover's id). The incoming officer's first reading
is remembered (``handovers.read_at``), so their due list stops asking them to read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from slo.services import audit, permissions
from slo.services.actors import Actor
from slo.services.errors import NotFound, PermissionDenied
from slo.services.handover import HandoverNote, may_read_note, read_note
from slo.store.db import Store

from .scope import MAX_ROWS


@dataclass
class HandoverLine:
    id: int
    school: str
    school_name: str
    outgoing: str | None
    incoming: str
    day: str
    moved: int
    cancelled: int
    read_at: str | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def handovers(store: Store, actor: Actor) -> list[HandoverLine]:
    """The handovers ``actor`` may read, newest first: an admin every one, an officer those to or from
    them, a sergeant or inspector those of officers whose records they may see."""
    db = store.db
    rows = db.execute(
        "SELECT h.id, h.school, s.name, h.from_officer, h.to_officer, h.handover_on, h.moved, h.cancelled, h.read_at "
        f"FROM handovers h JOIN schools s ON s.urn = h.school ORDER BY h.handover_on DESC, h.id DESC LIMIT {MAX_ROWS}"
    ).fetchall()
    return [HandoverLine(*r) for r in rows if may_read_note(db, actor, r[3], r[4])]


def handover_note(store: Store, actor: Actor, handover_id: int) -> HandoverNote:
    """One note, read now from the school's records (an audited view); the incoming officer's first
    reading is remembered."""
    db = store.db
    row = db.execute("SELECT from_officer, to_officer, read_at FROM handovers WHERE id = ?", [handover_id]).fetchone()
    if row is None:
        raise NotFound(f"no handover {handover_id}")
    if not may_read_note(db, actor, row[0], row[1]):
        permissions.log_refusal(db, actor, permissions.VIEW, f"handover {handover_id}")
        raise PermissionDenied(f"{actor.collar} ({actor.role}) may not see handover {handover_id}")
    note = read_note(db, handover_id)
    with store.write() as wdb:
        audit.record(wdb, actor.collar, audit.VIEW, "handovers", str(handover_id))
        if actor.collar == row[1] and row[2] is None:
            stamp = audit.now_local().isoformat(timespec="seconds")
            wdb.execute("UPDATE handovers SET read_at = ? WHERE id = ?", [stamp, handover_id])
            note.read_at = stamp
    return note
