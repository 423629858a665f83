"""Desk start-up against a bare Textual app, side by side in a real terminal (tmux).

    python benchmarks/bench_startup.py --db bench/national.db --user PC1000 [--runs 7]

Each run starts a command in a fresh tmux window (120x36) and polls
``capture-pane`` every 5 ms until a marker appears on screen: for the bare app
(header, a 200-row DataTable, footer) the text of its last visible row; for the
desk, the "Caseload" title with at least one of the officer's schools. Runs
alternate between the two commands; the figures are medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BARE_APP = '''
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("n", "name", "phase")
        table.add_rows([(i, f"School {i}", "primary") for i in range(200)])

Bare().run()
'''


#: a tmux server of our own, kept up by an idle session for the whole run: a server exits when
#: its last session is killed, and a new-session racing with that exit fails ("server exited
#: unexpectedly"); colleagues' sessions on the default server cannot interfere either
SOCKET = f"slo-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False).stdout


def time_to_marker(command: str, markers: list[str], timeout: float = 30.0) -> float:
    session = f"bench{time.monotonic_ns()}"
    started = subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", session, "-x", "120", "-y", "36", "bash --norc --noprofile"],
        capture_output=True, text=True, check=False,
    )
    if started.returncode:
        raise RuntimeError(f"tmux could not start a session: {started.stderr.strip()}")
    # wait for the shell's prompt before starting the clock
    for _ in range(200):
        if tmux("capture-pane", "-p", "-t", session).strip():
            break
        time.sleep(0.01)
    start = time.perf_counter()
    tmux("send-keys", "-t", session, command, "Enter")
    try:
        while time.perf_counter() - start < timeout:
            screen = tmux("capture-pane", "-p", "-t", session)
            if all(m in screen for m in markers):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"marker {markers} not seen within {timeout}s; screen:\n{screen}")
    finally:
        tmux("kill-session", "-t", session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", default="PC1000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--marker", default=None, help="text proving the caseload is on screen")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed (apt-get install tmux)")
    bare_file = Path("/tmp/slo_bench_bare_app.py")
    bare_file.write_text(BARE_APP)
    python = sys.executable
    # the entry point installed beside this interpreter, as the bare app runs on it directly
    # (a pyenv shim in front of `slo` alone would add 20-50 ms of bash to one side only)
    beside = Path(python).parent / "slo"
    slo = str(beside) if beside.exists() else shutil.which("slo") or f"{python} -m slo"
    if args.marker is None:
        import sqlite3

        conn = sqlite3.connect(args.db)
        row = conn.execute(
            "SELECT s.name FROM assignments a JOIN schools s ON s.urn = a.school "
            "WHERE a.officer = ? AND a.end_date IS NULL ORDER BY s.name LIMIT 1",
            [args.user],
        ).fetchone()
        args.marker = row[0][:20]
    # Byte-compile the package first: an installed SLO Desk has its .pyc files from pip, but a
    # checkout whose modules were edited since their last import recompiles them at every start
    # when PYTHONDONTWRITEBYTECODE is set (as on our build machines): 30-90 ms that users never pay.
    import slo as package

    subprocess.run([python, "-m", "compileall", "-q", str(Path(package.__file__).parent)], check=True,
                   stdout=subprocess.DEVNULL)
    bare, desk = [], []
    subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", "keeper", "sleep 3600"], check=True)
    try:
        for _ in range(args.runs):
            bare.append(time_to_marker(f"{python} {bare_file}", ["School 30"]))
            desk.append(time_to_marker(f"{slo} --db {args.db} --user {args.user}", [args.marker]))
    finally:
        tmux("kill-server")
    b, d = statistics.median(bare), statistics.median(desk)
    print(f"{'measure':40} {'median s':>9}  runs")
    print(f"{'bare Textual app first screen':40} {b:9.3f}  {', '.join(f'{x:.2f}' for x in bare)}")
    print(f"{'slo desk caseload on screen':40} {d:9.3f}  {', '.join(f'{x:.2f}' for x in desk)}")
    print(f"{'ratio (target <= 1.3)':40} {d / b:9.2f}")
    if args.json:
        import json

        load = os.getloadavg()
        Path(args.json).write_text(json.dumps({"bare_s": b, "desk_s": d, "ratio": d / b, "target": 1.3,
                                               "bare_runs": bare, "desk_runs": desk, "load": load}, indent=2))


if __name__ == "__main__":
    main()
