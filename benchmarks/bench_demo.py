"""Benchmark: build the demo database at each scale and print wall time, peak RSS and row counts.

Usage::

    python benchmarks/bench_demo.py                      # national into bench/national.db
    python benchmarks/bench_demo.py --scale force small  # other scales, into bench/<scale>.db
    python benchmarks/bench_demo.py --out /tmp/x.db --scale national

Each scale runs in a fresh child process, so that the peak resident set size
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, kilobytes on Linux) is that
build's own. ``--today`` is fixed so that runs are comparable.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import json, sys, time, resource
from datetime import date
from slo.services.demo import build_demo
started = time.perf_counter()
result = build_demo(sys.argv[1], scale=sys.argv[2], seed=1, today=date.fromisoformat(sys.argv[3]),
                    progress=lambda line: print("  " + line, file=sys.stderr, flush=True))
print(json.dumps({"seconds": time.perf_counter() - started, "counts": result.counts,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(scale: str, out: Path, today: str) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out), scale, today],
                          stdout=subprocess.PIPE, check=True, text=True)
    wall = time.perf_counter() - started
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = wall
    figures["file_mb"] = out.stat().st_size / 1e6
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", default=["national"], choices=["small", "force", "national"])
    parser.add_argument("--out", help="database path (default bench/<scale>.db)")
    parser.add_argument("--today", default="2026-03-11")
    args = parser.parse_args()
    for scale in args.scale:
        out = Path(args.out) if args.out and len(args.scale) == 1 else Path("bench") / f"{scale}.db"
        print(f"building {scale} into {out} ...", file=sys.stderr, flush=True)
        f = run(scale, out, args.today)
        counts = ", ".join(f"{n:,} {t}" for t, n in f["counts"].items())
        print(f"{scale}: wall {f['wall_seconds']:.1f} s (build {f['seconds']:.1f} s), "
              f"peak RSS {f['maxrss_kb'] / 1024:.0f} MB, file {f['file_mb']:.0f} MB")
        print(f"  {counts}")
        rate = f["counts"]["engagements"] / f["seconds"] if f["seconds"] else 0
        print(f"  {rate:,.0f} engagements/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
