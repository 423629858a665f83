"""Privacy checks on text that leaves the product (calendar titles, report notes).

:func:`names_in_text` finds the young people of one officer whose given or
family name appears in a piece of text, so a form can warn before a title that
names a child reaches a head teacher's calendar. It warns; it never refuses
(a name like "Hope" or "Park" may be an ordinary word).

An officer's young people are those with an engagement or a consultation of
that officer, or whose school is (or was) assigned to that officer.
Names shorter than 3 letters are ignored; matching is case-insensitive and
on whole words only ("Al" never matches, "Sam" does not match "Samuel").
"""

from __future__ import annotations

import re
import unicodedata

from sqlite_utils import Database

MIN_NAME_LENGTH = 3

_OFFICER_YOUNG_PEOPLE = """
SELECT ref, given_name, family_name FROM young_people
WHERE ref IN (SELECT young_person FROM engagements WHERE officer = :officer AND young_person IS NOT NULL)
   OR ref IN (SELECT young_person FROM consultations WHERE officer = :officer)
   OR school IN (SELECT school FROM assignments WHERE officer = :officer)
ORDER BY ref
"""


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", value).casefold()


def _word_pattern(name: str) -> re.Pattern[str]:
    # whole word: no letter, digit or underscore directly before or after
    return re.compile(r"(?<!\w)" + re.escape(_fold(name)) + r"(?!\w)")


def names_in_text(db: Database, officer: str, text: str) -> list[str]:
    """Refs of ``officer``'s young people whose given or family name appears in ``text``.

    Sorted, without duplicates. Empty text gives an empty list.
    """
    if not text or not text.strip():
        return []
    folded = _fold(text)
    words = set(re.findall(r"\w+", folded))
    found: set[str] = set()
    cache: dict[str, bool] = {}
    for ref, given, family in db.execute(_OFFICER_YOUNG_PEOPLE, {"officer": officer}).fetchall():
        for name in (given, family):
            if not name:
                continue
            name = name.strip()
            if len(name) < MIN_NAME_LENGTH:
                continue
            key = _fold(name)
            if key not in cache:
                parts = re.findall(r"\w+", key)
                # quick reject: every word of the name must be a word of the text
                if not parts or not all(p in words for p in parts):
                    cache[key] = False
                else:
                    cache[key] = _word_pattern(name).search(folded) is not None
            if cache[key]:
                found.add(ref)
                break
    return sorted(found)
