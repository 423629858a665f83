"""Which screen is home for each role (the one statement of it), and the home caseload read early.

The desk opens on :func:`home_of`'s screen; ``slo`` starts reading the home caseload
(:func:`start_home_caseload`) while Textual is still being imported (about 0.3 s of the
interpreter's time, during which SQLite's part of the query runs with the GIL released),
and the caseload screen takes the result for its first load (:func:`take_home_caseload`)
instead of starting a worker after the first paint (docs/performance.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

from slo.services.actors import Actor
from slo.store.db import Store

from .caseload import CaseloadRow, caseload
from .scope import ALL, OWN, view_scope

T = TypeVar("T")


class Home(StrEnum):
    """The screens a desk can open on."""

    CASELOAD = "caseload"
    TEAM = "team"
    REPORTS = "reports"
    #: the evaluation dataset's figures (an evaluator may see nothing else)
    EVALUATION = "evaluation"
    #: every school with its officer (an admin's)
    SCHOOLS = "schools"


@dataclass(frozen=True)
class HomePlace:
    screen: Home
    #: the caseload's scope (own, all) when ``screen`` is the caseload
    scope: str | None = None


def home_of(actor: Actor) -> HomePlace:
    """Home for ``actor``: an SLO's own caseload, a sergeant's team, every school with its officer (or
    none) for an admin, every school with an officer for an inspector, the evaluation dataset's
    figures for an evaluator, who may see no caseload."""
    if actor.role == "sergeant":
        return HomePlace(Home.TEAM)
    if actor.role == "admin":
        return HomePlace(Home.SCHOOLS)
    if actor.role == "inspector":
        return HomePlace(Home.CASELOAD, ALL)
    if actor.role == "evaluator":
        return HomePlace(Home.EVALUATION)
    return HomePlace(Home.CASELOAD, OWN)


class EarlyRead(Generic[T]):
    """A read started in a thread of its own before the desk's screens exist."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        with _early_lock:
            _running.add(self)
        threading.Thread(target=self._run, name="slo-early-read", daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            self._error = exc
        finally:
            self._done.set()
            with _early_lock:
                _running.discard(self)

    def ready(self) -> bool:
        """Finished, with a value (an error is raised again by :meth:`wait`)."""
        return self._done.is_set() and self._error is None

    def wait(self) -> T:
        """The value, once the read has finished; its exception if it failed."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when no error


_early: dict[tuple[int, str, str, str], EarlyRead[list[CaseloadRow]]] = {}
#: the early reads not finished yet, taken or not (:func:`finish_early_reads`)
_running: set[EarlyRead[Any]] = set()
_early_lock = threading.RLock()  # start_home_caseload makes an EarlyRead, which registers itself, under it


def finish_early_reads() -> None:
    """Wait for every early read still running, and forget those never taken: before the store they
    read through is closed. Closing a connection while another thread runs a query on it crashes
    SQLite (a desk that ends before its first screen took the caseload: a segmentation fault in CI)."""
    with _early_lock:
        running = list(_running)
        _early.clear()
    for read in running:
        read._done.wait()


def _key(store: Store, actor: Actor, on: date, scope: str) -> tuple[int, str, str, str]:
    return (id(store), actor.collar, scope, on.isoformat())


def start_home_caseload(store: Store, actor: Actor, on: date) -> None:
    """Start reading the caseload the desk will open on, if home is a caseload ``actor`` may see."""
    home = home_of(actor)
    scope = home.scope
    if home.screen != Home.CASELOAD or scope is None or view_scope(actor) is None:
        return
    with _early_lock:
        _early[_key(store, actor, on, scope)] = EarlyRead(lambda: caseload(store, actor, on, scope=scope))


def take_home_caseload(store: Store, actor: Actor, on: date, scope: str) -> EarlyRead[list[CaseloadRow]] | None:
    """The early read of exactly this caseload (unfiltered), once; None when there is none."""
    with _early_lock:
        return _early.pop(_key(store, actor, on, scope), None)
