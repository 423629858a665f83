"""Screen changes in a real terminal: a key sent to a real ``slo`` process, until the new screen shows its content.

    python benchmarks/bench_terminal.py --db bench/national.db [--rounds 12] [--think 0.6]
    python benchmarks/bench_terminal.py --only officer --rounds 3 --dump /tmp/screens
    python benchmarks/bench_terminal.py --only officer --profile "caseload -> school" --rounds 20

What it does:

* a tmux server of its own (``tmux -L``), one detached session per program, 160x45, and one
  control-mode client (``tmux -C``) through which every key is sent and every screen read:
  polling ``capture-pane`` every ``--poll`` ms (4) costs about 0.15 ms a read and no process start;
* the programs: ``slo --db COPY --user PC1000`` (an SLO), ``--user S100`` (a sergeant) and
  ``--user A1`` (the admin), the entry point installed beside this interpreter, on one copy of the
  database (opening a young person writes its view to the audit log; the copy takes the writes);
  and the yardstick, a bare Textual app on the same interpreter: a home screen that pushes a screen
  with a header, a 20-row table of 7 columns and a footer on ``g`` and pops it on Escape;
* the desk runs with its clock at 09:00 on ``--today`` (the demo's anchor day, 2026-03-11), so that
  weeks, terms and caseloads have the demo's work in them: through ``benchmarks/desk_process.py``,
  which sets the one clock the desk asks (``slo.services.audit.now_local``) and calls the ``slo``
  command's own ``main`` in the same process (``--real-date``: the ``slo`` entry point itself);
* each change: the key goes in (``send-keys``), the clock starts, and the screen is read every few
  ms until it shows the target screen *with its content* (the school's details and its engagements,
  the week's engagements, the team's figures and chart, ...: each step names what must be on
  screen and what must be gone, such as ``Loading…``); the figure is the time to that first read;
* between changes, as a person reads the screen: the process is left until it has been quiet (all
  its threads under 5% of a CPU for 0.1 s, from ``/proc/PID/task/*/schedstat``), then ``--think``
  seconds (0.6); the CPU time the process used for each change is recorded too;
* the rounds interleave the programs (yardstick push and pop, the SLO's day, yardstick, the
  sergeant's day, yardstick, the admin's day, ...), so the yardstick meets the same load as the
  desk; the load average is printed before and after.

It prints, per change, the median and p90 in ms, the ratio of the p90 to the yardstick's p90
(the bare push for a change made with an ordinary key, the bare pop for one made with Escape: both
pay Textual's 100 ms wait that tells a lone Escape from the start of a key sequence) and the
process's CPU per change. The target (issue 20): every ratio <= 1.5.

``--dump DIR`` writes the screen as read at each change's end (to check what the steps wait for).
``--profile NAME`` profiles the change named NAME inside the desk processes (``desk_process.py
--profile``: pyinstrument, started by a signal just before each of its keys and stopped when its
content is on screen) and prints where the main thread, and the workers' jobs, spent that time.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dbcopy

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 160, 45
TARGET_RATIO = 1.5
LOADING = "Loading…"

BARE_APP = '''
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header


class Pushed(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    WORD = "Pushed"

    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("n", "name", "phase", "a", "b", "c", "d")
        table.add_rows([(i, f"{self.WORD} row {i}", "primary", "x", "y", "z", "w") for i in range(20)])


class Home(Pushed):
    BINDINGS = [Binding("g", "go", "Go")]
    WORD = "Home"

    def action_go(self):
        self.app.push_screen(Pushed())


class Bare(App):
    def on_mount(self):
        self.push_screen(Home())


Bare().run()
'''


# ---------------------------------------------------------------------------------------------- tmux


class Tmux:
    """A tmux server of our own and one control-mode client: commands in, their output back."""

    def __init__(self) -> None:
        self.socket = f"slo-terminal-{os.getpid()}"
        # a session that keeps the server up and that the control client attaches to
        self._run("-f", "/dev/null", "new-session", "-d", "-s", "keeper", "-x", "80", "-y", "24", "sleep 86400")
        self._run("set-option", "-g", "default-terminal", "tmux-256color")
        self.client = subprocess.Popen(["tmux", "-L", self.socket, "-C", "attach", "-t", "keeper"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self._read_block()  # the attach command's own (empty) reply

    def _run(self, *args: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True)

    def _read_block(self) -> str:
        assert self.client.stdout is not None
        lines: list[bytes] = []
        inside = False
        while True:
            line = self.client.stdout.readline()
            if not line:
                raise RuntimeError("the tmux control client went away")
            if line.startswith(b"%begin "):
                inside, lines = True, []
            elif inside and line.startswith((b"%end ", b"%error ")):
                text = b"".join(lines).decode("utf-8", "replace")
                if line.startswith(b"%error "):
                    raise RuntimeError(f"tmux: {text.strip()}")
                return text
            elif inside:
                lines.append(line)
            # anything else is a notification (%session-changed, ...): not ours

    def command(self, text: str) -> str:
        assert self.client.stdin is not None
        self.client.stdin.write(text.encode() + b"\n")
        return self._read_block()

    def new_session(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> int:
        """Start ``argv`` (no shell) in a detached WIDTHxHEIGHT session; its process id."""
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        self._run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(cwd),
                  *env_args, *argv)
        self._run("set-option", "-t", name, "remain-on-exit", "on")
        return int(self.command(f"display-message -p -t {name} '#{{pane_pid}}'").strip())

    def capture(self, name: str) -> str:
        return self.command(f"capture-pane -p -t {name}")

    def send(self, name: str, key: str) -> None:
        self.command(f"send-keys -t {name} {key}")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.command("kill-server")
        if self.client.stdin:
            self.client.stdin.close()
        self.client.wait(timeout=5)


def sched_ns(pid: int) -> tuple[int, int]:
    """Nanoseconds on a CPU and waiting for one (runnable, queued behind other work), every thread
    of ``pid`` so far (``/proc/PID/task/*/schedstat``; 0 once it has gone)."""
    run = queued = 0
    for stat in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        with contextlib.suppress(OSError, ValueError, IndexError):  # a thread that ended meanwhile
            fields = Path(stat).read_text().split()
            run, queued = run + int(fields[0]), queued + int(fields[1])
    return run, queued


def cpu_ns(pid: int) -> int:
    return sched_ns(pid)[0]


# ---------------------------------------------------------------------------------------------- screens

Check = Callable[[str], bool]


def shows(*texts: str, absent: tuple[str, ...] = (LOADING,), pattern: str | None = None) -> Check:
    """The screen has every one of ``texts`` (and ``pattern``, a regex) and none of ``absent``."""
    compiled = re.compile(pattern) if pattern else None

    def check(screen: str) -> bool:
        return (all(t in screen for t in texts) and not any(a in screen for a in absent)
                and (compiled is None or compiled.search(screen) is not None))

    return check


def both(*checks: Check) -> Check:
    return lambda screen: all(c(screen) for c in checks)


def school_loaded(screen: str) -> bool:
    """The school's details and its first page of engagements (or that it has none)."""
    m = re.search(r"Engagements (\d+)-(\d+) of (\d+)", screen)
    return (m is not None and "Head teacher:" in screen and LOADING not in screen
            and (m.group(3) == "0" or (m.group(1) != "0" and "ENG-" in screen))
            and re.search(r"⭘\s+School \d+ — ", screen) is None)  # the title is the school's name


def changed(pattern: str, before: str) -> Check:
    """What ``pattern`` matches on screen differs from what it matched on ``before``."""
    compiled = re.compile(pattern)
    old = compiled.search(before)
    was = old.group(0) if old else None

    def check(screen: str) -> bool:
        new = compiled.search(screen)
        return new is not None and new.group(0) != was

    return check


@dataclass
class Program:
    """One program in its tmux session."""

    name: str
    session: str
    pid: int
    home: Check


@dataclass
class Results:
    wall: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    #: ms of CPU the process used from the key until it was quiet again (the change's whole work)
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    #: ms its threads were runnable but waiting for a CPU, from the key until the content was seen
    queued: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    kind: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    #: the warm-up rounds' figures: the first time each change is made in a session (imports, caches)
    first: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))


class Bench:
    def __init__(self, tmux: Tmux, args: argparse.Namespace, results: Results) -> None:
        self.tmux, self.args, self.results = tmux, args, results
        self.dump = Path(args.dump) if args.dump else None
        self.count = 0
        #: in a warm-up round: figures go to Results.first
        self.warming = False
        #: the desks' database (a copy)
        self.db: Path | None = None

    def someone_writes(self) -> None:
        """A write to one engagement, as another person's desk would make (it moves the data version that
        tells the reports screen its kept figures are no longer current)."""
        import sqlite3

        assert self.db is not None
        conn = sqlite3.connect(self.db, timeout=10)
        with conn:
            conn.execute("UPDATE engagements SET status = status WHERE rowid = (SELECT min(rowid) FROM engagements)")
        conn.close()

    def screen(self, program: Program) -> str:
        return self.tmux.capture(program.session)

    def quiet(self, program: Program, timeout: float = 30.0) -> None:
        """Until the process has used under 5% of a CPU over 0.1 s (its workers are done)."""
        end = time.perf_counter() + timeout
        before = cpu_ns(program.pid)
        while time.perf_counter() < end:
            time.sleep(0.1)
            now = cpu_ns(program.pid)
            if now - before < 5_000_000:
                return
            before = now

    def settle(self, program: Program) -> None:
        self.quiet(program)
        if self.args.think:
            time.sleep(self.args.think)
            self.quiet(program)

    def wait_for(self, program: Program, check: Check, timeout: float,
                 start: float | None = None) -> tuple[float | None, str]:
        """Seconds from ``start`` (now) to the first read of the screen for which ``check`` holds."""
        start = time.perf_counter() if start is None else start
        screen = ""
        while True:
            screen = self.screen(program)
            now = time.perf_counter()
            if check(screen):
                return now - start, screen
            if now - start > timeout:
                return None, screen
            time.sleep(self.args.poll / 1000)

    def key(self, program: Program, key: str, check: Check, timeout: float = 20.0) -> bool:
        """Press ``key`` without timing it (moving a cursor, opening something to measure its way back)."""
        self.tmux.send(program.session, key)
        ok = self.wait_for(program, check, timeout)[0] is not None
        self.settle(program)
        return ok

    def change(self, program: Program, name: str, key: str, check: Check, kind: str = "push",
               timeout: float = 20.0) -> bool:
        """Press ``key``; record the time until ``check`` holds for the screen (and the CPU used)."""
        entry = (program.name, name)
        self.results.kind[entry] = kind
        profiling = self.args.profile == name and not self.warming
        if profiling:
            os.kill(program.pid, signal.SIGUSR1)  # profile_desk.py: start sampling
            time.sleep(0.01)
        cpu_before, queued_before = sched_ns(program.pid)
        start = time.perf_counter()
        self.tmux.send(program.session, key)
        elapsed, screen = self.wait_for(program, check, timeout, start)
        queued = (sched_ns(program.pid)[1] - queued_before) / 1e6
        if profiling:
            os.kill(program.pid, signal.SIGUSR2)  # stop sampling (kept for the report at exit)
        self.quiet(program)
        cpu_used = (cpu_ns(program.pid) - cpu_before) / 1e6
        self.count += 1
        if self.dump:
            self.dump.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9]+", "-", f"{program.name}-{name}").strip("-")
            (self.dump / f"{self.count:04d}-{safe}.txt").write_text(screen)
        if elapsed is None:
            self.results.failures[entry].append(f"not on screen after {timeout:.0f} s")
            print(f"  {program.name}: {name}: FAILED, the screen was:\n{screen}", flush=True)
            self.settle(program)
            return False
        if self.warming:
            self.results.first[entry].append(elapsed * 1000)
        else:
            self.results.wall[entry].append(elapsed * 1000)
            self.results.cpu[entry].append(cpu_used)
            self.results.queued[entry].append(queued)
        if self.args.verbose:
            print(f"  {program.name:8} {name:40} {elapsed * 1000:7.1f} ms  cpu {cpu_used:6.1f} ms  "
                  f"queued {queued:6.1f} ms", flush=True)
        if self.args.think:
            time.sleep(self.args.think)
            self.quiet(program)
        return True

    def recover(self, program: Program) -> None:
        """Back to the home screen after a failure (Escape until home, then H)."""
        for key in ("Escape", "Escape", "Escape", "H"):
            if program.home(self.screen(program)):
                return
            self.tmux.send(program.session, key)
            time.sleep(0.5)
        self.wait_for(program, program.home, 20)
        self.settle(program)


# ---------------------------------------------------------------------------------------------- the days

CASELOAD = shows("Since visit", "/ Filter", "Week of ", pattern=r"Caseload — \d+ school")
#: the admin's home: every school with its officer (the count line is written when the list has loaded)
ALL_SCHOOLS = shows("Filter schools by name", "Assignments", "a Assign",
                    pattern=r"\d[\d,]* schools? · \d[\d,]* with no officer")
#: the team's heading, who takes its officers and its officers' figures (the first rows of each)
TEAM = shows("Team — ", "Abstraction rate", "awaiting review", "Who takes our officers", "r Review",
             pattern=r"Rostered[^\n]*\n\s*\S+\s+\S")
MODAL_GONE = ("Press Escape to close.", "Save (ctrl+s)")
#: a form with what it loads filled in (its status line says "Loading..." until then)
FORM_READY = "ctrl+s save · Esc discard"


def back_to(home: Check, *gone: str) -> Check:
    return both(home, shows(absent=(LOADING, *gone)))


def bare_round(bench: Bench, bare: Program) -> None:
    pushed = shows("Pushed row 19", absent=("Home row",))
    home = shows("Home row 19", absent=("Pushed row",))
    bench.change(bare, "bare Textual: push a screen (g)", "g", pushed)
    bench.change(bare, "bare Textual: pop it (Escape)", "Escape", home, kind="pop")


def officer_day(bench: Bench, p: Program, round_no: int) -> None:
    """An SLO's day: a school and a young person, the week, reports, help and the forms."""
    if round_no:
        bench.key(p, "Down", CASELOAD)  # another school each round
    if bench.change(p, "caseload -> school (Enter)", "Enter", school_loaded):
        young = "Young people" in bench.screen(p)
        bench.change(p, "school: consultations tab (2)", "2",
                     shows("Consulted", "Proposed", "Outcome", absent=(LOADING, "Kind  ")))
        bench.change(p, "school: young people tab (3)", "3", shows("Name", "Year", "Ref", absent=(LOADING, "Proposed")))
        if young and "YP-" in bench.screen(p):
            opened = bench.change(p, "school -> young person (Enter)", "Enter",
                                  shows("Deadlines", "Ethnicity:", "s Session", absent=(LOADING, "Young people")))
            back = shows("Head teacher:", "y New young", "YP-", absent=(LOADING, "Ethnicity:"))
            if opened:
                bench.change(p, "young person -> school (Escape)", "Escape", back, kind="pop")
            elif "Ethnicity:" in bench.screen(p):
                bench.key(p, "Escape", back)
        bench.change(p, "school -> visit form (v)", "v", shows(FORM_READY, "Engagement (visit"))
        bench.change(p, "visit form -> school (Escape)", "Escape", back_to(shows("y New young"), *MODAL_GONE),
                     kind="pop")
        bench.change(p, "school -> caseload (Escape)", "Escape", back_to(CASELOAD, "Head teacher:"), kind="pop")
    bench.change(p, "caseload -> week (w)", "w", shows("Week planner", "Week of Mon", "engagements,", "[ Prev week"))
    week = bench.screen(p)
    bench.change(p, "week: next week (])", "]", both(changed(r"Week of Mon \d\d \w\w\w \d{4}", week),
                                                    shows("engagements,")))
    week = bench.screen(p)
    bench.change(p, "week: previous week ([)", "[", both(changed(r"Week of Mon \d\d \w\w\w \d{4}", week),
                                                        shows("engagements,")))
    bench.change(p, "week -> caseload (Escape)", "Escape", back_to(CASELOAD, "Week planner"), kind="pop")
    bench.change(p, "caseload -> reports (r)", "r",
                 shows("Continuity report", "Abstraction rate", "Delivered (green)", "1 This term"))
    bench.change(p, "reports -> caseload (Escape)", "Escape", back_to(CASELOAD, "Continuity report"), kind="pop")
    bench.change(p, "caseload -> help (F1)", "F1", shows("Help: Caseload", "Press Escape to close."))
    bench.change(p, "help -> caseload (Escape)", "Escape", back_to(CASELOAD, *MODAL_GONE), kind="pop")
    bench.change(p, "caseload -> consultation form (c)", "c", shows("Consultation before a", FORM_READY))
    bench.change(p, "consultation form -> caseload (Escape)", "Escape", back_to(CASELOAD, *MODAL_GONE), kind="pop")
    bench.change(p, "caseload -> abstraction form (a)", "a",
                 shows("Abstraction: taken off", "Planned sessions in the span", FORM_READY))
    bench.change(p, "abstraction form -> caseload (Escape)", "Escape", back_to(CASELOAD, *MODAL_GONE), kind="pop")


def sergeant_day(bench: Bench, p: Program, round_no: int) -> None:
    """A sergeant's day: the team's figures, a period, an officer, a review, help."""
    before = bench.screen(p)
    bench.change(p, "team: next period (p)", "p",
                 both(changed(r"\)   [^:\n]+: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", before),
                      TEAM))
    if round_no:
        bench.key(p, "Down", TEAM)  # another pending abstraction each round
    bench.change(p, "team -> review form (r)", "r", shows("Review an abstraction", "Decision", FORM_READY))
    bench.change(p, "review form -> team (Escape)", "Escape", back_to(TEAM, *MODAL_GONE), kind="pop")
    bench.change(p, "team -> officer (o)", "o",
                 shows("Pattern days", "Abstractions", "ABS-", absent=(LOADING, "Who takes our officers")))
    bench.change(p, "officer -> team (Escape)", "Escape", back_to(TEAM, "Pattern days"), kind="pop")
    bench.change(p, "team -> help (F1)", "F1", shows("Help: Team", "Press Escape to close."))
    bench.change(p, "help -> team (Escape)", "Escape", back_to(TEAM, *MODAL_GONE), kind="pop")


def admin_day(bench: Bench, p: Program, round_no: int) -> None:
    """The admin's day: the audit log, a school, term dates, a team, reports."""
    bench.change(p, "all schools -> audit log (L)", "L",
                 shows("Audit log", "PgDn", pattern=r"Page 1 of [\d,]+ · rows 1-"))
    bench.change(p, "audit log -> all schools (Escape)", "Escape", back_to(ALL_SCHOOLS, "200 rows a page"), kind="pop")
    if round_no:
        bench.key(p, "Down", ALL_SCHOOLS)
    if bench.change(p, "all schools -> school (Enter)", "Enter", school_loaded):
        bench.change(p, "school -> all schools (Escape)", "Escape", back_to(ALL_SCHOOLS, "Head teacher:"), kind="pop")
    # the term dates with their rows (the all-schools list, whose footer also has "/ Filter", gone)
    terms = shows("Term dates", "Add term", absent=(LOADING, "Filter schools by name"),
                  pattern=r"Term end\s+Days\n\s*\S+\s+\d{4}-")
    bench.change(p, "all schools -> term dates (D)", "D", terms)
    bench.change(p, "term dates -> all schools (Escape)", "Escape", back_to(ALL_SCHOOLS, "Term dates"), kind="pop")
    bench.change(p, "all schools -> team (T)", "T", TEAM)
    bench.change(p, "team -> all schools (Escape)", "Escape", back_to(ALL_SCHOOLS, "Who takes our officers"),
                 kind="pop")
    # the force's figures, kept since the last opening (the warm-up round counts and keeps them, as the
    # scheduler's 05:45 job or the day's first opening would) and current: nothing has changed since
    bench.change(p, "all schools -> reports (r)", "r",
                 shows("Continuity report", "Abstraction rate", "1 This term", absent=(LOADING, "counting again")),
                 timeout=60)
    bench.change(p, "reports -> all schools (Escape)", "Escape", back_to(ALL_SCHOOLS, "Continuity report"), kind="pop")
    # then someone changes an engagement: the kept figures are shown at once while they are counted again
    bench.someone_writes()
    bench.change(p, "all schools -> reports, after a change (r)", "r",
                 shows("Continuity report", "Abstraction rate", "counting again"), timeout=60)
    bench.change(p, "reports, after a change -> all schools (Escape)", "Escape",
                 back_to(ALL_SCHOOLS, "Continuity report"), kind="pop")


DAYS = {"officer": ("PC1000", officer_day, CASELOAD), "sergeant": ("S100", sergeant_day, TEAM),
        "admin": ("A1", admin_day, ALL_SCHOOLS)}


# ---------------------------------------------------------------------------------------------- running


def copy_database(source: Path, folder: Path) -> Path:
    """A consistent copy named desk.db in ``folder``."""
    return dbcopy.copy_database(source, folder / "desk.db")


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(results: Results, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> list[dict]:
    yard = {}
    for (who, name), values in results.wall.items():
        if who == "bare":
            yard[results.kind[(who, name)]] = percentile(values, 90)
    rows = []
    header = (f"{'who':8} {'screen change':42} {'n':>3} {'p50 ms':>7} {'p90 ms':>7} {'ratio':>6} "
              f"{'/push':>6} {'cpu ms':>7} {'queued':>7} {'first':>7}  "
              f"target p90 <= {TARGET_RATIO}x the bare push (pop for Escape)")
    print(header)
    for (who, name), values in results.wall.items():
        kind = results.kind[(who, name)]
        p50, p90 = statistics.median(values), percentile(values, 90)
        cpu = statistics.median(results.cpu[(who, name)])
        queued = statistics.median(results.queued[(who, name)])
        ratio = p90 / yard[kind] if kind in yard else float("nan")
        to_push = p90 / yard["push"] if "push" in yard else float("nan")
        met = None if who == "bare" else ratio <= TARGET_RATIO
        first = statistics.median(results.first[(who, name)]) if results.first.get((who, name)) else float("nan")
        verdict = "(yardstick)" if met is None else ("ok" if met else "OVER")
        print(f"{who:8} {name:42} {len(values):3d} {p50:7.1f} {p90:7.1f} {ratio:6.2f} {to_push:6.2f} "
              f"{cpu:7.1f} {queued:7.1f} {first:7.0f}  {verdict}")
        rows.append({"who": who, "change": name, "kind": kind, "n": len(values), "p50_ms": p50, "p90_ms": p90,
                     "max_ms": max(values), "ratio": ratio, "ratio_to_push": to_push, "cpu_ms": cpu,
                     "queued_ms": queued, "first_ms": first, "met": met, "samples_ms": values})
    for (who, name), why in results.failures.items():
        print(f"{who:8} {name:42}   FAILED {len(why)} time(s): {why[0]}")
        rows.append({"who": who, "change": name, "n": 0, "error": why[0], "failures": len(why), "met": False})
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}, after: "
          f"{' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs)")
    return rows


def start_programs(tmux: Tmux, args: argparse.Namespace, db: Path, folder: Path) -> Iterator[Program]:
    python = sys.executable
    bare_file = folder / "bare_app.py"
    bare_file.write_text(BARE_APP)
    env = {"SLO_CONFIG_DIR": str(folder / "config"), "COLORTERM": "truecolor"}
    beside = Path(python).parent / "slo"
    slo = [str(beside)] if beside.exists() else [python, "-m", "slo"]
    if not args.real_date or args.profile:
        slo = [python, str(HERE / "desk_process.py")]
        if not args.real_date:
            slo += ["--today", args.today]
        if args.profile:
            slo += ["--threads", "--profile", str(folder / "profile-{collar}.txt")]
        slo.append("--")
    bare_pid = tmux.new_session("bare", [python, str(bare_file)], env, folder)
    yield Program("bare", "bare", bare_pid, shows("Home row 19"))
    for role in args.only or list(DAYS):
        if role == "bare":
            continue
        collar, _day, home = DAYS[role]
        argv = [a.replace("{collar}", collar) for a in slo] + ["--db", str(db), "--exports",
                                                                 str(folder / "exports"), "--user", collar]
        pid = tmux.new_session(role, argv, env, folder)
        yield Program(role, role, pid, home)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench/national.db")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=1,
                        help="rounds first, not counted: the first time each screen opens in a session (1)")
    parser.add_argument("--think", type=float, default=0.6, help="seconds a person reads each screen (0.6)")
    parser.add_argument("--poll", type=float, default=4.0, help="ms between two reads of the screen (4)")
    parser.add_argument("--today", default="2026-03-11", help="the desk's day (the demo's anchor)")
    parser.add_argument("--real-date", action="store_true", help="the desk on the real date, as the slo command")
    parser.add_argument("--only", choices=list(DAYS), action="append", help="officer, sergeant or admin")
    parser.add_argument("--dump", metavar="DIR", help="write each change's last screen into DIR")
    parser.add_argument("--profile", metavar="CHANGE", help="profile this change inside the desk (pyinstrument)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every change as it is measured")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed (apt-get install tmux)")
    source = Path(args.db)
    if not source.exists():
        sys.exit(f"no database at {source}: build it with 'python benchmarks/run.py --only terminal'")
    load_before = os.getloadavg()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)} ({os.cpu_count()} CPUs)", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="slo-bench-terminal-"))
    (folder / "config").mkdir(mode=0o700)
    tmux = Tmux()
    results = Results()
    bench = Bench(tmux, args, results)
    try:
        db = bench.db = copy_database(source, folder)
        programs = list(start_programs(tmux, args, db, folder))
        for program in programs:
            if bench.wait_for(program, program.home, 120)[0] is None:
                print(f"{program.name} never showed its home screen:\n{bench.screen(program)}")
                return 1
            bench.settle(program)
        bare, desks = programs[0], programs[1:]
        started = time.perf_counter()
        for round_no in range(args.warmup + args.rounds):
            bench.warming = round_no < args.warmup
            for program in desks:
                bare_round(bench, bare)
                _collar, day, _home = DAYS[program.name]
                day(bench, program, round_no)
                if not program.home(bench.screen(program)):
                    bench.recover(program)
            print(f"round {round_no + 1} of {args.warmup + args.rounds} done "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        load_after = os.getloadavg()
        rows = report(results, load_before, load_after)
        if args.profile:
            for program in desks:
                tmux.send(program.session, "C-q")
            for program in desks:  # the profile is written as the desk exits
                end = time.perf_counter() + 60
                while Path(f"/proc/{program.pid}").exists() and time.perf_counter() < end:
                    time.sleep(0.2)
            for path in sorted(folder.glob("profile-*.txt")):
                print(f"\n=== {path.name} ({args.profile})\n{path.read_text()}")
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "load_before": load_before, "load_after": load_after,
                                                   "target_ratio": TARGET_RATIO, "rounds": args.rounds,
                                                   "think_s": args.think, "poll_ms": args.poll}, indent=2))
        return 0 if all(r["met"] is not False for r in rows) else 1
    finally:
        tmux.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
