"""The record screen: one record's every field in plain words, and its history.

Opened from wherever records are listed (a school's engagements and consultations, a young
person's chronology, the week planner, an officer's abstractions). The same permissions as the
record itself (:func:`slo.services.permissions.require_view`); opening a personal record (a
consultation, a referral, a young person) or one about a young person (a 1:1 session) is a view
written to the audit log, and its history is read with it (the history holds the earlier values,
personal data as the record is).

A record deleted as a mistake still opens: its last values come from its history, which ends
with the deletion (who, when, why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slo.models.enums import coded, label
from slo.services.actors import Actor
from slo.store.db import Store

if TYPE_CHECKING:
    from sqlite_utils import Database

#: how a field reads on the record screen and in its history (others: ``label(name)``)
FIELD_WORDS = {
    "timing": "Before/after the decision",
    "consulted_on": "Consulted on",
    "consulted_by": "Consulted by",
    "proposed": "Proposed",
    "reasons": "Reasons",
    "risk_factors": "Risk factors",
    "advice": "Advice (private)",
    "outcome_on": "Outcome on",
    "follow_up_on": "Follow up on",
    "exclusion_start": "Exclusion starts",
    "young_person": "Young person",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "cancel_reason": "Cancel reason",
    "date_from": "From",
    "date_to": "To",
    "made_on": "Made on",
    "outcome22": "Outcome 22",
    "ref": "Ref",
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "year_group": "Year group",
    "sen": "SEN",
    "fsm": "Free school meals",
    "requested_by": "Requested by",
    "review_status": "Review",
    "reviewed_by": "Reviewed by",
    "reviewed_at": "Reviewed at",
    "review_note": "Review note",
}

#: where a change came from, as a person says it
SOURCE_WORDS = {
    "desk": "at the desk",
    "cli": "on the command line",
    "status": "status change",
    "outcome": "outcome recorded",
    "abstraction": "cancelled by an abstraction",
    "rebook": "rebooked",
    "reshape": "abstraction changed",
    "review": "review",
    "withdrawal": "abstraction withdrawn",
    "handover": "handover",
    "delete": "abstraction deleted",
    "admin": "admin",
    "leaving": "officer leaving",
    "absence": "absence",
}

#: one record of each kind the screen opens, as a person names it
KIND_WORDS = {
    "engagements": "Engagement",
    "consultations": "Consultation",
    "referrals": "Referral",
    "young_people": "Young person",
    "absences": "Absence",
    "abstractions": "Abstraction",
}


@dataclass
class FieldLine:
    name: str
    label: str
    value: str


@dataclass
class HistoryLine:
    at: str
    actor: str
    what: str
    #: one ``label: old → new`` per changed field
    changes: list[str] = field(default_factory=list)


@dataclass
class RecordDetail:
    entity: str
    key: str
    title: str
    fields: list[FieldLine]
    history: list[HistoryLine]
    #: the record's values (bundle spellings), for the screen's keys (which form, which school)
    values: dict[str, Any]
    #: why ``x`` cannot delete it (None: it may be deleted as a mistake, if the actor may correct it)
    why_not_delete: str | None
    #: why ``e`` cannot correct it here (None: the form opens in edit mode)
    why_not_edit: str | None
    #: the deletion, when the record was deleted as a mistake (its values are the last ones)
    deleted: HistoryLine | None = None


def _names(db: Database, values: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Names of the officers, schools and young people a record names (the desk is the officer's view)."""
    out: dict[tuple[str, str], str] = {}
    for column, sql in (
        ("officer", "SELECT name FROM officers WHERE collar_number = ?"),
        ("reviewed_by", "SELECT name FROM officers WHERE collar_number = ?"),
        ("school", "SELECT name FROM schools WHERE urn = ?"),
        ("young_person", "SELECT given_name || ' ' || family_name FROM young_people WHERE ref = ?"),
    ):
        value = values.get(column)
        if value:
            row = db.execute(sql, [value]).fetchone()
            if row and row[0]:
                out[(column, str(value))] = str(row[0])
    return out


def value_words(name: str, value: Any, names: dict[tuple[str, str], str] | None = None, *, sep: str = "; ") -> str:
    """One value in plain words: labels for codes (reasons with their code), yes/no, readable times;
    the items of a list joined with ``sep``."""
    if value is None or value == [] or value == "":
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return sep.join(coded(str(v)) if name == "reasons" else label(str(v)) for v in value)
    if isinstance(value, (int, float)):
        return f"{value:g}"
    text = str(value)
    if names and (name, text) in names:
        return f"{names[(name, text)]} ({text})"
    if name in ("officer", "reviewed_by", "school", "young_person", "ref", "abstraction", "consultation",
                "given_name", "family_name", "title", "notes", "advice", "reason", "review_note", "requested_by",
                "consulted_by", "challenged_to", "resolution_note", "ethnicity_missing_reason"):
        return label(text) if name == "ethnicity_missing_reason" else text
    if "T" in text and len(text) >= 16 and text[:4].isdigit():
        return text.replace("T", " ")[:16]
    if text[:4].isdigit():
        return text
    return coded(text) if name == "ethnicity" else label(text)


def field_words(name: str) -> str:
    return FIELD_WORDS.get(name) or label(name)


def _history(db: Database, entity: str, key: str) -> list[HistoryLine]:
    from slo.services import history

    out = []
    who = dict(db.execute("SELECT collar_number, name FROM officers").fetchall())
    for entry in history.history_of(db, entity, key):
        source = SOURCE_WORDS.get(entry.source, label(entry.source))
        actor = f"{who[entry.actor]} ({entry.actor})" if entry.actor in who else entry.actor
        if entry.operation == history.CREATE:
            what = f"Created ({source})"
            changes: list[str] = []
        elif entry.operation == history.DELETE:
            what = f"Deleted as a mistake: {entry.reason}" if entry.reason else f"Deleted ({source})"
            changes = []
        else:
            what = f"Changed ({source})"
            changes = [f"{field_words(c.field)}: {value_words(c.field, c.old)} → {value_words(c.field, c.new)}"
                       for c in entry.changes]
        out.append(HistoryLine(entry.at.replace("T", " ")[:16], actor, what, changes))
    return out


def _title(entity: str, key: str, values: dict[str, Any], names: dict[tuple[str, str], str]) -> str:
    kind = KIND_WORDS.get(entity, entity.replace("_", " "))
    if entity == "engagements":
        person = names.get(("young_person", str(values.get("young_person"))))
        if person:  # the officer's own view: whom they met, not the head teacher's anonymised title
            return f"{label(str(values.get('kind')))} {key} with {person}"
        return f"{label(str(values.get('kind')))} {key}: {values.get('title')}"
    if entity == "young_people":
        return f"{kind} {key}: {values.get('given_name')} {values.get('family_name')}"
    if entity in ("absences", "abstractions"):
        what = label(str(values.get("kind") or values.get("category")))
        days = f"{values.get('date_from')}" + (f" to {values.get('date_to')}"
                                                if values.get("date_to") != values.get("date_from") else "")
        return f"{kind} {key}: {what}, {days}"
    person = names.get(("young_person", str(values.get("young_person"))))
    return f"{kind} {key}" + (f": {person}" if person else "")


def _why_not_edit(entity: str, values: dict[str, Any], actor: Actor) -> str | None:
    if entity == "abstractions" and values.get("review_status") not in (None, "pending") and actor.role != "sergeant":
        return (f"abstraction {values.get('ref')} was reviewed ({values.get('review_status')}): only a sergeant "
                "may correct it now")
    return None


def record_detail(store: Store, actor: Actor, entity: str, key: str, *, audit_view: bool = True) -> RecordDetail:
    """One record (or the last values of one deleted as a mistake) with its history, oldest first.

    Refused (audited) unless ``actor`` may see the record. ``audit_view=False`` only to refresh a
    record the same person has open (its opening was audited already).
    """
    from slo.models.entities import ENTITY_MODELS
    from slo.services import audit, history, permissions, records
    from slo.services.errors import NotFound

    if entity not in KIND_WORDS:
        raise NotFound(f"no kind of record called {entity!r}")
    model = ENTITY_MODELS[entity]
    table = model.facts.entity
    db = store.db
    row = records.get_row(db, table, key)
    gone = None
    if row is None:
        entry = history.deleted(db, table, key)
        if entry is None:
            raise NotFound(f"no {records.one_of(table)} {key!r}")
        values = {c.field: c.old for c in entry.changes}
        gone = entry
        record = model.model_validate({k: v for k, v in values.items() if k in model.model_fields})
    else:
        record = records.get(db, table, key)
        values = record.to_bundle()
        for extra in ("exclusion_start", "rebooked_from"):
            if row.get(extra):
                values[extra] = row[extra]
    permissions.require_view(db, actor, record)
    # a personal record, or one about a young person (a 1:1 session: their name, the private notes)
    if audit_view and (record.facts.personal or records.young_person_of(record)):
        with store.write() as wdb:
            audit.record(wdb, actor.collar, audit.VIEW, table, key)
    names = _names(db, values)
    fields = [FieldLine(name, field_words(name), value_words(name, value, names, sep="\n"))
              for name, value in values.items() if not (name == "exclusion_start" and not value)]
    lines = _history(db, table, key)
    deleted = lines[-1] if gone is not None and lines else None
    what = f"{records.one_of(table)} {key}"
    why_delete = f"{what} was deleted already" if gone else records.why_not_deletable(db, record)
    why_edit = f"{what} was deleted as a mistake: there is nothing to correct" if gone else _why_not_edit(
        table, values, actor)
    return RecordDetail(table, key, _title(table, key, values, names), fields, lines, values, why_delete, why_edit,
                        deleted)

