#!/usr/bin/env python3
"""The report of bench/perf-split.sh: each proxy's core, per request, from its perf recordings.

usage: perf_split.py RAW SECONDS TOP

RAW has one line per recording: contender, round, perf data file, the load's req/s, and the kernel's
ids of the contender's threads. Every sample of `cpu-clock -F 4999` is 1/4999 s of the recorded core;
divided by the requests of the recording (req/s x SECONDS) that is µs per request. Samples go to the
contender (kernel or user: by the object they fell in), to idle (the kernel's idle task, thread 0) or
to other processes on the core. Beside each recording, DATA.stat (perf stat -x,) holds the contender's
system calls, epoll waits and context switches over the same seconds. Prints medians over rounds
(min-max when more than one), then the TOP kernel functions of the contenders side by side, in µs per
request.
"""
import statistics
import subprocess
import sys
from collections import Counter, defaultdict

SAMPLE_HZ = 4999
# Counted with perf stat, per request; "—" where a recording has no counts.
COUNTED = ("syscalls", "epoll waits", "context switches")


def samples(data):
    """(thread id, object, kind, symbol) -> samples, from `perf report` of one recording."""
    out = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--sort", "pid,dso,sym", "-n", "--stdio",
         "-t", "|"],
        capture_output=True, text=True, check=True).stdout
    counts = Counter()
    for line in out.splitlines():
        if line.startswith("#") or "|" not in line:
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) < 5 or not fields[1].isdigit():
            continue
        tid = int(fields[2].split(":", 1)[0])
        kind, _, sym = fields[4].partition(" ")
        counts[(tid, fields[3], kind, sym.strip())] += int(fields[1])
    return counts


def counts(stat_file):
    """System calls, epoll waits and context switches from `perf stat -x,` beside a recording."""
    found = Counter()
    try:
        lines = open(stat_file).read().splitlines()
    except OSError:
        return None
    for line in lines:
        f = line.split(",")
        if len(f) < 3 or not f[0].isdigit():
            continue
        event = f[2]
        if event == "raw_syscalls:sys_enter":
            found["syscalls"] += int(f[0])
        elif event.startswith("syscalls:sys_enter_epoll_"):
            found["epoll waits"] += int(f[0])
        elif event == "context-switches":
            found["context switches"] += int(f[0])
    return found if found else None


def user_object(dso):
    """A short name for user-space code: the JIT's, a library's or the program's own."""
    if dso.startswith("[JIT]") or dso.startswith("perf-"):
        return "JIT code"
    name = dso.rsplit("/", 1)[-1]
    if name.startswith("libnetty_transport_native_epoll"):
        return "netty epoll JNI"  # unpacked under a random name at each start
    return name.split(".so")[0] + (".so" if ".so" in name else "")


def split(data, rate, seconds, tids):
    """Per request µs: summary parts, user objects, kernel symbols."""
    per_request = 1e6 / SAMPLE_HZ / (rate * seconds)
    parts, users, kernel = Counter(), Counter(), Counter()
    for (tid, dso, kind, sym), n in samples(data).items():
        us = n * per_request
        if tid == 0:
            parts["idle"] += us
        elif tid not in tids:
            parts["other processes"] += us
        elif kind == "[k]":
            parts["kernel"] += us
            kernel[sym] += us
        else:
            parts["user"] += us
            users[user_object(dso)] += us
    parts["busy"] = parts["kernel"] + parts["user"]
    events = counts(data + ".stat")
    if events is not None:
        for name in COUNTED:
            parts[name] = events[name] / (rate * seconds)
    return parts, users, kernel


def cell(values):
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main():
    raw, seconds, top = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    runs = defaultdict(list)
    for line in open(raw):
        key, _round, data, rate, tids = line.rstrip("\n").split("\t")
        tids = {int(t) for t in tids.split()}
        runs[key].append((float(rate),) + split(data, float(rate), seconds, tids))
    if not runs:
        print("no recordings")
        return
    columns = ["busy", "kernel", "user", "idle", "other processes", *COUNTED]
    print("Per request (median over rounds, min–max): µs on the proxy's core, then the contender's system"
          " calls, epoll waits among them, and context switches (perf stat over the same seconds):\n")
    print("| contender | req/s | " + " | ".join(columns) + " | user, by object |")
    print("|---|---:|" + "---:|" * len(columns) + "---|")
    kernel_by_key = {}
    for key, rounds in runs.items():
        rates = [r[0] for r in rounds]
        cols = ["—" if c in COUNTED and not all(c in r[1] for r in rounds) else cell([r[1][c] for r in rounds])
                for c in columns]
        objects = Counter()
        for r in rounds:
            objects.update({o: v / len(rounds) for o, v in r[2].items()})
        user = ", ".join(f"{o} {v:.2f}" for o, v in objects.most_common(4) if v >= 0.01)
        print(f"| {key} | {statistics.median(rates):,.0f} | " + " | ".join(cols) + f" | {user} |")
        kernel = Counter()
        for r in rounds:
            kernel.update({s: v / len(rounds) for s, v in r[3].items()})
        kernel_by_key[key] = kernel
    keys = list(runs)
    first = keys[0]
    names = set()
    for k in keys:
        names.update(s for s, _ in kernel_by_key[k].most_common(top))
    ordered = sorted(names, key=lambda s: -max(kernel_by_key[k][s] for k in keys))[:top]
    print(f"\nKernel functions, µs per request (mean over rounds; the {top} largest in any contender):\n")
    print("| function | " + " | ".join(keys) + (f" | {first} − others' least |" if len(keys) > 1 else " |"))
    print("|---|" + "---:|" * (len(keys) + (1 if len(keys) > 1 else 0)))
    for s in ordered:
        values = [kernel_by_key[k][s] for k in keys]
        diff = f" | {values[0] - min(values[1:]):+.3f}" if len(keys) > 1 else ""
        print(f"| {s} | " + " | ".join(f"{v:.3f}" for v in values) + diff + " |")


if __name__ == "__main__":
    main()
