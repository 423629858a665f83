"""Where a school's calendar file lives: ``<exports>/calendars/<URN>-<slug>.ics``.

The name is built only from ASCII letters, digits and ``-``, so whatever a
school is called (``../../etc/passwd``, ``/abs``, emoji, an empty string after
slugging) the file stays inside the export folder; :func:`calendar_path`
checks that with ``resolve()`` as well, and refuses anything else.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

SLUG_MAX = 60
CALENDARS_DIR = "calendars"

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_DIGIT = re.compile(r"[^A-Za-z0-9]+")
#: every name calendar_name() can produce: no separator, no dot-segment, nothing hidden
SAFE_NAME = re.compile(r"[A-Za-z0-9]+(-[a-z0-9]+)*\.ics")
# letters that NFKD does not decompose into ASCII
_EXTRA = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l",
    "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i", "&": " and ",
})


def slugify(text: str | None, max_length: int = SLUG_MAX) -> str:
    """Lower-case ASCII letters, digits and single ``-``; accents transliterated; at most ``max_length``."""
    text = (text or "").translate(_EXTRA)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def calendars_dir(exports: Path) -> Path:
    return Path(exports) / CALENDARS_DIR


def calendar_name(urn: str, school_name: str) -> str:
    """The file name ``<URN>-<slug>.ics`` (``<URN>.ics`` when the name slugs to nothing)."""
    safe_urn = _NOT_DIGIT.sub("", str(urn))[:20] or "school"
    slug = slugify(school_name)
    return f"{safe_urn}-{slug}.ics" if slug else f"{safe_urn}.ics"


def calendar_path(exports: Path, urn: str, school_name: str) -> Path:
    """The calendar file of one school; guaranteed to be directly inside ``<exports>/calendars``."""
    folder = calendars_dir(exports)
    path = folder / calendar_name(urn, school_name)
    root = folder.resolve()
    resolved = path.resolve()
    if resolved.parent != root or not SAFE_NAME.fullmatch(path.name):
        raise ValueError(f"calendar path for school {urn!r} would leave the export folder")
    return path
