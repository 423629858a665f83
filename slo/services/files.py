"""Files in and out: input read only from regular files, within a bound; output written atomically.

Input (:func:`open_input`, :func:`read_input`): every file an import reads
(a bundle, a GIAS extract, term dates) must be a regular file. A folder, a
device (``/dev/zero``, ``/dev/stdin``), a FIFO or a socket is refused before it
is read (a FIFO is opened without waiting for a writer), and a whole-file read
stops at a stated limit, so no file can exhaust memory or hang the command.

Every export (bundles, reports, digests) goes through :func:`atomic_file`: the
content is written to a temporary file in the same folder, flushed to disk,
given mode 0600 (the files hold police records) and renamed over the target,
so a reader sees the old file or the new one, never a part. If anything fails
the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from slo.models.rules import Problem, ValidationFailed


def _refuse_input(what: str, path: str | Path, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(what, str(path), None, message)])


def _megabytes(n: int) -> str:
    return f"{n:,} bytes ({n / 1_000_000:,.1f} MB)" if n >= 100_000 else f"{n:,} bytes"


def open_input(path: str | Path, what: str, *, limit: int | None = None) -> BinaryIO:
    """Open ``path`` for reading in binary, refusing anything that is not a regular file.

    ``what`` names the import in a refusal (``bundle``, ``gias``, ``term_dates``).
    A file larger than ``limit`` bytes is refused before it is read. Refusals are
    :class:`ValidationFailed`, one line naming the path as given.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse_input(what, path, "file not found") from None
    except OSError as exc:
        raise _refuse_input(what, path, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse_input(what, path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse_input(what, path, "is not a regular file (a device, FIFO or socket); give the path of a file")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO meanwhile, opening it does not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _refuse_input(what, path, f"cannot be read ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _refuse_input(what, path, "is not a regular file (a device, FIFO or socket); give the path of a file")
    if limit is not None and info.st_size > limit:
        os.close(fd)
        raise _refuse_input(what, path, f"is {_megabytes(info.st_size)}; this import reads at most {_megabytes(limit)}")
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb")


def read_input(path: str | Path, what: str, *, limit: int) -> bytes:
    """The whole of the regular file ``path``, refused if it holds more than ``limit`` bytes.

    The size is checked before reading and the read stops at ``limit + 1`` bytes,
    so a file that grows (or a file in /proc that reports size 0) cannot exceed it.
    """
    with open_input(path, what, limit=limit) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise _refuse_input(what, path, f"holds more than {_megabytes(limit)}; this import reads at most that")
    return data


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
