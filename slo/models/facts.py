"""What the rest of the product needs to know about an entity, declared once beside its model.

Every model in :mod:`slo.models.entities` carries one :class:`EntityFacts` as its
``facts`` class attribute: its bundle section (and table), its natural key, who owns
its records, which of its fields are personal data, which are stored as JSON or 0/1,
what its references name and the roles they need, and its no-overlap rule. Nothing
else in the product keeps a table of these: the store (``slo.store.rows``), the
services (``records``, ``permissions``, ``bundle``, ``retention``) and the tests read
them from the model.

This module is plain data (no pydantic, no I/O), so the store and the rules can read
it without building the models.

Ownership (:class:`Owner`) is what the permission check reads; a model that declares
none is refused to everyone (deny by default, ``slo.services.permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Owner:
    """Whose records these are: what :mod:`slo.services.permissions` checks a change or a view against.

    * ``officer``: the field naming the one officer the record belongs to (an engagement's
      ``officer``). The record is that officer's own, their team's, or another's.
    * ``young_person``: the field naming the young person the record is about (``ref`` for
      the young person themselves). It belongs to that young person's officers, as
      ``slo.services.permissions`` defines them (the officers assigned to their school,
      and those who have a consultation or an engagement with them).
    * ``managed``: only a role with the ``manage`` permission (an admin) creates or changes
      it; it is reference data everyone with the ``view`` permission may see, unless
      ``officer`` names whose it is (an assignment).
    """

    officer: str | None = None
    young_person: str | None = None
    managed: bool = False

    def __post_init__(self) -> None:
        if self.officer and self.young_person:
            raise ValueError("a record belongs to an officer or to a young person, not both")
        if not (self.officer or self.young_person or self.managed):
            raise ValueError("an owner names a field, or says the records are managed")


#: reference data an admin manages and every officer may see (teams, officers, schools)
MANAGED = Owner(managed=True)


@dataclass(frozen=True)
class Reference:
    """A field whose value is the natural key of a record of ``entity``.

    ``role``: the role the named officer must have. ``while_named``: the officer must keep
    that role as long as the record names them (a team's sergeant), not only when the
    record is written (the sergeant who reviewed an abstraction may later be promoted).
    ``named_as``: how a refusal says what the officer is to the record ("the sergeant of").
    """

    field: str
    entity: str
    role: str | None = None
    while_named: bool = False
    named_as: str = ""


@dataclass(frozen=True)
class Overlap:
    """No two records of one owner may share a day: the span ``start``..``end`` (inclusive;
    ``end`` None = open-ended) of records with the same ``owner`` field."""

    owner: str
    start: str
    end: str
    #: the refusal, followed by the key of the other record
    words: str


@dataclass(frozen=True)
class EntityFacts:
    """Everything about one entity that is not a field's own type (see the module docstring)."""

    #: the bundle section, which is also the table's name
    entity: str
    #: the fields that make the natural key, in order (``school/start_date``)
    key: tuple[str, ...] = ("ref",)
    #: whose records these are; None: nobody's, and every change and view is refused
    owner: Owner | None = None
    #: every record is personal data about one young person: each read of one is audited
    personal: bool = False
    #: free text a person typed, which may name a child: erasing a young person redacts their name there
    personal_text: tuple[str, ...] = ()
    #: list fields, stored as JSON text
    json_fields: tuple[str, ...] = ()
    #: true/false fields, stored as 0/1
    bool_fields: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    overlap: Overlap | None = None
    #: fields a head teacher's calendar shows: a change to any raises the record's ``sequence``
    #: (the table then also keeps ``sequence`` and ``updated_at``)
    calendar_fields: tuple[str, ...] = ()

    def reference(self, field: str) -> Reference | None:
        """The reference that ``field`` makes, if it makes one."""
        return next((r for r in self.references if r.field == field), None)

    @property
    def words(self) -> str:
        """The entity as a person says it (``young people``)."""
        return self.entity.replace("_", " ")
