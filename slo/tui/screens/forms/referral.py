"""ReferralForm: a referral to a partner (youth justice, CAMHS, mentoring...), and its progress.

New referrals get their ref (``REF-<made on>-XXXXXX``) from ``add_referral``, inside its write
transaction. Editing only the status (and the Outcome 22 flag) goes through
``set_referral_status`` (allowed transitions: made -> accepted / declined / waiting list ->
completed); anything else through ``add_referral``.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from slo.models import Referral
from slo.models.enums import Partner, ReferralStatus
from slo.services import refs
from slo.services.consultations import add_referral, set_referral_status
from slo.services.queries.forms import ReferralFormData, referral_form
from slo.services.queries.pickers import consultation_options
from slo.tui.widgets.controls import Choice, KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .pickers import young_person_search
from .problems import FieldProblems
from .values import choices, enum_choices, text_or_none

OUTCOME22_KEYS = [("y", "yes", "Yes"), ("n", "no", "No")]


class ReferralForm(FormScreen[ReferralFormData]):
    """Refer a young person to a partner; record what became of it (and Outcome 22)."""

    CSS_PATH = "referral.tcss"
    FORM_TITLE = "Referral to a partner"
    HELP = (
        "Record a referral to a partner (youth justice, children's social care, early help, CAMHS, a VRU "
        "programme, mentoring...). Status: made, then accepted / declined / waiting list, then completed. "
        "Outcome 22 (y/n) is recorded only once the diversionary activity is completed."
    )
    MODEL = Referral

    def __init__(self, young_person: str | None = None, consultation: str | None = None,
                 ref: str | None = None) -> None:
        super().__init__()
        self.young_person = young_person
        self.consultation = consultation
        self.ref = ref
        self.existing: Referral | None = None

    def compose_fields(self) -> ComposeResult:
        pupils = young_person_search(self.store, actor=self.actor)
        yield FormField("Young person", Picker(search=pupils, id="in-young_person", placeholder="name or ref"),
                        field="young_person", required=True)
        yield FormField("Partner", Picker(enum_choices(Partner), id="in-partner",
                                          placeholder="youth justice, CAMHS, mentoring..."),
                        field="partner", required=True)
        yield FormField("Made on", Input(placeholder="YYYY-MM-DD", id="in-made_on", compact=True),
                        field="made_on", required=True)
        yield FormField("Status", Picker(enum_choices(ReferralStatus), id="in-status",
                                         placeholder="made, accepted, declined, waiting list, completed"),
                        field="status", required=True)
        yield FormField("Outcome 22", KeyChoice(OUTCOME22_KEYS, id="in-outcome22"), field="outcome22",
                        hint="only when completed; Backspace clears")
        yield FormField("Consultation", Picker(id="in-consultation", placeholder="optional: its consultation"),
                        field="consultation")

    def load(self) -> ReferralFormData:
        return referral_form(self.store, self.actor, ref=self.ref, young_person=self.young_person,
                             consultation=self.consultation)

    def fill(self, data: ReferralFormData) -> None:
        r = self.existing = data.existing
        if data.young_person:
            self.picker("young_person").set_value(data.young_person.ref, data.young_person.label, notify=False)
        con = self.picker("consultation")
        con.choices = choices(data.consultations)
        if data.consultation:
            con.set_value(data.consultation, notify=False)
        self.input("made_on").value = (r.made_on if r else self.today()).isoformat()
        self.picker("status").set_value(r.status.value if r else "made", notify=False)
        if r:
            self.picker("partner").set_value(r.partner.value, notify=False)
            if r.outcome22 is not None:
                self.key_choice("outcome22").set_value("yes" if r.outcome22 else "no")

    def after_loaded(self) -> None:
        self.field("partner" if self.picker("young_person").value else "young_person").focus_control()

    @on(Picker.Changed, "#in-young_person")
    def _young_person_changed(self, event: Picker.Changed) -> None:
        ref, store = event.picker.value, self.store

        def work() -> None:
            found = choices(consultation_options(store, ref))
            self.app.call_from_thread(self._set_consultations, found)

        self.run_worker(work, thread=True, exclusive=True, group="consultations")

    def _set_consultations(self, found: list[Choice]) -> None:
        picker = self.picker("consultation")
        picker.choices = found
        if picker.value and picker.value not in {c.value for c in found}:
            picker.set_value(None)

    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        flag = self.key_choice("outcome22").value
        values: dict[str, Any] = {
            "ref": self.ref or refs.NEW,
            "young_person": self.pick_value("young_person", problems),
            "consultation": self.pick_value("consultation", problems),
            "partner": self.pick_value("partner", problems),
            "made_on": text_or_none(self.input("made_on").value),
            "status": self.pick_value("status", problems),
            "outcome22": None if flag is None else flag == "yes",
        }
        if problems:
            raise FieldProblems(problems)
        return values

    def persist(self, model: Referral) -> SaveResult:
        old = self.existing
        if old is not None:
            same_but_status = old.model_dump(exclude={"status", "outcome22"}) == model.model_dump(
                exclude={"status", "outcome22"})
            if same_but_status:
                saved = set_referral_status(self.store, self.actor, old.ref, model.status.value, model.outcome22)
                return SaveResult(saved.ref)
        return SaveResult(add_referral(self.store, self.actor, model).ref)
