"""Every screen, for every role, on the demo database: what a person reads in its footer, its help and
its command palette is plain English (no class or function names, no "1 officers"), and every key its
footer shows does something: the screen changes, a form opens, the screen shows something else, or a
notice says why not."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from screen_text import screen_text  # noqa: E402

from slo.services.actors import load_actor  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402
from slo.tui.providers import DeskCommands  # noqa: E402
from slo.tui.screens.help import HelpScreen, binding_rows  # noqa: E402
from slo.tui.widgets.footer import shown_keys  # noqa: E402

TODAY = date(2026, 12, 2)
ROLES = ["PC1000", "S100", "A1", "I1", "E1"]

#: a class or function name: CamelCase ending as the desk's classes do, or a snake_case identifier
CODE_WORD = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Screen|Form|Provider|Table|Loaded|Line)\b"
                       r"|\b[a-z]+_[a-z_]+\b|\baction_|\bkey_display\b")
#: "1 officers", "1 engagements" (a count of one with a plural noun)
BAD_PLURAL = re.compile(r"(?<![\d.,:])\b1 (?:[a-z]+ )?(?!is\b|has\b|was\b|\w*ss\b|\w*us\b)([a-z]+s)\b")
#: field names a person does type or read as such: a term-dates CSV's header, the audit log's rows
#: (which hold field names only, by design)
FIELD_NAMES = {"local_authority", "term_start", "term_end", "date_to"}
#: keys not pressed: quitting ends the test's app
NOT_PRESSED = {"ctrl+q"}


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def first(store, sql: str, params: tuple = ()) -> Any:
    row = store.db.execute(sql, params).fetchone()
    return row[0] if row else None


def openers(store, collar: str) -> list[tuple[str, Callable[[SloApp], Any]]]:
    """(name, how to open it) for every screen and form the desk has, as each role can reach it."""
    urn = first(store, "SELECT school FROM assignments WHERE officer = ? AND end_date IS NULL ORDER BY school",
                ("PC1000",))
    young = first(store, "SELECT ref FROM young_people WHERE school = ? ORDER BY ref", (urn,))
    consultation = first(store, "SELECT ref FROM consultations WHERE officer = 'PC1000' ORDER BY ref")
    out: list[tuple[str, Callable[[SloApp], Any]]] = [("home", lambda app: None)]
    for action in ("week", "due", "reports", "team", "term_dates", "audit_log", "my_abstractions", "handovers",
                   "officers", "schools", "export_calendars"):
        out.append((action, lambda app, a=action: app.run_action(a)))
    out += [
        ("school", lambda app: app.open_school(urn)),
        ("young person", lambda app: app.open_young_person(young)),
        ("record", lambda app: app.open_record("consultations", consultation)),
    ]
    for form in ("new_visit", "new_consultation", "new_abstraction", "new_absence"):
        out.append((form, lambda app, f=form: app.run_action(f)))
    return out


def words_of(app: SloApp) -> list[str]:
    """What a person reads about the keys of the current screen: the footer, help and the palette."""
    screen = app.screen
    keys, palette = shown_keys(screen)
    out = [f"{app.get_key_display(b)} {b.description}" for b, _enabled, _tooltip in keys]
    out += [" ".join(row) for row in binding_rows(app, screen)]
    out += [screen.title or "", getattr(screen, "HELP", "") or ""]
    out += [f"{title} {help_text}" for title, _command, help_text in DeskCommands(screen)._commands()]
    return out


async def reach(pilot, app: SloApp, home, name: str, how) -> bool:
    """Open a screen from home; False when it is refused (a notice, the screen closed) or not this role's."""
    while app.screen is not home and len(app.screen_stack) > 1:
        app.pop_screen()
        await settle(pilot)
    before = app.screen
    result = how(app)
    if hasattr(result, "__await__"):
        await result
    await settle(pilot)
    return name == "home" or app.screen is not before


def count_notices(app: SloApp) -> list:
    """Every notice the desk gives from now on (shown ones expire: their count on screen goes down)."""
    said: list = []
    notify = app.notify

    def counted(*args: Any, **kwargs: Any) -> None:
        said.append(args)
        notify(*args, **kwargs)

    app.notify = counted  # type: ignore[method-assign]
    return said


def fingerprint(app: SloApp, said: list) -> tuple:
    return (id(app.screen), len(app.screen_stack), len(said), screen_text(app),
            id(app.focused) if app.focused else None)


def plain_english(text: str, where: str) -> list[str]:
    """Class or function names and wrong plurals in ``text`` (what a person reads ``where``)."""
    return [f"{where}: {match.group(0)!r} in {text!r}"
            for bad in (CODE_WORD, BAD_PLURAL) for match in bad.finditer(text) if match.group(0) not in FIELD_NAMES]


@pytest.mark.parametrize("collar", ROLES)
async def test_every_screen_in_plain_english_and_every_key_shown_does_something(demo, tmp_path, collar):
    """One walk per role (the demo's SLO, sergeant, admin, inspector, evaluator): each screen and form
    it reaches; its footer, help and palette words; then each key of its footer pressed in turn (F1
    among them: the help screen's text is read too)."""
    app = SloApp(demo, load_actor(demo.db, collar), tmp_path / "exports", today=TODAY)
    dead: list[str] = []
    problems: list[str] = []
    pressed = helped = 0
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        home = app.screen
        said = count_notices(app)
        for name, how in openers(demo, collar):
            if not await reach(pilot, app, home, name, how):
                continue
            screen = app.screen
            # the screen's counts; the words of its footer, help and palette
            for match in BAD_PLURAL.finditer(screen_text(app)):
                problems.append(f"{collar} {name} screen: {match.group(0)!r}")
            for text in words_of(app):
                problems += plain_english(text, f"{collar} {name}")
            keys, palette = shown_keys(screen)
            shown = [(b.key.split(",")[0], b.description) for b, enabled, _t in keys if enabled]
            shown += [(palette[0].key, "palette")] if palette else []
            for key, description in shown:
                if key in NOT_PRESSED:
                    continue
                if app.screen is not screen:  # a key before changed the screen for good: open it again
                    if not await reach(pilot, app, home, name, how):
                        break
                    screen = app.screen
                before = fingerprint(app, said)
                await pilot.press(key)
                await settle(pilot)
                pressed += 1
                if fingerprint(app, said) == before:
                    dead.append(f"{collar} {name}: {key} {description}")
                if isinstance(app.screen, HelpScreen):
                    helped += 1
                    problems += plain_english(screen_text(app), f"{collar} {name} help")
                # back to the screen: close what the key opened
                while app.screen is not screen and screen in app.screen_stack:
                    app.pop_screen()
                    await settle(pilot)
    assert dead == [], "dead keys:\n" + "\n".join(dead)
    assert problems == [], "\n".join(problems)
    assert pressed > 10 and helped > 3
