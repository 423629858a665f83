"""Head teachers' calendars: one ``.ics`` file per school, refreshed incrementally.

See ``docs/calendars.md``. Public API (``docs/CONTRACTS.md``)::

    export_calendars(store, actor, exports, *, school=None, progress=None) -> CalendarExportResult
    calendar_path(exports, urn, school_name) -> Path
"""

from __future__ import annotations

from .export import CalendarExportResult, export_calendars
from .paths import calendar_path, slugify

__all__ = ["CalendarExportResult", "export_calendars", "calendar_path", "slugify"]
