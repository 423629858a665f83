"""Command palette providers (ctrl+p).

* :class:`DeskCommands`: every action of the current screen (from its BINDINGS)
  plus the desk's navigation (home, week, reports, calendars, audit log, help).
* :class:`NavigationProvider`: go to any school or young person by name; the
  search runs in a thread (``asyncio.to_thread``) against the database, within
  the actor's scope (:func:`slo.services.queries.palette.search`).

Names are user text: hits are built as plain :class:`~textual.content.Content`,
never parsed as markup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from slo.tui.desk import desk_of

#: (title, app action, help) always offered
NAVIGATION = [
    ("Home", "home", "Back to the home screen (caseload or team)  key H"),
    ("Week planner", "week", "Your week, Monday to Sunday"),
    ("Due list", "due", "Everything due for you, by name: outcomes, follow-ups, deadlines, reviews  key U"),
    ("Reports", "reports", "The continuity report"),
    ("Export calendars", "export_calendars", "Write the head teachers' calendars"),
    ("Team", "team", "The team's abstractions and rates (sergeants)  key T"),
    ("Term dates", "term_dates", "List, add and import term dates  key D"),
    ("Audit log", "audit_log", "Who did what, when (admins)  key L"),
    ("My abstractions", "my_abstractions", "Your abstractions, their review and the sergeant's notes  key A"),
    ("Handover notes", "handovers", "Schools handed to you (or from you): what the next officer needs  key N"),
    ("Officers", "officers", "Add, edit, set a leaving date (admins)  key O"),
    ("Schools", "schools", "Every school, its officer, assignments and handovers (admins)  key S"),
    ("New visit", "new_visit", "Book a visit, an assembly, a lesson or a 1:1 session"),
    ("New consultation", "new_consultation", "Log a consultation before a suspension or exclusion"),
    ("Record abstraction", "new_abstraction", "Taken off schools work: what it cancelled"),
    ("Record absence", "new_absence", "Leave, sickness, rest day, course"),
    ("Help", "help", "Keys and purpose of this screen"),
]

#: a desk-wide form command is left out where the screen has its own (which presets the school...)
SCREEN_EQUIVALENT = {
    "new_visit": {"visit", "session"},
    "new_consultation": {"consultation"},
    "new_abstraction": {"abstraction"},
    "new_absence": {"absence"},
}


def plain_highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as plain content with the fuzzy match highlighted (no markup parsing)."""
    content = Content(text)
    try:
        score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    except Exception:  # noqa: BLE001 - highlighting is cosmetic
        return content
    if score:
        for offset in offsets:
            if offset < len(text) and not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class DeskCommands(Provider):
    """The current screen's actions and the desk's navigation."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        screen = self.screen
        out: list[tuple[str, Callable[[], Any], str]] = []
        seen: set[str] = set()
        for binding in type(screen).BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
                continue
            action, description = binding.action, binding.description
            if not hasattr(screen, f"action_{action.split('(')[0]}"):  # e.g. app.help: the desk's own
                continue
            seen.add(action)
            key = self.app.get_key_display(binding)
            out.append((description, partial(screen.run_action, action), escape(f"On this screen: key {key}")))
        for title, action, help_text in NAVIGATION:
            if SCREEN_EQUIVALENT.get(action, set()) & seen:
                continue
            out.append((title, partial(self.app.run_action, action), help_text))
        return out

    async def discover(self) -> Hits:
        for title, command, help_text in self._commands():
            yield DiscoveryHit(Content(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, title), command, text=title, help=help_text)


class NavigationProvider(Provider):
    """Open a school or a young person by (part of) their name."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        app = desk_of(self.app)
        actor = app.actor
        if len(query) < 2 or actor is None:
            return
        from slo.services.errors import DATABASE_ERRORS, USER_ERRORS
        from slo.services.queries.palette import search

        try:
            hits = await asyncio.to_thread(search, app.store, actor, query, limit=15)
        except USER_ERRORS + DATABASE_ERRORS as exc:  # a refused or failed search shows nothing
            app.log.warning(f"palette search failed: {exc}")
            return
        matcher = self.matcher(query)
        for hit in hits:
            score = max(matcher.match(hit.name), 0.5)
            if hit.kind == "school":
                command = partial(app.open_school, hit.key)
                title = f"School: {hit.name}"
            else:
                command = partial(app.open_young_person, hit.key)
                title = f"Young person: {hit.name}"
            yield Hit(score, plain_highlight(matcher, title), command, text=title, help=escape(hit.detail))
