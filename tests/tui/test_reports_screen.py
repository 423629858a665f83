"""ReportsScreen on the real app: headline figures for the user's scope, charts, exports with audit."""

from __future__ import annotations

import copy
import json
from datetime import date

from helpers.report_bundle import BUNDLE

from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.tui.app import SloApp

TODAY = date(2026, 1, 18)


async def settle(pilot):
    for _ in range(5):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def make(store, tmp_path, collar):
    import_bundle(store, copy.deepcopy(BUNDLE), None)
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


def text_of(widget) -> str:
    return str(widget.render())


async def open_reports(app, pilot):
    from slo.tui.screens.reports import ReportsScreen

    app.push_screen(ReportsScreen())
    await settle(pilot)
    return app.screen


async def test_custom_period_headline_and_charts(store, tmp_path):
    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("4")
        await settle(pilot)
        screen.query_one("#custom-from").value = "2026-01-05"
        screen.query_one("#custom-to").value = "2026-01-18"
        screen.query_one("#custom-to").focus()
        await pilot.press("enter")
        await settle(pilot)
        head = text_of(screen.query_one("#headline"))
        # team T-A's SLOs (P1, P2; not the sergeant) over the fixture period: 3.5 abstracted of 8 + 5 = 13
        # rostered = 26.9%; 2 of 10 + 5 = 15 pattern days = 13.3%
        assert "Scope: team T-A" in head
        assert "Abstraction rate 26.9%" in head and "(3.5 of 13 rostered days)" in head
        assert "Unavailability rate 13.3%" in head
        charts = text_of(screen.query_one("#chart-officers"))
        assert "P1" in charts and "37.5%" in charts and "P3" not in charts   # P1: 3 / 8
        assert "2026-01" in text_of(screen.query_one("#chart-months"))


async def test_academic_year_is_counted_to_today(store, tmp_path):
    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("3")
        await settle(pilot)
        head = text_of(screen.query_one("#headline"))
        # 2025-09-01 .. 2026-08-31 counted to today, Sun 2026-01-18: Mon 1 Sep .. Sun 18 Jan is 140 days, 20
        # weeks: P1 100 Mon-Fri days - 2 on leave = 98 rostered; P2 (from 12 Jan, Tue-Sat) 5 -> 103.
        # Abstracted 3 + 0.5 = 3.5 (AB5 on 20-21 Jan has not happened): 3.4%. Counted to 31 August it
        # would have been 5.5 of 261 + ... rostered days.
        assert "(3.5 of 103 rostered days)" in head and "Abstraction rate 3.4%" in head, head


async def test_export_html_and_evaluation_audited(store, tmp_path):
    app = make(store, tmp_path, "A1")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("h")
        await settle(pilot)
        out = screen.last_export
        assert out is not None and out.parent == tmp_path / "exports" / "reports" and out.suffix == ".html"
        assert "<svg" in out.read_text(encoding="utf-8")
        assert screen.query_one("#export-progress").progress == 3
        await pilot.press("e")
        await pilot.press("j")
        await settle(pilot)
        ev = screen.last_export
        assert ev.name.endswith("_evaluation.json")
        data = json.loads(ev.read_text(encoding="utf-8"))
        assert data["evaluation"] is True and "collar_number" not in json.dumps(data)
    ops = [r[0] for r in store.db.execute(
        "SELECT operation FROM audit WHERE entity = 'report' ORDER BY id").fetchall()]
    assert ops == ["export", "disclosure"]


async def test_evaluator_gets_evaluation_only(store, tmp_path):
    app = make(store, tmp_path, "EV")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        assert "evaluation dataset only" in text_of(screen.query_one("#headline"))
        await pilot.press("c")
        await settle(pilot)
        assert screen.last_export.name.endswith("_evaluation.zip")


async def test_the_figures_come_first_and_the_custom_fields_and_progress_bar_when_wanted(store, tmp_path):
    """Opening the screen mounts the figures only; 4 mounts the custom dates' fields, an export its bar."""
    app = make(store, tmp_path, "S1")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        assert "Scope: team T-A" in text_of(screen.query_one("#headline"))
        assert not screen.query("#custom-from") and not screen.query("#export-progress")
        await pilot.press("j")
        await settle(pilot)
        assert screen.last_export is not None and screen.query_one("#export-progress").progress == 3
        await pilot.press("4")
        await settle(pilot)
        assert app.focused is screen.query_one("#custom-from")


def rostered(head: str) -> tuple[float, float]:
    """(abstracted, rostered) days from the headline."""
    import re

    found = re.search(r"\(([\d.]+) of ([\d.]+) rostered days\)", head)
    assert found, head
    return float(found[1]), float(found[2])


async def test_kept_figures_show_at_once_and_are_counted_again_after_a_change(store, tmp_path, monkeypatch):
    """The figures kept from the last opening are shown while they are counted again, and the period line
    says when they were counted; a change made since is in the figures that replace them."""
    import threading

    from slo.models import Abstraction
    from slo.services.abstractions import NEW_REF, record_abstraction
    from slo.tui.screens import reports

    app = make(store, tmp_path, "S1")
    s1 = load_actor(store.db, "S1")
    counted = []
    release = threading.Event()
    release.set()
    real = reports.report_preview

    def counting(*args, **kwargs):
        assert release.wait(10)
        counted.append(args[2:4])
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "report_preview", counting)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_reports(app, pilot)
        before = rostered(text_of(screen.query_one("#headline")))
        assert len(counted) == 1  # nothing kept: counted
        app.pop_screen()
        screen = await open_reports(app, pilot)
        assert len(counted) == 1  # kept, and nothing has changed: not counted again
        assert "counting again" not in text_of(screen.query_one("#reports-period"))
        app.pop_screen()

        # P2 (Tue-Sat) abstracted for the whole of Wednesday 14 January
        record_abstraction(store, s1, Abstraction(ref=NEW_REF, officer="P2", date_from="2026-01-14",
                                                  date_to="2026-01-14", portion="full", category="court",
                                                  requested_by="Crown Court"))
        release.clear()
        from slo.tui.screens.reports import ReportsScreen

        app.push_screen(ReportsScreen())
        for _ in range(200):  # the kept figures' worker ends; the count waits for the release
            await pilot.pause(0.02)
            if "counting again" in text_of(app.screen.query_one("#reports-period")):
                break
        screen = app.screen
        period = text_of(screen.query_one("#reports-period"))
        assert "figures as counted at 09:00; counting again…" in period and "counting again…" in period, period
        assert rostered(text_of(screen.query_one("#headline"))) == before
        release.set()
        await settle(pilot)
        assert len(counted) == 2
        assert "counting again" not in text_of(screen.query_one("#reports-period"))
        assert rostered(text_of(screen.query_one("#headline"))) == (before[0] + 1, before[1])
