"""After an erasure: rewrite at once the calendars that carried the erased young person.

:func:`slo.services.retention.erase_young_person` redacts the child's name in
engagement titles and anonymises their 1:1 sessions, raising each changed
event's sequence; it returns the schools concerned. Waiting for the nightly
export would leave the old files (possibly with a name that slipped past an
older guard) published for up to a day, so ``slo erase`` calls
:func:`rewrite_calendars` straight away: every such school that has a calendar
file is exported again, into the folder its file is in (``calendar_files``
remembers the path of each), whatever ``--exports`` the erasing admin gave.
"""

from __future__ import annotations

from pathlib import Path

from slo.services.actors import Actor

from .export import export_calendars


def rewrite_calendars(store, actor: Actor, schools: list[str]) -> list[Path]:
    """Export again the calendars of ``schools`` that have a file; returns the files written."""
    if not schools:
        return []
    marks = ",".join("?" * len(schools))
    rows = store.db.execute(
        f"SELECT urn, path FROM calendar_files WHERE path != '' AND urn IN ({marks}) ORDER BY urn", schools
    ).fetchall()
    written: list[Path] = []
    for urn, path in rows:
        folder = Path(path).parent  # <exports>/calendars
        if not folder.is_dir():
            continue  # the export folder was moved or removed: nothing published there any more
        result = export_calendars(store, actor, folder.parent, school=urn)
        written.extend(result.written)
    return written
