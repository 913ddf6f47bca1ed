"""Per paced run of bench/jit-turns.sh: what C2 threw away and compiled inside it, and the slow requests.

usage: jit_turns.py RAW BENCH_TMP

RAW has one line per paced run: the contender, the round, its h2load --log-file, and the seconds to
add to h2load's wall-clock times to get the JVM's uptime, which its -XX:+LogCompilation file
(BENCH_TMP/KEY.compilation.log) stamps everything with. For each run, over the span of its requests:
the uncommon traps (code thrown away, which runs in the interpreter or C1 until C2 compiles it again),
the C2 compilations and how much wall time they took inside the span (on a daemon pinned to one
core, time the event loop may have waited), the paced p99, and how many requests of SLOW_MS or more
there were and how many of those were in flight while a C2 compilation ran.
"""
import collections
import sys

from jit_traps import attr, short
from latency import answered, in_flight_during, nearest_rank

SLOW_MS = 3.0


def read_log(path):
    """(traps [(stamp, reason, where)], c2 tasks [(start, end, method)], thrown [(stamp, method)])."""
    traps, tasks, thrown, methods = [], [], [], {}
    thread, task = "", None
    lines = open(path, errors="replace").read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("<compilation_log"):
            thread = attr(line, "thread") or ""
        elif line.startswith("<task ") and "stamp=" in line:
            method = short(attr(line, "method"))
            methods[attr(line, "compile_id")] = method
            # C2's compiler threads run tier-4 tasks; C1's run tiers 1-3.
            task = (float(attr(line, "stamp")), method) if attr(line, "level") in (None, "4") else None
        elif line.startswith("<task_done") and task is not None:
            tasks.append((task[0], float(attr(line, "stamp")), task[1]))
            task = None
        elif line.startswith("<nmethod ") and attr(line, "compile_id"):
            methods.setdefault(attr(line, "compile_id"), short(attr(line, "method")))
        elif line.startswith("<uncommon_trap") and attr(line, "stamp") and attr(line, "reason"):
            where = "?"
            if i + 1 < len(lines) and lines[i + 1].startswith("<jvms"):
                where = short(attr(lines[i + 1], "method"))
            traps.append((float(attr(line, "stamp")), attr(line, "reason"), where, attr(line, "compile_id")))
        elif line.startswith("<make_not_entrant") and (attr(line, "compiler") == "c2" or attr(line, "level") == "4"):
            thrown.append((float(attr(line, "stamp")), attr(line, "compile_id")))
    traps = [(s, r, w, methods.get(c, "?")) for s, r, w, c in traps]
    thrown = [(s, methods.get(c, "?")) for s, c in thrown]
    return traps, sorted(tasks), thrown


def read_requests(path, offset):
    """(start, end) of every answered request, in the JVM's uptime seconds."""
    return [(start / 1e6 + offset, (start + elapsed) / 1e6 + offset) for start, elapsed in answered(path)]


def p99(durations):
    return nearest_rank(sorted(durations), 0.99)


def report(key, rnd, requests, traps, tasks, thrown):
    if not requests:
        print(f"{key} round {rnd}: no requests logged")
        return None
    lo, hi = min(a for a, _ in requests), max(b for _, b in requests)
    in_traps = [t for t in traps if lo <= t[0] < hi]
    in_tasks = [(max(a, lo), min(b, hi), m) for a, b, m in tasks if a < hi and b > lo]
    c2_ms = sum(b - a for a, b, _ in in_tasks) * 1e3
    durations = [(b - a) * 1e3 for a, b in requests]
    slow = [(a, b) for a, b in requests if (b - a) * 1e3 >= SLOW_MS]
    during = in_flight_during(slow, [(a, b) for a, b, _ in in_tasks])
    print(f"{key} round {rnd}: {hi - lo:.1f} s at uptime {lo:.1f}; p99 {p99(durations):.2f} ms; "
          f"traps {len(in_traps)}; C2 code thrown away {sum(1 for s, _ in thrown if lo <= s < hi)}; "
          f"C2 compiles {len(in_tasks)} taking {c2_ms:.0f} ms; "
          f"requests >= {SLOW_MS:g} ms: {len(slow)}, {during} of them while C2 compiled")
    for (reason, where, top), n in collections.Counter((r, w, t) for _, r, w, t in in_traps).most_common(6):
        print(f"    trap {n:3d}  {reason} at {where} in {top}")
    for a, b, m in sorted(in_tasks, key=lambda t: t[0] - t[1])[:4]:
        print(f"    C2 {m} {(b - a) * 1e3:.0f} ms at +{a - lo:.2f} s")
    return len(in_traps), c2_ms, len(slow), during, p99(durations)


def main():
    raw, tmp = sys.argv[1], sys.argv[2]
    logs, totals = {}, collections.defaultdict(list)
    for line in open(raw):
        key, rnd, log, offset = line.rstrip("\n").split("\t")
        if key not in logs:
            logs[key] = read_log(f"{tmp}/{key}.compilation.log")
        r = report(key, rnd, read_requests(log, float(offset)), *logs[key])
        if r:
            totals[key].append(r)
    print()
    print("build: paced runs; uncommon traps, C2 ms, slow requests, slow while C2 compiled (sums); p99 ms (median)")
    for key, rows in totals.items():
        print(f"{key}: {len(rows)}; {sum(r[0] for r in rows)}, {sum(r[1] for r in rows):.0f}, "
              f"{sum(r[2] for r in rows)}, {sum(r[3] for r in rows)}; "
              f"{sorted(r[4] for r in rows)[len(rows) // 2]:.2f}")


if __name__ == "__main__":
    main()
