"""Where a paced run's slow requests are: stalled 20 ms slots, and the latency of the rest.

usage: stalls.py [--probes LOG] H2LOAD_LOG...
       stalls.py --longest-stretch H2LOAD_LOG   (the number alone, for compare.sh; 0 without a success)

Reads `h2load --log-file` logs (compare.sh --keep leaves them as CONTENDER/paced-rROUND-aATTEMPT.log; lines are
`start-us <TAB> status <TAB> elapsed-us`). Each run is cut into 20 ms slots by request start; a slot
is stalled when a request in it took STALL_US or more. For each log it prints the stalled slots and
the percentiles of the requests in the other slots: when two proxies' unstalled percentiles agree,
the difference in their p99 comes from the stalls (the host, the load generator's core, or something
in the proxy that bursts, such as a health probe). It also prints the longest stretch of stalled slots
in a row: a few slots is a stall; tens to hundreds is a run whose connections fell into step (see
latency.py), which can start late enough in a run that its share of requests sent in bursts stays
under compare.sh's limit for a calm run (bench/README.md, 2026-12-03 from 06:47).

--probes LOG: an nginx access log of the backends' health endpoint written with
`log_format probe '$msec $server_port';`. Then each run also says how many of its stalled slots lie
near a probe (from 10 ms before to 20 ms after the slot's start) and how many slots do in all: a
share of stalled slots near probes well over the share of all slots near probes means the probes
stall the proxy (bench/README.md, 2026-12-02 afternoon).
"""
import sys
from collections import defaultdict

from latency import answered, nearest_rank  # this folder's; python puts a script's folder on the path

SLOT_US = 20_000
STALL_US = 1_000


def read_slots(path: str):
    """(t0, t1, slots, stalled) of one h2load log: the first and last request start (epoch us), each
    20 ms slot's latencies by slot index, and the stalled slots' indexes; None without a success."""
    rows = answered(path)
    if not rows:
        return None
    t0 = min(start for start, _ in rows)
    t1 = max(start for start, _ in rows)
    slots = defaultdict(list)
    for start, elapsed in rows:
        slots[(start - t0) // SLOT_US].append(elapsed)
    stalled = {k for k, v in slots.items() if max(v) >= STALL_US}
    return t0, t1, slots, stalled


def longest_stretch(stalled) -> int:
    """The most stalled slots in a row."""
    best = run = 0
    previous = None
    for k in sorted(stalled):
        run = run + 1 if k - 1 == previous else 1
        best = max(best, run)
        previous = k
    return best


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--longest-stretch":
        run = read_slots(args[1])
        print(0 if run is None else longest_stretch(run[3]))
        return
    probes = []
    if len(args) >= 2 and args[0] == "--probes":
        with open(args[1], encoding="ascii") as f:
            probes = [float(line.split()[0]) * 1e6 for line in f if line.strip()]
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    for path in args:
        run = read_slots(path)
        if run is None:
            print(f"{path}: no successful requests")
            continue
        t0, t1, slots, stalled = run
        rest = sorted(e for k, v in slots.items() if k not in stalled for e in v)
        line = f"{path}: {len(stalled)} of {len(slots)} slots stalled, at most {longest_stretch(stalled)} in a row"
        if rest:
            line += "; the others: p50 {} p90 {} p99 {} p99.9 {} us".format(
                *(nearest_rank(rest, q) for q in (0.5, 0.9, 0.99, 0.999)))
        if probes:
            in_run = [p for p in probes if t0 <= p <= t1]

            def near(k):
                s = t0 + k * SLOT_US
                return any(s - 10_000 <= p <= s + 20_000 for p in in_run)

            line += "; {} probes; stalled slots near one {}, all slots near one {}".format(
                len(in_run), sum(1 for k in stalled if near(k)), sum(1 for k in slots if near(k)))
        print(line)


if __name__ == "__main__":
    main()
