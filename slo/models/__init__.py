"""Pydantic models and enums: the single statement of what data is valid (no I/O)."""

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
