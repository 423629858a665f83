"""A read the desk makes in a worker, made to wait for the test (as a busy machine or a large database
would make it wait), then read as usual: tests/tui/test_keystrokes.py and tests/tui/test_open_read.py."""

from __future__ import annotations

import threading
from typing import Any


def blocked(monkeypatch: Any, module: Any, name: str) -> tuple[threading.Event, list[tuple[Any, ...]]]:
    """``module.name`` (a read model or a screen's read function, as the module that calls it sees it)
    made to wait until the returned event is set; the list gets each call's positional arguments."""
    release = threading.Event()
    calls: list[tuple[Any, ...]] = []
    real = getattr(module, name)

    def wait_then_read(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        assert release.wait(30), "the test never let the database answer"
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wait_then_read)
    return release, calls
