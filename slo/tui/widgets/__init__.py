"""Widgets the desk's screens share. Nothing here parses user text as markup."""

from .tables import DeskTable, cell
from .filter_input import FilterInput
from .footer import DeskFooter

__all__ = ["DeskFooter", "DeskTable", "FilterInput", "cell"]
