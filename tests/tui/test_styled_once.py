"""Widgets are styled once: not while they are only being built (Textual restyled a widget on every
class its constructor set), and a screen just pushed is not restyled on its first resume; a later
resume that asks for it (a screen pushed again) is restyled, as Textual does."""

from __future__ import annotations

import contextlib

from textual import events
from textual.widgets import Input

from slo.tui.screens.caseload import CaseloadScreen


def count_restyles(app, monkeypatch) -> list[list]:
    """Each call of the stylesheet's update of nodes, as the nodes it was given."""
    calls: list[list] = []
    real = app.stylesheet.update_nodes

    def update_nodes(nodes, animate=False):
        nodes = list(nodes)
        calls.append(nodes)
        return real(nodes, animate=animate)

    monkeypatch.setattr(app.stylesheet, "update_nodes", update_nodes)
    return calls


@contextlib.asynccontextmanager
async def desk_watched(store, make_app, settle, monkeypatch):
    """The desk on ``store``, settled, with its stylesheet's updates counted: ``(app, pilot, calls)``."""
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        yield app, pilot, count_restyles(app, monkeypatch)


async def test_a_widget_being_built_is_styled_when_it_is_mounted_not_before(desk_store, make_app, settle,
                                                                            monkeypatch):
    async with desk_watched(desk_store, make_app, settle, monkeypatch) as (app, pilot, calls):
        box = Input(compact=True, id="probe")  # the constructor sets the -textual-compact class
        box.add_class("probe")
        assert calls == []
        await app.screen.mount(box)
        await pilot.pause()
        assert box.has_class("-textual-compact") and box.styles.border.top[0] == ""  # compact: no border
        box.add_class("-invalid")  # on screen: restyled, as Textual does
        assert any(box in nodes for nodes in calls)


async def test_a_screen_is_not_restyled_when_first_shown_but_when_asked_again(desk_store, make_app, settle,
                                                                                monkeypatch):
    async with desk_watched(desk_store, make_app, settle, monkeypatch) as (app, pilot, calls):
        await pilot.press("w")  # the week: a desk screen pushed
        await settle(pilot)
        week = app.screen
        assert not isinstance(week, CaseloadScreen)
        assert not any(week in nodes for nodes in calls)  # styled as it was mounted, and only then
        week.post_message(events.ScreenResume())  # as Textual posts it when a screen is pushed again
        await settle(pilot)
        assert any(week in nodes for nodes in calls)
