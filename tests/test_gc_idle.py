"""slo.tui.gc_idle: cyclic garbage promoted to generation 2 is collected once the process is idle."""

from __future__ import annotations

import subprocess
import sys

#: both probes start so: the watcher started, its first idle moment past, 50 cycles of garbage in
#: generation 2 (``refs`` to see whether they are collected)
GARBAGE_IN_GENERATION_TWO = r"""
import gc, sys, time, weakref
from slo.tui import gc_idle
gc_idle.collect_when_idle()
assert gc.get_threshold()[2] == 100
class Node:
    pass
def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a
time.sleep(0.8)  # the first idle moment: collect and freeze
assert gc.get_freeze_count() > 0
alive = [cycle() for _ in range(50)]
refs = [weakref.ref(a) for a in alive]
for _ in range(3):  # promote the (still referenced) cycles to generation 2
    gc.collect(1)
del alive  # now garbage, in generation 2
"""

PROBE = GARBAGE_IN_GENERATION_TWO + r"""
junk = [[i] for i in range(100000)]  # work (and generation-1 collections) while they wait
del junk
assert any(r() is not None for r in refs), "collected before the process was idle"
time.sleep(1.2)  # idle
print(sum(r() is not None for r in refs))
"""


def test_cycles_in_generation_two_are_collected_when_idle():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


IDLE_WORK_PROBE = GARBAGE_IN_GENERATION_TWO + r"""
report = sys.argv[1] == "reported"
end = time.monotonic() + 1.5
while time.monotonic() < end:  # busy: the desk building a form ahead, say
    started = time.thread_time()
    while time.thread_time() - started < 0.05:
        pass
    if report:
        gc_idle.idle_work(time.thread_time() - started)
print(sum(r() is not None for r in refs))
"""


def test_work_the_desk_does_in_an_idle_moment_does_not_put_off_the_collection():
    """A form built ahead (slo.tui.ahead) reports its CPU as idle work: the collection is not put
    off by it, where the same work unreported (a person's) puts it off."""
    left = {}
    for how in ("reported", "unreported"):
        done = subprocess.run([sys.executable, "-c", IDLE_WORK_PROBE, how], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        left[how] = int(done.stdout.strip())
    assert left == {"reported": 0, "unreported": 50}
