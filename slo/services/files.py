"""Writing files that leave the database: atomically, owner-only, never half-written.

Every export (bundles, reports, digests) goes through :func:`atomic_file`: the
content is written to a temporary file in the same folder, flushed to disk,
given mode 0600 (the files hold police records) and renamed over the target,
so a reader sees the old file or the new one, never a part. If anything fails
the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_file(path: str | Path, *, binary: bool = False) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary:
            f = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600."""
    binary = isinstance(data, bytes)
    with atomic_file(path, binary=binary) as f:
        f.write(data)


def write_if_changed(path: str | Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` already holds exactly these bytes. True if it wrote."""
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True
