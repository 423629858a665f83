"""Every benchmark on the national demo database, and one table of figures against their targets.

    python benchmarks/run.py                     # build bench/national.db if missing, run everything
    python benchmarks/run.py --only startup desk # some of them
    python benchmarks/run.py --quick             # fewer runs and rounds (a smoke run, noisier)

Benchmarks (each a script of its own in this folder, run here as a child process):

* ``startup``   bench_startup.py: desk start vs a bare Textual app, side by side in tmux (target <= 1.3x)
* ``terminal``  bench_terminal.py: every screen change of an SLO's, a sergeant's and the admin's day in a
                real terminal (tmux, 160x45, key to content on screen) beside a bare Textual push and pop
                measured in the same run (target: p90 <= 1.5x the bare push)
* ``desk``      bench_desk.py: every screen change, Pilot-driven, p95 (target <= 50 ms)
* ``memory``    bench_memory.py: peak RSS of every command (target < 200 MB each), wall times
* ``report``    bench_report.py (if present): the continuity report for an academic year vs raw SQL
* ``calendars`` bench_calendars.py (if present): calendar export vs icalendar (target <= 1.2x)
* ``serve``     bench_calendar_serve.py: the calendar service, 200 schools' clients polling at once
                (its own force-scale database; p50/p95 of conditional GETs, requests per second)
* ``ssh``       bench_ssh.py: 25 concurrent SSH sessions against a real sshd on 127.0.0.1, each with its
                own key, reads and writes over the CLI (its own force-scale database; needs root)

The machine is shared (2 cores): the load average is printed before and after, and figures
are medians of alternating runs where the scripts do that. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ALL = ["startup", "terminal", "desk", "memory", "report", "calendars", "serve", "ssh"]


def stream(argv: list[str], log: Path, timeout: float) -> tuple[int, str]:
    """Run ``argv`` showing its output as it comes; the exit code and the whole output."""
    print(f"$ {' '.join(str(a) for a in argv)}", flush=True)
    lines: list[str] = []
    with open(log, "w") as sink:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                bufsize=1)
        started = time.perf_counter()
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            lines.append(line)
            print(f"  {line}", end="", flush=True)
            if time.perf_counter() - started > timeout:
                proc.kill()
                break
        code = proc.wait()
    return code, "".join(lines)


def ensure_database(db: Path, rebuild: bool) -> None:
    if db.exists() and not rebuild:
        print(f"reusing {db} ({db.stat().st_size / 1e6:.0f} MB)")
        return
    print(f"building the national demo into {db} (about a minute) ...", flush=True)
    if db.exists():
        db.unlink()
    code, _ = stream([sys.executable, str(HERE / "bench_demo.py"), "--scale", "national", "--out", str(db)],
                     Path(tempfile.gettempdir()) / "slo-bench-demo.log", 1800)
    if code:
        sys.exit(f"could not build {db}")


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, bench: str, measure: str, figure: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((bench, measure, figure, target, verdict))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows + [("benchmark", "measure", "figure", "target", "")])
                  for i in range(5)]
        head = ("benchmark", "measure", "figure", "target", "")
        for row in [head, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def run_startup(args, db: Path, work: Path, table: Table) -> None:
    out = work / "startup.json"
    runs = 5 if args.quick else args.startup_runs
    code, _ = stream([sys.executable, str(HERE / "bench_startup.py"), "--db", str(db), "--runs", str(runs),
                      "--json", str(out)], work / "startup.log", 900)
    if code or not out.exists():
        table.add("startup", "desk vs bare Textual app", "failed", "<= 1.3x", "FAILED")
        return
    f = json.loads(out.read_text())
    table.add("startup", "bare Textual app, first screen (median)", f"{f['bare_s']:.3f} s")
    table.add("startup", "desk, caseload on screen (median)", f"{f['desk_s']:.3f} s")
    table.add("startup", "ratio desk / bare", f"{f['ratio']:.2f}x", "<= 1.3x",
              "met" if f["ratio"] <= 1.3 else "OVER")


def run_desk(args, db: Path, work: Path, table: Table) -> None:
    out = work / "desk.json"
    rounds = 5 if args.quick else args.desk_rounds
    code, _ = stream([sys.executable, str(HERE / "bench_desk.py"), "--db", str(db), "--rounds", str(rounds),
                      "--json", str(out)], work / "desk.log", 3600)
    if not out.exists():
        table.add("desk", "screen changes", "failed", "p95 <= 50 ms", "FAILED")
        return
    f = json.loads(out.read_text())
    for r in f["rows"]:
        name = f"{r['who']}: {r['change']}"
        if "error" in r:
            table.add("desk", name, "not settled", "p95 <= 50 ms", "FAILED")
            continue
        figure = f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms (n={r['n']})"
        if r["met"] is None:  # the bare Textual yardstick
            table.add("desk", "yardstick: " + r["change"], figure)
            continue
        table.add("desk", name, figure, "p95 <= 50 ms", "met" if r["met"] else "OVER")


def run_terminal(args, db: Path, work: Path, table: Table) -> None:
    out = work / "terminal.json"
    rounds = 4 if args.quick else args.terminal_rounds
    code, _ = stream([sys.executable, str(HERE / "bench_terminal.py"), "--db", str(db), "--rounds", str(rounds),
                      "--json", str(out)], work / "terminal.log", 5400)
    if not out.exists():
        table.add("terminal", "screen changes in tmux", "failed", "p90 <= 1.5x bare push", "FAILED")
        return
    f = json.loads(out.read_text())
    load = f["load_before"] + f["load_after"]
    table.add("terminal", "load average at start / end (1 min)", f"{load[0]:.1f} / {load[3]:.1f}")
    for r in f["rows"]:
        name = f"{r['who']}: {r['change']}"
        if "error" in r:
            table.add("terminal", name, "not on screen", "p90 <= 1.5x", "FAILED")
            continue
        figure = f"p50 {r['p50_ms']:.0f}, p90 {r['p90_ms']:.0f} ms, {r['ratio']:.2f}x (n={r['n']})"
        if r["met"] is None:
            table.add("terminal", "yardstick: " + r["change"], figure)
            continue
        table.add("terminal", name, figure, "p90 <= 1.5x", "met" if r["met"] else "OVER")


def run_memory(args, db: Path, work: Path, table: Table) -> None:
    out = work / "memory.json"
    argv = [sys.executable, str(HERE / "bench_memory.py"), "--db", str(db), "--json", str(out)]
    if args.quick:
        argv += ["--skip", "demo", "import", "bundle"]
    code, _ = stream(argv, work / "memory.log", 7200)
    if not out.exists():
        table.add("memory", "commands", "failed", "< 200 MB", "FAILED")
        return
    f = json.loads(out.read_text())
    for r in f["rows"]:
        failed = r["exit"] not in (0, None)
        verdict = "FAILED" if failed else ("OVER" if r["over_limit"] else "met")
        figure = f"{r['peak_mb']:.0f} MB peak, {r['seconds']:.1f} s"
        table.add("memory", r["command"], figure, "< 200 MB", verdict)


def run_report(args, db: Path, work: Path, table: Table) -> None:
    script = HERE / "bench_report.py"
    if not script.exists():
        table.add("report", "bench_report.py", "not present")
        return
    argv = [sys.executable, str(script), str(db), "--repeat", "1" if args.quick else "3"]
    code, text = stream(argv, work / "report.log", 3600)
    row = next((line for line in text.splitlines() if line.startswith(str(db)[-28:])), None)
    if code or row is None:
        table.add("report", "continuity report, academic year", "failed", "", "FAILED")
        return
    cells = row[28:].split()
    # officers, schools, engagements, report s, json s, SQL s, ratio
    table.add("report", "continuity report, academic year (force scope)", f"{float(cells[3]):.2f} s")
    table.add("report", "json render", f"{float(cells[4]):.2f} s")
    table.add("report", "ratio report / raw SQL yardstick", f"{float(cells[6]):.1f}x", "(docs/reports.md)")


def run_calendars(args, db: Path, work: Path, table: Table) -> None:
    script = HERE / "bench_calendars.py"
    if not script.exists():
        table.add("calendars", "bench_calendars.py", "not present")
        return
    argv = [sys.executable, str(script), "--scale", "national", "--db", str(db), "--repeat",
            "1" if args.quick else "3"]
    code, text = stream(argv, work / "calendars.log", 7200)
    first = re.search(r"first export: ([\d,]+) files, ([\d,]+) events in ([\d.]+) s wall", text)
    ratio = re.search(r"ratio export / yardstick: ([\d.]+)x wall, ([\d.]+)x CPU", text)
    quiet = re.search(r"no-change rerun: .* in ([\d.]+) s", text)
    if code or not (first and ratio):
        table.add("calendars", "export vs icalendar yardstick", "failed", "<= 1.2x", "FAILED")
        return
    table.add("calendars", "first export (all schools)", f"{first.group(3)} s, {first.group(1)} files, "
              f"{first.group(2)} events")
    worst = max(float(ratio.group(1)), float(ratio.group(2)))
    table.add("calendars", "ratio export / icalendar yardstick", f"{ratio.group(1)}x wall, {ratio.group(2)}x CPU",
              "<= 1.2x", "met" if worst <= 1.2 else "OVER")
    if quiet:
        table.add("calendars", "no-change rerun", f"{quiet.group(1)} s")


def run_serve(args, db: Path, work: Path, table: Table) -> None:
    out = work / "serve.json"
    argv = [sys.executable, str(HERE / "bench_calendar_serve.py"), "--rounds", "5" if args.quick else "20",
            "--json", str(out)]
    code, _ = stream(argv, work / "serve.log", 1800)
    if code or not out.exists():
        table.add("serve", "calendar service, 200 clients polling", "failed", "", "FAILED")
        return
    f = json.loads(out.read_text())
    table.add("serve", f"{f['schools']} clients at once, conditional GET -> 304",
              f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms (n={f['requests']})")
    table.add("serve", "requests per second (service CPU per request)",
              f"{f['rps']:.0f}/s ({f['cpu_ms_per_request']:.2f} ms)")
    table.add("serve", "first fetch of the day, all at once (audited)",
              f"p50 {f['first_p50_ms']:.0f} ms, p95 {f['first_p95_ms']:.0f} ms")


def run_ssh(args, db: Path, work: Path, table: Table) -> None:
    if os.geteuid() != 0:
        table.add("ssh", "25 SSH sessions", "not run: needs root (it creates the service account)")
        return
    out = work / "ssh.json"
    argv = [sys.executable, str(HERE / "bench_ssh.py"), "--rounds", "2" if args.quick else "4", "--json", str(out)]
    code, _ = stream(argv, work / "ssh.log", 3600)
    if not out.exists():
        table.add("ssh", "25 SSH sessions", "failed", "", "FAILED")
        return
    f = json.loads(out.read_text())
    table.add("ssh", "sessions held (start / end)", f"{f['held_at_start']} / {f['held_at_end']} of {f['sessions']}",
              "all", "met" if f["held_at_end"] == f["sessions"] else "FAILED")
    table.add("ssh", "writes acknowledged / found afterwards", f"{f['writes_acknowledged']} / {f['writes_found']}",
              "equal", "met" if f["writes_match"] else "FAILED")
    table.add("ssh", "busy answers, other failures", f"{f['busy']}, {f['failures']}")
    for name, op in f["operations"].items():
        table.add("ssh", name, f"p50 {op['p50_ms']:.0f} ms, p95 {op['p95_ms']:.0f} ms (n={op['n']})")
    table.add("ssh", "server memory per session, held and idle (sshd)",
              f"{f['idle_sshd_rss_mb_per_session']:.1f} MB RSS, {f['idle_sshd_pss_mb_per_session']:.1f} MB PSS")
    table.add("ssh", "server memory per session, peak under load",
              f"{f['peak_pss_mb_per_session']:.1f} MB PSS ({f['peak_total_rss_mb']:.0f} MB RSS in all)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "bench" / "national.db"))
    parser.add_argument("--rebuild", action="store_true", help="build the national database again")
    parser.add_argument("--only", nargs="+", choices=ALL)
    parser.add_argument("--skip", nargs="+", choices=ALL, default=[])
    parser.add_argument("--quick", action="store_true", help="fewer runs and rounds; memory without demo/import")
    parser.add_argument("--startup-runs", type=int, default=11)
    parser.add_argument("--desk-rounds", type=int, default=20)
    parser.add_argument("--terminal-rounds", type=int, default=12)
    parser.add_argument("--json", metavar="PATH", help="also write the table as JSON")
    args = parser.parse_args()
    db = Path(args.db).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    ensure_database(db, args.rebuild)
    chosen = [b for b in (args.only or ALL) if b not in args.skip]
    runners = {"startup": run_startup, "terminal": run_terminal, "desk": run_desk, "memory": run_memory,
               "report": run_report, "calendars": run_calendars, "serve": run_serve, "ssh": run_ssh}
    table = Table()
    work = Path(tempfile.mkdtemp(prefix="slo-bench-run-"))
    load = os.getloadavg()
    table.add("machine", "load average before (1, 5, 15 min)", f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
              f"{os.cpu_count()} CPUs")
    started = time.perf_counter()
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        runners[name](args, db, work, table)
    load = os.getloadavg()
    table.add("machine", "load average after", f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
              f"{(time.perf_counter() - started) / 60:.0f} min in all")
    print("\n=== figures (logs in " + str(work) + ")")
    table.print()
    if args.json:
        keys = ("benchmark", "measure", "figure", "target", "verdict")
        Path(args.json).write_text(json.dumps([dict(zip(keys, r, strict=True)) for r in table.rows], indent=2))
    missed = [r for r in table.rows if r[4] in ("OVER", "FAILED")]
    print(f"\n{len(missed)} of {sum(1 for r in table.rows if r[4])} targets missed" if missed else "\nevery target met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
