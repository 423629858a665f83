"""Shared fixtures: real SQLite files in a temporary folder, and a small hand-made bundle."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from slo.store.db import open_store

ROOT = Path(__file__).resolve().parent.parent

from helpers.bundles import SMALL_BUNDLE  # noqa: E402  (re-exported for fixtures)


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
    """A store holding SMALL_BUNDLE."""
    from slo.services.bundle import import_bundle

    import_bundle(store, small_bundle, None)
    return store


@pytest.fixture
def bundle_file(tmp_path: Path, small_bundle: dict) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(small_bundle), encoding="utf-8")
    return path


def pytest_sessionfinish(session, exitstatus):
    """In CI every test is required: a skipped test fails the run."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; every test is required in CI", red=True)
        session.exitstatus = 1
