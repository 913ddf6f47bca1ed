"""Which of a proxy's own threads ran near each stalled slot of a paced run.

usage: threadstalls.py sample PID OUT SECONDS   (while the paced runs go; pin it to the load core)
       threadstalls.py report OUT H2LOAD_LOG...

`sample` reads /proc/PID/task/*/schedstat every 5 ms for SECONDS and writes, for every thread but the
event loops (comm fulcrum-io-*), a line `epoch-us <TAB> comm <TAB> us-run-since-last-read` whenever it
ran. `report` cuts each h2load log into 20 ms slots with stalls.py's read_slots (stalled: a request took 1 ms or
more) and prints, per thread, in how many stalled slots it ran nearby (5 ms before to 30 ms after the
slot's start) against in how many slots of the run it did: a thread near a far larger share of the
stalled slots than of all slots is taking the event loop's core when requests wait (bench/README.md,
2026-12-02 evening: the JIT compiler threads early in a JVM's life, the health checker before its
probes kept their connections).

The sampler is not free: reading /proc every 5 ms on the load core puts its own beat into the paced
latencies (clusters of slow requests every ~5.3 ms in runs sampled this way, none without). Compare
runs sampled alike, and take the latency figures from runs without it.
"""
import os
import sys
import time
from collections import Counter

from stalls import SLOT_US, read_slots  # this folder's: the same slots and stall threshold

BEFORE_US = 5_000
AFTER_US = 30_000


def sample(pid: str, out_path: str, seconds: float) -> None:
    names = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm", encoding="ascii") as f:
                names[tid] = f.read().strip().replace(" ", "_")
        except OSError:
            pass  # the thread ended
    watched = {t: n for t, n in names.items() if not n.startswith("fulcrum-io")}
    last = {}
    end = time.time() + seconds
    with open(out_path, "w", encoding="ascii") as out:
        while time.time() < end:
            now_us = int(time.time() * 1e6)
            for tid, name in watched.items():
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                        run_ns = int(f.read().split()[0])
                except OSError:
                    continue
                if tid in last and run_ns > last[tid]:
                    out.write(f"{now_us}\t{name}\t{(run_ns - last[tid]) // 1000}\n")
                last[tid] = run_ns
            time.sleep(0.005)


def report(samples_path: str, logs: list) -> None:
    with open(samples_path, encoding="ascii") as f:
        samples = [(int(a), b, int(c)) for a, b, c in (line.rstrip("\n").split("\t") for line in f)]
    for path in logs:
        run = read_slots(path)
        if run is None:
            print(f"{path}: no successful requests")
            continue
        t0, _, slots, stalled = run
        t1 = t0 + (max(slots) + 1) * SLOT_US
        in_run = [s for s in samples if t0 - BEFORE_US <= s[0] <= t1 + AFTER_US]
        cpu = Counter()
        for _, name, us in in_run:
            cpu[name] += us
        near_stalled, near_any = Counter(), Counter()
        for k in slots:
            a = t0 + k * SLOT_US - BEFORE_US
            b = t0 + k * SLOT_US + AFTER_US
            for name in {n for at, n, _ in in_run if a <= at <= b}:
                near_any[name] += 1
                if k in stalled:
                    near_stalled[name] += 1
        print(f"{path}: {len(stalled)} of {len(slots)} slots stalled")
        for name, _ in cpu.most_common():
            print(f"  {name:<18} {cpu[name]:>7} us of CPU; near {near_stalled[name]:>3} of the {len(stalled)} stalled"
                  f" slots ({100 * near_stalled[name] / max(1, len(stalled)):.0f} %), near"
                  f" {near_any[name]:>3} of all {len(slots)} ({100 * near_any[name] / len(slots):.0f} %)")


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "sample":
        sample(args[1], args[2], float(args[3]))
    elif len(args) >= 3 and args[0] == "report":
        report(args[1], args[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
