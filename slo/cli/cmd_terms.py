"""Placeholder: this command module is being built (see the issue that owns it)."""

from __future__ import annotations


def register(groups) -> None:
    """Add this module's subcommands to the parser groups (root, export, schools, abstraction, report)."""
