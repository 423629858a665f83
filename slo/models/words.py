"""Counting in words: ``plural(1, "officer")`` is "1 officer", ``plural(2, "officer")`` "2 officers".

One helper for every count a person reads (the desk, the command line, notices), so that none
says "1 officers". No pydantic, no I/O: the desk's first screen may import it.
"""

from __future__ import annotations

#: plurals that are not the word and an "s"
IRREGULAR = {
    "young person": "young people",
    "person": "people",
    "child": "children",
}


def plural_of(word: str) -> str:
    """``officer`` -> ``officers``, ``young person`` -> ``young people``, ``entry`` -> ``entries``."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    for one, many in IRREGULAR.items():
        if word.endswith(" " + one):
            return word[: -len(one)] + many
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word, singular for exactly 1 (``1 officer``, ``0 officers``, ``1,200 visits``)."""
    words = one if n == 1 else (many or plural_of(one))
    return f"{n:,} {words}"
