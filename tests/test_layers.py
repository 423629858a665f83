"""The layers of slo, as a contract: which package may import which, checked statically over every
module (:data:`LAYERS`, :func:`breaches`), and at run time that nothing below slo/tui imports
Textual (DEVELOPING.md: dependencies point down only).

The run-time checks run in a fresh interpreter, so modules that an earlier test imported cannot
hide or fake an import. Every module under the headless packages is discovered with pkgutil; a
package that does not exist yet is simply not discovered (nothing is skipped). The static check
parses every file under slo/ and can be shown to fail: each kind of breach is planted once.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


# --------------------------------------------------------------------------- the import contract
#
# The layers, as data. Each package of slo may import the slo packages listed for it (and itself,
# and the root package ``slo``); anything else is a breach. Dependencies point down only:
#
#     models <- store <- services <- calendars, reports <- scheduler <- tui <- cli
#
# The desk (slo.tui) reaches the database only through services: it imports neither slo.store
# nor a database driver, reads no attribute of a store (it may hand one to a service), and
# touches no connection (``.db``, ``.execute(`` ...). Imports inside functions and under
# TYPE_CHECKING count: a type is a dependency too.



LAYERS: dict[str, frozenset[str]] = {
    "slo.models": frozenset(),
    "slo.store": frozenset({"slo.models"}),
    "slo.services": frozenset({"slo.models", "slo.store"}),
    "slo.calendars": frozenset({"slo.models", "slo.store", "slo.services"}),
    "slo.reports": frozenset({"slo.models", "slo.store", "slo.services"}),
    "slo.scheduler": frozenset({"slo.models", "slo.store", "slo.services", "slo.calendars", "slo.reports"}),
    "slo.tui": frozenset({"slo.models", "slo.services", "slo.calendars", "slo.reports", "slo.scheduler"}),
    "slo.cli": frozenset({"slo.models", "slo.store", "slo.services", "slo.calendars", "slo.reports",
                          "slo.scheduler", "slo.tui"}),
    "slo.__main__": frozenset({"slo.cli"}),
}

#: third-party (and standard) packages only some layers may import
ONLY_IN: dict[str, frozenset[str]] = {
    "textual": frozenset({"slo.tui"}),
    "rich": frozenset({"slo.tui"}),
}
#: ... and ones a layer must not import
NOT_IN: dict[str, frozenset[str]] = {
    "slo.tui": frozenset({"sqlite3", "sqlite_utils", "apsw"}),
}
#: attributes that are a database connection or run SQL: never read in the desk
DB_ATTRIBUTES = frozenset({"db", "conn", "connection", "execute", "executemany", "executescript"})
#: where importlib may import by name (a name built at run time hides a dependency from this check):
#: slo.models loads its own modules lazily, slo.cli registers its own command modules
DYNAMIC_IMPORTS = frozenset({"slo.models", "slo.cli"})
#: the layers whose attribute access is checked
SERVICES_ONLY = frozenset({"slo.tui"})


def layer_of(module: str) -> str:
    """``slo.tui.screens.school`` -> ``slo.tui``; the root package is ``slo``."""
    return ".".join(module.split(".")[:2])


def package_sources(root: Path = ROOT / "slo") -> dict[str, str]:
    """Every module of the package: dotted name -> source."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def imports_of(module: str, tree: ast.AST, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import statement, relative ones resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _is_store(node: ast.expr) -> bool:
    """``store`` or ``<anything>.store``: the handle a front end passes to services."""
    return (isinstance(node, ast.Name) and node.id == "store") or (
        isinstance(node, ast.Attribute) and node.attr == "store")


def breaches(sources: dict[str, str], packages: set[str] | None = None) -> list[str]:
    """Every breach of the contract in ``sources`` (module name -> source), as ``module:line: what``.

    ``packages``: the modules that are packages (their relative imports resolve from themselves);
    by default the names another module's name extends.
    """
    if packages is None:
        packages = {m for m in sources if any(o.startswith(m + ".") for o in sources)}
    found = []
    for module, source in sources.items():
        layer = layer_of(module)
        tree = ast.parse(source)
        if layer not in LAYERS and layer != "slo":
            found.append(f"{module}: package {layer} has no place in LAYERS")
            continue
        allowed = LAYERS.get(layer, frozenset()) | {layer, "slo"}
        for line, name in imports_of(module, tree, module in packages):
            top = name.split(".")[0]
            if top == "slo":
                target = layer_of(name)
                if target not in allowed:
                    found.append(f"{module}:{line}: imports {name} ({layer} may not import {target})")
            elif top in ONLY_IN and layer not in ONLY_IN[top]:
                found.append(f"{module}:{line}: imports {name} (only {', '.join(sorted(ONLY_IN[top]))} may)")
            elif top in NOT_IN.get(layer, ()):
                found.append(f"{module}:{line}: imports {name} ({layer} may not)")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and layer not in DYNAMIC_IMPORTS:
                func = ast.unparse(node.func)
                if func in ("importlib.import_module", "import_module", "__import__"):
                    found.append(f"{module}:{node.lineno}: imports by name ({func})")
            if layer in SERVICES_ONLY and isinstance(node, ast.Attribute):
                if node.attr in DB_ATTRIBUTES:
                    found.append(f"{module}:{node.lineno}: touches the database ({ast.unparse(node)})")
                elif _is_store(node.value):
                    found.append(f"{module}:{node.lineno}: reads inside the store ({ast.unparse(node)}): "
                                 "hand the store to a service instead")
    return sorted(found)


def test_the_layers_hold():
    assert breaches(package_sources()) == []


def test_the_contract_covers_every_module_and_layer():
    sources = package_sources()
    assert len(sources) > 100 and {layer_of(m) for m in sources} - {"slo"} == set(LAYERS)
    # dependencies point one way: no two layers may import each other, and no layer itself
    for layer, allowed in LAYERS.items():
        assert layer not in allowed
        for other in allowed:
            assert layer not in LAYERS.get(other, frozenset()), (layer, other)


#: one planted breach of each kind: (module, source, what the checker must say)
PLANTED = [
    ("slo.services.probe", "from slo.calendars import calendar_path\n", "slo.services may not import slo.calendars"),
    ("slo.store.probe", "from slo.services import records\n", "slo.store may not import slo.services"),
    ("slo.models.probe", "import textual.app\n", "only slo.tui may"),
    ("slo.tui.probe", "from slo.store.db import Store\n", "slo.tui may not import slo.store"),
    ("slo.tui.probe", "from ..store import db\n", "slo.tui may not import slo.store"),
    ("slo.tui.probe", "def f():\n    import sqlite3\n", "imports sqlite3 (slo.tui may not)"),
    ("slo.tui.probe", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from slo.cli.main import main\n",
     "slo.tui may not import slo.cli"),
    ("slo.tui.probe", "def f(self):\n    return self.app.store.db\n", "touches the database (self.app.store.db)"),
    ("slo.tui.probe", "def f(db):\n    return db.execute('SELECT 1')\n", "touches the database (db.execute)"),
    ("slo.tui.probe", "def f(self):\n    with self.store.write() as w:\n        pass\n",
     "reads inside the store (self.store.write)"),
    ("slo.tui.probe", "def f(store):\n    return store.path\n", "reads inside the store (store.path)"),
    ("slo.tui.probe", "import importlib\ndef f(name):\n    return importlib.import_module(name)\n",
     "imports by name (importlib.import_module)"),
    ("slo.server.probe", "x = 1\n", "package slo.server has no place in LAYERS"),
]


@pytest.mark.parametrize(("module", "source", "message"), PLANTED, ids=[p[2] for p in PLANTED])
def test_the_checker_catches_a_planted_breach(module, source, message):
    """The check can fail: the real package plus one breach gives exactly that breach."""
    sources = package_sources()
    sources[module] = source
    found = breaches(sources)
    assert len(found) == 1 and found[0].startswith(module) and message in found[0], found


def test_handing_the_store_to_a_service_is_allowed():
    """What the desk does on every screen is not a breach: pass the store (and actor) on."""
    sources = package_sources()
    sources["slo.tui.probe"] = (
        "from slo.services.queries.school import school_detail\n"
        "def f(self, urn):\n"
        "    store, actor = self.store, self.actor\n"
        "    return school_detail(self.app.store, actor, urn), school_detail(store, actor, urn)\n"
    )
    assert breaches(sources) == []
