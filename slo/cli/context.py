"""What every command gets: the resolved global options, the store, the acting user."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from slo.services.actors import Actor
from slo.services.identity import Principal, current_account, resolve
from slo.store.db import Store, open_store


@dataclass
class Context:
    db_path: Path
    exports: Path
    user: str | None
    db_given: bool = False
    #: who reached slo (the OS account, or the SSH key of ``slo session``); None = this process's account
    principal: Principal | None = None
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args) -> Context:
        db = args.db or os.environ.get("SLO_DB")
        exports = args.exports or os.environ.get("SLO_EXPORTS") or "exports"
        user = args.user or os.environ.get("SLO_USER") or None
        return cls(
            db_path=Path(db or "db/slo.db"),
            exports=Path(exports),
            user=user,
            db_given=bool(db),
            principal=current_account(),
        )

    def store(self, *, create: bool = False) -> Store:
        if self._store is None:
            self._store = open_store(self.db_path, create=create)
        return self._store

    def who(self) -> Principal:
        """The principal acting: the SSH key of a session, otherwise this process's account."""
        if self.principal is None:
            self.principal = current_account()
        return self.principal

    @overload
    def actor(self, *, required: Literal[True] = ...) -> Actor: ...
    @overload
    def actor(self, *, required: bool) -> Actor | None: ...

    def actor(self, *, required: bool = True) -> Actor | None:
        """The acting officer: ``--user``/``SLO_USER`` among the officers the principal is bound to
        (any officer on a demo database), or the one it is bound to; refused (exit 1, audited)
        otherwise. See :func:`slo.services.identity.resolve`."""
        return resolve(self.store(), self.who(), self.user, required=required)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


_UNSAFE = None


def err(message: str) -> None:
    """A message for people, on standard error: one line per call, no control characters
    (a path or value the user typed could otherwise carry an ESC sequence to the terminal)."""
    global _UNSAFE
    if _UNSAFE is None:
        import re

        _UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    text = _UNSAFE.sub("?", str(message))
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    print(text, file=sys.stderr, flush=True)


class StderrProgress:
    """Progress on standard error: a line every few seconds' worth of records, and at the end."""

    def __init__(self, label: str, every: int = 20000):
        self.label = label
        self.every = every
        self._last = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """``total`` 0 means unknown (a streamed file): report every ``every`` records."""
        if total == 0:
            if done - self._last >= self.every:
                self._last = done
                err(f"{self.label}: {done:,} records ({stage})")
        elif total >= self.every and (done - self._last >= self.every or done == total):
            self._last = done
            err(f"{self.label}: {stage} {done:,}/{total:,}")
