"""The form machinery every form shares: :class:`FormScreen`.

A form is a :class:`FormScreen` (a ``ModalScreen[str | None]`` that dismisses with the saved
record's key, or None when discarded). Subclasses say which fields to show
(:meth:`~FormScreen.compose_fields`), what to read before filling them in (:meth:`~FormScreen.load`:
one read model of :mod:`slo.services.queries.forms`, in a thread worker), how to fill them
(:meth:`~FormScreen.fill`), how to read their values (:meth:`~FormScreen.collect`), how to make
the model (:meth:`~FormScreen.build`; the pydantic models *are* the validation) and how to write
it (:meth:`~FormScreen.persist`: one use case of :mod:`slo.services`, in a thread worker; refs
of new records are made there, inside the write transaction). The base class:

* shows every problem inline next to its field, in words a user understands
  (:mod:`.problems`), and writes nothing until the form is valid;
* saves in a thread worker, shows "Saving...", stays responsive, and shows
  refusals (permissions, conflicts) as a message on the form;
* may ask once to confirm a warning before writing (:meth:`~FormScreen.precheck`), and shows
  the service's warnings after writing, before closing;
* Escape discards, asking "Discard what you typed?" (:mod:`.discard`) only if something
  was typed; ctrl+s saves; Tab moves between fields;
* never loses a keystroke: every key typed before the form is filled in (its read model is
  still loading, the machine is busy) is held (:meth:`FormScreen.hold_key`, called by the
  app for each key) and delivered in order once the form is ready, each key after the last
  one's effects (a picker's search, a move to the next field) have settled.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from slo.models.rules import Problem, ValidationFailed
from slo.models.words import plural
from slo.services import Store
from slo.services.actors import Actor
from slo.services.errors import USER_ERRORS, PermissionDenied
from slo.services.queries.pickers import Option
from slo.tui import bindings
from slo.tui.desk import desk_of
from slo.tui.held_keys import HeldKey, is_replayed, replayed
from slo.tui.messages import DataLoaded, FormFailed, FormLoaded, FormNeedsConfirm, FormSaved, LoadFailed
from slo.tui.widgets.controls import KeyChoice, Picker
from slo.tui.widgets.form_field import FormField

from ..base import ReadFirst, StyledOnce
from .discard import ConfirmDiscard
from .problems import FieldProblems, friendly, problem_field, with_labels
from .values import choices

log = logging.getLogger(__name__)

#: what a form's load returns (a dataclass of slo.services.queries.forms, or None)
D = TypeVar("D")


@dataclass
class SaveResult:
    """What a form's :meth:`FormScreen.persist` returns."""

    key: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class FormScreen(StyledOnce, ReadFirst, ModalScreen[str | None], Generic[D]):
    """Base of every form (see the module docstring); ``D`` is what :meth:`load` returns."""

    FORM_TITLE: ClassVar[str] = "Form"
    HELP: ClassVar[str] = ""
    #: the pydantic model the form builds (for field names in messages)
    MODEL: ClassVar[type[BaseModel] | None] = None
    #: model field -> form field, where they differ (starts_at -> date)
    FIELD_MAP: ClassVar[dict[str, str]] = {}

    BINDINGS = bindings.FORM
    #: nothing is focused before the form is filled in: the keys typed meanwhile are held
    AUTO_FOCUS = ""

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
        self.data: D | None = None
        #: keys typed before the form was ready, in order; None once they are delivered
        self._held: list[HeldKey] | None = []
        #: mounted ahead of time, unshown, and not yet opened (slo.tui.ahead): it reads and fills
        #: itself when it is opened (hand_first), not when it is mounted
        self.built_ahead = False

    # ----- hooks for subclasses
    def compose_fields(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def load(self) -> D:
        """Runs in a thread: read what the form needs (the record being edited, choices) with one
        read model call (``self.store``, ``self.actor``)."""
        raise NotImplementedError

    def fill(self, data: D) -> None:
        """On the UI thread: put loaded values into the fields."""

    def collect(self) -> dict[str, Any]:
        """The model's values from the fields (raise :class:`FieldProblems` for unreadable input)."""
        raise NotImplementedError

    def build(self, values: dict[str, Any]) -> BaseModel:
        assert self.MODEL is not None
        return self.MODEL.model_validate(values)

    def precheck(self, model: Any) -> list[tuple[str | None, str]]:
        """Runs in a thread before writing: warnings to confirm (save again to go ahead)."""
        return []

    def persist(self, model: Any) -> SaveResult:
        """Runs in a thread: write the model with one use case of the services; return the key and warnings."""
        raise NotImplementedError

    # ----- conveniences
    @property
    def store(self) -> Store:
        """The handle services take (never opened here: pass it on)."""
        return desk_of(self.app).store

    @property
    def actor(self) -> Actor:
        actor = desk_of(self.app).actor
        assert actor is not None, "no one is using the desk yet"
        return actor

    def today(self) -> date:
        return desk_of(self.app).today()

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

    def fill_officer(self, officers: list[Option] | None, collar: str) -> str | None:
        """In ``fill``: show the officer picker when the actor may write for ``officers`` (sergeant,
        admin; None: only for themselves); set it to ``collar``."""
        picker = self.picker("officer")
        if officers is not None:
            picker.choices = choices(officers)
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
        labels: dict[str, str] = {}
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
        if not self.built_ahead:
            self.start()

    def hand_first(self, result: DataLoaded | LoadFailed | None) -> None:
        super().hand_first(result)
        if self.built_ahead and self.is_mounted:  # built ahead: fill in now, before it is drawn
            self.built_ahead = False
            self.start()

    def adopt(self, form: FormScreen[Any]) -> None:
        """Take the context ``form`` was made with, so that this form, built ahead (slo.tui.ahead) and
        not yet opened, opens as ``form`` would have: every attribute ``form``'s constructor set
        beyond those of Textual's screen and of this class (a school, a pupil, a record's ref, and
        the state a new form starts with). ``form`` is never mounted."""
        assert type(form) is type(self) and self.built_ahead and not form.is_attached
        for name in context_names(form):
            setattr(self, name, getattr(form, name))

    def start(self) -> None:
        """Read and fill in: with what the app read before pushing the form, if it did."""
        first, awaiting = self.take_first()  # read by the app before the form was pushed (open_form)
        if isinstance(first, FormLoaded):
            self._on_loaded(first)  # before the form's first frame: drawn once, filled in
        elif first is not None:
            self.post_message(first)
        elif not awaiting:
            self.run_worker(self._load_worker, thread=True, group="form-load", exit_on_error=False)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.fit_body)

    def fit_body(self) -> None:
        """Give the fields the rows the screen has left once the title, a message, the result, the
        status line and the buttons have theirs, so those stay on screen and the fields scroll (a
        height-auto box does not shrink a child's ``1fr``: on 80x24 the fields pushed Save off)."""
        box = self.query_one("#form-box")
        body = self.query_one("#form-body")
        fixed = sum(w.outer_size.height for w in box.children if w is not body and w.display)
        room = max(3, self.size.height - fixed - box.styles.gutter.height)
        if body.styles.max_height is None or body.styles.max_height.value != room:
            body.styles.max_height = room

    def read_first(self) -> FormLoaded[D] | FormFailed:
        """Runs in a thread: :meth:`load`'s data, or why it could not be read (for the top of the form)."""
        try:
            return FormLoaded(self.load())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            return FormFailed(_user_message(exc))

    def _load_worker(self) -> None:
        self.post_message(self.read_first())

    @on(FormLoaded)
    def _on_loaded(self, message: FormLoaded[D]) -> None:
        self.data = message.data
        self.fill(message.data)
        self.loaded = True
        self.set_status("ctrl+s save · Esc discard · Tab next field")
        self._take_snapshot()
        self.after_loaded()
        self.release_keys()

    # ----- keys typed before the form is ready
    def hold_key(self, event: events.Key) -> bool:
        """Called by the app for every key typed while this form is on top: hold it (True) until the
        form is ready and the keys held before it are delivered; False lets it through."""
        if self._held is None or is_replayed(event):
            return False
        self._held.append((event.key, event.character))
        return True

    def take_keys(self, keys: list[HeldKey]) -> None:
        """Keys typed while the app read the form before pushing it (:meth:`SloApp.open_read`): held
        with (before) any typed since, and delivered when the form is ready."""
        if self._held is not None:
            self._held[:0] = keys
        else:
            for key in keys:
                self.app.post_message(replayed(key))

    def release_keys(self) -> None:
        """Deliver the held keys in order (then stop holding)."""
        if self._held is not None:
            self.run_worker(self._replay(), group="form-keys", exclusive=True)

    async def _replay(self) -> None:
        held = self._held
        while held:
            self.app.post_message(replayed(held.pop(0)))  # let through by hold_key
            await self._settled()
        self._held = None

    async def _settled(self, limit: float = 10.0) -> None:
        """Until the last key's effects are done: no message waiting in the app or this form, and
        no worker of this form still searching or loading (a picker's suggestions)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        quiet = 0
        while quiet < 3 and loop.time() < deadline:
            await asyncio.sleep(0 if quiet else 0.001)
            nodes = [self.app, self, *self.walk_children()]
            busy = any(n.message_queue_size for n in nodes) or any(
                w.node in nodes and not w.is_finished and w.group != "form-keys"
                for w in self.app.workers
            )
            quiet = 0 if busy else quiet + 1

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
            elif isinstance(w, (Select, KeyChoice)):
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
        self.call_after_refresh(self.fit_body)

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
            self.show_message(f"Please correct the {plural(len(shown), 'highlighted field')}.")
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
        return [(problem_field(dict(err), names), friendly(dict(err), labels)) for err in exc.errors()]

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

    def problem_words(self, problem: Problem) -> str:
        """A database-rule problem (reference, overlap) in a user's words (thread side)."""
        return with_labels(problem.message, self.field_labels())

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
        if not self.loaded:
            self.release_keys()  # Escape typed meanwhile closes it
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

    def on_key(self, event: events.Key) -> None:
        # once saved (warnings on screen), Enter closes wherever the focus is
        if self.saved_key is not None and event.key == "enter":
            event.stop()
            self.dismiss(self.saved_key)

    def show_result(self, lines: list[str], *, error: bool = False) -> None:
        widget = self.query_one("#form-result", Static)
        widget.update(Text("\n".join(lines)))
        widget.set_class(bool(lines), "-shown")
        self.call_after_refresh(self.fit_body)

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


@functools.cache
def _screen_names() -> frozenset[str]:
    """The attributes every form has before its own constructor adds any (Textual's screen's and
    :class:`FormScreen`'s), from a bare form made once."""
    return frozenset(vars(FormScreen()))


def context_names(form: FormScreen[Any]) -> list[str]:
    """The attributes ``form``'s own constructor set: what it was made for (:meth:`FormScreen.adopt`)."""
    base = _screen_names()
    return [name for name in vars(form) if name not in base]


def _user_message(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}"
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    log.exception("form failed")
    return f"Could not save: {type(exc).__name__}: {exc}"
