"""A labelled form field: label, the control, an inline error and an inline warning.

The error and warning lines are plain text (``markup=False``): messages may quote
what the user typed, which is data, never markup. Each is mounted the first time it
has something to say: most fields never show either, and a form of a dozen fields
opened with 24 fewer widgets to style and lay out (about a quarter of a form's widgets).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static


class FormField(Widget):
    """One field of a form: ``label | control`` with an error line and a warning line below.

    ``field`` is the name the form uses for it (usually the model's field name),
    so validation problems can be shown next to the right control.
    """

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 1 0; }
    FormField > .form-field--control { margin-left: 24; width: 1fr; height: auto; }
    FormField > .form-field--line { padding-left: 24; height: auto; }
    FormField > .form-field--error { color: $error; text-style: bold; display: none; }
    FormField > .form-field--note { color: $warning; display: none; }
    FormField > .form-field--hint { color: $text-muted; }
    FormField.-invalid > .form-field--error { display: block; }
    FormField.-noted > .form-field--note { display: block; }
    FormField > .form-field--label { color: $text-muted; }
    FormField.-invalid > .form-field--label { color: $error; }
    """
    #: the label's look (drawn by the field itself, in the 24 columns left of its control)
    COMPONENT_CLASSES = {"form-field--label"}

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
        #: the error and warning lines, once mounted ("error", "note")
        self._lines: dict[str, Static] = {}

    def compose(self) -> ComposeResult:
        # the control 24 columns in, the lines under it; the label is drawn by the field itself in
        # those 24 columns (render): a Label of its own, and a row to put the two side by side, were
        # two more widgets a field, 26 of the consultation form's 76 (docs/performance.md, sixth pass)
        self.control.add_class("form-field--control")
        yield self.control
        for kind, message in (("error", self.error), ("note", self.note)):
            if message:  # set before the field was mounted
                yield self._new_line(kind, message)
        if self.hint:
            yield Static(Text(self.hint), classes="form-field--line form-field--hint")

    def render(self) -> Text:
        """The label, on the field's first line, left of the control (23 columns and a space)."""
        text = Text(self.label_text + (" *" if self.required else ""), no_wrap=True, overflow="ellipsis",
                    style=self.get_component_rich_style("form-field--label"))
        text.truncate(23, overflow="ellipsis")
        return text

    def _new_line(self, kind: str, message: str) -> Static:
        line = self._lines[kind] = Static(Text(message), classes=f"form-field--line form-field--{kind}", markup=False)
        return line

    def _show_line(self, kind: str, message: str | None) -> None:
        line = self._lines.get(kind)
        if line is not None:
            line.update(Text(message or ""))
        elif message and self.is_mounted:
            # the error line goes under the control, the warning under the error (when there is one)
            after = self._lines.get("error", self.control) if kind == "note" else self.control
            self.mount(self._new_line(kind, message), after=after)

    def set_error(self, message: str | None) -> None:
        """Show (or clear, with None) the inline error."""
        self.error = message
        self.set_class(bool(message), "-invalid")
        self.refresh()  # the label's colour
        self._show_line("error", message)

    def set_note(self, message: str | None) -> None:
        """Show (or clear) an inline warning: advice, never a refusal."""
        self.note = message
        self.set_class(bool(message), "-noted")
        self._show_line("note", message)

    def focus_control(self) -> None:
        target = self.control
        focusable = [w for w in target.query("*") if w.focusable] if not target.focusable else [target]
        if focusable:
            focusable[0].focus()
