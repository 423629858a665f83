"""Keyboard-first controls of the forms (``slo/tui/screens/forms/``).

* :class:`KeyChoice`: one key picks a value (``b`` before, ``a`` after); focus then moves on.
* :class:`Picker`: type a code or words, Enter picks the highlighted suggestion
  (single value, or up to ``limit`` values); Backspace in an empty box removes the
  last pick. Suggestions come from a fixed list or from a search run in a thread
  worker (young people, schools).

Labels of fixed options are ours; suggestion labels built from records are
rendered as :class:`rich.text.Text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from slo.tui import bindings


@dataclass(frozen=True)
class Choice:
    """One option: the stored ``value``, what a person reads, and extra words to match."""

    value: str
    label: str
    code: str = ""  # typed exactly, it wins (a DfE code, an ethnicity code, a ref)
    words: str = ""

    def display(self) -> str:
        return f"{self.code}  {self.label}" if self.code else self.label


def rank(choices: Sequence[Choice], text: str) -> list[Choice]:
    """Choices matching ``text``: exact code first, then label starts, word starts, anywhere."""
    needle = text.strip().casefold()
    if not needle:
        return list(choices)
    scored: list[tuple[int, int, Choice]] = []
    for i, c in enumerate(choices):
        label = c.label.casefold()
        hay = f"{c.code} {c.label} {c.words} {c.value}".casefold()
        if c.code and c.code.casefold() == needle or c.value.casefold() == needle:
            score = 0
        elif label.startswith(needle):
            score = 1
        elif any(w.startswith(needle) for w in hay.replace("_", " ").replace("/", " ").split()):
            score = 2
        elif needle in hay:
            score = 3
        else:
            continue
        scored.append((score, i, c))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in scored]


class KeyChoice(Widget, can_focus=True):
    """Pick one of a few values with one key; Space cycles; Backspace clears (if allowed)."""

    DEFAULT_CSS = """
    KeyChoice { height: 1; width: 1fr; }
    KeyChoice:focus { background: $boost; text-style: bold; }
    """

    value: reactive[str | None] = reactive(None)

    class Changed(Message):
        def __init__(self, control: KeyChoice, value: str | None) -> None:
            super().__init__()
            self.key_choice = control
            self.value = value

        @property
        def control(self) -> KeyChoice:
            return self.key_choice

    def __init__(
        self,
        options: Sequence[tuple[str, str, str]],
        *,
        value: str | None = None,
        allow_blank: bool = True,
        advance: bool = True,
        id: str | None = None,  # noqa: A002 - Textual's name for a widget's id
    ) -> None:
        """``options``: (key, value, label) triples."""
        super().__init__(id=id)
        self.options = list(options)
        self.allow_blank = allow_blank
        self.advance = advance
        self.set_reactive(KeyChoice.value, value)

    def render(self) -> Text:
        out = Text()
        for i, (key, value, label) in enumerate(self.options):
            if i:
                out.append("   ")
            chosen = value == self.value
            out.append(f"[{key}] ", style="bold" if chosen else "dim")
            out.append(("● " if chosen else "○ ") + label, style="bold reverse" if chosen else "")
        return out

    def watch_value(self, value: str | None) -> None:
        self.post_message(self.Changed(self, value))

    def set_value(self, value: str | None) -> None:
        """Show ``value`` as chosen at once (a form filled from a record), without a Changed message."""
        self.set_reactive(KeyChoice.value, value)
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        for key, value, _label in self.options:
            if char and char == key.lower():
                event.stop()
                event.prevent_default()
                self.value = value
                if self.advance:
                    self.screen.focus_next()
                return
        if event.key == "space":
            event.stop()
            values = [v for _, v, _ in self.options]
            idx = values.index(self.value) + 1 if self.value in values else 0
            self.value = values[idx % len(values)]
        elif event.key in ("backspace", "delete") and self.allow_blank:
            event.stop()
            self.value = None


class _PickerInput(Input):
    """The picker's text box: Backspace in an empty box removes the last pick."""

    def action_delete_left(self) -> None:
        if not self.value and isinstance(self.parent, Picker):
            self.parent.remove_last()
            return
        super().action_delete_left()


class Picker(Vertical):
    """Type to filter, Up/Down to move, Enter to pick. ``limit`` > 1 picks several."""

    DEFAULT_CSS = """
    Picker { height: auto; width: 1fr; }
    Picker > Input { width: 1fr; }
    Picker > .picker--chosen { height: auto; color: $success; }
    Picker > OptionList { max-height: 7; height: auto; display: none; border: none; padding: 0; }
    Picker.-open > OptionList { display: block; }
    """

    BINDINGS = bindings.PICKER_CONTROL

    class Changed(Message):
        def __init__(self, picker: Picker) -> None:
            super().__init__()
            self.picker = picker

        @property
        def control(self) -> Picker:
            return self.picker

    def __init__(
        self,
        choices: Sequence[Choice] | None = None,
        *,
        search: Callable[[str], list[Choice]] | None = None,
        limit: int = 1,
        placeholder: str = "type to search, Enter to pick",
        advance: bool = True,
        id: str | None = None,  # noqa: A002 - Textual's name for a widget's id
    ) -> None:
        super().__init__(id=id)
        self.choices = list(choices or [])
        self.search = search
        self.limit = limit
        self.advance = advance
        self.placeholder = placeholder
        self.picked: list[Choice] = []
        self.suggestions: list[Choice] = []
        self._search_seq = 0

    # ----- composition
    def compose(self) -> ComposeResult:
        # the list of suggestions is mounted when there is first something to suggest (_options): the
        # pickers' composition was about a quarter of the consultation form's opening (issue 20's profile)
        # and the line of what is picked when something first is (most pickers of a new record are empty)
        yield _PickerInput(placeholder=self.placeholder, compact=True)

    def on_mount(self) -> None:
        self._show_picked()

    def _options(self, *, create: bool = True) -> OptionList | None:
        """The list of suggestions under the box (mounted on first use unless ``create`` is False)."""
        found = self.query(OptionList)
        if found:
            return found.first()
        if not create:
            return None
        option_list = OptionList()
        option_list.can_focus = False
        self.mount(option_list, after=self.input)
        return option_list

    @property
    def input(self) -> Input:
        return self.query_one(_PickerInput)

    # ----- values
    @property
    def value(self) -> str | None:
        return self.picked[0].value if self.picked else None

    @property
    def values(self) -> list[str]:
        return [c.value for c in self.picked]

    @property
    def pending_text(self) -> str:
        return self.input.value.strip()

    def set_picked(self, picked: Sequence[Choice], *, notify: bool = True) -> None:
        self.picked = list(picked)[: self.limit]
        if self.is_mounted:
            self._show_picked()
        if notify:
            self.post_message(self.Changed(self))

    def set_value(self, value: str | None, label: str | None = None, *, notify: bool = True) -> None:
        if value is None:
            self.set_picked([], notify=notify)
            return
        known = next((c for c in self.choices if c.value == value), None)
        self.set_picked([known or Choice(value, label or value)], notify=notify)

    def set_values(self, values: Sequence[str], *, notify: bool = True) -> None:
        by_value = {c.value: c for c in self.choices}
        self.set_picked([by_value.get(v, Choice(v, v)) for v in values], notify=notify)

    def remove_last(self) -> None:
        if self.picked:
            self.set_picked(self.picked[:-1])

    def _show_picked(self) -> None:
        text = Text()
        for i, c in enumerate(self.picked):
            if i:
                text.append("\n")
            text.append("✓ " + c.display())
        if self.picked and self.limit > 1 and len(self.picked) < self.limit:
            text.append(f"\n  ({len(self.picked)} of up to {self.limit}; Backspace removes the last)", style="dim")
        shown = self.query(".picker--chosen")
        if shown:
            shown.first(Static).update(text)
        elif text:
            self.mount(Static(text, classes="picker--chosen"))

    # ----- suggestions
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.refresh_suggestions()

    def refresh_suggestions(self) -> None:
        text = self.input.value
        if not text.strip():
            self._set_suggestions([])
            return
        if self.search is None:
            self._set_suggestions(rank(self.choices, text))
            return
        self._search_seq += 1
        seq = self._search_seq
        search = self.search

        def work() -> None:
            found = search(text)
            self.app.call_from_thread(self._searched, seq, found)

        self.run_worker(work, thread=True, exclusive=True, group=f"picker-{id(self)}")

    def _searched(self, seq: int, found: list[Choice]) -> None:
        if seq == self._search_seq and self.is_mounted:
            self._set_suggestions(found)

    def _set_suggestions(self, found: list[Choice]) -> None:
        chosen = set(self.values)
        self.suggestions = [c for c in found if c.value not in chosen][:50]
        option_list = self._options(create=bool(self.suggestions))
        if option_list is not None:
            option_list.clear_options()
            option_list.add_options([Option(Text(c.display()), id=str(i)) for i, c in enumerate(self.suggestions)])
            if self.suggestions:
                option_list.highlighted = 0
        self.set_class(bool(self.suggestions), "-open")

    def action_cursor(self, step: int) -> None:
        option_list = self._options(create=False)
        if not self.suggestions or option_list is None:
            return
        current = option_list.highlighted or 0
        option_list.highlighted = max(0, min(len(self.suggestions) - 1, current + step))

    def highlighted_choice(self) -> Choice | None:
        option_list = self._options(create=False)
        if not self.suggestions or option_list is None:
            return None
        idx = option_list.highlighted
        return self.suggestions[idx if idx is not None else 0]

    def pick(self, choice: Choice) -> None:
        if self.limit == 1:
            self.set_picked([choice])
        elif choice.value not in self.values and len(self.picked) < self.limit:
            self.set_picked(self.picked + [choice])
        self.input.value = ""
        self._set_suggestions([])

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        choice = self.highlighted_choice() if self.pending_text else None
        if choice is not None:
            self.pick(choice)
            if self.advance and (self.limit == 1 or len(self.picked) >= self.limit):
                self.screen.focus_next()
        elif not self.pending_text:
            self.screen.focus_next()

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(self.suggestions[int(event.option.id or 0)])

    def resolve_pending(self) -> str | None:
        """Pick what was typed but not picked, when it is unambiguous; else say what to do."""
        text = self.pending_text
        if not text:
            return None
        needle = text.casefold()
        pool = self.suggestions if self.search is not None else rank(self.choices, text)
        pool = [c for c in pool if c.value not in self.values]
        exact = [c for c in pool if needle in (c.code.casefold(), c.value.casefold(), c.label.casefold())]
        if len(exact) == 1 or len(pool) == 1:
            if self.limit > 1 and len(self.picked) >= self.limit:
                return f"choose at most {self.limit}"
            self.pick(exact[0] if exact else pool[0])
            return None
        if not pool:
            return f"nothing matches {text!r}; type part of a name or a code"
        return f"{text!r} matches several; pick one with Up/Down and Enter"

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.set_class(False, "-open")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.set_class(bool(self.suggestions), "-open")


class WrapCheckbox(Checkbox):
    """A checkbox whose label wraps within its width, every line shown (Textual's is one line high)."""

    DEFAULT_CSS = """
    WrapCheckbox { width: 1fr; height: auto; text-wrap: wrap; text-overflow: fold; }
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.render().wrap(max(width, 1))))
