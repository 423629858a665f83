"""A labelled form field: label, the control, an inline error and an inline warning.

The error and warning lines are plain text (``markup=False``): messages may quote
what the user typed, which is data, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class FormField(Vertical):
    """One field of a form: ``label | control`` with an error line and a warning line below.

    ``field`` is the name the form uses for it (usually the model's field name),
    so validation problems can be shown next to the right control.
    """

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 1 0; }
    FormField > Horizontal { height: auto; }
    FormField .form-field--label { width: 24; padding: 0 1 0 0; color: $text-muted; }
    FormField .form-field--control { width: 1fr; height: auto; }
    FormField > .form-field--error { color: $error; text-style: bold; padding-left: 24; display: none; height: auto; }
    FormField > .form-field--note { color: $warning; padding-left: 24; display: none; height: auto; }
    FormField > .form-field--hint { color: $text-muted; padding-left: 24; height: auto; }
    FormField.-invalid > .form-field--error { display: block; }
    FormField.-noted > .form-field--note { display: block; }
    FormField.-invalid .form-field--label { color: $error; }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        field: str,
        required: bool = False,
        hint: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name for a widget's id
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id or f"field-{field}", classes=classes)
        self.field = field
        self.label_text = label
        self.required = required
        self.control = control
        self.hint = hint
        self.error: str | None = None
        self.note: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(Text(self.label_text + (" *" if self.required else "")), classes="form-field--label")
            self.control.add_class("form-field--control")
            yield self.control
        yield Static("", classes="form-field--error", markup=False)
        yield Static("", classes="form-field--note", markup=False)
        if self.hint:
            yield Static(Text(self.hint), classes="form-field--hint")

    def set_error(self, message: str | None) -> None:
        """Show (or clear, with None) the inline error."""
        self.error = message
        self.set_class(bool(message), "-invalid")
        self.query_one(".form-field--error", Static).update(Text(message or ""))

    def set_note(self, message: str | None) -> None:
        """Show (or clear) an inline warning: advice, never a refusal."""
        self.note = message
        self.set_class(bool(message), "-noted")
        self.query_one(".form-field--note", Static).update(Text(message or ""))

    def focus_control(self) -> None:
        target = self.control
        focusable = [w for w in target.query("*") if w.focusable] if not target.focusable else [target]
        if focusable:
            focusable[0].focus()
