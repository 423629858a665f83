"""Load on one force server: 25 concurrent SSH sessions, each with its own key, reading and writing.

    sudo .venv/bin/python benchmarks/bench_ssh.py [--sessions 25] [--rounds 4] [--json OUT]

Everything is real (tests/helpers/sshd.py): a service account made with useradd, a force-scale
database built by ``slo demo --scale force``, exported and imported by that account (so it is a
real database, not a demo), one key per officer granted with ``slo access grant``, and OpenSSH's
sshd on 127.0.0.1. Each simulated officer holds one SSH connection open for the whole run
(``ControlMaster``; "sessions held") and sends a scripted mix over it, every command a new channel
and a new ``slo session`` process on the server, as ``ssh slo@server due`` would be:

* reads: ``whoami``, ``due``, ``due --format json``, ``report continuity`` for a month (own scope);
* writes: ``abstraction add`` for the officer's own collar, a half day on a day of its own.

It prints: sessions held, writes acknowledged (exit 0 with a ref), writes found afterwards in the
database (must be equal: every acknowledged ref is there, nothing else), "busy" answers, p50/p95
per operation, and the server's memory: RSS and PSS (shared pages divided among the processes that
share them) of sshd and the ``slo session`` processes, idle with every session held and at the peak
under load, per session. Needs root (it creates and removes the account); prints figures, asserts
only that acknowledged and found writes agree.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from helpers.sshd import ForceServer, require_root  # noqa: E402


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process, in kB (0, 0 if it has gone)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0, 0
    values = {}
    for line in rollup.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
            values[parts[0]] = int(parts[1])
    return values.get("Rss:", 0), values.get("Pss:", 0)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def server_memory(root: int) -> dict[str, float]:
    """The sshd master's descendants, in MB: sshd's per-connection processes (with the shells that
start forced commands) and the ``slo session`` processes."""
    tree = _children()
    todo, seen = list(tree.get(root, [])), []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(tree.get(pid, []))
    out = {"sshd_rss": 0.0, "sshd_pss": 0.0, "slo_rss": 0.0, "slo_pss": 0.0, "slo_processes": 0}
    for pid in seen:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except (FileNotFoundError, ProcessLookupError):  # the process ended meanwhile
            continue
        rss, pss = _memory(pid)
        # sshd's processes, and the login shell that runs the forced command, count as sshd
        kind = "sshd" if name.startswith("sshd") or name in ("sh", "dash", "bash") else "slo"
        out[f"{kind}_rss"] += rss / 1024
        out[f"{kind}_pss"] += pss / 1024
        if kind == "slo" and rss:
            out["slo_processes"] += 1
    return out


class Sampler(threading.Thread):
    """Samples the server's memory every 0.1 s; keeps the peak of the total PSS."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak: dict[str, float] = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                now = server_memory(self.root)
            except OSError:  # a process came and went while it was read: take the next sample
                continue
            if now["sshd_pss"] + now["slo_pss"] > self.peak.get("sshd_pss", 0) + self.peak.get("slo_pss", 0):
                self.peak = now
            time.sleep(0.1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def build(server: ForceServer, sessions: int) -> list[str]:
    """A real force-scale database owned by the service account; one key per officer; the collars."""
    demo = server.base / "demo.db"
    bundle = server.base / "force.json"
    env = {**os.environ, "SLO_CONFIG_DIR": str(server.base / "root-config")}
    for argv in (["--db", str(demo), "demo", "--scale", "force"],
                 ["--db", str(demo), "--user", "A1", "export", "bundle", str(bundle)]):
        subprocess.run([sys.executable, "-m", "slo", *argv], check=True, env=env, capture_output=True)
    server.give(bundle)
    done = server.as_service("import", str(bundle), timeout=600)
    if done.returncode:
        raise SystemExit(f"import failed: {done.stderr}")
    conn = sqlite3.connect(server.home / "db" / "slo.db")
    collars = [r[0] for r in conn.execute(
        "SELECT collar_number FROM officers WHERE role = 'slo' AND end_date IS NULL ORDER BY collar_number "
        "LIMIT ?", [sessions])]
    conn.close()
    if len(collars) < sessions:
        raise SystemExit(f"only {len(collars)} officers to give keys to")
    server.officers = {}
    for collar in collars:
        key = server.new_key(collar.lower())
        done = server.as_service("access", "grant", collar, "--ssh-key", "-", stdin=Path(f"{key}.pub").read_text())
        if done.returncode:
            raise SystemExit(f"grant {collar} failed: {done.stderr}")
        server.officers[collar] = key
    return collars


class Officer(threading.Thread):
    """One officer: a held connection, then the scripted mix."""

    def __init__(self, server: ForceServer, collar: str, index: int, rounds: int, run: str,
                 start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.server, self.collar, self.index, self.rounds, self.run_id = server, collar, index, rounds, run
        self.start_barrier = start
        self.key = server.officers[collar]
        self.socket = server.base / f"cm-{index}"
        self.timings: dict[str, list[float]] = {}
        self.acknowledged: list[str] = []
        self.busy = 0
        self.failures: list[str] = []
        self.held = False

    def master(self) -> list[str]:
        return [*self.server.ssh_argv(self.key)[:-1], "-o", "ControlMaster=yes", "-o", f"ControlPath={self.socket}",
                "-o", "ControlPersist=yes", "-N", "-f", f"{self.server.user}@127.0.0.1"]

    def command(self, *words: str) -> list[str]:
        argv = self.server.ssh_argv(self.key, *words)
        at = argv.index(f"{self.server.user}@127.0.0.1")
        return [*argv[:at], "-o", f"ControlPath={self.socket}", *argv[at:]]

    def connect(self) -> None:
        done = subprocess.run(self.master(), capture_output=True, text=True, timeout=60)
        self.held = done.returncode == 0
        if not self.held:
            self.failures.append(f"connect: {done.stderr.strip()}")

    def still_held(self) -> bool:
        check = [*self.server.ssh_argv(self.key)[:-1], "-o", f"ControlPath={self.socket}", "-O", "check",
                 f"{self.server.user}@127.0.0.1"]
        return subprocess.run(check, capture_output=True, timeout=30).returncode == 0

    def close(self) -> None:
        stop = [*self.server.ssh_argv(self.key)[:-1], "-o", f"ControlPath={self.socket}", "-O", "exit",
                f"{self.server.user}@127.0.0.1"]
        subprocess.run(stop, capture_output=True, timeout=30)

    def timed(self, name: str, *words: str) -> subprocess.CompletedProcess:
        started = time.perf_counter()
        done = subprocess.run(self.command(*words), capture_output=True, text=True, timeout=300)
        self.timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        if "busy" in done.stderr:
            self.busy += 1
        elif done.returncode:
            self.failures.append(f"{name}: {done.stderr.strip()[:200]}")
        return done

    def run(self) -> None:
        self.start_barrier.wait()
        today = date.today()
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        for n in range(self.rounds):
            self.timed("whoami", "whoami")
            self.timed("due (text)", "due")
            # a day of its own, years ahead, for each write (no overlap with anything)
            day = date(2099, 1, 1) + timedelta(days=self.index * 16 + n)
            done = self.timed("abstraction add (write)", "abstraction", "add", "--officer", self.collar,
                              "--from", day.isoformat(), "--to", day.isoformat(), "--portion", "half",
                              "--category", "training", "--requested-by", f"bench-{self.run_id}")
            if done.returncode == 0 and done.stdout.split():
                self.acknowledged.append(done.stdout.split()[0])
            self.timed("due --format json", "due", "--format", "json")
            self.timed("report continuity (a month)", "report", "continuity", "--from", month.isoformat(),
                       "--to", (today.replace(day=1) - timedelta(days=1)).isoformat())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=4, help="rounds of the five-command mix per session")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    why = require_root()
    if why:
        print(f"bench_ssh: {why}", file=sys.stderr)
        return 2
    server = ForceServer(prefix="slo-b")
    try:
        started = time.perf_counter()
        collars = build(server, args.sessions)
        server.start()
        print(f"set-up: force-scale database, {len(collars)} keys granted, sshd on 127.0.0.1:{server.port} "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        run_id = uuid.uuid4().hex[:8]
        barrier = threading.Barrier(len(collars))
        officers = [Officer(server, c, i, args.rounds, run_id, barrier) for i, c in enumerate(collars)]
        for o in officers:
            o.connect()
        held_at_start = sum(o.held for o in officers)
        time.sleep(1)
        idle = server_memory(server.sshd_pid())
        sampler = Sampler(server.sshd_pid())
        sampler.start()
        load_before = os.getloadavg()
        began = time.perf_counter()
        for o in officers:
            o.start()
        for o in officers:
            o.join()
        wall = time.perf_counter() - began
        sampler.stop_event.set()
        sampler.join()
        held_at_end = sum(o.still_held() for o in officers)
        for o in officers:
            o.close()
        conn = sqlite3.connect(server.home / "db" / "slo.db")
        found = {r[0] for r in conn.execute("SELECT ref FROM abstractions WHERE requested_by = ?",
                                            [f"bench-{run_id}"])}
        conn.close()
        acknowledged = [ref for o in officers for ref in o.acknowledged]
        timings: dict[str, list[float]] = {}
        for o in officers:
            for name, values in o.timings.items():
                timings.setdefault(name, []).extend(values)
        failures = [f for o in officers for f in o.failures]
        busy = sum(o.busy for o in officers)
        n = len(collars)
        peak = sampler.peak
        result = {
            "sessions": n,
            "held_at_start": held_at_start,
            "held_at_end": held_at_end,
            "rounds": args.rounds,
            "commands": sum(len(v) for v in timings.values()),
            "wall_s": wall,
            "writes_acknowledged": len(acknowledged),
            "writes_found": len(found),
            "writes_match": set(acknowledged) == found,
            "busy": busy,
            "failures": len(failures),
            "operations": {name: {"n": len(v), "p50_ms": statistics.median(v), "p95_ms": percentile(v, 95)}
                           for name, v in timings.items()},
            "idle_sshd_rss_mb_per_session": idle["sshd_rss"] / n,
            "idle_sshd_pss_mb_per_session": idle["sshd_pss"] / n,
            "peak_total_rss_mb": peak.get("sshd_rss", 0) + peak.get("slo_rss", 0),
            "peak_total_pss_mb": peak.get("sshd_pss", 0) + peak.get("slo_pss", 0),
            "peak_slo_processes": peak.get("slo_processes", 0),
            "peak_slo_pss_mb_each": peak.get("slo_pss", 0) / max(1, peak.get("slo_processes", 0)),
            "peak_slo_rss_mb_each": peak.get("slo_rss", 0) / max(1, peak.get("slo_processes", 0)),
            "load_before": load_before,
            "load_after": os.getloadavg(),
        }
        result["peak_pss_mb_per_session"] = result["peak_total_pss_mb"] / n
        print(f"sessions held: {held_at_start} of {n} at the start, {held_at_end} at the end "
              f"({result['commands']} commands in {wall:.1f} s, {result['commands'] / wall:.1f} commands/s)")
        print(f"writes acknowledged: {len(acknowledged)}; found afterwards: {len(found)}; "
              f"{'the same refs' if result['writes_match'] else 'DIFFERENT'}")
        print(f"busy answers: {busy}; other failures: {len(failures)}")
        for failure in failures[:5]:
            print(f"  {failure}")
        print("per operation (ms):")
        for name, f in result["operations"].items():
            print(f"  {name:<30} n={f['n']:<4} p50 {f['p50_ms']:7.0f}  p95 {f['p95_ms']:7.0f}")
        print(f"server memory, every session held and idle: sshd {idle['sshd_rss']:.0f} MB RSS / "
              f"{idle['sshd_pss']:.0f} MB PSS in all = {result['idle_sshd_rss_mb_per_session']:.1f} MB RSS, "
              f"{result['idle_sshd_pss_mb_per_session']:.1f} MB PSS per session")
        print(f"server memory, peak under load: {result['peak_total_rss_mb']:.0f} MB RSS / "
              f"{result['peak_total_pss_mb']:.0f} MB PSS in all = {result['peak_pss_mb_per_session']:.1f} MB PSS "
              f"per session; {result['peak_slo_processes']} slo session processes at once, "
              f"{result['peak_slo_rss_mb_each']:.0f} MB RSS / {result['peak_slo_pss_mb_each']:.0f} MB PSS each")
        print(f"load average before {load_before[0]:.2f}, after {result['load_after'][0]:.2f} "
              f"({os.cpu_count()} CPUs)")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
        return 0 if result["writes_match"] else 1
    finally:
        server.close()


if __name__ == "__main__":
    raise SystemExit(main())
