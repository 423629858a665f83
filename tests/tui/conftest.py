"""Fixtures for the desk's Pilot tests: the small bundle plus a caseload worth looking at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from slo.services.actors import load_actor
from slo.services.bundle import import_bundle

#: the desk's fixed "today" in tests (a Wednesday)
TODAY = date(2026, 1, 7)

MARKUP_SCHOOL = "[b]Bold[/b] Academy"
MARKUP_GIVEN = "[@click=app.quit]Jane[/]"


def _officer_extras(bundle: dict) -> dict:
    bundle["schools"] += [
        {"urn": "100002", "name": "Riverside School", "phase": "secondary", "local_authority": "Camden",
         "postcode": "NW5 2BB", "head_teacher": "Mr B Brook", "head_teacher_email": None,
         "uniform_policy": "plain_clothes_only"},
        {"urn": "100003", "name": "Oakwood Primary", "phase": "primary", "local_authority": "Camden",
         "postcode": None, "head_teacher": None, "head_teacher_email": None,
         "uniform_policy": "uniform_welcome"},
    ]
    bundle["assignments"] += [
        {"officer": "PC1000", "school": "100002", "start_date": "2025-09-01", "end_date": None},
        {"officer": "PC1001", "school": "100003", "start_date": "2024-09-01", "end_date": "2025-08-31"},
        {"officer": "PC1000", "school": "100003", "start_date": "2025-09-01", "end_date": None},
    ]
    bundle["young_people"] += [
        {"ref": "YP-0002", "given_name": "Jamie", "family_name": "Lee", "date_of_birth": "2011-05-06",
         "school": "100002", "year_group": 10, "sex": "female", "ethnicity": None,
         "ethnicity_missing_reason": "declined", "sen": "none", "fsm": "no"},
    ]
    bundle["abstractions"] += [
        {"ref": "ABS-2", "officer": "PC1000", "date_from": "2026-01-09", "date_to": "2026-01-09",
         "portion": "half", "category": "call_handling", "requested_by": "Control room",
         "reason": None, "review_status": "pending", "reviewed_by": None, "reviewed_at": None,
         "review_note": None},
    ]
    bundle["engagements"] += [
        {"ref": "ENG-3", "officer": "PC1000", "school": "100000", "young_person": None, "kind": "assembly",
         "title": "Year 9 assembly: knife crime", "starts_at": "2026-01-08T10:00", "ends_at": "2026-01-08T11:00",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-4", "officer": "PC1000", "school": "100002", "young_person": "YP-0002", "kind": "one_to_one",
         "title": "1:1 session", "starts_at": "2026-01-09T14:00", "ends_at": "2026-01-09T14:30",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
        {"ref": "ENG-5", "officer": "PC1000", "school": "100002", "young_person": None, "kind": "drop_in",
         "title": "Drop-in", "starts_at": "2026-01-14T12:00", "ends_at": "2026-01-14T13:00",
         "status": "planned", "cancel_reason": None, "abstraction": None, "notes": None},
    ]
    bundle["consultations"] += [
        {"ref": "CON-2", "young_person": "YP-0002", "school": "100002", "officer": "PC1000",
         "consulted_on": "2026-01-05", "consulted_by": "Head of year", "timing": "before_decision",
         "proposed": "suspension", "reasons": ["VA"], "suspension_days": 3, "risk_factors": None,
         "advice": None, "outcome": "pending", "outcome_on": None, "follow_up_on": "2026-01-12"},
    ]
    return bundle


@pytest.fixture
def desk_bundle(small_bundle) -> dict:
    return _officer_extras(small_bundle)


@pytest.fixture
def desk_store(store, desk_bundle):
    """A store with PC1000's caseload of three schools (one plain clothes only)."""
    import_bundle(store, desk_bundle, None)
    return store


@pytest.fixture
def markup_store(store, desk_bundle):
    """``desk_store`` plus a school and a young person whose names look like markup."""
    desk_bundle["schools"].append(
        {"urn": "100004", "name": MARKUP_SCHOOL, "phase": "secondary", "local_authority": None,
         "postcode": None, "head_teacher": "[link=https://example.com]Head[/link]", "head_teacher_email": None,
         "uniform_policy": "uniform_welcome"}
    )
    desk_bundle["assignments"].append(
        {"officer": "PC1000", "school": "100004", "start_date": "2025-09-01", "end_date": None}
    )
    desk_bundle["young_people"].append(
        {"ref": "YP-0003", "given_name": MARKUP_GIVEN, "family_name": "Doe", "date_of_birth": None,
         "school": "100004", "year_group": 8, "sex": "unknown", "ethnicity": "NS",
         "ethnicity_missing_reason": "not_asked", "sen": "unknown", "fsm": "unknown"}
    )
    import_bundle(store, desk_bundle, None)
    return store


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def make_app(exports):
    """``make_app(store, collar="PC1000", **options)``: a SloApp on that store as that officer, today
    fixed (``options``: SloApp's, e.g. ``build_ahead=True``)."""
    from slo.tui.app import SloApp

    def make(store, collar: str | None = "PC1000", today: date = TODAY, **options):
        actor = load_actor(store.db, collar) if collar else None
        return SloApp(store, actor, exports, today=today, **options)

    return make


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def settle():
    """``await settle(pilot)``: let every worker finish and every message be handled."""
    return _settle


@pytest.fixture(scope="module")
def demo_template(request, tmp_path_factory) -> Path:
    """The small demo database (seed 1), built once per test module for that module's ``TODAY``."""
    from slo.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, scale="small", seed=1, today=request.module.TODAY)
    return path


@pytest.fixture
def demo(demo_template, tmp_path):
    """A fresh copy of the small demo database (PC1000's caseload, S100's team, A1 the admin)."""
    import shutil

    from slo.store.db import open_store

    path = tmp_path / "desk.db"
    shutil.copy(demo_template, path)
    store = open_store(path)
    yield store
    store.close()
