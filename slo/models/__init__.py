"""Pydantic models and enums: the single statement of what data is valid (no I/O).

The names below are loaded on first use (PEP 562): ``slo.models.enums``,
``slo.models.rules`` and ``slo.models.text`` do not need pydantic, and the
desk's first screen should not pay ~0.1 s to build every model to show them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .entities import (
        ENTITY_MODELS,
        ENTITY_ORDER,
        Absence,
        Abstraction,
        Assignment,
        Consultation,
        Engagement,
        Officer,
        Record,
        Referral,
        School,
        Team,
        YoungPerson,
    )
    from .rules import Problem, ValidationFailed

__all__ = [
    "ENTITY_MODELS",
    "ENTITY_ORDER",
    "Absence",
    "Abstraction",
    "Assignment",
    "Consultation",
    "Engagement",
    "Officer",
    "Problem",
    "Record",
    "Referral",
    "School",
    "Team",
    "ValidationFailed",
    "YoungPerson",
]

_HOME = {name: ".rules" if name in ("Problem", "ValidationFailed") else ".entities" for name in __all__}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
