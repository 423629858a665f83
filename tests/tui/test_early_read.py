"""The caseload read while Textual loads (``slo`` does it) fills the first screen; the header follows."""

from __future__ import annotations

from datetime import date

from slo.services.queries import home
from slo.services.queries.scope import OWN
from slo.tui.screens.caseload import CaseloadScreen
from slo.tui.widgets import DeskTable

TODAY = date(2026, 1, 7)  # make_app's fixed day


async def test_the_early_read_fills_the_caseload_and_the_header_still_loads(desk_store, make_app, settle):
    app = make_app(desk_store, "PC1000", today=TODAY)
    home.start_home_caseload(desk_store, app.actor, TODAY)
    home._early[(id(desk_store), "PC1000", OWN, TODAY.isoformat())].wait()  # done, as after Textual's import
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        table = app.screen.query_one("#caseload", DeskTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "Northgate Academy", "Oakwood Primary", "Riverside School"]
        assert home.take_home_caseload(desk_store, app.actor, TODAY, OWN) is None  # taken
        summary = str(app.screen.query_one("#week-summary").render())
        assert "Public order" in summary and "½ day" in summary
