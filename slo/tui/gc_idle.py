"""Full garbage collections while the desk is idle, not in the middle of a screen change.

Every screen the desk opens and closes leaves cyclic garbage (widgets point at their parents
and their message pumps), which only the cyclic collector frees; the young part of it goes in
the cheap generation 0 and 1 collections, but a screen that stayed open while other work went
on has been promoted to generation 2 by then. CPython runs a full collection after ten
generation-1 collections, whenever that falls: on the national database a full collection
took 100-450 ms, a pause in the middle of one screen change in ten (bench_desk.py: the
p95 of most changes).

:func:`collect_when_idle`, called once when the desk starts (``slo`` does, before the app runs):

* generation 2 runs ten times less often on its own (threshold 100 instead of 10), so it
  still runs under sustained work;
* a daemon thread looks four times a second at the process's CPU time; after half a second in
  which the desk did next to nothing (no key, no worker, no refresh), it runs the full
  collection then, if any generation-1 collection happened since the last one;
* at the first such moment (the home screen is up) it also calls ``gc.freeze()``: what is alive
  then (every module, Textual, the database layer, the home screen) is kept for the whole
  session, so the collector stops walking it (about 80,000 objects).

No Textual here: this only watches the interpreter.
"""

from __future__ import annotations

import gc
import threading
import time

TICK = 0.25
#: ticks in a row with the process (all threads) using less than BUSY of a CPU
QUIET_TICKS = 2
BUSY = 0.02

_started = False


def _watch() -> None:
    cpu, wall = time.process_time(), time.monotonic()
    quiet = 0
    frozen = False
    while True:
        time.sleep(TICK)
        now_cpu, now_wall = time.process_time(), time.monotonic()
        busy = now_cpu - cpu > BUSY * (now_wall - wall)
        cpu, wall = now_cpu, now_wall
        quiet = 0 if busy else quiet + 1
        if quiet >= QUIET_TICKS and (not frozen or gc.get_count()[2] > 0):
            gc.collect()
            if not frozen:
                gc.freeze()
                frozen = True
            cpu, wall = time.process_time(), time.monotonic()  # the collection itself is not activity
            quiet = 0


def collect_when_idle() -> None:
    """Make generation 2 rare and collect it in idle time, from a daemon thread (once per process)."""
    global _started
    if _started:
        return
    _started = True
    threshold0, threshold1, _ = gc.get_threshold()
    gc.set_threshold(threshold0, threshold1, 100)
    threading.Thread(target=_watch, name="slo-gc-when-idle", daemon=True).start()
