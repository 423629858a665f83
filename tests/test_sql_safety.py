"""SQL is code, values are parameters: a static check over ``slo/**/*.py`` and a behavioural one.

The static rule
---------------
Every SQL text handed to SQLite (the first argument of ``.execute``, ``.executemany``, ``.executescript``,
``<db>.query``, ``.rows_where``, ``.count_where``, ``.delete_where``, and any ``where=``, ``order_by=``,
``select=`` or ``sql=`` argument) must be built only from *code*: string literals, and values that the
check can trace back to literals. Tracing follows, within the package:

* local variables (every assignment, ``+=``, ``.append``/``.extend``/``.insert`` of a list, loop and
  comprehension targets over a traced iterable, tuple unpacking of a traced call's returned tuple);
* module constants, also across imports inside ``slo``; classes and functions defined in ``slo``;
* helper functions: a call is traced when every value it returns is (``key_where(entity)``, ``_in(xs)``);
* parameters: a parameter is traced when the argument at EVERY call site in the package is (so
  ``_busy_days(db, "absences", ...)`` makes ``table`` code; one caller passing user text breaks it);
* placeholder building whose content is a literal (``",".join("?" * n)``, ``", ".join("?" for _ in xs)``),
  numbers (``len``, ``range``, ``enumerate``'s index), and f-string / ``+`` / ``%`` / ``.format`` /
  ``.join`` / ``.replace`` / ``or`` / conditional expressions over traced parts;
* schema attributes, whatever object they are read from: ``.facts`` (and everything read from it),
  ``.entity``, ``.model_fields`` (class-level declarations of every record model, never data).

Anything else interpolated into SQL is a finding, reported as ``path:line: call: why``. There is no
list of "trusted" variable names: a name is trusted only by where its value comes from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "slo"

#: methods whose first argument is SQL (``query`` only on a database: Textual's DOM ``query`` is not SQL)
SQL_METHODS = {"execute", "executemany", "executescript", "rows_where", "count_where", "delete_where",
               "pks_and_rows_where"}
DB_ONLY_METHODS = {"query"}
#: keyword arguments that sqlite-utils pastes into SQL as they are
SQL_KEYWORDS = {"where", "order_by", "select", "sql"}
#: attributes that name schema, declared on the record classes (never data)
SCHEMA_ATTRIBUTES = {"facts", "entity", "model_fields"}
#: builtins that return numbers or copies of their (traced) argument
NUMBER_CALLS = {"len", "range", "int", "float", "abs", "sum", "round", "bool"}
COPY_CALLS = {"list", "tuple", "sorted", "set", "frozenset", "reversed", "iter", "str", "dict"}
STR_METHODS = {"replace", "strip", "lstrip", "rstrip", "lower", "upper", "format", "join", "removeprefix",
               "removesuffix", "items", "values", "copy", "split", "fetchall", "fetchone"}

SAFE = None  # a trace result: None when traced to code, else the reason it is not
NOT_LOCAL = object()  # a name that the function does not bind: look in the module


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)  # "f" and "Class.f"
    classes: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> module
    from_imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, name)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load_modules(sources: dict[str, str]) -> dict[str, Module]:
    """``sources``: dotted module name -> source text."""
    modules = {}
    for name, text in sources.items():
        tree = ast.parse(text)
        m = Module(name, Path(name.replace(".", "/") + ".py"), tree)
        package = name if name.endswith("__init__") else name.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                m.parents[child] = node
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        m.constants[t.id] = node.value
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                m.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                m.classes.add(node.name)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        m.functions[f"{node.name}.{item.name}"] = item
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    m.imports[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = package.split(".")
                    pkg = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
                    base = ".".join(pkg + ([node.module] if node.module else []))
                for a in node.names:
                    local = a.asname or a.name
                    if f"{base}.{a.name}" in sources:
                        m.imports[local] = f"{base}.{a.name}"
                    else:
                        m.from_imports[local] = (base, a.name)
        modules[name] = m
    return modules


def package_sources(root: Path = PACKAGE) -> dict[str, str]:
    return {_module_name(p, root): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


class Checker:
    """Traces the strings of an expression back to code (see the module docstring)."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self._memo: dict[tuple, str | None] = {}
        self._active: set[tuple] = set()
        self._cycles = 0  # results that leaned on a cycle's assumption are not remembered
        self._calls = self._index_calls()

    # ------------------------------------------------------------------ structure

    def enclosing_function(self, m: Module, node: ast.AST):
        while node in m.parents:
            node = m.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return None

    def enclosing_class(self, m: Module, node: ast.AST) -> str | None:
        while node in m.parents:
            node = m.parents[node]
            if isinstance(node, ast.ClassDef):
                return node.name
        return None

    def _class_of_local(self, m: Module, where: ast.AST, name: str) -> str | None:
        """``x`` in ``x.method()`` when the function binds ``x = SomeClass(...)`` (a class of this module)."""
        fn = self.enclosing_function(m, where)
        if fn is None:
            return None
        classes = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                v = node.value
                if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in m.classes:
                    classes.add(v.func.id)
                else:
                    return None
        return classes.pop() if len(classes) == 1 else None

    def resolve_callee(self, m: Module, func: ast.expr, where: ast.AST):
        """(module, function) that a call expression names, when the check can tell."""
        if isinstance(func, ast.Name):
            if func.id in m.functions:
                return m, m.functions[func.id]
            if func.id in m.classes and f"{func.id}.__init__" in m.functions:
                return m, m.functions[f"{func.id}.__init__"]
            if func.id in m.from_imports:
                mod, name = m.from_imports[func.id]
                for _ in range(3):  # follow re-exports through package __init__ files
                    target = self.modules.get(mod)
                    if target is None:
                        return None
                    if name in target.functions:
                        return target, target.functions[name]
                    if name not in target.from_imports:
                        return None
                    mod, name = target.from_imports[name]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner in ("self", "cls"):
                cls = self.enclosing_class(m, where)
                if cls and f"{cls}.{func.attr}" in m.functions:
                    return m, m.functions[f"{cls}.{func.attr}"]
            elif owner in m.imports and m.imports[owner] in self.modules:
                target = self.modules[m.imports[owner]]
                if func.attr in target.functions:
                    return target, target.functions[func.attr]
            elif owner in m.classes and f"{owner}.{func.attr}" in m.functions:
                return m, m.functions[f"{owner}.{func.attr}"]
            else:
                cls = self._class_of_local(m, where, owner)
                if cls and f"{cls}.{func.attr}" in m.functions:
                    return m, m.functions[f"{cls}.{func.attr}"]
        return None

    def _index_calls(self) -> dict[int, list[tuple[Module, ast.Call]]]:
        calls: dict[int, list[tuple[Module, ast.Call]]] = {}
        for m in self.modules.values():
            for node in ast.walk(m.tree):
                if isinstance(node, ast.Call):
                    target = self.resolve_callee(m, node.func, node)
                    if target:
                        calls.setdefault(id(target[1]), []).append((m, node))
        return calls

    def site_env(self, m: Module, node: ast.AST, scope) -> dict:
        """Names bound around ``node`` inside its function: comprehension targets, and guards
        (``if x in CODE:`` makes ``x`` code inside the block)."""
        chain = []
        child = node
        while child in m.parents and child is not scope:
            parent = m.parents[child]
            chain.append((parent, child))
            child = parent
        env: dict = {"@at": node}
        for parent, child in reversed(chain):
            if isinstance(parent, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
                for gen in parent.generators:
                    if child is gen.iter:
                        break
                    self.bind(m, gen.target, gen.iter, scope, env)
            elif isinstance(parent, (ast.If, ast.While)) and child in parent.body:
                for guarded, container in self._guards(parent.test):
                    if self.trace(m, container, scope, {}) is SAFE:
                        env[guarded] = SAFE
        return env

    @staticmethod
    def _guards(test: ast.expr):
        tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        for t in tests:
            if (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and len(t.ops) == 1
                    and isinstance(t.ops[0], ast.In)):
                yield t.left.id, t.comparators[0]

    # ------------------------------------------------------------------ tracing values

    def trace(self, m: Module, expr: ast.AST | None, scope, env: dict) -> str | None:
        """SAFE (None) when every string ``expr`` can produce (itself or inside it) comes from code."""
        if expr is None or isinstance(expr, ast.Constant):
            return SAFE
        if isinstance(expr, ast.JoinedStr):
            return self.all(m, [v.value for v in expr.values if isinstance(v, ast.FormattedValue)], scope, env)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return self.all(m, expr.elts, scope, env)
        if isinstance(expr, ast.Dict):
            return self.all(m, [k for k in expr.keys if k is not None] + expr.values, scope, env)
        if isinstance(expr, ast.Starred):
            return self.trace(m, expr.value, scope, env)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Mult):  # "?" * n: copies of a literal; n is only a count
                for side in (expr.left, expr.right):
                    literal = (isinstance(side, ast.Constant) and isinstance(side.value, str)) or (
                        isinstance(side, (ast.List, ast.Tuple)) and self.trace(m, side, scope, env) is SAFE)
                    if literal:
                        return SAFE
            return self.all(m, [expr.left, expr.right], scope, env)
        if isinstance(expr, ast.BoolOp):
            return self.all(m, expr.values, scope, env)
        if isinstance(expr, ast.IfExp):
            return self.all(m, [expr.body, expr.orelse], scope, env)
        if isinstance(expr, (ast.Compare, ast.UnaryOp)):
            return SAFE  # booleans and numbers
        if isinstance(expr, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            inner = dict(env)
            for gen in expr.generators:
                self.bind(m, gen.target, gen.iter, scope, inner)
            elts = [expr.key, expr.value] if isinstance(expr, ast.DictComp) else [expr.elt]
            return self.all(m, elts, scope, inner)
        if isinstance(expr, ast.Subscript):
            return self.trace(m, expr.value, scope, env)  # an element of a traced container
        if isinstance(expr, ast.Attribute):
            if expr.attr in SCHEMA_ATTRIBUTES:
                return SAFE
            if expr.attr == "description" and self.is_cursor(m, expr.value, scope, env):
                return SAFE  # column names of a result
            if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
                return self.instance_attribute(m, expr, scope)
            if isinstance(expr.value, ast.Name) and expr.value.id in m.imports:
                target = self.modules.get(m.imports[expr.value.id])
                if target is None:
                    return f"{ast.unparse(expr)} comes from outside the package"
                return self.name(target, expr.attr, None, {})
            return self.trace(m, expr.value, scope, env)  # an attribute of code is code
        if isinstance(expr, ast.Name):
            return self.name(m, expr.id, scope, env)
        if isinstance(expr, ast.Call):
            return self.call(m, expr, scope, env)
        return f"{type(expr).__name__} {ast.unparse(expr)!r} is not traced"

    def instance_attribute(self, m: Module, expr: ast.Attribute, scope) -> str | None:
        """``self.x``: traced when every ``self.x = ...`` (and ``self.x[k] = ...``) in the class, or the class
        attribute ``x``, is."""
        cls_name = self.enclosing_class(m, expr)
        cls = next((n for n in ast.walk(m.tree) if isinstance(n, ast.ClassDef) and n.name == cls_name), None)
        if cls is None:
            return f"{ast.unparse(expr)} outside a class is not traced"
        key = ("attr", m.name, cls_name, expr.attr)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            self._cycles += 1
            return SAFE
        self._active.add(key)
        cycles = self._cycles
        found, why = False, SAFE
        try:
            for node in ast.walk(cls):
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value else [])
                for t in targets:
                    base = t.value if isinstance(t, ast.Subscript) else t
                    is_self = (isinstance(base, ast.Attribute) and base.attr == expr.attr
                               and isinstance(base.value, ast.Name) and base.value.id in ("self", "cls"))
                    is_class = isinstance(t, ast.Name) and t.id == expr.attr and m.parents.get(node) is cls
                    if is_self or is_class:
                        found = True
                        fn = self.enclosing_function(m, node)
                        why = why or self.trace(m, node.value, fn, {})
        finally:
            self._active.discard(key)
        result = why if found else f"{ast.unparse(expr)} is never assigned in class {cls_name}"
        if self._cycles == cycles:
            self._memo[key] = result
        return result

    def all(self, m, exprs, scope, env) -> str | None:
        for e in exprs:
            why = self.trace(m, e, scope, env)
            if why is not SAFE:
                return why
        return SAFE

    def is_schema_query(self, call: ast.AST) -> bool:
        """``db.execute("PRAGMA ...")`` or a query of ``sqlite_master``: its rows name tables and columns."""
        while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in (
                "fetchall", "fetchone"):
            call = call.func.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in ("execute", "query") and call.args):
            return False
        sql = call.args[0]
        head = sql.value if isinstance(sql, ast.Constant) else (
            sql.values[0].value if isinstance(sql, ast.JoinedStr) and sql.values
            and isinstance(sql.values[0], ast.Constant) else "")
        head = str(head).lstrip().upper()
        return head.startswith("PRAGMA ") or (isinstance(sql, ast.Constant) and "SQLITE_MASTER" in head)

    def is_cursor(self, m, expr, scope, env) -> bool:
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in (
                "execute", "query", "executemany"):
            return True
        if isinstance(expr, ast.Name) and scope is not None and not isinstance(scope, ast.Lambda):
            entries = self.collect(m, scope, expr.id)
            return bool(entries) and all(
                kind == "expr" and self.is_cursor(vm, v, vs, {}) for kind, vm, vs, v in entries)
        return False

    def call(self, m: Module, expr: ast.Call, scope, env) -> str | None:
        func = expr.func
        if self.is_schema_query(expr):
            return SAFE
        if isinstance(func, ast.Name):
            if func.id in NUMBER_CALLS or func.id == "type":
                return SAFE
            if func.id in ("enumerate", "zip", "next", "min", "max"):
                return self.all(m, expr.args, scope, env)
            if func.id in COPY_CALLS:
                why = self.all(m, expr.args, scope, env)
                if why is not SAFE and func.id != "str" and len(expr.args) == 1 and self.keys(
                        m, expr.args[0], scope, env) is SAFE:
                    return SAFE  # list(d), sorted(d): the keys of a dict whose keys are code
                if func.id == "dict" and len(expr.args) == 1:
                    return why
                return why
        if isinstance(func, ast.Attribute):
            if func.attr == "keys":
                return self.keys(m, func.value, scope, env)
            if func.attr == "get":
                return self.all(m, [func.value, *expr.args[1:]], scope, env)
            if func.attr in STR_METHODS:
                return self.all(m, [func.value, *expr.args, *(k.value for k in expr.keywords)], scope, env)
        target = self.resolve_callee(m, func, expr)
        if target is None:
            return f"call {ast.unparse(func)}() is not traced"
        tm, fn = target
        returns = self.returns(tm, fn)
        if not returns:
            return f"{fn.name}() returns nothing traced"
        return self.all(tm, returns, fn, {})

    def returns(self, m: Module, fn) -> list[ast.expr]:
        out = []
        for n in ast.walk(fn):
            if isinstance(n, (ast.Return, ast.Yield)) and n.value is not None and self.enclosing_function(m, n) is fn:
                out.append(n.value)
        return out

    # ------------------------------------------------------------------ keys of dicts

    def keys(self, m: Module, expr: ast.AST, scope, env: dict) -> str | None:
        """SAFE when ``expr`` is a dict whose keys all come from code (a model dump, a dict of code keys)."""
        if isinstance(expr, ast.Dict):
            return self.all(m, [k for k in expr.keys if k is not None], scope, env) if all(
                k is not None for k in expr.keys) else f"{ast.unparse(expr)} spreads another dict"
        if isinstance(expr, ast.DictComp):
            inner = dict(env)
            for gen in expr.generators:
                self.bind(m, gen.target, gen.iter, scope, inner)
            return self.trace(m, expr.key, scope, inner)
        if isinstance(expr, ast.Attribute) and expr.attr in SCHEMA_ATTRIBUTES:
            return SAFE
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in ("model_dump", "to_bundle") and not expr.args:
                return SAFE  # a record's fields
            if isinstance(func, ast.Attribute) and func.attr == "copy":
                return self.keys(m, func.value, scope, env)
            if isinstance(func, ast.Name) and func.id == "dict" and len(expr.args) == 1:
                arg = expr.args[0]
                if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "zip" and arg.args:
                    return self.trace(m, arg.args[0], scope, env)
                return self.keys(m, arg, scope, env)
            target = self.resolve_callee(m, func, expr)
            if target:
                tm, fn = target
                returns = self.returns(tm, fn)
                for r in returns:
                    why = self.keys(tm, r, fn, {})
                    if why is not SAFE:
                        return why
                return SAFE if returns else f"{fn.name}() returns nothing"
        if isinstance(expr, ast.Name):
            if self.trace(m, expr, scope, env) is SAFE:
                return SAFE  # everything in it is code, keys included
            if expr.id in env:
                return f"keys of {expr.id} are not traced"
            if scope is not None and not isinstance(scope, ast.Lambda):
                entries = self.collect(m, scope, expr.id)
                if entries:
                    for kind, vm, vs, v in entries:
                        if kind == "expr":
                            why = self.keys(vm, v, vs, {})
                        elif kind == "key":
                            why = self.trace(vm, v, vs, {})
                        elif kind == "merge":
                            why = self.keys(vm, v, vs, {})
                        elif kind == "param":
                            why = self.parameter(m, scope, expr.id, keys=True)
                        elif kind == "elem":
                            continue  # a value added: keys unchanged
                        else:
                            why = v if isinstance(v, str) else f"{expr.id} is not a dict of code keys"
                        if why is not SAFE:
                            return why
                    return SAFE
            if expr.id in m.constants:
                return self.keys(m, m.constants[expr.id], None, {})
            if expr.id in m.from_imports:
                mod, orig = m.from_imports[expr.id]
                target = self.modules.get(mod)
                if target is not None:
                    return self.keys(target, ast.Name(orig), None, {})
        return f"keys of {ast.unparse(expr)} are not traced"

    # ------------------------------------------------------------------ names

    def bind(self, m: Module, target: ast.expr, iterable: ast.expr, scope, env: dict) -> None:
        """Bind loop/comprehension targets to the trace of the iterable's elements."""
        call = iterable if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) else None
        if call is not None and call.func.id == "range":
            self.assign(target, SAFE, env)
            return
        if call is not None and call.func.id in ("enumerate", "zip") and isinstance(target, ast.Tuple):
            parts: list = ([None] + call.args[:1]) if call.func.id == "enumerate" else list(call.args)
            for t, it in zip(target.elts, parts, strict=False):
                self.assign(t, SAFE if it is None else self.element(m, it, scope, env), env)
            return
        items = iterable
        while (isinstance(items, ast.Call) and isinstance(items.func, ast.Name) and items.func.id in COPY_CALLS
               and len(items.args) == 1):
            items = items.args[0]  # list(d.items()), sorted(d.items())
        if (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(items, ast.Call)
                and isinstance(items.func, ast.Attribute) and items.func.attr == "items" and not items.args):
            self.assign(target.elts[0], self.keys(m, items.func.value, scope, env), env)
            self.assign(target.elts[1], self.trace(m, items.func.value, scope, env), env)
            return
        if (isinstance(target, ast.Tuple) and isinstance(iterable, (ast.Tuple, ast.List)) and iterable.elts
                and all(isinstance(e, (ast.Tuple, ast.List)) and len(e.elts) == len(target.elts)
                        for e in iterable.elts)):
            for i, t in enumerate(target.elts):  # for a, b in (("x", v), ...): position by position
                self.assign(t, self.all(m, [e.elts[i] for e in iterable.elts], scope, env), env)
            return
        self.assign(target, self.element(m, iterable, scope, env), env)

    def element(self, m, iterable, scope, env) -> str | None:
        """The trace of what iterating ``iterable`` gives (a dict gives its keys)."""
        why = self.trace(m, iterable, scope, env)
        if why is not SAFE and self.keys(m, iterable, scope, env) is SAFE:
            return SAFE
        return why

    @staticmethod
    def assign(target: ast.expr, result: str | None, env: dict) -> None:
        for n in ast.walk(target):
            if isinstance(n, ast.Name):
                env[n.id] = result

    def name(self, m: Module, name: str, scope, env: dict) -> str | None:
        if name in env:
            return env[name]
        key = (m.name, id(scope), name)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            self._cycles += 1
            return SAFE  # a cycle: the other bindings decide
        self._active.add(key)
        cycles = self._cycles
        try:
            result = self._name(m, name, scope)
        finally:
            self._active.discard(key)
        if self._cycles == cycles:
            self._memo[key] = result
        return result

    def _name(self, m: Module, name: str, scope) -> str | None:
        if scope is not None and not isinstance(scope, ast.Lambda):
            entries = self.collect(m, scope, name)
            if entries:
                for kind, vm, vs, v in entries:
                    if kind in ("expr", "elem") or kind == "merge":
                        why = self.trace(vm, v, vs, {})
                    elif kind == "key":
                        continue  # d[k] = v: the value is an "elem" entry too
                    elif kind == "param":
                        why = self.parameter(m, scope, name)
                    else:
                        why = v
                    if why is not SAFE:
                        return why if why.startswith(name) else f"{name} in {scope.name}(): {why}"
                return SAFE
        if name in m.constants:
            return self.trace(m, m.constants[name], None, {})
        if name in m.classes or name in m.functions:
            return SAFE
        if name in m.imports:
            return SAFE if m.imports[name] in self.modules else f"{name} comes from outside the package"
        if name in m.from_imports:
            mod, orig = m.from_imports[name]
            target = self.modules.get(mod)
            if target is None:
                return f"{name} is imported from {mod}"
            return self.name(target, orig, None, {})
        return f"{name!r} is not traced"

    def collect(self, m: Module, fn, name: str) -> list[tuple]:
        """Every way ``fn`` binds or fills ``name``: (kind, module, scope, expression-or-reason)."""
        key = ("collect", m.name, id(fn), name)
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        out: list[tuple] = []
        args = fn.args
        if name in [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]:
            out.append(("param", m, fn, None))
        if (args.vararg and args.vararg.arg == name) or (args.kwarg and args.kwarg.arg == name):
            out.append(("unsafe", m, fn, f"parameter *{name} of {fn.name}() is not traced"))
        for node in ast.walk(fn):
            if (node is not fn and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and node.name == name):
                out.append(("expr", m, fn, ast.Constant(None)))
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    out += self._targets(m, fn, t, node.value, name)
                    if (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name):
                        out += [("key", m, fn, t.slice), ("elem", m, fn, node.value)]
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                if node.target.id == name and node.value is not None:
                    out.append(("expr", m, fn, node.value))
            elif isinstance(node, ast.NamedExpr) and node.target.id == name:
                out.append(("expr", m, fn, node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor)) and self._binds(node.target, name):
                env: dict = {}
                self.bind(m, node.target, node.iter, fn, env)
                out.append(("loop", m, fn, env.get(name)))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None and self._binds(item.optional_vars, name):
                        out.append(("unsafe", m, fn, f"{name} in {fn.name}() is bound by 'with'"))
            elif isinstance(node, ast.ExceptHandler) and node.name == name:
                out.append(("unsafe", m, fn, f"{name} in {fn.name}() is an exception"))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and isinstance(node.func.value, ast.Name) and node.func.value.id == name):
                attr = node.func.attr
                if attr in ("append", "add", "insert") and node.args:
                    out.append(("elem", m, fn, node.args[-1]))
                elif attr == "extend" and node.args:
                    out.append(("elem", m, fn, node.args[0]))
                elif attr == "update" and node.args:
                    out += [("merge", m, fn, node.args[0])]
                elif attr == "setdefault" and node.args:
                    out += [("key", m, fn, node.args[0]), ("elem", m, fn, node.args[-1])]
        self._memo[key] = out  # type: ignore[assignment]
        return out

    @staticmethod
    def _binds(target: ast.expr, name: str) -> bool:
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))

    def _targets(self, m: Module, fn, target: ast.expr, value: ast.expr, name: str) -> list[tuple]:
        if isinstance(target, ast.Name):
            return [("expr", m, fn, value)] if target.id == name else []
        if isinstance(target, ast.Starred):
            return self._targets(m, fn, target.value, value, name)
        if isinstance(target, (ast.Tuple, ast.List)):
            out = []
            for i, t in enumerate(target.elts):
                if not self._binds(t, name):
                    continue
                if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                    out += self._targets(m, fn, t, value.elts[i], name)
                else:
                    out += [("expr", em, es, ev) for em, es, ev in self._unpack(m, fn, value, i)]
            return out
        return []

    def _unpack(self, m: Module, fn, value: ast.expr, i: int) -> list[tuple]:
        """Element ``i`` of what ``value`` unpacks to: of each tuple a package function returns, else all of it."""
        if isinstance(value, ast.Call):
            target = self.resolve_callee(m, value.func, value)
            if target:
                tm, callee = target
                returns = self.returns(tm, callee)
                if returns and all(isinstance(r, ast.Tuple) and len(r.elts) > i for r in returns):
                    return [(tm, callee, r.elts[i]) for r in returns]
        return [(m, fn, value)]

    def parameter(self, m: Module, fn, name: str, *, keys: bool = False) -> str | None:
        """A parameter is traced when its default and the argument at every call site in the package are."""
        args = fn.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
        check = self.keys if keys else self.trace
        if name in defaults and check(m, defaults[name], None, {}) is not SAFE:
            return f"the default of {name} in {fn.name}() is not traced"
        sites = self._calls.get(id(fn), [])
        if not sites:
            return f"parameter {name} of {fn.name}() has no caller in the package"
        is_method = positional[:1] in (["self"], ["cls"])
        if is_method and name == positional[0]:
            return f"{name} of {fn.name}() as a value is not traced (its attributes are)"
        index = positional.index(name) if name in positional else None
        for cm, call in sites:
            bound = isinstance(call.func, ast.Attribute) or (
                isinstance(call.func, ast.Name) and call.func.id in cm.classes)
            shift = 1 if is_method and bound else 0
            arg = next((k.value for k in call.keywords if k.arg == name), None)
            if arg is None and index is not None and 0 <= index - shift < len(call.args):
                arg = call.args[index - shift]
                if isinstance(arg, ast.Starred):
                    return f"{cm.path}:{call.lineno}: *args passed to {fn.name}()"
            if arg is None:
                if any(k.arg is None for k in call.keywords):
                    return f"{cm.path}:{call.lineno}: **kwargs passed to {fn.name}()"
                continue  # the default applies
            caller = self.enclosing_function(cm, call)
            why = check(cm, arg, caller, self.site_env(cm, call, caller))
            if why is not SAFE:
                return f"{fn.name}({name}=...) called at {cm.path}:{call.lineno}: {why}"
        return SAFE


def sql_arguments(call: ast.Call) -> list[ast.expr]:
    func = call.func
    out = []
    if isinstance(func, ast.Attribute):
        is_sql = func.attr in SQL_METHODS
        if func.attr in DB_ONLY_METHODS:
            receiver = ast.unparse(func.value)
            is_sql = receiver.split(".")[-1] in ("db", "conn", "connection", "database")
        if is_sql and call.args:
            out.append(call.args[0])
        if is_sql or func.attr in DB_ONLY_METHODS | SQL_METHODS:
            out += [k.value for k in call.keywords if k.arg in SQL_KEYWORDS]
    return out


def findings(modules: dict[str, Module]) -> list[str]:
    checker = Checker(modules)
    found = []
    for m in modules.values():
        for node in ast.walk(m.tree):
            if not isinstance(node, ast.Call):
                continue
            for arg in sql_arguments(node):
                scope = checker.enclosing_function(m, node)
                why = checker.trace(m, arg, scope, checker.site_env(m, node, scope))
                if why is not SAFE:
                    found.append(f"{m.path}:{node.lineno}: {ast.unparse(node.func)}: {why}")
    return sorted(found)


# --------------------------------------------------------------------------- the package


def test_no_sql_is_built_from_anything_but_code():
    found = findings(load_modules(package_sources()))
    assert not found, "SQL built from values the check cannot trace to code:\n" + "\n".join(found)


def test_the_check_sees_every_sql_call():
    """The package does run SQL through f-strings and helpers: the check must have looked at them."""
    modules = load_modules(package_sources())
    calls = [a for m in modules.values() for n in ast.walk(m.tree) if isinstance(n, ast.Call) for a in sql_arguments(n)]
    built = [a for a in calls if not isinstance(a, ast.Constant)]
    assert len(calls) > 150 and len(built) > 40


def test_the_check_finds_an_injection_added_to_the_package():
    """The real package plus one careless read model, called from a screen with a widget's value."""
    sources = package_sources()
    sources["slo.services.queries.palette"] += (
        "\n\ndef names_like(store, text):\n"
        "    return store.db.execute(f\"SELECT urn FROM schools WHERE name LIKE '%{text}%'\").fetchall()\n"
    )
    sources["slo.tui.screens.probe"] = (
        "from slo.services.queries import palette\n"
        "class Probe:\n"
        "    def on_changed(self, event):\n"
        "        return palette.names_like(self.app.store, event.value)\n"
    )
    found = findings(load_modules(sources))
    assert len(found) == 1 and found[0].startswith("slo/services/queries/palette.py:"), found
    assert "event" in found[0] and "slo/tui/screens/probe.py:4" in found[0]


# --------------------------------------------------------------------------- the check itself

BAD = {
    "f-string of a parameter fed with user text": '''
def find(db, text):
    return db.execute(f"SELECT * FROM schools WHERE name = '{text}'").fetchall()
def screen(db, box):
    return find(db, box.value)
''',
    "concatenation of a local from input()": '''
def run(db):
    name = input()
    sql = "SELECT * FROM schools WHERE name = '" + name + "'"
    return db.execute(sql)
''',
    "a where= from a parameter": '''
def rows(table, needle):
    return table.rows_where(where=f"name LIKE '%{needle}%'")
def caller(t, args):
    return rows(t, args.needle)
''',
    "one bad caller among good ones": '''
def count(db, table):
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()
def good(db):
    return count(db, "schools")
def bad(db, request):
    return count(db, request.table)
''',
    "a list with a user value appended": '''
def search(db, words):
    where = ["1"]
    for w in words:
        where.append(f"name LIKE '{w}'")
    return db.execute("SELECT * FROM schools WHERE " + " AND ".join(where))
def caller(db, form):
    return search(db, form.words)
''',
    "order_by from a helper returning user text": '''
def order(args):
    return args.sort
def listing(db, args):
    return db.query("SELECT * FROM schools ORDER BY " + order(args))
''',
    "an attribute a widget stores from an event": '''
class Screen:
    def on_input(self, event):
        self.text = event.value
    def load(self, db):
        return db.execute(f"SELECT * FROM schools WHERE name = '{self.text}'")
''',
    "max() of user strings": '''
def latest(db, names):
    return db.execute("SELECT * FROM [" + max(names) + "]")
def caller(db, form):
    return latest(db, form.names)
''',
    "a user string repeated": '''
def run(db, text):
    return db.execute("SELECT " + text * 2)
def caller(db, box):
    return run(db, box.value)
''',
    "an unchecked guard (not in) does not count": '''
TABLES = {"schools", "officers"}
def count(db, table):
    if table not in TABLES:
        pass
    return db.execute(f"SELECT count(*) FROM [{table}]")
def caller(db, args):
    return count(db, args.table)
''',
    "taint through a cycle of assignments": '''
def f(db, form):
    a = "x"
    b = "y"
    for _ in range(2):
        a = b
        b = a + form.value
    db.execute("SELECT " + b)
    db.execute("SELECT " + a)
''',
    ".format of a value": '''
def get(db, ref):
    return db.execute("SELECT * FROM t WHERE ref = '{}'".format(ref))
''',
}

GOOD = {
    "parameters bound": '''
def find(db, text):
    return db.execute("SELECT * FROM schools WHERE name = ?", [text]).fetchall()
''',
    "identifiers from constants, placeholders built from literals": '''
TABLES = ["schools", "officers"]
KEYS = {"schools": ("urn",), "officers": ("collar_number",)}
def key_where(entity):
    return " AND ".join(f"[{c}] = ?" for c in KEYS[entity])
def counts(db, officers):
    for table in TABLES:
        db.execute(f"SELECT count(*) FROM [{table}] WHERE {key_where(table)}", ["x"])
    marks = ",".join("?" * len(officers))
    return db.execute(f"SELECT * FROM officers WHERE collar_number IN ({marks})", officers)
''',
    "a condition list and a helper's tuple": '''
def _filter(actor):
    if actor.role == "admin":
        return "1", []
    return "s.urn IN (SELECT school FROM assignments WHERE officer = ?)", [actor.collar]
def search(db, actor, text):
    sql, params = _filter(actor)
    where = ["s.name LIKE ?"]
    for i, part in enumerate(text.split()):
        where.append(f"s.name LIKE :p{i}")
    return db.execute(f"SELECT * FROM schools s WHERE {sql} AND " + " AND ".join(where), [*params, text])
def caller(db, actor, box):
    return search(db, actor, box.value)
''',
    "a value checked against a constant set": '''
TABLES = {"schools", "officers"}
def count(db, args):
    table = args.table
    if table in TABLES:
        return db.execute(f"SELECT count(*) FROM [{table}]")
''',
    "keys of a record's dump, attributes set from code": '''
class Loader:
    BATCH = 100
    def __init__(self, entities):
        self.sql = {e: f"SELECT * FROM [{e}]" for e in ("schools", "officers")}
    def load(self, db, record, entity):
        row = record.model_dump()
        cols = list(row)
        db.execute(f"INSERT INTO t ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})", row)
        return db.execute(self.sql[entity] + f" LIMIT {self.BATCH}")
''',
    "Textual's DOM query is not SQL": '''
class Form:
    def inputs(self, name):
        return self.query(f"#field-{name}")
''',
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_check_finds_injection(name):
    found = findings(load_modules({"slo.example": BAD[name]}))
    assert found, name
    if name == "taint through a cycle of assignments":
        assert [f.split(":")[1] for f in found] == ["8", "9"]  # both, whichever is traced first
    assert all(f.startswith("slo/example.py:") for f in found)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_the_check_accepts_code_built_sql(name):
    assert findings(load_modules({"slo.example": GOOD[name]})) == []


# --------------------------------------------------------------------------- behaviour: hostile search text


@pytest.fixture
def sql_store(store, small_bundle):
    from slo.services.bundle import import_bundle

    small_bundle["schools"] += [
        {"urn": "100010", "name": "x'); DROP TABLE schools; --", "phase": "secondary", "local_authority": None,
         "postcode": None, "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"},
        {"urn": "100011", "name": "100% Academy", "phase": "primary", "local_authority": None, "postcode": None,
         "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"},
        {"urn": "100012", "name": "St_Mary's", "phase": "primary", "local_authority": None, "postcode": None,
         "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"},
        {"urn": "100013", "name": "Back\\slash [b]School[/b]", "phase": "primary", "local_authority": None,
         "postcode": None, "head_teacher": None, "head_teacher_email": None, "uniform_policy": "uniform_welcome"},
    ]
    small_bundle["assignments"] += [
        {"officer": "PC1000", "school": u, "start_date": "2025-09-01", "end_date": None}
        for u in ("100010", "100011", "100012", "100013")
    ]
    small_bundle["young_people"].append(
        {"ref": "YP-'; --", "given_name": "O'Brien", "family_name": "50%_off", "date_of_birth": None,
         "school": "100010", "year_group": 7, "sex": "unknown", "ethnicity": None,
         "ethnicity_missing_reason": None, "sen": "unknown", "fsm": "unknown"}
    )
    import_bundle(store, small_bundle, None)
    return store


def _tables(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# search text -> the school URNs it must find (LIKE wildcards in the text are literal characters)
SEARCHES = {
    "'": {"100010", "100012"},
    "x'); DROP TABLE schools; --": {"100010"},
    "%": {"100011"},
    "100%": {"100011"},
    "_": {"100012"},
    "St_": {"100012"},
    "S_": set(),  # '_' is not "any character"
    "%Academy": set(),  # '%' is not "anything"
    "\\": {"100013"},
    "[b]": {"100013"},
    "' OR '1'='1": set(),
    "\"": set(),
    ";": {"100010"},
    "--": {"100010"},
}


@pytest.mark.parametrize("text", sorted(SEARCHES))
def test_desk_search_and_filters_treat_text_as_text(sql_store, text):
    from datetime import date

    from slo.services.actors import load_actor
    from slo.services.queries.caseload import caseload
    from slo.services.queries.palette import search

    db = sql_store.db
    tables = _tables(db)
    schools_before = db.execute("SELECT count(*) FROM schools").fetchone()[0]
    admin, officer = load_actor(db, "A1"), load_actor(db, "PC1000")
    expected = SEARCHES[text]
    hits = {h.key for h in search(sql_store, admin, text, limit=50) if h.kind == "school"}
    # the palette search also matches URNs: the expected schools are found, and nothing else by wildcard
    assert expected <= hits
    found = {u: db.execute("SELECT name || ' ' || urn FROM schools WHERE urn = ?", [u]).fetchone()[0] for u in hits}
    assert all(text.lower() in name_and_urn.lower() for name_and_urn in found.values())
    listed = {r.urn for r in caseload(sql_store, officer, date(2026, 1, 7), text=text)}
    assert listed == expected
    assert _tables(db) == tables
    assert db.execute("SELECT count(*) FROM schools").fetchone()[0] == schools_before


def test_hostile_names_and_refs_round_trip_through_desk_queries(sql_store):
    from datetime import date

    from slo.services.actors import load_actor
    from slo.services.queries.audit_log import audit_log
    from slo.services.queries.caseload import caseload
    from slo.services.queries.palette import search
    from slo.services.queries.school import school_detail, school_young_people
    from slo.services.queries.young_person import young_person

    db, st = sql_store.db, sql_store
    admin, officer = load_actor(db, "A1"), load_actor(db, "PC1000")
    detail = school_detail(st, officer, "100010")
    assert detail.school.name == "x'); DROP TABLE schools; --"
    people = school_young_people(st, officer, "100010")
    assert [(p.ref, p.name) for p in people] == [("YP-'; --", "O'Brien 50%_off")]
    yp = young_person(st, officer, "YP-'; --")
    assert yp.person.given_name == "O'Brien" and yp.school_name == "x'); DROP TABLE schools; --"
    hits = search(st, officer, "50%_")
    assert [(h.kind, h.key) for h in hits] == [("young_person", "YP-'; --")]
    assert search(st, officer, "0%_") and not search(st, officer, "5%0")
    assert audit_log(st, admin, who="A1' OR '1'='1").lines == []
    assert audit_log(st, admin, what="schools'; --").lines == []
    assert audit_log(st, admin, record="%").lines == []  # a key prefix, not a wildcard
    assert audit_log(st, admin, on="%").lines == []  # a date prefix, not a wildcard
    assert len(caseload(st, officer, date(2026, 1, 7))) == 5
    assert {"schools", "young_people", "audit"} <= _tables(db)
