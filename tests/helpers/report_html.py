"""The cells of an html report a reader looks at, and the counts from 1 to 9 among them (suppression
checks in tests/test_report_readable.py and tests/test_report_browser.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"br", "meta", "img", "hr", "link", "input"}


class Cells(HTMLParser):
    """The text of every table cell and chart label, with the suppressed section it stands in (if any)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.texts: list[tuple[str, str]] = []
        self.sections: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        section = dict(attrs).get("data-suppressed")
        if section:
            self.sections.add(section)
        self.stack.append(section or (self.stack[-1] if self.stack else None))

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] and data.strip():
            self.texts.append((self.stack[-1], data.strip()))


SMALL = re.compile(r"(?<![\d.,])[1-9](?![\d.,%])")


def small_counts(html: str) -> tuple[set[str], list[tuple[str, str]]]:
    cells = Cells()
    cells.feed(html)
    return cells.sections, [(s, t) for s, t in cells.texts if SMALL.search(t)]
