"""Widgets the desk's screens share. Nothing here parses user text as markup."""

from .tables import DeskTable, cell
from .filter_input import FilterInput

__all__ = ["DeskTable", "FilterInput", "cell"]
