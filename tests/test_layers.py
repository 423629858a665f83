"""Nothing below slo/tui imports Textual (DEVELOPING.md: layers point down only).

Each check runs in a fresh interpreter, so modules that an earlier test
imported cannot hide or fake an import. Every module under the headless
packages is discovered with pkgutil; a package that does not exist yet is
simply not discovered (nothing is skipped).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADLESS_PACKAGES = ["slo.models", "slo.store", "slo.services", "slo.calendars", "slo.reports", "slo.scheduler"]

PROBE = r"""
import importlib, json, pkgutil, sys
packages = json.loads(sys.argv[1])
imported, offenders = [], {}
for name in packages:
    before = "textual" in sys.modules
    try:
        package = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            continue  # not built yet
        raise
    if not before and "textual" in sys.modules:
        offenders[name] = True
    names = [name]
    if hasattr(package, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
    for mod in names:
        before = "textual" in sys.modules
        importlib.import_module(mod)
        imported.append(mod)
        if not before and "textual" in sys.modules:
            offenders[mod] = True
for extra in json.loads(sys.argv[2]):
    importlib.import_module(extra)
    imported.append(extra)
print(json.dumps({"imported": imported, "textual": "textual" in sys.modules, "offenders": sorted(offenders)}))
"""


def probe(packages: list[str], extra: list[str] = ()) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(packages), json.dumps(list(extra))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_headless_layers_do_not_import_textual():
    result = probe(HEADLESS_PACKAGES, ["slo.cli.main"])
    assert result["offenders"] == [] and result["textual"] is False, result
    # the discovery really walked the packages (the ones that exist today at least)
    for module in ("slo.models.entities", "slo.store.db", "slo.store.migrations.m001_initial",
                   "slo.services.bundle", "slo.services.gias", "slo.cli.main"):
        assert module in result["imported"]


def test_building_the_cli_parser_does_not_import_textual():
    code = (
        "import sys; from slo.cli.main import build_parser; build_parser(); "
        "print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_probe_would_notice_textual():
    """The check can fail: importing textual itself is reported."""
    result = probe(["textual.color"])
    assert result["textual"] is True and result["offenders"] == ["textual.color"]
