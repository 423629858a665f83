"""Shared fixtures: real SQLite files in a temporary folder, and a small hand-made bundle."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from slo.store.db import open_store

# The audit key lives in the account's configuration folder (slo.services.auditkey): tests (and the
# processes they start, which inherit the environment) use a private one, never the developer's own.
os.environ["SLO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="slo-test-config-")

ROOT = Path(__file__).resolve().parent.parent

from helpers.bundles import SMALL_BUNDLE  # noqa: E402  (re-exported for fixtures)

# the quick subset (scripts/test.sh --quick sets SLO_QUICK) tries fewer generated examples
settings.register_profile("quick", max_examples=10)
if os.environ.get("SLO_QUICK"):
    settings.load_profile("quick")


@pytest.fixture
def small_bundle() -> dict:
    """A fresh deep copy of a small, valid bundle (every entity present)."""
    return copy.deepcopy(SMALL_BUNDLE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "slo.db"


@pytest.fixture
def store(db_path: Path):
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def loaded_store(store, small_bundle):
    """A store holding SMALL_BUNDLE, with the account running the tests bound to every officer
    (a test account: ``--user`` picks among them, see tests/helpers/identity.py)."""
    from helpers.identity import bind_current_account

    from slo.services.bundle import import_bundle

    import_bundle(store, small_bundle, None)
    bind_current_account(store)
    return store


@pytest.fixture
def bundle_file(tmp_path: Path, small_bundle: dict) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(small_bundle), encoding="utf-8")
    return path


#: what the quick subset (scripts/test.sh --quick) leaves out: tests of generated variants (hypothesis),
#: node-id prefixes, and markers of tests that drive real outside programs. Every test still runs in CI and
#: in the whole suite.
SLOW_PREFIXES = (
    "tests/tui/",  # Pilot drives the real desk: seconds a test
    # other processes started, signalled, killed or served (seconds each): the whole suite runs them
    "tests/test_reliability.py",
    "tests/test_scheduler.py",
    "tests/test_calendar_serve.py",
    "tests/test_identity.py::test_an_account_not_bound_to_a1",
    "tests/test_identity.py::test_the_scheduler_takes_leavers_keys_away",
    "tests/test_adversarial_audit.py::test_erase_vacuum_backup_and_concurrent_writers",
    "tests/test_adversarial_audit.py::test_a_bundle_piped_into_head",
    "tests/test_calendars.py::test_same_events_give_the_same_bytes_in_any_process",
    "tests/test_adversarial_audit.py::test_a_bundle_export_killed_midway",
    "tests/test_adversarial_input.py::test_imports_refuse_special_files_quickly_and_in_little_memory",
    "tests/test_adversarial_input.py::test_100000_nested_brackets_are_refused_with_a_small_memory_peak",
    "tests/test_adversarial_input.py::test_write_if_changed_does_not_wait_on_a_fifo",
    "tests/test_layers.py::test_headless_layers_do_not_import_textual",
    # whole-tree static checks run again on planted breaches (the contract itself stays quick)
    "tests/test_layers.py::test_the_checker_catches_a_planted_breach",
    "tests/test_sql_safety.py::test_the_check_",
    "tests/test_sql_safety.py::test_no_sql_is_built_from_anything_but_code",
    # big data: a force-sized demo, the zone database hour by hour over decades
    "tests/test_demo.py::test_force_scale",
    "tests/test_calendars.py::test_vtimezone_agrees_with_the_zone_database",
)
#: kept in the quick subset although under a slow prefix: one smoke test of the desk
QUICK_ANYWAY = ("tests/tui/test_app.py",)
SLOW_MARKERS = ("clients", "browser", "ssh", "slow")


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` what the quick subset leaves out (the rule is the data above)."""
    slow = pytest.mark.slow
    for item in items:
        nodeid = item.nodeid
        if nodeid.startswith(QUICK_ANYWAY):
            continue
        generated = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        if generated or nodeid.startswith(SLOW_PREFIXES) or any(item.get_closest_marker(m) for m in SLOW_MARKERS):
            item.add_marker(slow)


def pytest_sessionfinish(session, exitstatus):
    """In CI every test is required: a skipped test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; every test is required in CI", red=True)
        session.exitstatus = 1


@pytest.fixture
def rstore(store):
    """The continuity-figure bundle (tests/helpers/report_bundle.py) imported, the test account bound."""
    import copy

    from helpers.identity import bind_current_account
    from helpers.report_bundle import BUNDLE

    from slo.services.bundle import import_bundle

    import_bundle(store, copy.deepcopy(BUNDLE), None)
    bind_current_account(store)  # the account running the tests may act as any officer (a test account)
    return store
