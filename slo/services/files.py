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
the temporary file is removed and the target is untouched; if the writer is
killed, the next write to that folder removes it (:func:`remove_leftovers`).
Folders it makes are 0700 at any umask. Only a regular file is ever replaced:
a device (``/dev/null``), FIFO, socket, folder or symbolic link at the target is
refused (:func:`check_output_path`), and a failed write names the target, never
the temporary file (:class:`OutputRefused`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from slo.models.rules import Problem, ValidationFailed
from slo.store.db import create_private_dir

from .errors import ServiceError

__all__ = ["OutputRefused", "atomic_file", "check_output_path", "create_private_dir", "make_private_dirs", "open_input",
           "private_temp", "read_input", "remove_leftovers", "write_atomic", "write_if_changed"]


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


#: a temporary file younger than this is never taken for a leftover (mkstemp and its flock are not atomic)
TEMP_GRACE_SECONDS = 2.0
#: the temporary files of :func:`private_temp`: ``.<target name>.<8 random characters>.tmp``
_TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


def private_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file for ``name`` in ``folder``: (descriptor, path), mode 0600, flock held.

    The exclusive ``flock`` is held as long as the descriptor is open: it is how
    :func:`remove_leftovers` tells a live writer's file from one whose process died.
    """
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return fd, tmp


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files that killed writers left in ``folder``; returns what was removed.

    A writer killed with SIGKILL (or by a power cut) cannot remove its temporary file: the next
    write to the same folder does. A temporary file is a leftover when no process holds its
    ``flock`` (the kernel drops it when its owner dies), it is ours, and it is at least
    :data:`TEMP_GRACE_SECONDS` old; a live writer's file is never touched.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or time.time() - info.st_mtime < TEMP_GRACE_SECONDS:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer holds it
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


class OutputRefused(ServiceError):
    """An output path that cannot or must not be written; the message names the path as given."""


def check_output_path(path: str | Path) -> None:
    """Refuse ``path`` as an output if it exists and is not a regular file.

    Refused: a device (``/dev/null``: replacing it with a regular file breaks the
    whole machine), a FIFO, a socket, a folder, and a symbolic link (replacing
    the link would not write where it points, and writing through it could reach
    anywhere). A missing path, or a regular file (which is replaced), is fine.
    """
    try:
        target = os.stat(path)  # what a link points to, so a link to /dev/null is named as a device
    except (FileNotFoundError, NotADirectoryError):  # a missing folder on the way is make_private_dirs' to name
        target = None
    except OSError as exc:
        raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    if target is not None and stat.S_ISDIR(target.st_mode):
        raise OutputRefused(f"{path} is a folder; give the path of a file to write")
    if target is not None and not stat.S_ISREG(target.st_mode):
        raise OutputRefused(
            f"{path} is not a regular file (a device, FIFO or socket); it is never replaced: give the path of a file"
        )
    if os.path.islink(path):
        raise OutputRefused(f"{path} is a symbolic link; give the path of the file itself")


def make_private_dirs(folder: str | Path) -> None:
    """Create ``folder`` and any missing parents, each readable by the owner only (0700, whatever
    the umask); refuse a path on the way that is not a folder. Existing folders are left as they are."""
    folder = Path(folder)
    probe = folder
    while not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputRefused(f"{probe} is not a folder, so {folder} cannot be made in it")
    try:
        create_private_dir(folder)
    except OSError as exc:
        raise OutputRefused(f"cannot make the folder {folder}: {exc.strerror or exc}") from None


@contextmanager
def atomic_file(path: str | Path, *, binary: bool = False) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``.

    Missing folders are made 0700 (each one, whatever the umask), the file is 0600, and the
    leftovers of earlier writers that were killed are removed from the folder first.
    ``path`` must be missing or a regular file (:func:`check_output_path`, checked
    before writing and again just before the rename). A failure to write (no space,
    no permission) is an :class:`OutputRefused` naming ``path``, never the temporary file.
    """
    path = Path(path)
    check_output_path(path)
    make_private_dirs(path.parent)
    remove_leftovers(path.parent)
    try:
        fd, tmp = private_temp(path.parent, path.name)
    except OSError as exc:
        raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        f = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
            check_output_path(path)  # it may have been swapped for a device or link while we wrote
            os.replace(tmp, path)  # while the flock is still held: never a leftover in between
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) and exc.filename in (None, tmp):
            raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600."""
    binary = isinstance(data, bytes)
    with atomic_file(path, binary=binary) as f:
        f.write(data)


def json_chunks(value: Any, *, size: int = 1 << 16) -> Iterator[str]:
    """``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"``, in pieces of about ``size`` characters.

    ``json.dumps`` with an indent uses the pure-Python encoder, which keeps every small piece in a
    list before joining them (a national evaluation dataset, 30 MB of text, took 130 MB more than
    the report itself); the same pieces, yielded as they come, give the same text.
    """
    batch: list[str] = []
    length = 0
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    batch.append("\n")
    yield "".join(batch)


def _same_content(path: Path, size: int, digest: bytes) -> bool:
    try:
        if path.stat().st_size != size:
            return False
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return False
    return h.digest() == digest


def write_chunks_if_changed(path: str | Path, chunks: Iterable[str | bytes]) -> bool:
    """Write the concatenated ``chunks`` to ``path`` unless it already holds exactly them; True if it wrote.

    Streamed: the pieces go to a private temporary file (as :func:`atomic_file`) while they are
    hashed, so memory holds one piece at a time, not the whole file twice; then the file on disk is
    hashed block by block and the temporary file either replaces it or is removed.
    """
    path = Path(path)
    create_private_dir(path.parent)
    remove_leftovers(path.parent)
    fd, tmp = private_temp(path.parent, path.name)
    h = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                h.update(data)
                size += len(data)
                f.write(data)
            f.flush()
            if _same_content(path, size, h.digest()):
                os.unlink(tmp)
                return False
            os.fsync(f.fileno())
            os.replace(tmp, path)
        return True
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_if_changed(path: str | Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` already holds exactly these bytes. True if it wrote."""
    path = Path(path)
    check_output_path(path)  # never read from (or wait on) a FIFO or device put in its place
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True
