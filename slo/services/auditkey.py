"""The audit key: a secret of the account that runs SLO Desk, kept outside every database file.

The audit log's checkpoint (:mod:`slo.services.audit`) is authenticated with
HMAC-SHA-256 under this key, so someone who can write the database file but
cannot read the account's configuration folder cannot forge a checkpoint for a
log they have cut short or rewritten.

Where it lives: ``$SLO_CONFIG_DIR/audit.key`` when ``SLO_CONFIG_DIR`` is set,
else ``$XDG_CONFIG_HOME/slo/audit.key``, else ``~/.config/slo/audit.key``. On a
force server that is the serving account's home, which officers (who reach
SLO Desk over SSH with a forced command) cannot read. The folder is created
0700 and the key 0600; the key is 32 random bytes written as 64 hex digits.

It is made the first time a new database starts its checkpoint (so the first
``slo import``, ``slo demo`` or ``slo check --anchor``), atomically: two
processes that create it at once end with one key. It is never made to replace
one that is unreadable or malformed (that is an error to fix, not to paper
over). Back it up with the server's configuration, never beside the database
backups: whoever holds both can rewrite history.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

ENV = "SLO_CONFIG_DIR"
KEY_FILE = "audit.key"
KEY_BYTES = 32


class AuditKeyError(Exception):
    """The audit key exists but cannot be used; ``str()`` is one line that says what to do."""


def config_dir() -> Path:
    """The serving account's configuration folder for SLO Desk."""
    explicit = os.environ.get(ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "slo"


def key_path() -> Path:
    return config_dir() / KEY_FILE


def key_id(key: bytes) -> str:
    """A short public name of a key (the first 12 hex digits of its SHA-256), for messages."""
    return hashlib.sha256(b"slo-audit-key-id\n" + key).hexdigest()[:12]


def _parse(text: str, path: Path) -> bytes:
    value = text.strip()
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise AuditKeyError(f"the audit key {path} is malformed (expected {2 * KEY_BYTES} hex digits); "
                            "restore it from the server's configuration backup")
    return key


def load_key(*, create: bool = False) -> bytes | None:
    """The account's audit key; ``None`` when there is none and ``create`` is false.

    With ``create`` a missing key is made (folder 0700, file 0600, atomically).
    Raises :class:`AuditKeyError` for a key that exists but cannot be read or is malformed.
    """
    path = key_path()
    try:
        return _parse(path.read_text(encoding="ascii"), path)
    except FileNotFoundError:
        if not create:
            return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"cannot read the audit key {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return _create(path)


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 0700 each (whatever the umask)."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(part, 0o700)


def _create(path: Path) -> bytes:
    try:
        _make_private_dirs(path.parent)
        key = secrets.token_bytes(KEY_BYTES)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process made the key first: theirs wins
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise AuditKeyError(
            f"cannot create the audit key {path}: {exc.strerror or exc}; set {ENV} to a private folder"
        ) from None
    return _parse(path.read_text(encoding="ascii"), path)
