"""Sanitising of text on the way in.

Stored text is data: control characters (ESC above all, which would reach the
terminal) are removed when data enters the system, from any path (bundle,
form, CLI, GIAS CSV). Single-line fields lose every control character and have
runs of whitespace collapsed; multi-line fields (notes, advice, reasons) keep
``\\n`` (a CRLF or lone CR becomes ``\\n``) and tabs become spaces.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls, DEL, the Unicode line/paragraph separators and bidi
# overrides (which can disguise text in a terminal), and lone surrogates (which
# JSON's "\ud800" escapes can produce and which cannot be stored as UTF-8).
# Also invisible characters that can make one name look like another or hide it from
# search: soft hyphen, zero-width space, word joiner and the invisible operators. The
# zero-width (non-)joiners U+200C/U+200D stay: some scripts need them to spell names.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t]+")


def clean_line(value: str) -> str:
    """One line of text: control characters removed, whitespace collapsed, trimmed."""
    value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    # NFC after removing controls: a control between a letter and its accent would
    # otherwise leave a decomposed pair, and cleaning would not be idempotent.
    value = unicodedata.normalize("NFC", _CONTROL.sub("", value))
    return _SPACES.sub(" ", value).strip()


def clean_multiline(value: str) -> str:
    """Multi-line text: newlines kept (normalised to ``\\n``), other controls removed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = [unicodedata.normalize("NFC", _CONTROL.sub("", line)).rstrip() for line in value.split("\n")]
    return "\n".join(lines).strip("\n").strip()
