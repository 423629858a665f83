"""Every message the desk's screens and workers post (one module, as in Harlequin).

Workers run database calls in threads and post one of these back; handlers on
the screen (on the event loop) update widgets. Payloads are the plain dataclasses
of :mod:`slo.services.desk`.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Loaded(Message):
    """Data for a screen arrived from a worker. ``what`` names the part (``caseload``, ``header``...)."""

    def __init__(self, what: str, data: Any, token: Any = None) -> None:
        super().__init__()
        self.what = what
        self.data = data
        self.token = token


class LoadFailed(Message):
    """A worker's database call failed with an error meant for the user (one line)."""

    def __init__(self, what: str, error: str, *, refused: bool = False) -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.refused = refused


class RecordSaved(Message):
    """A form saved a record (``key``): screens reload what they show."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class OfficerChosen(Message):
    """The picker chose who is using the desk."""

    def __init__(self, collar: str) -> None:
        super().__init__()
        self.collar = collar
