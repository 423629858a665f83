"""Widgets the desk's screens share. Nothing here parses user text as markup."""

from .filter_input import FilterInput
from .footer import DeskFooter
from .tables import DeskTable, cell

__all__ = ["DeskFooter", "DeskTable", "FilterInput", "cell"]
