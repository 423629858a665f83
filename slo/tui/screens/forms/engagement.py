"""EngagementForm: add or edit a visit, assembly, lesson, 1:1 session, meeting...

Saved with :func:`slo.services.engagements.save_engagement`, which makes a new engagement's
ref (``ENG-<start day>-XXXXXX``, :mod:`slo.services.refs`) inside the write transaction.
The calendar UID is derived from the ref, so a ref never changes.

Clash checks (docs/forms.md, "Clash warnings"): as the officer fills the date, time, duration,
school or officer, a worker asks :func:`slo.services.clashes.check_booking` what the engagement
as typed clashes with (their own and the school's engagements, a weekend or bank holiday, outside
the school's terms or hours, an abstraction or absence, a NO VISITS school) and shows each clash
as a warning next to its field. Booking or moving one that clashes takes one more ctrl+s (the
same confirmation as the title guard, :meth:`FormScreen.precheck`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from slo.models import Engagement
from slo.models.enums import ONE_TO_ONE_TITLE, EngagementKind
from slo.models.types import parse_date
from slo.services import refs
from slo.services.clashes import Clash, check_booking
from slo.services.engagements import save_engagement
from slo.services.queries.forms import EngagementFormData, engagement_form, title_names_a_child
from slo.services.queries.pickers import describe_school
from slo.tui.desk import desk_of
from slo.tui.widgets.controls import Choice, Picker
from slo.tui.widgets.form_field import FormField

from .base import FormScreen, SaveResult
from .pickers import school_search, young_person_search
from .problems import EXAMPLE_DATE, FieldProblems
from .values import enum_choices, text_or_none

#: the title a school's calendar shows, by kind (never a child's name)
DEFAULT_TITLES = {
    "visit": "School visit",
    "assembly": "Assembly",
    "lesson": "Lesson",
    "one_to_one": ONE_TO_ONE_TITLE,
    "drop_in": "Drop-in session",
    "meeting": "Meeting with staff",
    "case_conference": "Case conference",
    "parent_meeting": "Parent meeting",
    "other": "Liaison officer visit",
}


#: titles the desk itself gives, which name no one
NEUTRAL_TITLES = frozenset(DEFAULT_TITLES.values())


def default_minutes(kind: str | None) -> int:
    return 30 if kind == "one_to_one" else 60


def next_round_hour(now: datetime) -> str:
    """The next whole hour after ``now``, kept within 08:00-16:00 (else 09:00)."""
    hour = now.hour + 1
    return f"{hour:02d}:00" if 8 <= hour <= 16 else "09:00"


_TIME = re.compile(r"^([01]?\d|2[0-3]):?([0-5]\d)$")

KIND_CHOICES = [
    Choice(c.value, "1:1 session" if c.value == "one_to_one" else c.label,
           words=c.value + (" 1:1 121 one-to-one session" if c.value == "one_to_one" else ""))
    for c in enum_choices(EngagementKind)
]

#: a clash's field (slo.services.clashes.Clash.field) -> the form field it is shown next to
CLASH_FIELDS = {"date": "date", "time": "time", "school": "school", "dress": "school"}

POLICY_NOTES = {
    "no_visits": "This school's policy is NO VISITS: agree it with the head teacher before booking.",
    "plain_clothes_only": "This school accepts officers in plain clothes only.",
}


class EngagementForm(FormScreen[EngagementFormData]):
    """A visit, assembly, lesson, 1:1 session... planned at a school."""

    CSS_PATH = "engagement.tcss"
    FORM_TITLE = "Engagement (visit, session, assembly...)"
    HELP = (
        "Plan a school visit, an assembly, a lesson or a 1:1 session. Kind: type e.g. 'visit' or '1:1' and "
        "press Enter. The title goes to the head teacher's calendar: never put a child's name in it (the form "
        "warns if it looks like one). A 1:1 session needs a young person from the school. Date YYYY-MM-DD, "
        "time HH:MM, duration in minutes. Notes are private and never leave the desk."
    )
    MODEL = Engagement
    FIELD_MAP = {"starts_at": "date", "ends_at": "duration"}

    def __init__(self, school: str | None = None, young_person: str | None = None, ref: str | None = None) -> None:
        super().__init__()
        self.school = school
        self.young_person = young_person
        self.ref = ref
        self._kind: str | None = None
        self._school: str | None = None
        self._officer: str | None = None
        self.existing: Engagement | None = None
        #: the clashes shown, by form field; the school's policy note (shown unless a clash is)
        self.clash_notes: dict[str, list[str]] = {}
        self._policy_note: str | None = None
        self._clash_round = 0
        #: a clash check is asked for after the next refresh (one per frame, see check_clashes)
        self._clash_asked = False
        self._title_round = 0

    def compose_fields(self) -> ComposeResult:
        yield FormField("Kind", Picker(KIND_CHOICES, id="in-kind",
                                       placeholder="visit, assembly, lesson, 1:1..."), field="kind", required=True)
        yield FormField("School", Picker(search=school_search(self.store, lambda: self._officer), id="in-school",
                                         placeholder="school name or URN"), field="school", required=True)
        pupils = young_person_search(self.store, lambda: self._school, actor=self.actor)
        yield FormField("Young person", Picker(search=pupils, id="in-young_person",
                                               placeholder="name (pupils of this school)"),
                        field="young_person", hint="for 1:1 sessions")
        yield FormField("Title (school sees)", Input(id="in-title", compact=True), field="title", required=True)
        yield FormField("Date", Input(placeholder="YYYY-MM-DD", id="in-date", compact=True), field="date",
                        required=True)
        yield FormField("Start time", Input(placeholder="HH:MM", id="in-time", compact=True), field="time",
                        required=True)
        yield FormField("Duration (minutes)", Input(id="in-duration", compact=True), field="duration", required=True)
        yield FormField("Notes (private)", TextArea(id="in-notes"), field="notes")
        yield FormField("Officer", Picker(id="in-officer", placeholder="collar number or name"), field="officer",
                        required=True, classes="-hidden")

    # ----- loading
    def load(self) -> EngagementFormData:
        return engagement_form(self.store, self.actor, ref=self.ref, school=self.school,
                               young_person=self.young_person)

    def fill(self, data: EngagementFormData) -> None:
        existing = self.existing = data.existing
        self._officer = self.fill_officer(data.officers, existing.officer if existing else self.actor.collar)
        if data.school:
            self.picker("school").set_value(data.school.urn, data.school.label, notify=False)
            self._school = data.school.urn
            self._policy_note = POLICY_NOTES.get(data.school.uniform_policy)
            self._show_notes()
        if data.young_person:
            self.picker("young_person").set_value(data.young_person.ref, data.young_person.label, notify=False)
        if existing:
            kind = existing.kind.value
            self.input("title").value = existing.title
            self.input("date").value = existing.starts_at.date().isoformat()
            self.input("time").value = existing.starts_at.strftime("%H:%M")
            minutes = int((existing.ends_at - existing.starts_at).total_seconds() // 60)
            self.input("duration").value = str(minutes)
            self.text_area("notes").text = existing.notes or ""
        else:
            kind = "one_to_one" if data.young_person else "visit"
            self.input("title").value = DEFAULT_TITLES[kind]
            self.input("date").value = self.today().isoformat()
            self.input("time").value = next_round_hour(desk_of(self.app).now())
            self.input("duration").value = str(default_minutes(kind))
        self._kind = kind
        self.picker("kind").set_value(kind, notify=False)

    def after_loaded(self) -> None:
        self.field("kind").focus_control()
        self.check_clashes()

    # ----- live behaviour
    @on(Picker.Changed, "#in-kind")
    def _kind_changed(self, event: Picker.Changed) -> None:
        new = event.picker.value
        old = self._kind
        if new is None or new == old:
            return
        title = self.input("title")
        if not title.value.strip() or title.value == DEFAULT_TITLES.get(old or "", ""):
            title.value = DEFAULT_TITLES[new]
        duration = self.input("duration")
        if not duration.value.strip() or duration.value == str(default_minutes(old)):
            duration.value = str(default_minutes(new))
        self._kind = new

    @on(Picker.Changed, "#in-officer")
    def _officer_changed(self, event: Picker.Changed) -> None:
        self._officer = event.picker.value
        self._check_title()
        self.check_clashes()

    @on(Picker.Changed, "#in-school")
    def _school_changed(self, event: Picker.Changed) -> None:
        urn = event.picker.value
        self._school = urn
        yp = self.picker("young_person")
        preset = self.data.young_person if self.data else None
        if yp.value and preset and urn != preset.school:
            yp.set_value(None)
        store = self.store

        def work() -> None:
            info = describe_school(store, urn)
            note = POLICY_NOTES.get(info.uniform_policy) if info else None
            self.app.call_from_thread(self._policy_read, note)

        self.run_worker(work, thread=True, exclusive=True, group="school-policy")
        self.check_clashes()

    def _policy_read(self, note: str | None) -> None:
        self._policy_note = note
        self._show_notes()

    @on(Picker.Changed, "#in-young_person")
    def _young_person_changed(self, event: Picker.Changed) -> None:
        if event.picker.value and self._kind != "one_to_one" and self.picker("kind").value in (None, "visit"):
            self.picker("kind").set_value("one_to_one")

    @on(Input.Changed, "#in-date, #in-time, #in-duration")
    def _when_changed(self, event: Input.Changed) -> None:
        self.check_clashes()

    # ----- clash warnings
    def draft(self) -> Engagement | None:
        """The engagement as typed so far, read quietly (no picker is resolved, nothing is shown);
        None while its school, date, time or duration cannot be read yet."""
        m = _TIME.match(self.input("time").value.strip())
        try:
            day = parse_date(self.input("date").value.strip())
            minutes = int(self.input("duration").value.strip())
        except ValueError:
            return None
        school, officer = self.picker("school").value, self._officer
        if m is None or not school or not officer or not 0 < minutes <= 24 * 60:
            return None
        starts = datetime.combine(day, datetime.min.time()).replace(hour=int(m.group(1)), minute=int(m.group(2)))
        existing = self.existing
        try:
            return Engagement.model_validate({
                "ref": self.ref or refs.NEW, "officer": officer, "school": school,
                "kind": self.picker("kind").value or "visit", "title": "-",
                "starts_at": starts, "ends_at": starts + timedelta(minutes=minutes),
                "status": existing.status.value if existing else "planned",
                "cancel_reason": existing.cancel_reason.value if existing and existing.cancel_reason else None,
            })
        except ValidationError:
            return None

    def check_clashes(self) -> None:
        """Ask (in a worker) what the engagement as typed clashes with; the answer lands in
        :meth:`_clashes_read` unless something changed meanwhile.

        The question is asked once the screen has been drawn: the changes of one frame (the
        fields filled as the form opens, keys typed quickly) make one check, and its worker (the
        school's calendar, its bookings: about 50 ms of the interpreter under the profiler) does
        not hold back the form's first frame.
        """
        if not self.loaded:
            return
        self._clash_round += 1
        if not self._clash_asked:
            self._clash_asked = True
            self.call_after_refresh(self._ask_clashes)

    def _ask_clashes(self) -> None:
        self._clash_asked = False
        if not self.is_attached:
            return
        round_, draft = self._clash_round, self.draft()
        if draft is None:
            self._clashes_read(round_, [])
            return
        store, actor = self.store, self.actor

        def work() -> None:
            found = check_booking(store, actor, draft)
            self.app.call_from_thread(self._clashes_read, round_, found)

        self.run_worker(work, thread=True, group="clash-check", exit_on_error=False)

    def _clashes_read(self, round_: int, found: list[Clash]) -> None:
        if round_ != self._clash_round:
            return  # the form changed since: a later answer is on its way
        notes: dict[str, list[str]] = {}
        for clash in found:
            notes.setdefault(CLASH_FIELDS.get(clash.field, "date"), []).append(clash.message)
        self.clash_notes = notes
        self._show_notes()

    def _show_notes(self) -> None:
        for name in ("date", "time", "school"):
            lines = list(self.clash_notes.get(name, []))
            if name == "school" and not lines and self._policy_note:
                lines.append(self._policy_note)
            self.field(name).set_note("\n".join(lines) or None)

    def _moves(self, model: Engagement) -> bool:
        """Saving ``model`` books something new or moves it (a change of notes or title does not)."""
        old = self.existing
        return old is None or (old.starts_at, old.ends_at, old.school, old.officer) != (
            model.starts_at, model.ends_at, model.school, model.officer)

    @on(Input.Changed, "#in-title")
    def _title_changed(self, event: Input.Changed) -> None:
        self._check_title()

    def _check_title(self) -> None:
        if not self.loaded:
            return
        text, officer, store = self.input("title").value, self._officer, self.store
        if not officer:
            return
        self._title_round += 1
        check = self._title_round
        if text.strip() in NEUTRAL_TITLES:
            # the desk's own titles name no one: no need to search every young person's name (building
            # that search took 0.9 s of CPU on the national demo, and the form opens with one)
            self.field("title").set_note(None)
            return

        def show(note: str | None) -> None:
            if check == self._title_round:  # not overtaken by later typing
                self.field("title").set_note(note)

        def work() -> None:
            found = title_names_a_child(store, officer, text)
            note = (
                "This title may name a young person (the head teacher's calendar shows it): "
                "use a neutral title such as 'Liaison officer: 1:1 session'."
                if found else None
            )
            self.app.call_from_thread(show, note)

        self.run_worker(work, thread=True, exclusive=True, group="title-check")

    # ----- values
    def collect(self) -> dict[str, Any]:
        problems: dict[str, str] = {}
        kind = self.pick_value("kind", problems)
        school = self.pick_value("school", problems)
        young_person = self.pick_value("young_person", problems)
        officer = self.pick_value("officer", problems)
        day_text = self.input("date").value.strip()
        time_text = self.input("time").value.strip()
        minutes_text = self.input("duration").value.strip()
        day: date | None = None
        try:
            day = parse_date(day_text) if day_text else None
            if day is None:
                problems["date"] = "required: please fill this in"
        except ValueError:
            problems["date"] = (f"use YYYY-MM-DD, e.g. {EXAMPLE_DATE}" if "YYYY" in str(parse_error(day_text))
                                else f"not a real date: use YYYY-MM-DD, e.g. {EXAMPLE_DATE}")
        m = _TIME.match(time_text)
        if not m:
            problems["time"] = "use HH:MM, e.g. 09:30"
        try:
            minutes = int(minutes_text)
            if minutes <= 0 or minutes > 24 * 60:
                problems["duration"] = "enter minutes between 1 and 1440, e.g. 60"
        except ValueError:
            minutes = 0
            problems["duration"] = "enter minutes as a whole number, e.g. 60"
        if kind == "one_to_one" and not young_person and "young_person" not in problems:
            problems["young_person"] = "a 1:1 session needs a young person: type a name and press Enter"
        if problems:
            raise FieldProblems(problems)
        assert day is not None and m is not None
        starts = datetime.combine(day, datetime.min.time()).replace(hour=int(m.group(1)), minute=int(m.group(2)))
        existing = self.existing
        return {
            "ref": self.ref or refs.NEW,
            "officer": officer,
            "school": school,
            "young_person": young_person,
            "kind": kind,
            "title": self.input("title").value,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=minutes),
            "status": existing.status.value if existing else "planned",
            "cancel_reason": existing.cancel_reason.value if existing and existing.cancel_reason else None,
            "abstraction": existing.abstraction if existing else None,
            "notes": text_or_none(self.text_area("notes").text),
        }

    def precheck(self, model: Engagement) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        if title_names_a_child(self.store, model.officer, model.title):
            out.append(("title", "This title may name a young person, and the head teacher's calendar shows it. "
                                 "Change it, or press ctrl+s again to keep it."))
        if self._moves(model):
            # booking or moving: each clash once more next to its field; ctrl+s again saves anyway
            # (one message per field: the confirmation shows one note under each)
            by_field: dict[str, list[str]] = {}
            for c in check_booking(self.store, self.actor, model):
                by_field.setdefault(CLASH_FIELDS.get(c.field, "date"), []).append(c.message)
            out += [(name, "\n".join(messages)) for name, messages in by_field.items()]
        return out

    def persist(self, model: Engagement) -> SaveResult:
        return SaveResult(save_engagement(self.store, self.actor, model).ref)


def parse_error(text: str) -> str:
    try:
        parse_date(text)
    except ValueError as exc:
        return str(exc)
    return ""
