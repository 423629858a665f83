"""The audit log reads as sentences, its filters take what is typed into them, and it pages for real."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from forms_harness import settle, type_text  # noqa: E402

from slo.services import audit  # noqa: E402
from slo.services.actors import load_actor  # noqa: E402
from slo.services.queries.audit_log import PAGE, audit_log, describe  # noqa: E402
from slo.tui.app import SloApp  # noqa: E402


@pytest.mark.parametrize("row, sentence", [
    (("update", "abstractions", "ABS-20260302-1", {"fields": ["date_to"], "source": "withdrawal"}),
     "update abstraction ABS-20260302-1 fields: date_to (withdrawal)"),
    (("update", "abstractions", "ABS-1", {"fields": ["review_status"], "review": {"from": "pending", "to":
                                                                                "challenged"}, "source": "review"}),
     "update abstraction ABS-1 fields: review_status; review pending → challenged (review)"),
    (("view", "young_people", "YP-0001", None), "view young person YP-0001"),
    (("refused", "permission", "review_abstraction", {"target": "officer PC1000 (ABS-1)"}),
     "refused review abstraction: officer PC1000 (ABS-1)"),
    (("create", "engagements", None, {"count": 2470, "source": "demo"}), "create engagement: 2,470 records (demo)"),
    (("export", "report", "continuity", {"from": "2026-01-01", "to": "2026-03-31", "format": "md"}),
     "export report continuity; from 2026-01-01; to 2026-03-31; format md"),
])
def test_each_row_reads_as_a_sentence(row, sentence):
    operation, entity, key, detail = row
    assert describe(operation, entity, key, json.dumps(detail) if detail else None) == sentence


@pytest.fixture
def logged(desk_store):
    """450 more rows: 150 views of YP-0001 by PC1000, 300 updates of ABS-2 by S100 on 2026-01-07 and 08."""
    with desk_store.write() as db:
        audit.record_many(db, "PC1000", audit.VIEW, "young_people", [("YP-0001", None)] * 150,
                          at=datetime(2026, 1, 6, 9, 0))
        audit.record_many(db, "S100", audit.UPDATE, "abstractions",
                          [("ABS-2", {"fields": ["review_status"], "source": "review"})] * 150,
                          at=datetime(2026, 1, 7, 10, 0))
        audit.record_many(db, "S100", audit.UPDATE, "abstractions",
                          [("ABS-2", {"fields": ["date_to"], "source": "withdrawal"})] * 150,
                          at=datetime(2026, 1, 8, 10, 0))
    return desk_store


def test_the_filters_are_prefixes_and_words(logged):
    admin = load_actor(logged.db, "A1")
    assert audit_log(logged, admin, who="S1").total == 300
    assert audit_log(logged, admin, what="view young").total >= 150
    assert audit_log(logged, admin, what="update abstr", on="2026-01-08").total == 300 - 150
    keyed = logged.db.execute("SELECT COUNT(*) FROM audit WHERE key LIKE 'ABS-%'").fetchone()[0]
    assert keyed >= 300 and audit_log(logged, admin, record="ABS-").total == keyed
    assert audit_log(logged, admin, record="abs-2").total == audit_log(logged, admin, record="ABS-2").total >= 300
    first = audit_log(logged, admin, who="S1")
    assert len(first.lines) == PAGE and first.label == "Page 1 of 2 · rows 1-200 of 300 · 200 rows a page"
    second = audit_log(logged, admin, who="S1", page=1, before=first.lines[-1].id)
    assert len(second.lines) == 100 and second.label == "Page 2 of 2 · rows 201-300 of 300 · 200 rows a page"
    assert not {r.id for r in first.lines} & {r.id for r in second.lines}


def rows(table):
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_screen_pages_for_real_and_its_boxes_take_the_keys(logged, tmp_path):
    from slo.tui.screens.audit_log import AuditLogScreen

    total = logged.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    app = SloApp(logged, load_actor(logged.db, "A1"), tmp_path / "exports")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditLogScreen)
        table = screen.query_one("#audit")
        label = str(screen.query_one("#audit-page").render())
        pages = -(-total // 200)
        assert label.startswith(f"Page 1 of {pages} · rows 1-200 of {total:,} · 200 rows a page")
        assert table.row_count == 200
        newest = rows(table)[0]
        await pilot.press("pagedown")
        await settle(pilot)
        assert str(screen.query_one("#audit-page").render()).startswith(f"Page 2 of {pages} · rows 201-400")
        assert int(rows(table)[0][0]) == int(newest[0]) - 200
        await pilot.press("pageup")
        await settle(pilot)
        assert rows(table)[0] == newest
        # the What column takes the rest of the width and reads as a sentence
        assert table.columns["what"].width == 160 - (7 + 16 + 9) - 2 * 4 - 2
        assert rows(table)[0][3] == "update abstraction ABS-2 fields: date_to (withdrawal)"
        # type into each box: the keys go into that box
        await pilot.click("#f-who")
        await type_text(pilot, "PC1")
        await pilot.press("tab")
        await type_text(pilot, "view")
        await pilot.press("tab")
        await type_text(pilot, "YP-0")
        await pilot.press("tab")
        await type_text(pilot, "2026-01-06")
        await settle(pilot)
        values = [screen.query_one(f"#f-{n}").value for n in ("who", "what", "record", "on")]
        assert values == ["PC1", "view", "YP-0", "2026-01-06"]
        assert table.row_count == 150
        assert {r[2] for r in rows(table)} == {"PC1000"} and {r[3] for r in rows(table)} == {
            "view young person YP-0001"}
        assert str(screen.query_one("#audit-page").render()).startswith("Page 1 of 1 · rows 1-150 of 150")


async def test_the_columns_fit_an_80_column_terminal(logged, tmp_path):
    app = SloApp(logged, load_actor(logged.db, "A1"), tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        table = app.screen.query_one("#audit")
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80 - 2
        detail = str(app.screen.query_one("#audit-detail").render())
        assert "update abstraction ABS-2 fields: date_to (withdrawal)" in detail
