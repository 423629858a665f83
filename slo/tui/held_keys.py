"""Keys held while something is not ready yet and delivered later (a screen being read before it is
pushed, :meth:`slo.tui.app.SloApp.open_read`; a form not yet filled in,
:meth:`slo.tui.screens.forms.base.FormScreen.hold_key`): one way to mark a delivered key, so that
neither the app nor a form holds it a second time."""

from __future__ import annotations

from textual import events

#: a key as held: its name and the character it types (None for keys that type nothing)
HeldKey = tuple[str, str | None]


def replayed(key: HeldKey) -> events.Key:
    """The held ``key`` as a key event to post now, marked as delivered (:func:`is_replayed`)."""
    event = events.Key(*key)
    event.replayed = True  # type: ignore[attr-defined]  # read by is_replayed
    return event


def is_replayed(event: events.Key) -> bool:
    """``event`` is a held key being delivered (:func:`replayed`), not one typed just now."""
    return bool(getattr(event, "replayed", False))
