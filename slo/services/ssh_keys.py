"""SSH public keys and the serving account's ``authorized_keys`` file (gitolite-style forced commands).

Granting an officer an SSH key writes one line::

    command="/abs/path/slo session --key SHA256:<fp>",restrict,pty <type> <base64>

so sshd runs ``slo session`` whatever the client asked for; the client's command
reaches it only as ``SSH_ORIGINAL_COMMAND``. ``restrict`` turns off port, agent and
X11 forwarding and ``~/.ssh/rc``; ``pty`` gives back the terminal the desk needs.

The file is rewritten atomically (a temporary file in the same folder, flushed,
renamed over it) with mode 0600, keeping its owner, so sshd's ``StrictModes``
accepts it. Lines SLO Desk did not write are kept byte for byte, in place; ours are
recognised by their exact shape (:data:`OUR_LINE`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import shutil
import stat
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ServiceError

#: key types sshd accepts that we are willing to write
KEY_TYPES = frozenset({
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
})
#: a public key file is one short line; anything much bigger is not one
MAX_KEY_FILE_BYTES = 16 * 1024
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
#: a line that SLO Desk wrote (and may therefore rewrite or remove)
OUR_LINE = re.compile(
    rb'^command="[^"\n]* session --key (?P<fp>SHA256:[A-Za-z0-9+/]{43})",restrict,pty (?P<type>\S+) (?P<blob>\S+)\s*$'
)
#: characters allowed in the path of the slo executable written into a forced command
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./+-]+")


class BadKey(ServiceError):
    """A key or key file that cannot be used (one line naming it)."""


@dataclass(frozen=True)
class PublicKey:
    """An OpenSSH public key without its comment (a comment often holds a name or address)."""

    type: str
    blob: str  # base64, as in the .pub file

    @property
    def fingerprint(self) -> str:
        """``SHA256:`` + unpadded base64 of the SHA-256 of the key blob, as ``ssh-keygen -l`` prints it."""
        return fingerprint_of(base64.b64decode(self.blob))

    @property
    def text(self) -> str:
        return f"{self.type} {self.blob}"


def fingerprint_of(blob: bytes) -> str:
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def is_fingerprint(text: str) -> bool:
    return FINGERPRINT.fullmatch(text) is not None


def parse_public_key(text: str, *, source: str = "the key") -> PublicKey:
    """One OpenSSH public key line (``type base64 [comment]``); refused with one line otherwise."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        found = "no key" if not lines else f"{len(lines)} lines"
        raise BadKey(f"{source}: expected one public key line (as in id_ed25519.pub), found {found}")
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        shown = parts[0][:40] if parts else ""
        raise BadKey(
            f"{source}: not an SSH public key (starts with {shown!r}; expected one of "
            f"{', '.join(sorted(KEY_TYPES))}); options before the key are not accepted"
        )
    key_type, b64 = parts[0], parts[1]
    try:
        blob = base64.b64decode(b64, validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        inner = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        raise BadKey(f"{source}: the {key_type} key's data is not valid base64 key data") from None
    if inner != key_type or len(blob) < 4 + length + 4:
        raise BadKey(f"{source}: the key data says {inner[:40]!r}, not {key_type!r}")
    return PublicKey(key_type, b64)


def read_public_key(value: str) -> PublicKey:
    """The key in FILE.pub, or on standard input for ``-``; a regular file of at most 16 KB."""
    if value == "-":
        text = sys.stdin.read(MAX_KEY_FILE_BYTES + 1)
        source = "standard input"
    else:
        path = Path(value)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise BadKey(f"--ssh-key {value}: file not found") from None
        if not stat.S_ISREG(info.st_mode):
            raise BadKey(f"--ssh-key {value}: not a regular file")
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(MAX_KEY_FILE_BYTES + 1)
        source = f"--ssh-key {value}"
    if len(text) > MAX_KEY_FILE_BYTES:
        raise BadKey(f"{source}: too long for a public key (more than {MAX_KEY_FILE_BYTES:,} characters)")
    return parse_public_key(text, source=source)


# ------------------------------------------------------------------ the slo executable


def slo_executable() -> str:
    """The absolute path of the ``slo`` command that sshd should run (this installation's)."""
    candidates = []
    if Path(sys.argv[0]).name == "slo":
        candidates.append(Path(sys.argv[0]))
    candidates.append(Path(sys.executable).with_name("slo"))
    found = shutil.which("slo")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            path = os.path.abspath(candidate)
            if not _SAFE_PATH.fullmatch(path):
                raise ServiceError(
                    f"the slo command's path {path!r} has characters a forced command cannot carry safely; "
                    "install SLO Desk under a plain path (letters, digits, . _ - + /)"
                )
            return path
    raise ServiceError("cannot find the slo command to write into authorized_keys (is SLO Desk installed?)")


def forced_command_line(slo: str, key: PublicKey) -> str:
    """The authorized_keys line for ``key``: always ``slo session``, no forwarding, a pty for the desk."""
    return f'command="{slo} session --key {key.fingerprint}",restrict,pty {key.text}'


# ------------------------------------------------------------------ the authorized_keys file


def default_authorized_keys() -> Path:
    """The serving account's (this process's account) ``~/.ssh/authorized_keys``, from the password database."""
    import pwd

    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def _read_lines(path: Path) -> list[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return data.splitlines(keepends=True)


def _blob_in(line: bytes, blob: str) -> bool:
    return blob.encode("ascii") in line.split()


def foreign_line_with(path: Path, key: PublicKey) -> int | None:
    """The number (1-based) of a line we did not write that holds ``key``, if any."""
    for number, line in enumerate(_read_lines(path), start=1):
        if OUR_LINE.match(line):
            continue
        if not line.lstrip().startswith(b"#") and _blob_in(line, key.blob):
            return number
    return None


def has_line(path: Path, fingerprint: str) -> bool:
    """Whether ``path`` holds our forced-command line for this fingerprint."""
    for line in _read_lines(path):
        match = OUR_LINE.match(line)
        if match and match["fp"].decode() == fingerprint:
            return True
    return False


def add_line(path: Path, key: PublicKey, slo: str) -> bool:
    """Make sure ``path`` holds our line for ``key`` (replacing an older line of ours for it). True if written."""
    wanted = forced_command_line(slo, key).encode("ascii") + b"\n"
    lines = _read_lines(path)
    out: list[bytes] = []
    present = False
    for line in lines:
        match = OUR_LINE.match(line)
        if match and match["fp"].decode() == key.fingerprint:
            if not present:
                out.append(wanted)
                present = True
            continue
        out.append(line)
    if not present:
        if out and not out[-1].endswith(b"\n"):
            out[-1] += b"\n"
        out.append(wanted)
    if out == lines:
        return False
    write_authorized_keys(path, b"".join(out))
    return True


def remove_lines(path: Path, fingerprints: set[str]) -> int:
    """Remove our lines for these fingerprints from ``path``; the number removed (the file is untouched if 0)."""
    lines = _read_lines(path)
    out = []
    removed = 0
    for line in lines:
        match = OUR_LINE.match(line)
        if match and match["fp"].decode() in fingerprints:
            removed += 1
            continue
        out.append(line)
    if removed:
        write_authorized_keys(path, b"".join(out))
    return removed


def write_authorized_keys(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, mode 0600, keeping the owner of the file (or of its folder).

    A missing ``.ssh`` folder is created 0700. When root writes another account's
    file the new file is given that account as owner, or sshd could not read it.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)
        home = folder.parent.stat()
        if os.geteuid() == 0 and home.st_uid != 0:
            os.chown(folder, home.st_uid, home.st_gid)
    owner = path.stat() if path.exists() else folder.stat()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".authorized_keys.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        if os.geteuid() == 0 and (owner.st_uid, owner.st_gid) != (0, 0):
            os.chown(tmp, owner.st_uid, owner.st_gid)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
