"""Run a form on the real desk app (``SloApp``): ``run_form(store, actor, make_form)`` yields
``(app, pilot, results, form)``: the form is pushed on the app and ``results`` collects what it
dismissed with.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from slo.tui.app import SloApp

TODAY = date(2026, 11, 27)
SIZE = (110, 60)


def make_app(store: Any, actor: Any, exports: Path, today: date = TODAY) -> SloApp:
    return SloApp(store, actor, exports, today=today)


def actor(store: Any, collar: str = "PC1000") -> Any:
    from slo.services.actors import load_actor

    return load_actor(store.db, collar)


@asynccontextmanager
async def run_form(store: Any, who: Any, make_form: Callable[[], Any], tmp_path: Path | None = None):
    app = make_app(store, who, (tmp_path or Path("/tmp")) / "exports")
    results: list[Any] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = make_form()
        app.push_screen(form, results.append)
        await settle(pilot)
        yield app, pilot, results, form


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and messages land."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot: Any, text: str) -> None:
    """Type text as a user would, one key at a time."""
    from textual.keys import _character_to_key

    for ch in text:
        await pilot.press(_character_to_key(ch))


class KeyCounter:
    """Counts keys pressed through it that are not typed text."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.keys: list[str] = []

    async def press(self, *keys: str) -> None:
        self.keys.extend(keys)
        await self.pilot.press(*keys)
        await settle(self.pilot, 1)

    async def type(self, text: str) -> None:
        await type_text(self.pilot, text)
        await settle(self.pilot, 1)


def audit_rows(store: Any, entity: str, key: str) -> list[tuple[str, str, str]]:
    return store.db.execute(
        "SELECT actor, operation, detail FROM audit WHERE entity = ? AND key = ? ORDER BY id", [entity, key]
    ).fetchall()


sys.modules.setdefault("forms_harness", sys.modules[__name__])
