"""Dates and day counts typed on the command line: one parser, one wording, for every command.

Every ``--on``, ``--from``, ``--to`` and ``--today`` goes through :func:`cli_date`,
which applies the models' date rule (:func:`slo.models.types.parse_date`: strict
``YYYY-MM-DD``, a real day, between 1900-01-01 and 2100-12-31), so a command
refuses exactly the dates a bundle or a form refuses, in the same words, as a
usage error (exit 2, one line). Day counts (``--days``) are bounded whole numbers,
so no date plus a count can leave the calendar.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from slo.models.types import parse_date


def cli_date(text: str) -> date:
    """An argparse ``type``: the date ``text`` names, or a one-line usage error saying why not."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def day_count(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number of days from ``low`` to ``high``."""

    def parse(text: str) -> int:
        digits = text.strip().removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 6:  # int() of 5,000 digits is refused
            raise argparse.ArgumentTypeError(f"expected a whole number of days from {low} to {high}, not {text[:40]!r}")
        n = int(text)
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high} (days), not {n}")
        return n

    return parse
