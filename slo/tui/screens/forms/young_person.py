"""YoungPersonForm: add or edit a young person.

New refs are pseudonymous working references ``YP-XXXXXX``, made by
:func:`slo.services.young_people.save_young_person` inside the write transaction: random,
checked unused, they carry nothing about the child (no initials, no date of birth), so
they can appear in reports.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from slo.models import YoungPerson
from slo.models.enums import SEN
from slo.services import refs
from slo.services.queries.forms import YoungPersonFormData, young_person_form
from slo.services.young_people import save_young_person
from slo.tui.widgets.controls import KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .consultation import ETHNICITY_CHOICES
from .pickers import school_search
from .problems import FieldProblems
from .values import enum_choices, text_or_none

SEX_KEYS = [("f", "female", "Female"), ("m", "male", "Male"), ("o", "other", "Other"), ("u", "unknown", "Unknown")]
FSM_KEYS = [("y", "yes", "Yes"), ("n", "no", "No"), ("u", "unknown", "Unknown")]


class YoungPersonForm(FormScreen[YoungPersonFormData]):
    """A young person on the caseload (pseudonymous ref, names, school, characteristics)."""

    CSS_PATH = "young_person.tcss"
    FORM_TITLE = "Young person"
    HELP = (
        "Add or edit a young person. The ref is a pseudonymous working reference made for you (YP-XXXXXX). "
        "Sex and free school meals: one key each. Ethnicity is self-defined: type the code (W1, B2...) or words, "
        "or say why it is missing (not asked, declined, not known). Only what the work needs."
    )
    MODEL = YoungPerson
    FIELD_MAP = {"ethnicity_missing_reason": "ethnicity"}

    def __init__(self, school: str | None = None, ref: str | None = None) -> None:
        super().__init__()
        self.school = school
        self.ref = ref
        self.existing: YoungPerson | None = None

    def compose_fields(self) -> ComposeResult:
        yield FormField("Given name", Input(id="in-given_name", compact=True), field="given_name", required=True)
        yield FormField("Family name", Input(id="in-family_name", compact=True), field="family_name", required=True)
        yield FormField("Date of birth", Input(placeholder="YYYY-MM-DD (optional)", id="in-date_of_birth",
                                               compact=True), field="date_of_birth")
        yield FormField("School", Picker(search=school_search(self.store, lambda: self.actor.collar),
                                         id="in-school", placeholder="school name or URN"), field="school")
        yield FormField("Year group", Input(placeholder="0-14 (optional)", id="in-year_group", compact=True),
                        field="year_group")
        yield FormField("Sex", KeyChoice(SEX_KEYS, value="unknown", allow_blank=False, id="in-sex"), field="sex")
        yield FormField("Ethnicity", Picker(ETHNICITY_CHOICES, id="in-ethnicity",
                                            placeholder="code (W1...) or: not asked, declined, not known"),
                        field="ethnicity")
        yield FormField("SEN", Picker(enum_choices(SEN), id="in-sen", placeholder="none, SEN support, EHC plan"),
                        field="sen")
        yield FormField("Free school meals", KeyChoice(FSM_KEYS, value="unknown", allow_blank=False, id="in-fsm"),
                        field="fsm")

    def load(self) -> YoungPersonFormData:
        return young_person_form(self.store, self.actor, ref=self.ref, school=self.school)

    def fill(self, data: YoungPersonFormData) -> None:
        self.existing = data.existing
        if data.school:
            self.picker("school").set_value(data.school.urn, data.school.label, notify=False)
        self.picker("sen").set_value("unknown", notify=False)
        yp = self.existing
        if yp:
            self.input("given_name").value = yp.given_name
            self.input("family_name").value = yp.family_name
            self.input("date_of_birth").value = yp.date_of_birth.isoformat() if yp.date_of_birth else ""
            self.input("year_group").value = "" if yp.year_group is None else str(yp.year_group)
            for name in ("sex", "fsm"):
                self.key_choice(name).set_value(getattr(yp, name).value)
            self.picker("sen").set_value(yp.sen.value, notify=False)
            if yp.ethnicity:
                self.picker("ethnicity").set_value(yp.ethnicity.value, notify=False)
            elif yp.ethnicity_missing_reason:
                self.picker("ethnicity").set_value(f"reason:{yp.ethnicity_missing_reason.value}", notify=False)

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        year_text = self.input("year_group").value.strip()
        year: int | None = None
        if year_text:
            try:
                year = int(year_text)
            except ValueError:
                problems["year_group"] = "enter a whole number from 0 to 14"
        ethnicity = self.pick_value("ethnicity", problems)
        values: dict[str, Any] = {
            "ref": self.ref or refs.NEW,
            "given_name": self.input("given_name").value,
            "family_name": self.input("family_name").value,
            "date_of_birth": text_or_none(self.input("date_of_birth").value),
            "school": self.pick_value("school", problems),
            "year_group": year,
            "sex": self.key_choice("sex").value,
            "ethnicity": None if ethnicity is None or ethnicity.startswith("reason:") else ethnicity,
            "ethnicity_missing_reason": ethnicity.split(":", 1)[1] if ethnicity and ethnicity.startswith("reason:")
            else None,
            "sen": self.pick_value("sen", problems) or "unknown",
            "fsm": self.key_choice("fsm").value,
        }
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: YoungPerson) -> SaveResult:
        return SaveResult(save_young_person(self.store, self.actor, model).ref)
