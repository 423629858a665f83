"""A form field's error and warning lines: mounted the first time they have something to say,
under the control (the warning under the error), shown and hidden with the message; its label,
drawn by the field left of the control, red while the field has an error."""

from __future__ import annotations

import contextlib

from rich.text import Text
from screen_text import screen_text
from textual.widgets import Static

from slo.tui.screens.forms.engagement import EngagementForm


def lines(field) -> list[str]:
    """The field's children after its control, as (class, text shown or hidden)."""
    out = []
    for child in list(field.children)[1:]:
        assert isinstance(child, Static)
        kind = next(c for c in child.classes if c.startswith("form-field--") and c != "form-field--line")
        shown = "shown" if child.display and field.has_class({"form-field--error": "-invalid",
                                                               "form-field--note": "-noted"}.get(kind, "")) else ""
        text = child.render()
        out.append(f"{kind}:{text.plain if isinstance(text, Text) else text}:{shown}")
    return out


@contextlib.asynccontextmanager
async def visit_form(store, make_app, settle, size):
    """A new visit at school 100000, open on the desk: ``(app, pilot, form)``."""
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        form = EngagementForm(school="100000")
        app.push_screen(form)
        await settle(pilot)
        yield app, pilot, form


async def test_error_and_warning_lines_are_mounted_when_first_needed(desk_store, make_app, settle):
    async with visit_form(desk_store, make_app, settle, (110, 60)) as (_app, pilot, form):
        time, young = form.field("time"), form.field("young_person")
        heights = time.region.height, young.region.height
        assert lines(time) == []
        assert [c.split(":")[0] for c in lines(young)] == ["form-field--hint"]  # "for 1:1 sessions"

        young.set_note("Check the name")
        await pilot.pause()
        assert lines(young)[0] == "form-field--note:Check the name:shown"
        young.set_error("needs a young person")
        await pilot.pause()
        # the error goes under the control, above the warning (and the hint stays last)
        assert [c.split(":")[0] for c in lines(young)] == ["form-field--error", "form-field--note", "form-field--hint"]
        assert lines(young)[0] == "form-field--error:needs a young person:shown"

        young.set_error(None)
        young.set_note(None)
        await pilot.pause()
        assert young.error is None and not young.has_class("-invalid") and not young.has_class("-noted")
        assert young.region.height == heights[1]  # cleared lines take no room

        time.set_error("use HH:MM, e.g. 09:30")
        await pilot.pause()
        assert lines(time) == ["form-field--error:use HH:MM, e.g. 09:30:shown"]
        assert time.region.height == heights[0] + 1


async def test_the_label_is_drawn_left_of_the_control_and_turns_red_with_an_error(desk_store, make_app, settle):
    async with visit_form(desk_store, make_app, settle, (110, 40)) as (app, pilot, form):
        time = form.field("time")
        row = screen_text(app).splitlines()[time.region.y]
        assert row[time.region.x:time.region.x + 24].rstrip() == "Start time *"
        assert time.control.region.x == time.region.x + 24 and time.control.region.y == time.region.y
        muted = time.render().style.color
        time.set_error("use HH:MM, e.g. 09:30")
        await pilot.pause()
        assert time.render().style.color != muted and time.render().style.color.triplet.red > 150
        time.set_error(None)
        await pilot.pause()
        assert time.render().style.color == muted


def test_every_form_label_fits_left_of_its_control():
    """A field draws its label in 23 columns and cuts a longer one: every label in the forms fits
    (with the " *" of a required field), and each is written out, so that this can check it."""
    import ast
    from pathlib import Path

    import slo.tui.screens.forms as forms

    seen = []
    for path in sorted(Path(forms.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FormField":
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), f"{path.name}:{node.lineno}"
                required = any(k.arg == "required" and getattr(k.value, "value", False) for k in node.keywords)
                seen.append((path.name, first.value + (" *" if required else "")))
    assert len(seen) > 50  # every form's fields, not none
    assert [(name, text) for name, text in seen if len(text) > 23] == []
