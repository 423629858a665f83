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
  session, so the collector stops walking it (about 80,000 objects);
* work the desk itself does in an idle moment (a form built ahead, slo.tui.ahead) says so
  (:func:`idle_work`) and is not counted as activity: else the collection would wait another half
  second after it, into the moment a person types again.

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
#: of idle work's CPU (idle_work), the share that may go unmeasured around it and still be idle
IDLE_WORK_SLACK = 0.1

_started = False
#: CPU seconds of idle work (:func:`idle_work`) not yet taken off the watcher's count
_idle_cpu = 0.0
_idle_lock = threading.Lock()


def idle_work(seconds: float) -> None:
    """``seconds`` of CPU just used were the desk's own idle work, not a person's: not activity."""
    global _idle_cpu
    with _idle_lock:
        _idle_cpu += max(0.0, seconds)


def _take_idle_cpu() -> float:
    global _idle_cpu
    with _idle_lock:
        taken, _idle_cpu = _idle_cpu, 0.0
    return taken


def _watch() -> None:
    cpu, wall = time.process_time(), time.monotonic()
    quiet = 0
    frozen = False
    #: idle work reported beyond this tick's CPU (it was used in the tick before): taken off the next
    ahead = 0.0
    while True:
        time.sleep(TICK)
        now_cpu, now_wall = time.process_time(), time.monotonic()
        idle_work_cpu = _take_idle_cpu()
        used = now_cpu - cpu - idle_work_cpu + ahead
        ahead = min(used, 0.0)
        # what the idle work's own measure missed (the event loop around it, this thread) is slack
        busy = used > BUSY * (now_wall - wall) + IDLE_WORK_SLACK * idle_work_cpu
        cpu, wall = now_cpu, now_wall
        quiet = 0 if busy else quiet + 1
        if quiet >= QUIET_TICKS and (not frozen or gc.get_count()[2] > 0):
            gc.collect()
            if not frozen:
                gc.freeze()
                frozen = True
            cpu, wall = time.process_time(), time.monotonic()  # the collection itself is not activity
            _take_idle_cpu()
            ahead = 0.0
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
