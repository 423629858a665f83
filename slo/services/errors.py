"""Errors that services raise for a user to fix. ``str()`` is one clear line."""

from __future__ import annotations

import sqlite3

from slo.models.rules import ValidationFailed
from slo.models.text import clean_line
from slo.store.db import DatabaseBusy, StoreError


class ServiceError(Exception):
    """Base of every error the user must fix (exit 1 on the CLI, a notice in the desk).

    Messages often quote what the user typed (a ref, a path); ``str()`` cleans
    the message to one line without control characters, so a newline or an ESC
    sequence in that text can neither split the message nor reach the terminal.
    """

    def __str__(self) -> str:
        return clean_line(super().__str__())


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class Conflict(ServiceError):
    pass


#: everything a front end should show as a message rather than a traceback
USER_ERRORS = (ServiceError, ValidationFailed, StoreError, DatabaseBusy)

#: the database itself failed (corrupt, unreadable, locked past the timeout): a front end says
#: "database problem" and goes on, rather than showing a traceback
DATABASE_ERRORS = (sqlite3.DatabaseError,)
