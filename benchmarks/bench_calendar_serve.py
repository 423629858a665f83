"""Benchmark of the calendar service: 200 schools' calendar clients polling at once.

    python benchmarks/bench_calendar_serve.py [--schools 200] [--rounds 20] [--db PATH] [--json OUT]

Builds a force-scale demo database in a temporary folder (or copies ``--db``), exports every
calendar, issues a link for ``--schools`` schools that have a file, and starts the real service
(``slo calendars serve`` as a child process on a free port of 127.0.0.1, ``--trusted-proxy
127.0.0.1``, every other limit at its default). Each school's client has its own keep-alive
connection and its own forwarded address (``X-Forwarded-For`` from the TEST-NET ranges, as the
reverse proxy would send it), so each is rate-limited on its own, as in production.

1. **first fetch**: every client GETs its calendar at the same moment (200 with the file; the first
   fetch of the day of each school is a disclosure, written to the audit log before the answer);
2. **polling**: ``--rounds`` times, every client sends a conditional GET (``If-None-Match``) at the
   same moment and waits for its 304; the next round starts when all have answered.

It prints the latency of each request (p50, p95, p99, max), the requests per second over the
polling rounds, and the service's CPU time per request (from /proc). The load generator is a
small asyncio HTTP/1.1 client in this process (a heavier client would measure itself): it runs on
the same two shared cores as the service, so the figures are a floor for what the service does
alone. Speed is measured here, never in the tests. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slo.calendars import export_calendars  # noqa: E402
from slo.services import calendar_links  # noqa: E402
from slo.services.actors import load_actor  # noqa: E402
from slo.store.db import open_store  # noqa: E402


def slo(*argv: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "slo", *argv], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def prepare(work: Path, source: str | None, schools: int) -> tuple[Path, Path, list[str]]:
    """A database with calendars exported and ``schools`` links issued: (db, exports, link paths)."""
    db = work / "slo.db"
    if source:
        shutil.copyfile(source, db)
    else:
        print("building a force-scale demo database ...", flush=True)
        slo("demo", "--scale", "force", "--db", str(db), cwd=work)
    exports = work / "exports"
    store = open_store(db, create=False)
    try:
        admin = next(a for a in (load_actor(store.db, c) for c, in store.db.execute(
            "SELECT collar_number FROM officers WHERE role = 'admin' ORDER BY collar_number")))
        started = time.perf_counter()
        result = export_calendars(store, admin, exports)
        print(f"exported {len(result.written)} calendars in {time.perf_counter() - started:.1f} s", flush=True)
        urns = [u for u, in store.db.execute(
            "SELECT urn FROM calendar_files WHERE path != '' ORDER BY urn LIMIT ?", [schools])]
        if len(urns) < schools:
            sys.exit(f"only {len(urns)} schools have a calendar; ask for fewer with --schools")
        calendar_links.set_base_url(store, admin, "http://127.0.0.1:1")
        paths = []
        for urn in urns:
            url = calendar_links.rotate(store, admin, urn).url
            paths.append(url.removeprefix("http://127.0.0.1:1"))
    finally:
        store.close()
    return db, exports, paths


class Service:
    def __init__(self, db: Path, exports: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("SLO_DB", "SLO_EXPORTS", "SLO_USER")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "slo", "--db", str(db), "--exports", str(exports), "calendars", "serve",
             "--listen", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.ready = threading.Event()
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.proc.kill()
            sys.exit(f"the service did not start: {self.lines}")
        line = next(x for x in self.lines if "listening on" in x)
        self.port = int(line.split("http://127.0.0.1:")[1].split(",")[0])

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if "listening on" in line:
                self.ready.set()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


class Client:
    """One school's calendar client: a keep-alive HTTP/1.1 connection and the ETag it last saw."""

    def __init__(self, port: int, path: str, forwarded: str) -> None:
        self.port, self.path, self.forwarded = port, path, forwarded
        self.etag = ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def get(self) -> tuple[int, float]:
        assert self.reader is not None and self.writer is not None
        conditional = f"If-None-Match: {self.etag}\r\n" if self.etag else ""
        request = (f"GET {self.path} HTTP/1.1\r\nHost: calendars.example.police.uk\r\n"
                   f"User-Agent: bench-calendar-client/1\r\nX-Forwarded-For: {self.forwarded}\r\n"
                   f"{conditional}\r\n").encode()
        started = time.perf_counter()
        self.writer.write(request)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"etag":
                self.etag = value.strip().decode()
        if length:
            await self.reader.readexactly(length)
        return status, time.perf_counter() - started

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def forwarded_address(i: int) -> str:
    """A distinct documentation address per client (RFC 5737 TEST-NET-2 and -3): never a real host."""
    return f"198.51.100.{i + 1}" if i < 200 else f"203.0.113.{i - 199}"


async def load(port: int, paths: list[str], rounds: int, service: Service) -> dict:
    clients = [Client(port, p, forwarded_address(i)) for i, p in enumerate(paths)]
    await asyncio.gather(*(c.connect() for c in clients))
    started = time.perf_counter()
    first = await asyncio.gather(*(c.get() for c in clients))
    first_wall = time.perf_counter() - started
    if {s for s, _ in first} != {200}:
        raise SystemExit(f"first fetch: statuses {sorted({s for s, _ in first})}")
    cpu_before = service.cpu_seconds()
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        answers = await asyncio.gather(*(c.get() for c in clients))
        bad = {s for s, _ in answers} - {304}
        if bad:
            raise SystemExit(f"polling: statuses {sorted(bad)}")
        latencies += [t for _, t in answers]
    wall = time.perf_counter() - started
    cpu = service.cpu_seconds() - cpu_before
    await asyncio.gather(*(c.close() for c in clients))
    return {"first": [t for _, t in first], "first_wall": first_wall, "latencies": latencies, "wall": wall,
            "cpu": cpu}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=200, help="calendar clients polling at once (max 300)")
    parser.add_argument("--rounds", type=int, default=20, help="conditional GETs per client")
    parser.add_argument("--db", help="copy this database instead of building a force-scale demo")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.schools <= 300:
        parser.error("--schools must be between 1 and 300")
    work = Path(tempfile.mkdtemp(prefix="slo-bench-serve-"))
    try:
        db, exports, paths = prepare(work, args.db, args.schools)
        load_before = os.getloadavg()
        service = Service(db, exports)
        try:
            figures = asyncio.run(load(service.port, paths, args.rounds, service))
        finally:
            code = service.stop()
        load_after = os.getloadavg()
        store = open_store(db, create=False)
        audited = store.db.execute(
            "SELECT count(*) FROM audit WHERE operation = 'disclosure' AND entity = 'calendar_link'").fetchone()[0]
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lat = figures["latencies"]
    n = len(lat)
    out = {
        "schools": args.schools,
        "rounds": args.rounds,
        "first_p50_ms": statistics.median(figures["first"]) * 1000,
        "first_p95_ms": percentile(figures["first"], 0.95) * 1000,
        "first_wall_s": figures["first_wall"],
        "p50_ms": statistics.median(lat) * 1000,
        "p95_ms": percentile(lat, 0.95) * 1000,
        "p99_ms": percentile(lat, 0.99) * 1000,
        "max_ms": max(lat) * 1000,
        "requests": n,
        "rps": n / figures["wall"],
        "cpu_ms_per_request": figures["cpu"] / n * 1000,
        "audit_rows": audited,
        "exit": code,
        "load_before": load_before,
        "load_after": load_after,
    }
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"first fetch ({args.schools} clients at once, 200 with the file, one disclosure audited per school): "
          f"p50 {out['first_p50_ms']:.1f} ms, p95 {out['first_p95_ms']:.1f} ms, all in {out['first_wall_s']:.2f} s")
    print(f"polling ({args.schools} clients at once x {args.rounds} rounds, conditional GET -> 304): "
          f"p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms, "
          f"max {out['max_ms']:.1f} ms")
    print(f"throughput: {out['rps']:.0f} requests/s ({n} requests), service CPU {out['cpu_ms_per_request']:.2f} ms "
          "per request")
    print(f"audit: {audited} disclosure rows for {args.schools} schools; service exit code {code}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0 if code == 0 and audited == args.schools else 1


if __name__ == "__main__":
    raise SystemExit(main())
