"""SVG snapshots of the desk's main screens at 120x36, today fixed, workers finished.

Regenerate after a deliberate change of look with
``python -m pytest tests/tui/test_snapshots.py --snapshot-update`` and commit ``__snapshots__``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from slo.services.actors import load_actor
from slo.tui.app import SloApp

TODAY = date(2026, 1, 7)
SIZE = (120, 36)


@pytest.fixture
def desk_app(desk_store):
    # a fixed, relative exports folder: the calendar path shown on the school screen is stable
    return SloApp(desk_store, load_actor(desk_store.db, "PC1000"), Path("exports"), today=TODAY)


def settled(*keys: str):
    async def run_before(pilot) -> None:
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()

    return run_before


def test_caseload_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled())


def test_school_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("down", "down", "enter"))


def test_week_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("w"))


def test_help_snapshot(desk_app, snap_compare):
    assert snap_compare(desk_app, terminal_size=SIZE, run_before=settled("f1"))
