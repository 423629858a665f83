"""Screens closed are freed: their headers no longer stay attached to the app's title watchers."""

from __future__ import annotations

import gc

from textual.widgets import Header

from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.screens.school import SchoolScreen


async def test_closed_screens_and_their_headers_are_freed(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000")

    def alive() -> tuple[int, int]:
        gc.collect()
        objects = gc.get_objects()
        return sum(isinstance(o, Header) for o in objects), sum(isinstance(o, SchoolScreen) for o in objects)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        counts = []
        for rounds in (2, 6):
            for _ in range(rounds):
                app.open_school("100000")
                await settle(pilot)
                assert isinstance(app.screen, SchoolScreen)
                await pilot.press("escape")
                await settle(pilot)
                assert isinstance(app.screen, CaseloadScreen)
            counts.append(alive())
        # the last school screen may still be referenced for a moment (its finished worker);
        # before the fix every header of every screen opened stayed alive
        assert counts[0] == counts[1] and counts[1][0] <= 2 and counts[1][1] <= 1, counts
