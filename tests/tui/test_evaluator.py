"""The evaluator's desk: the evaluation dataset's figures and charts on screen, a period picker and the
exports, and nothing the dataset would not show. The reports screen says definitions version 2 and the
day its figures are counted to."""

from __future__ import annotations

import copy
import json
from datetime import date

from forms_harness import settle, type_text
from helpers.report_bundle import BUNDLE

from slo.reports import build_report
from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.tui.app import SloApp

TODAY = date(2026, 1, 18)
NAMED = ["Alpha School", "Beta", "Delta School", "Given1", "Family1", "P1 ", "P2 ", "S1 ", "free text reason",
         "Duty inspector"]


def make(store, tmp_path, collar):
    import_bundle(store, copy.deepcopy(BUNDLE), None)
    return SloApp(store, load_actor(store.db, collar), tmp_path / "exports", today=TODAY)


def screen_text(screen) -> str:
    parts = []
    for widget in screen.query("Static"):
        parts.append(str(widget.render()))
    return "\n".join(parts)


def disclosures(store):
    return [json.loads(d) for (d,) in store.db.execute(
        "SELECT detail FROM audit WHERE operation = 'disclosure' AND actor = 'EV' ORDER BY id").fetchall()]


async def test_the_evaluator_sees_the_evaluation_figures_and_nothing_more(store, tmp_path):
    from slo.tui.screens.evaluator import EvaluatorScreen

    app = make(store, tmp_path, "EV")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EvaluatorScreen)
        text = screen_text(screen)
        # this term (1 January to Easter Monday), counted to today
        assert "This term: 2026-01-01 to 2026-04-06, counted to 2026-01-18" in text
        assert "Pseudonymised evaluation dataset" in text and "Definitions version 2" in text
        # the report's charts, officers by pseudonym
        report = build_report(store, load_actor(store.db, "A1"), date(2026, 1, 1), date(2026, 4, 6),
                              evaluation=True, as_of=TODAY, audited=False)
        pseudonyms = [o["pseudonym"] for o in report["officers"]]
        assert pseudonyms and all(p[:10] in text for p in pseudonyms)
        assert "Abstraction rate by officer" in text and "Delivered and cancelled engagements by month" in text
        for word in NAMED:
            assert word not in text, word
        # looking is a disclosure
        assert [d["format"] for d in disclosures(store)] == ["desk"]
        # another period: this academic year
        await pilot.press("3")
        await settle(pilot)
        assert "This academic year: 2025-09-01 to 2026-08-31, counted to 2026-01-18" in screen_text(screen)
        # a custom period
        await pilot.press("4")
        await type_text(pilot, "2026-01-05")
        await pilot.press("enter")
        await type_text(pilot, "2026-01-11")
        await pilot.press("enter")
        await settle(pilot)
        assert "Custom: 2026-01-05 to 2026-01-11" in screen_text(screen)
        # the exports
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
    out = tmp_path / "exports" / "reports"
    md = (out / "continuity_2026-01-05_2026-01-11_evaluation.md").read_text(encoding="utf-8")
    assert "Evaluation dataset" in md and "Alpha School" not in md
    assert (out / "continuity_2026-01-05_2026-01-11_evaluation_package.zip").stat().st_size > 0
    formats = [d["format"] for d in disclosures(store)]
    assert formats == ["desk", "desk", "desk", "md", "package"]


async def test_the_reports_screen_says_version_2_and_the_counted_to_day(store, tmp_path):
    from slo.tui.screens.reports import ReportsScreen

    app = make(store, tmp_path, "A1")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert "definitions version 2" in screen.HELP and "version 1" not in screen.HELP
        assert "This term: 2026-01-01 to 2026-04-06, counted to 2026-01-18" in str(
            screen.query_one("#reports-period").render())


async def test_r_takes_an_evaluator_to_the_evaluation_dataset(store, tmp_path):
    from slo.tui.screens.evaluator import EvaluatorScreen
    from slo.tui.screens.reports import ReportsScreen

    app = make(store, tmp_path, "EV")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_reports()
        await settle(pilot)
        assert isinstance(app.screen, EvaluatorScreen)
        assert not any(isinstance(s, ReportsScreen) for s in app.screen_stack)
