"""Widgets the desk's screens share. Nothing here parses user text as markup."""

from .filter_input import FilterInput
from .footer import DeskFooter
from .tables import Col, DeskTable, DetailLine, cell

__all__ = ["Col", "DeskFooter", "DeskTable", "DetailLine", "FilterInput", "cell"]
