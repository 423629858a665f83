"""The machinery every form shares.

A form is a :class:`FormScreen` (a ``ModalScreen[str | None]``). Subclasses say
which fields to show (:meth:`compose_fields`), how to read their values
(:meth:`collect`), how to make the model (:meth:`build`; the pydantic models
*are* the validation) and how to write it (:meth:`persist`, run in a thread
worker). The base class:

* loads what the form needs in a thread worker (:meth:`load`) and fills the fields;
* shows every problem inline next to its field, in words a user understands
  (:func:`friendly`), and writes nothing until the form is valid;
* saves in a thread worker, shows "Saving...", stays responsive, and shows
  refusals (permissions, conflicts) as a message on the form;
* may ask once to confirm a warning before writing (:meth:`precheck`), and shows
  the service's warnings after writing, before closing;
* Escape discards, asking "Discard what you typed?" only if something was typed;
  ctrl+s saves; Tab moves between fields.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from slo.models.enums import label as enum_label
from slo.tui.widgets.form_field import FormField

from .controls import Choice, KeyChoice, Picker

log = logging.getLogger(__name__)

EXAMPLE_DATE = "2026-11-27"


# --------------------------------------------------------------------------- results and messages
@dataclass
class SaveResult:
    """What a form's :meth:`FormScreen.persist` returns."""

    key: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class FormLoaded(Message):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data


class FormSaved(Message):
    def __init__(self, result: SaveResult) -> None:
        super().__init__()
        self.result = result


class FormFailed(Message):
    def __init__(self, message: str | None, problems: list[tuple[str | None, str]] | None = None) -> None:
        super().__init__()
        self.message = message
        self.problems = problems or []


class FormNeedsConfirm(Message):
    def __init__(self, messages: list[tuple[str | None, str]], signature: str) -> None:
        super().__init__()
        self.messages = messages
        self.signature = signature


class FieldProblems(Exception):
    """Raised by :meth:`FormScreen.collect`/``build`` with problems found before the model."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


# --------------------------------------------------------------------------- friendly messages
_ENUM = re.compile(r"^Input should be (.*)$")
_QUOTED = re.compile(r"'([^']*)'")


def _words_list(values: list[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def friendly(error: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """A pydantic error entry in words a user understands."""
    labels = labels or {}
    kind = error.get("type", "")
    msg = str(error.get("msg", ""))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    ctx = error.get("ctx") or {}
    text_input = isinstance(error.get("input"), str) or error.get("input") is None
    if kind in ("missing", "string_too_short") or (kind == "too_short" and text_input):
        return "required: please fill this in"
    if kind == "too_short":
        least = ctx.get("min_length")
        return "choose at least one" if least == 1 else f"choose at least {least}"
    if kind == "too_long":
        return f"choose at most {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "enum" or (kind == "literal_error"):
        m = _ENUM.match(msg)
        options = _QUOTED.findall(m.group(1)) if m else []
        return "choose one of: " + _words_list([enum_label(o) for o in options]) if options else "choose one from the list"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "enter a whole number"
    if kind in ("float_parsing", "float_type"):
        return "enter a number"
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less"
    if kind == "bool_type" or kind == "bool_parsing":
        return "choose yes or no"
    if kind == "string_pattern_mismatch":
        return "not in the expected form"
    if "date-time" in msg and ("YYYY-MM-DDTHH:MM" in msg or "not a real date-time" in msg):
        return f"use a date YYYY-MM-DD, e.g. {EXAMPLE_DATE}, and a time HH:MM, e.g. 09:30"
    if "expected a date" in msg:
        return f"use YYYY-MM-DD, e.g. {EXAMPLE_DATE}"
    if "is not a real date" in msg:
        return f"not a real date: use YYYY-MM-DD, e.g. {EXAMPLE_DATE}"
    # the models' own sentences: name the fields as the form does
    for name, words in sorted(labels.items(), key=lambda kv: -len(kv[0])):
        msg = re.sub(rf"\b{re.escape(name)}\b", words.lower(), msg)
    return msg


def problem_field(error: dict[str, Any], fields: list[str]) -> str | None:
    """The model field an error belongs to (model-level rules: the field the sentence names)."""
    loc = error.get("loc") or ()
    if loc and isinstance(loc[0], str):
        return loc[0]
    msg = str(error.get("msg", ""))
    # "X is required unless ...", "ends_at must be after starts_at": the first field named
    hits = sorted((m.start(), f) for f in fields for m in [re.search(rf"\b{re.escape(f)}\b", msg)] if m)
    return hits[0][1] if hits else None


# --------------------------------------------------------------------------- small helpers
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud over a radio


def random_code(n: int = 6) -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(n))


def new_ref(db: Any, table: str, prefix: str, day: date | None = None) -> str:
    """A fresh ``PREFIX-[yyyymmdd-]XXXXXX`` ref not yet used in ``table``."""
    while True:
        middle = f"{day:%Y%m%d}-" if day else ""
        ref = f"{prefix}-{middle}{random_code()}"
        if db.execute(f"SELECT 1 FROM [{table}] WHERE ref = ?", [ref]).fetchone() is None:
            return ref


def text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def enum_choices(enum: Any, *, skip: tuple[str, ...] = ()) -> list[Choice]:
    return [Choice(m.value, enum_label(m.value), words=m.value) for m in enum if m.value not in skip]


def officer_may_pick(actor: Any) -> bool:
    return getattr(actor, "role", "") in ("sergeant", "admin", "system")


def officer_choices(db: Any, actor: Any) -> list[Choice]:
    """Officers whose records ``actor`` may write (sergeant: team; admin: everyone)."""
    rows = db.execute(
        "SELECT collar_number, name, team, role FROM officers WHERE role IN ('slo', 'sergeant') "
        "ORDER BY name"
    ).fetchall()
    out = []
    for collar, name, team, _role in rows:
        if actor.role == "sergeant" and team != actor.team and collar != actor.collar:
            continue
        out.append(Choice(collar, name, code=collar))
    return out


def school_search(store: Any, officer_of: Any) -> Any:
    """A picker search over schools: the officer's assigned schools first; by name or URN."""

    def search(text: str) -> list[Choice]:
        from slo.services.desk import like_pattern

        like = like_pattern(text.strip())  # the user's % and _ are letters, not wildcards
        officer = officer_of()
        rows = store.db.execute(
            "SELECT s.urn, s.name, s.uniform_policy, "
            "EXISTS (SELECT 1 FROM assignments a WHERE a.school = s.urn AND a.officer = ?) AS mine "
            "FROM schools s WHERE s.name LIKE ? ESCAPE '\\' OR s.urn LIKE ? ESCAPE '\\' "
            "ORDER BY mine DESC, s.name LIMIT 30",
            [officer, like, like],
        ).fetchall()
        return [Choice(urn, name, code=urn) for urn, name, _p, _m in rows]

    return search


def young_person_search(store: Any, school_of: Any = None, prefer_school_of: Any = None, *,
                        actor: Any = None) -> Any:
    """A picker search over young people by name or ref (limited to a school when ``school_of`` gives one;
    pupils of the school ``prefer_school_of`` gives listed first). Only young people ``actor`` may see
    are offered (the desk's rule: their team's schools, consultations and sessions); names are personal
    data, so a picker never lists the whole force to an SLO."""
    from slo.services.desk import _young_person_visible, escape_like

    def search(text: str) -> list[Choice]:
        words = text.split()
        if not words:
            return []
        if actor is None:
            visible, visible_params = "0", []
        else:
            visible, visible_params = _young_person_visible(actor)
        sql = (
            "SELECT y.ref, y.given_name, y.family_name, y.year_group, s.name FROM young_people y "
            f"LEFT JOIN schools s ON s.urn = y.school WHERE {visible}"
        )
        params: list[Any] = list(visible_params)
        for w in words:
            w = escape_like(w)
            sql += (" AND (y.given_name LIKE ? ESCAPE '\\' OR y.family_name LIKE ? ESCAPE '\\'"
                    " OR y.ref LIKE ? ESCAPE '\\')")
            params += [f"{w}%", f"{w}%", f"%{w}%"]
        school = school_of() if school_of else None
        if school:
            sql += " AND y.school = ?"
            params.append(school)
        preferred = prefer_school_of() if prefer_school_of else None
        sql += " ORDER BY "
        if preferred:
            sql += "(y.school IS ?) DESC, "
            params.append(preferred)
        sql += "y.family_name, y.given_name LIMIT 30"
        out = []
        for ref, given, family, year, school_name in store.db.execute(sql, params).fetchall():
            extra = ", ".join(p for p in (f"Year {year}" if year is not None else "", school_name or "") if p)
            out.append(Choice(ref, f"{given} {family}" + (f" ({extra})" if extra else ""), code=ref))
        return out

    return search


def describe_young_person(db: Any, ref: str | None) -> dict[str, Any] | None:
    if not ref:
        return None
    row = db.execute(
        "SELECT y.ref, y.given_name, y.family_name, y.school, y.ethnicity, y.ethnicity_missing_reason, "
        "y.year_group, s.name FROM young_people y LEFT JOIN schools s ON s.urn = y.school WHERE y.ref = ?",
        [ref],
    ).fetchone()
    if row is None:
        return None
    ref, given, family, school, eth, reason, year, school_name = row
    extra = ", ".join(p for p in (f"Year {year}" if year is not None else "", school_name or "") if p)
    return {
        "ref": ref, "label": f"{given} {family}" + (f" ({extra})" if extra else ""), "school": school,
        "ethnicity": eth, "ethnicity_missing_reason": reason,
    }


def describe_school(db: Any, urn: str | None) -> dict[str, Any] | None:
    if not urn:
        return None
    row = db.execute("SELECT urn, name, uniform_policy FROM schools WHERE urn = ?", [urn]).fetchone()
    if row is None:
        return None
    return {"urn": row[0], "label": row[1], "uniform_policy": row[2]}


# --------------------------------------------------------------------------- discard confirmation
class ConfirmDiscard(ModalScreen[bool]):
    """Discard what you typed? y / n."""

    HELP = "You pressed Escape on a form you had typed into. Discard throws the typing away; keep goes back."
    BINDINGS = [
        Binding("y,d", "answer(True)", "Discard"),
        Binding("n,k,escape", "answer(False)", "Keep editing"),
    ]
    DEFAULT_CSS = """
    ConfirmDiscard { align: center middle; }
    ConfirmDiscard > Vertical { width: 50; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Discard what you typed?")
            yield Static(Text("[y] Discard   [n] Keep editing", style="dim"))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


# --------------------------------------------------------------------------- the form
class FormScreen(ModalScreen[str | None]):
    """Base of every form (see the module docstring)."""

    FORM_TITLE: ClassVar[str] = "Form"
    HELP: ClassVar[str] = ""
    #: the pydantic model the form builds (for field names in messages)
    MODEL: ClassVar[type[BaseModel] | None] = None
    #: model field -> form field, where they differ (starts_at -> date)
    FIELD_MAP: ClassVar[dict[str, str]] = {}

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "discard", "Discard / close"),
        # a modal screen hides the desk's own keys: help has to be the form's
        Binding("f1", "app.help", "Help"),
        Binding("question_mark", "app.help", "Help", show=False, key_display="?"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    FormScreen #form-title { text-style: bold; padding: 0 0 1 0; }
    FormScreen #form-message { color: $error; text-style: bold; display: none; height: auto; }
    FormScreen #form-message.-shown { display: block; }
    FormScreen #form-body { height: auto; max-height: 1fr; }
    FormScreen #form-status { color: $text-muted; height: auto; }
    FormScreen #form-result { color: $warning; height: auto; display: none; }
    FormScreen #form-result.-shown { display: block; }
    FormScreen #form-buttons { height: auto; align-horizontal: right; }
    FormScreen #form-buttons Button { margin: 0 0 0 2; }
    FormScreen Input.-textual-compact { border: none; background: $boost; }
    FormScreen TextArea { height: 4; }
    FormScreen .-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False
        self.saving = False
        self.saved_key: str | None = None
        self._snapshot: dict[str, Any] | None = None
        self._confirmed: str | None = None
        self.data: dict[str, Any] = {}

    # ----- hooks for subclasses
    def compose_fields(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def load(self, db: Any) -> dict[str, Any]:
        """Runs in a thread: read what the form needs (the record being edited, choices)."""
        return {}

    def fill(self, data: dict[str, Any]) -> None:
        """On the UI thread: put loaded values into the fields."""

    def collect(self) -> dict[str, Any]:
        """The model's values from the fields (raise :class:`FieldProblems` for unreadable input)."""
        raise NotImplementedError

    def build(self, values: dict[str, Any]) -> BaseModel:
        assert self.MODEL is not None
        return self.MODEL.model_validate(values)

    def precheck(self, model: BaseModel) -> list[tuple[str | None, str]]:
        """Runs in a thread before writing: warnings to confirm (save again to go ahead)."""
        return []

    def persist(self, model: BaseModel) -> SaveResult:
        """Runs in a thread: write the model through the services; return the key and warnings."""
        raise NotImplementedError

    # ----- conveniences
    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def actor(self) -> Any:
        return self.app.actor  # type: ignore[attr-defined]

    def today(self) -> date:
        today = getattr(self.app, "today", None)
        return today() if callable(today) else date.today()

    def field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def has_field(self, name: str) -> bool:
        return bool(self.query(f"#field-{name}"))

    def input(self, name: str) -> Input:
        return self.query_one(f"#in-{name}", Input)

    def picker(self, name: str) -> Picker:
        return self.query_one(f"#in-{name}", Picker)

    def key_choice(self, name: str) -> KeyChoice:
        return self.query_one(f"#in-{name}", KeyChoice)

    def load_officers(self, db: Any, data: dict[str, Any]) -> None:
        """In ``load``: the officers the actor may write for, when they may pick one (sergeant, admin)."""
        if officer_may_pick(self.actor):
            data["officers"] = officer_choices(db, self.actor)

    def fill_officer(self, data: dict[str, Any], collar: str) -> str:
        """In ``fill``: show the officer picker if :meth:`load_officers` found choices; set ``collar``."""
        picker = self.picker("officer")
        if "officers" in data:
            picker.choices = data["officers"]
            self.field("officer").remove_class("-hidden")
        picker.set_value(collar, notify=False)
        return picker.value

    def text_area(self, name: str) -> TextArea:
        return self.query_one(f"#in-{name}", TextArea)

    def pick_value(self, name: str, problems: dict[str, str]) -> str | None:
        picker = self.picker(name)
        problem = picker.resolve_pending()
        if problem:
            problems[name] = problem
        return picker.value

    def pick_values(self, name: str, problems: dict[str, str]) -> list[str]:
        picker = self.picker(name)
        problem = picker.resolve_pending()
        if problem:
            problems[name] = problem
        return picker.values

    def field_labels(self) -> dict[str, str]:
        labels = {}
        for ff in self.query(FormField):
            labels[ff.field] = ff.label_text
        for model_field, form_field in self.FIELD_MAP.items():
            if form_field in labels:
                labels[model_field] = labels[form_field]
        return labels

    # ----- composition
    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Text(self.FORM_TITLE), id="form-title")
            yield Static("", id="form-message", markup=False)
            with VerticalScroll(id="form-body", can_focus=False):
                yield from self.compose_fields()
            yield Static("", id="form-result", markup=False)
            yield Static(Text("Loading...", style="dim"), id="form-status")
            with Horizontal(id="form-buttons"):
                yield Button("Save (ctrl+s)", id="form-save", variant="primary")
                yield Button("Close", id="form-close", classes="-hidden")

    def on_mount(self) -> None:
        self.query_one("#form-body").can_focus = False
        self.run_worker(self._load_worker, thread=True, group="form-load", exit_on_error=False)

    def _load_worker(self) -> None:
        try:
            data = self.load(self.store.db)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(FormFailed(_user_message(exc)))
            data = {"_failed": True}
        self.post_message(FormLoaded(data))

    @on(FormLoaded)
    def _on_loaded(self, message: FormLoaded) -> None:
        self.data = message.data
        self.fill(message.data)
        self.loaded = True
        self.set_status("ctrl+s save · Esc discard · Tab next field")
        self.call_after_refresh(self._take_snapshot)
        self.after_loaded()

    def after_loaded(self) -> None:
        """Focus the first field (subclasses may pick another)."""
        for ff in self.query(FormField):
            if ff.display and not ff.has_class("-hidden"):
                ff.focus_control()
                break

    def _take_snapshot(self) -> None:
        self._snapshot = self.current_values()

    # ----- dirty check
    def current_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        body = self.query_one("#form-body")
        for w in body.query("Input, TextArea, Select, KeyChoice, Picker"):
            if isinstance(w, Input):
                if isinstance(w.parent, Picker):
                    continue
                values[w.id or str(id(w))] = w.value
            elif isinstance(w, TextArea):
                values[w.id or str(id(w))] = w.text
            elif isinstance(w, Select) or isinstance(w, KeyChoice):
                values[w.id or str(id(w))] = w.value
            elif isinstance(w, Picker):
                values[w.id or str(id(w))] = (tuple(w.values), w.input.value)
        return values

    @property
    def dirty(self) -> bool:
        if self._snapshot is None:
            return False
        return self.current_values() != self._snapshot

    # ----- messages on the form
    def set_status(self, text: str) -> None:
        self.query_one("#form-status", Static).update(Text(text, style="dim"))

    def show_message(self, text: str | None) -> None:
        widget = self.query_one("#form-message", Static)
        widget.update(Text(text or ""))
        widget.set_class(bool(text), "-shown")

    def clear_errors(self) -> None:
        for ff in self.query(FormField):
            if ff.error:
                ff.set_error(None)
        self.show_message(None)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        """Each problem next to its field; problems without a field go to the top message."""
        loose: list[str] = []
        first: FormField | None = None
        shown: dict[str, list[str]] = {}
        for name, message in problems:
            target = self.FIELD_MAP.get(name, name) if name else None
            if target and self.has_field(target):
                shown.setdefault(target, [])
                if message not in shown[target]:
                    shown[target].append(message)
            else:
                loose.append(message if not name else f"{self.field_labels().get(name, name)}: {message}")
        for target, messages in shown.items():
            ff = self.field(target)
            ff.set_error("; ".join(messages))
            if first is None:
                first = ff
        if loose:
            self.show_message("\n".join(loose))
        elif shown:
            self.show_message(f"Please correct the {len(shown)} highlighted field(s).")
        if first is not None:
            first.focus_control()
            self.query_one("#form-body", VerticalScroll).scroll_to_widget(first, animate=False)

    # ----- validation
    def validate_form(self) -> BaseModel | None:
        """The model built from the fields, or None after showing every problem inline."""
        self.clear_errors()
        problems: list[tuple[str | None, str]] = []
        try:
            values = self.collect()
        except FieldProblems as exc:
            problems.extend(exc.problems.items())
            values = None
        model = None
        if values is not None:
            try:
                model = self.build(values)
            except ValidationError as exc:
                problems.extend(self._pydantic_problems(exc))
            except FieldProblems as exc:
                problems.extend(exc.problems.items())
        if problems:
            self.show_problems(problems)
            return None
        return model

    def _pydantic_problems(self, exc: ValidationError) -> list[tuple[str | None, str]]:
        names = list(self.MODEL.model_fields) if self.MODEL else []
        labels = self.field_labels()
        out = []
        for err in exc.errors():
            out.append((problem_field(err, names), friendly(err, labels)))
        return out

    # ----- saving
    def action_save(self) -> None:
        if self.saved_key is not None:
            self.dismiss(self.saved_key)
            return
        if self.saving or not self.loaded:
            return
        model = self.validate_form()
        if model is None:
            self.set_status("Not saved: nothing was written.")
            return
        self.saving = True
        self.set_status("Saving...")
        self.query_one("#form-save", Button).disabled = True
        self.run_worker(lambda: self._save_worker(model), thread=True, group="form-save", exit_on_error=False)

    def _save_worker(self, model: BaseModel) -> None:
        from slo.models import ValidationFailed

        try:
            confirm = self.precheck(model)
            signature = model.model_dump_json()
            if confirm and signature != self._confirmed:
                self.post_message(FormNeedsConfirm(confirm, signature))
                return
            result = self.persist(model)
        except ValidationFailed as exc:
            self.post_message(FormFailed(None, [(p.field, self.problem_words(p)) for p in exc.problems]))
            return
        except Exception as exc:  # noqa: BLE001 - every error is shown on the form
            self.post_message(FormFailed(_user_message(exc)))
            return
        self.post_message(FormSaved(result))

    def problem_words(self, problem: Any) -> str:
        """A database-rule problem (reference, overlap) in a user's words (thread side)."""
        msg = problem.message
        labels = self.field_labels()
        for name, words in sorted(labels.items(), key=lambda kv: -len(kv[0])):
            msg = re.sub(rf"\b{re.escape(name)}\b", words.lower(), msg)
        return msg

    def _done_saving(self) -> None:
        self.saving = False
        self.query_one("#form-save", Button).disabled = False

    @on(FormNeedsConfirm)
    def _on_needs_confirm(self, message: FormNeedsConfirm) -> None:
        self._done_saving()
        self._confirmed = message.signature
        loose = []
        for name, text in message.messages:
            target = self.FIELD_MAP.get(name, name) if name else None
            if target and self.has_field(target):
                self.field(target).set_note(text)
            else:
                loose.append(text)
        self.show_result(loose + ["Press ctrl+s again to save anyway, or change the form."], error=False)
        self.set_status("Not saved yet: check the warning, then ctrl+s to save anyway.")

    @on(FormFailed)
    def _on_failed(self, message: FormFailed) -> None:
        self._done_saving()
        if message.problems:
            self.show_problems(message.problems)
        if message.message:
            self.show_message(message.message)
        self.set_status("Not saved." if self.loaded else "Could not load.")

    @on(FormSaved)
    def _on_saved(self, message: FormSaved) -> None:
        self._done_saving()
        result = message.result
        self.saved_key = result.key
        lines = list(result.warnings) + list(result.notes)
        if not lines:
            self.dismiss(result.key)
            return
        self.show_result(lines)
        self.set_status("Saved. Enter, Escape or ctrl+s closes.")
        self.query_one("#form-save", Button).add_class("-hidden")
        close = self.query_one("#form-close", Button)
        close.remove_class("-hidden")
        self.query_one("#form-body").disabled = True
        self.call_after_refresh(close.focus)

    def on_key(self, event: Any) -> None:
        # once saved (warnings on screen), Enter closes wherever the focus is
        if self.saved_key is not None and event.key == "enter":
            event.stop()
            self.dismiss(self.saved_key)

    def show_result(self, lines: list[str], *, error: bool = False) -> None:
        widget = self.query_one("#form-result", Static)
        widget.update(Text("\n".join(lines)))
        widget.set_class(bool(lines), "-shown")

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.saved_key)

    @on(Input.Submitted)
    def _next_on_enter(self, event: Input.Submitted) -> None:
        """Enter in a plain text box moves to the next field (Enter never saves by surprise)."""
        event.stop()
        self.focus_next()

    # ----- discarding
    def action_discard(self) -> None:
        if self.saved_key is not None:
            self.dismiss(self.saved_key)
            return
        if self.saving:
            self.set_status("Saving... (wait a moment)")
            return
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(), answered)


def _user_message(exc: Exception) -> str:
    from slo.services.errors import USER_ERRORS, PermissionDenied

    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}"
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    log.exception("form failed")
    return f"Could not save: {type(exc).__name__}: {exc}"
