"""A real force server for tests and the SSH benchmark: a service account and an OpenSSH server.

Everything here is real: ``useradd`` makes the service account (root only, as CI
runs), ``ssh-keygen`` makes the host key and the officers' keys, ``/usr/sbin/sshd``
listens on 127.0.0.1 on a free port with its own ``sshd_config``, and ``ssh`` logs
in. :class:`ForceServer` removes the account, the folder and the server again.

Everything lives under one folder in ``/tmp`` (mode 0755, so the service account can
reach its home inside it; pytest's own folders are private to root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SSHD = "/usr/sbin/sshd"
VENV_BIN = Path(sys.executable).parent

SSHD_CONFIG = """\
# A force server's sshd for SLO Desk (see docs/server.md), on 127.0.0.1 for the tests.
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers {user}
StrictModes yes
PermitUserEnvironment no
DisableForwarding yes
PrintMotd no
LogLevel VERBOSE
MaxStartups 100:30:200
MaxSessions 30
# Deliberately careless: a server that lets clients set SLO_* variables. slo session must refuse them.
AcceptEnv LANG LC_* SLO_*
"""


def require_root() -> str | None:
    """Why a real server cannot be run here (None if it can)."""
    if os.geteuid() != 0:
        return "the force-server tests create an account and run sshd: they need root (CI runs as root)"
    for tool in (SSHD, shutil.which("ssh"), shutil.which("ssh-keygen"), shutil.which("useradd")):
        if not tool or not Path(tool).exists():
            return "openssh-server and openssh-client are needed (scripts/test.sh installs them)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _readable_by_others(path: Path) -> bool:
    """Whether an unprivileged account can execute ``path`` (every folder on the way searchable)."""
    real = Path(os.path.realpath(path))
    if not real.exists() or not real.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in real.parents)


def slo_for_others(folder: Path) -> str:
    """An ``slo`` executable another account can run: this venv's, or a wrapper script.

    When the venv's interpreter lives in a private folder (pyenv under /root), the
    wrapper runs the system's python3.11 on this venv's packages (the same minor
    version, so the compiled wheels load). It is named ``slo``, so the forced command
    that ``slo access grant`` writes names it.
    """
    own = VENV_BIN / "slo"
    if _readable_by_others(VENV_BIN / "python") and _readable_by_others(own):
        return str(own)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = next((p for p in (f"/usr/bin/{version}", f"/usr/local/bin/{version}") if _readable_by_others(Path(p))),
                  None)
    if system is None:
        raise RuntimeError(f"no {version} that another account can run (install python3 from Debian)")
    site = VENV_BIN.parent / "lib" / version / "site-packages"
    wrapper = folder / "bin" / "slo"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(
        f"#!{system} -S\n"  # -S: not the system's packages (khal's older icalendar), only this venv's
        "import site\n"
        f"site.addsitedir({str(site)!r})\n"
        "from slo.cli.main import entry\n"
        "entry()\n"
    )
    os.chmod(wrapper.parent, 0o755)
    os.chmod(wrapper, 0o755)
    return str(wrapper)


class ForceServer:
    """A service account with its home under a fresh folder, and (after :meth:`start`) an sshd for it."""

    def __init__(self, prefix: str = "slo-t") -> None:
        self.base = Path(tempfile.mkdtemp(prefix="slo-ssh-", dir="/tmp"))
        os.chmod(self.base, 0o755)
        self.user = f"{prefix}{uuid.uuid4().hex[:8]}"
        self.home = self.base / "home"
        subprocess.run(["useradd", "--home-dir", str(self.home), "--create-home", "--shell", "/bin/sh",
                        "--password", "*", self.user], check=True, capture_output=True)
        entry = pwd.getpwnam(self.user)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        os.chmod(self.home, 0o700)
        self.slo = slo_for_others(self.base)
        self.keys = self.base / "keys"  # the officers' laptops (root's, like any client's keys)
        self.keys.mkdir(mode=0o700)
        self.sshd: subprocess.Popen | None = None
        self.port = 0
        self.known_hosts = self.base / "known_hosts"

    # ------------------------------------------------------------------ the service account

    def as_service(self, *argv: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``slo ARGV`` as the service account in its home (as the operator would)."""
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8"}
        return subprocess.run([self.slo, *argv], cwd=self.home, env=env, user=self.uid, group=self.gid,
                              extra_groups=[], input=stdin, capture_output=True, text=True, timeout=timeout)

    def give(self, path: Path) -> Path:
        """Let the service account read ``path`` (a bundle the operator copied over)."""
        os.chmod(path, 0o644)
        return path

    @property
    def authorized_keys(self) -> Path:
        return self.home / ".ssh" / "authorized_keys"

    def new_key(self, name: str) -> Path:
        """A fresh ed25519 key pair on 'a laptop'; returns the private key's path (``.pub`` beside)."""
        path = self.keys / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop", "-f", str(path)],
                       check=True)
        return path

    @staticmethod
    def fingerprint(key: Path) -> str:
        out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{key}.pub"], check=True,
                             capture_output=True, text=True).stdout
        return out.split()[1]

    # ------------------------------------------------------------------ sshd

    def start(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder (Debian)
        folder = self.base / "sshd"
        folder.mkdir(mode=0o700)
        host_key = folder / "host_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
        self.port = free_port()
        config = folder / "sshd_config"
        config.write_text(SSHD_CONFIG.format(port=self.port, host_key=host_key, pid_file=folder / "sshd.pid",
                                             user=self.user))
        subprocess.run([SSHD, "-t", "-f", str(config)], check=True, capture_output=True)
        public = (folder / "host_ed25519.pub").read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n")
        self.log = open(folder / "sshd.log", "w")  # noqa: SIM115  (closed in stop)
        self.sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.sshd.poll() is not None:
                raise RuntimeError(f"sshd exited: {(folder / 'sshd.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not start listening")

    def ssh_argv(self, key: Path, *command: str, options: tuple[str, ...] = (), tty: bool = False) -> list[str]:
        argv = ["ssh", "-F", "/dev/null", "-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "LogLevel=ERROR", "-p", str(self.port)]
        for option in options:
            argv += ["-o", option]
        argv += ["-t"] if tty else ["-T"]
        return [*argv, f"{self.user}@127.0.0.1", *(["--", *command] if command else [])]

    def ssh(self, key: Path, *command: str, options: tuple[str, ...] = (), stdin: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        """``ssh -i KEY service@127.0.0.1 COMMAND...`` (ssh joins the words with spaces, as always)."""
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.base)}
        environment.update(env or {})
        return subprocess.run(self.ssh_argv(key, *command, options=options), input=stdin, capture_output=True,
                              text=True, timeout=timeout, env=environment)

    def account_pids(self) -> list[int]:
        """Processes running as the service account (read from /proc)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == self.uid:
                        pids.append(int(entry.name))
                except FileNotFoundError:
                    continue
        return pids

    def sshd_pid(self) -> int:
        assert self.sshd is not None
        return self.sshd.pid

    def stop(self) -> None:
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.send_signal(signal.SIGTERM)
            try:
                self.sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait()
        if self.sshd is not None:
            self.log.close()
        self.sshd = None

    def close(self) -> None:
        """Stop sshd, end the account's processes, remove the account and the folder."""
        self.stop()
        for pid in self.account_pids():  # only this account's processes, which this harness started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            if subprocess.run(["userdel", self.user], capture_output=True).returncode in (0, 6):
                break
            time.sleep(0.1)
        shutil.rmtree(self.base, ignore_errors=True)
