"""Exact per-request latency percentiles from an `h2load --log-file` file.

Each line of the log is `start-time-us <TAB> status <TAB> elapsed-us` for one request (status -1
when the request failed). Prints one line of key=value pairs: requests, ok (2xx/3xx), failed,
p50_ms, p99_ms, p999_ms, max_ms — over the successful requests, nearest-rank percentiles, so
p99.9 of 30,000 requests is the 29,970th fastest, not an interpolation — and burst_pct: the share of
all requests sent in a burst, at least BURST of them in one SLOT_US slot of the clock.

burst_pct says how paced the load really was. h2load's --rps timer is a libev repeating timer per
connection, every max(10 ms, 1/rps) -- 10 ms at 145 req/s, sending the 1.45 requests due on average
(one, or two back to back). When the load generator's core stalls for longer than that, libev
restarts the overdue timers at the same instant, and from then on those connections send together
until the run ends. Spread evenly, 14,500 req/s put 2.9 requests in a 0.2 ms slot; a run
whose connections fell into step sends most of its requests in bursts of up to 100, and its
latencies are those of draining 100-request queues, whichever proxy is measured.
"""
import bisect
import itertools
import math
import sys
from collections import Counter

SLOT_US = 200
BURST = 20


def answered(path):
    """(start-time-us, elapsed-us) of every request in an h2load --log-file that got an answer."""
    rows = []
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] != "-1":
                rows.append((int(parts[0]), int(parts[2])))
    return rows


def in_flight_during(spans, intervals):
    """How many of spans (start, end) overlap one of intervals ((start, end), sorted by start)."""
    starts = [a for a, _ in intervals]
    # The latest end among the intervals up to each one: a span overlaps some interval that starts
    # before it ends exactly when the latest of their ends is at or after its start.
    reach = list(itertools.accumulate((b for _, b in intervals), max))
    count = 0
    for start, end in spans:
        i = bisect.bisect_right(starts, end)
        if i and reach[i - 1] >= start:
            count += 1
    return count


def nearest_rank(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def main() -> None:
    latencies = []
    sends_per_slot = Counter()
    total = 0
    for line in open(sys.argv[1], encoding="ascii", errors="replace"):
        parts = line.split()
        if len(parts) < 3:
            continue
        total += 1
        sends_per_slot[int(parts[0]) // SLOT_US] += 1
        status = int(parts[1])
        if 200 <= status < 400:
            latencies.append(int(parts[2]))
    latencies.sort()
    in_bursts = sum(n for n in sends_per_slot.values() if n >= BURST)
    burst_pct = 100.0 * in_bursts / total if total else float("nan")
    ms = lambda us: f"{us / 1000.0:.3f}"  # noqa: E731 - a formatter, not worth a def
    print(
        f"requests={total} ok={len(latencies)} failed={total - len(latencies)}"
        f" p50_ms={ms(nearest_rank(latencies, 0.50))}"
        f" p99_ms={ms(nearest_rank(latencies, 0.99))}"
        f" p999_ms={ms(nearest_rank(latencies, 0.999))}"
        f" max_ms={ms(latencies[-1] if latencies else float('nan'))}"
        f" burst_pct={burst_pct:.1f}"
    )


if __name__ == "__main__":
    main()
