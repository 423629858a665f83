"""Finding young people's names in free text: one matcher for the calendar guard, the forms and erasure.

:class:`NameMatcher` answers "which young people does this text name, and
where?" for three uses:

* the **calendar guard** (``slo/calendars/export.py``): a title that names any
  young person in the database is replaced before it reaches a head teacher's
  calendar;
* the **forms' warning** (:func:`names_in_text`): the engagement form warns
  while an officer types such a title;
* **erasure** (:mod:`slo.services.retention`): the erased child's name is
  replaced by ``[erased]`` in free text (:meth:`NameMatcher.redact`).

How a name is matched (the same rules everywhere):

* **Whole words.** Text and names are split into words (letters and digits; a
  space, hyphen, apostrophe or any other sign ends a word), and a name matches
  only whole words: ``Alex`` never matches ``Alexander``, ``Morgan`` never
  ``Morganite``, but ``Rileyx's`` names ``Rileyx``. A name of several words
  (``Kaur-Singh``, ``O'Neill``, ``Mary Jane``) matches those words in a row,
  joined by at most three spaces, hyphens, apostrophes, commas or dots
  (``Kaur Singh``, ``kaur-singh``), or written as one word (``KaurSingh``,
  ``ONeill``).
* **Case- and accent-insensitive.** Both sides are folded: letters that do not
  decompose are transliterated (``ß`` -> ``ss``, ``ø`` -> ``o``, ``ł`` -> ``l``),
  accents are dropped (NFKD), then case-folded: ``Zoe Bronte`` names
  ``Zoë Brontë``, ``MORGAN`` names ``Morgan``.
* **Short names.** A name (or a name part) of one letter is never matched
  alone; two letters or more are (``Jo``, ``Li``, ``Ng``).
* **Names that are also common words** (:data:`COMMON_WORDS`: ``Will``,
  ``May``, ``Hope``, ``Grace``, ``Rose``, ``Smith``, ``Green``, ``He``, ``An``
  ...) match alone only when written with a capital letter, so "we will
  visit", "may", "hope and resilience" and "green lane" stay as they are while
  "Will" or "Hope" still count. Written together with the other part of the
  name (``will smith``) they match in any case.

A match is a suspicion, not proof: the guard replaces a title that may name a
child, and the form only warns. Folding is done once per distinct name, and a
text is matched with one dictionary look-up per word, so checking a title
against every young person of a national database costs microseconds once the
matcher is built (see ``benchmarks/bench_privacy.py``).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

#: names (or name parts) shorter than this are never matched alone
MIN_NAME_LENGTH = 2
#: separators allowed between the words of one name ("Kaur-Singh", "Morgan, Alex")
MAX_SEPARATOR = 3
_SEPARATOR = re.compile(r"[\s\-'\u2019.,]{1,%s}" % MAX_SEPARATOR)  # noqa: UP031
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_word_re: re.Pattern[str] | None = None


def _word_pattern() -> re.Pattern[str]:
    """Words: letters and digits, with the combining marks that follow them (``i̇``, Devanagari signs).

    Python's ``\\w`` leaves combining marks out, which would split a word at an accent that NFC cannot
    compose. Built on first use (it scans the code points below U+20000 once, about 30 ms).
    """
    global _word_re
    if _word_re is None:
        marks = []
        start = None
        for cp in range(0x20000):
            is_mark = unicodedata.category(chr(cp)).startswith("M")
            if is_mark and start is None:
                start = cp
            elif not is_mark and start is not None:
                marks.append((start, cp - 1))
                start = None
        cls = "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in marks)
        _word_re = re.compile(f"[^\\W_](?:[^\\W_]|[{cls}])*")
    return _word_re


def words_of(text: str) -> list[re.Match[str]]:
    """The words of ``text`` (see :func:`_word_pattern`), as match objects."""
    pattern = _ASCII_WORD if text.isascii() else _word_pattern()
    return list(pattern.finditer(text))


#: letters that NFKD does not decompose into ASCII-like letters
_TRANSLITERATE = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l",
    "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i", "ħ": "h", "Ħ": "h",
})

#: given and family names that are also everyday English words (or short function words): alone, they
#: count as a name only when written with a capital letter
_COMMON_WORDS_TEXT = """
will may june april august summer autumn winter hope
faith joy grace charity patience constance rose lily daisy ivy holly hazel iris ruby amber pearl crystal jade
violet dawn eve sky storm river brook rain sunny honey bill bob rob mark pat sue don ray guy jack frank art
chase hunter grant miles max carol penny sandy rusty king young white black green brown gray grey wood woods
hill hall park bell lane field fields marsh moss banks bishop baker butcher carpenter cook cooper fisher
fletcher gardener mason miller page parker porter potter shepherd smith taylor turner walker ward weaver webb
wright long short little small sharp strong swift wise best good day knight lord major marshall noble rich
price love star house church street well wells stone ford bridge bridges ash oak heath moor rowan reading case
key lee way west east north south cross gate hart fox wolf lamb bird crow drake swan finch nightingale he an
do no so oh ma le la de di da du el al in on to up us we me my by or at as is it if of
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


def fold(text: str) -> str:
    """``text`` case-folded without accents (``Zoë Brontë`` -> ``zoe bronte``)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def fold_word(word: str) -> str:
    """One word folded to letters and digits only (``Ŀ`` decomposes to ``L·``: the dot goes too)."""
    if word.isascii():
        return word.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", fold(word)) if ch.isalnum())


@dataclass(frozen=True)
class Span:
    """Where a name was found: ``text[start:end]``, and the form of the name that matched."""

    start: int
    end: int
    form: tuple[str, ...]


class NameMatcher:
    """Whole-word, case- and accent-insensitive search for many people's names (module notes).

    Names are kept by their folded form (a tuple of words): one entry per
    distinct form however many people share it, with the refs of those people.
    """

    def __init__(self) -> None:
        #: first word -> {(form, capitalised only): refs}
        self._by_first: dict[str, dict[tuple[tuple[str, ...], bool], list[str]]] = {}
        self._folded: dict[str, tuple[str, ...]] = {}
        self._fold_cache: dict[str, str] = {}
        self.people = 0

    # ------------------------------------------------------------ building

    def _words(self, name: str) -> tuple[str, ...]:
        words = self._folded.get(name)
        if words is None:
            found = words_of(unicodedata.normalize("NFC", name))
            words = tuple(w for w in (fold_word(m.group()) for m in found) if w)
            self._folded[name] = words
        return words

    def _add(self, words: tuple[str, ...], ref: str, *, alone: bool) -> None:
        if not words or sum(len(w) for w in words) < MIN_NAME_LENGTH:
            return
        common = alone and len(words) == 1 and words[0] in COMMON_WORDS
        self._by_first.setdefault(words[0], {}).setdefault((words, common), []).append(ref)
        if len(words) > 1:  # also written as one word: "KaurSingh", "ONeill"
            joined = "".join(words)
            self._by_first.setdefault(joined, {}).setdefault(((joined,), False), []).append(ref)

    def add_person(self, ref: str, given: str | None, family: str | None, *, alone: bool = True,
                   family_alone: bool | None = None) -> None:
        """Add one young person: the full name in both orders, and (``alone``) each part by itself.

        ``family_alone`` (default: ``alone``) decides the family name by itself separately.
        """
        g = self._words(given or "")
        f = self._words(family or "")
        self.people += 1
        if g and f:
            self._add(g + f, ref, alone=False)
            self._add(f + g, ref, alone=False)
        if alone:
            self._add(g, ref, alone=True)
        if family_alone if family_alone is not None else alone:
            self._add(f, ref, alone=True)

    def add_words(self, text: str, ref: str) -> None:
        """Add a literal string (e.g. a ref, ``YP-0001``) to be found as whole words in any case."""
        self._add(self._words(text), ref, alone=False)

    @classmethod
    def of_people(cls, people: Iterable[tuple[str, str | None, str | None]]) -> NameMatcher:
        matcher = cls()
        for ref, given, family in people:
            matcher.add_person(ref, given, family)
        return matcher

    @classmethod
    def of_database(cls, db: Database) -> NameMatcher:
        """Every young person in the database."""
        return cls.of_people(db.execute("SELECT ref, given_name, family_name FROM young_people"))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    # ------------------------------------------------------------ matching

    def _fold_word(self, word: str) -> str:
        folded = self._fold_cache.get(word)
        if folded is None:
            folded = fold_word(word)
            if len(self._fold_cache) < 200_000:
                self._fold_cache[word] = folded
        return folded

    def find(self, text: str | None, *, first_only: bool = False) -> list[Span]:
        """Every place ``text`` names someone, in order (overlapping matches all reported)."""
        if not text or not self._by_first:
            return []
        text = unicodedata.normalize("NFC", text)
        by_first = self._by_first
        tokens = [(m.start(), m.end(), self._fold_word(m.group())) for m in words_of(text)]
        out: list[Span] = []
        for i, (start, end, word) in enumerate(tokens):
            forms = by_first.get(word)
            if not forms:
                continue
            for form, capitalised_only in forms:
                n = len(form)
                if n == 1:
                    if capitalised_only and not text[start].isupper():
                        continue
                    out.append(Span(start, end, form))
                elif i + n <= len(tokens) and all(
                    tokens[i + k][2] == form[k] and _SEPARATOR.fullmatch(text, tokens[i + k - 1][1], tokens[i + k][0])
                    for k in range(1, n)
                ):
                    out.append(Span(start, tokens[i + n - 1][1], form))
                else:
                    continue
                if first_only:
                    return out
        return out

    def refs(self, text: str | None) -> set[str]:
        """The refs of everyone ``text`` may name."""
        out: set[str] = set()
        for span in self.find(text):
            for (form, _), refs in self._by_first[span.form[0]].items():
                if form == span.form:
                    out.update(refs)
        return out

    def names_anyone(self, text: str | None) -> bool:
        return bool(self.find(text, first_only=True))

    def redact(self, text: str, replacement: str = "[erased]") -> tuple[str, int]:
        """``text`` with every match replaced (overlaps merged); and how many places were replaced."""
        text = unicodedata.normalize("NFC", text)
        spans = sorted((s.start, s.end) for s in self.find(text))
        if not spans:
            return text, 0
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts, last = [], 0
        for start, end in merged:
            parts.append(text[last:start])
            parts.append(replacement)
            last = end
        parts.append(text[last:])
        return "".join(parts), len(merged)


# ---------------------------------------------------------------- the whole database, cached

#: a cached matcher is rebuilt when young people are added or removed, and at least this often
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[tuple[int, int], float, NameMatcher]] = {}
_cache_lock = threading.Lock()


def database_matcher(db: Database) -> NameMatcher:
    """The matcher of every young person in ``db``, shared between calls (the form checks each keystroke).

    Rebuilt when the number of young people or the highest rowid changes, or after
    :data:`CACHE_SECONDS` (a renamed child is then caught within a minute; the
    calendar export always builds its own, fresh, matcher).
    """
    path_row = db.execute("PRAGMA database_list").fetchone()
    path = str(path_row[2]) if path_row else ""
    stamp = tuple(db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM young_people").fetchone())
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp and now - hit[1] < CACHE_SECONDS and path:
            return hit[2]
    matcher = NameMatcher.of_database(db)
    with _cache_lock:
        _cache[path] = ((int(stamp[0]), int(stamp[1])), now, matcher)
    return matcher


def names_in_text(db: Database, officer: str | None, text: str | None) -> list[str]:
    """Refs of the young people whose name ``text`` contains (every young person in the database).

    Sorted, without duplicates; empty text gives an empty list. ``officer`` is
    accepted for the forms' call and no longer narrows the search: a title can
    name a child of another school or another force as easily as one's own.
    """
    if not text or not text.strip():
        return []
    return sorted(database_matcher(db).refs(text))
