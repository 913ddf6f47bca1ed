#!/usr/bin/env python3
"""Reports bench/wakeups.sh's traces: per paced run, how the proxy's threads were woken on its core.

usage: wakeups.py RAW

RAW has one line per traced run: contender, round, perf data file, h2load log, the wall clock minus
CLOCK_MONOTONIC when the run started (perf records -k mono, h2load logs the wall clock), the proxy's
core, the kernel ids of the proxy's threads, and the name its request-serving threads start with
(Fulcrum's event loops: fulcrum-io; empty for every thread). A wake-up is a sched_waking of one of those threads
aimed at the proxy's core; its latency runs to the sched_switch that puts the thread on the core. On a
VM whose core was halted, the hypervisor's delay in running it again is inside that latency.
"""
import bisect
import collections
import re
import statistics
import subprocess
import sys

LATE_US = 1000      # a wake-up this late or later counts as late
SLOW_US = 3000      # a request this slow or slower counts as slow

WAKING = re.compile(r'^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_waking:\s+comm=(.*?) pid=(\d+) prio=\d+ target_cpu=(\d+)')
SWITCH = re.compile(r'^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:\s+prev_comm=.*? prev_pid=\d+ .*?==> next_comm=(.*?) next_pid=(\d+)')


def wakeups(data, cpu, tids, worker):
    """(wake time s, latency µs, waker's name, what the core ran then) for every wake-up of a thread
    in tids on cpu."""
    out = subprocess.run(['perf', 'script', '-F', 'comm,tid,cpu,time,event,trace', '-i', data],
                         capture_output=True, text=True, check=True).stdout
    pending, found, running, running_pid = {}, [], 'swapper', '0'
    for line in out.splitlines():
        m = WAKING.match(line)
        if m:
            pid, target = m.group(6), int(m.group(7))
            # A thread woken while still on its core (between saying it will sleep and sleeping)
            # never waits: not a wake-up to time.
            if (pid in tids and m.group(5).startswith(worker) and target == cpu and pid not in pending
                    and pid != running_pid):
                # The waker is whatever ran where the wake-up happened (a task, or swapper for an
                # interrupt on an idle core: a timer, or the loopback's softirq).
                pending[pid] = (float(m.group(4)), m.group(1).strip(), running)
            continue
        m = SWITCH.match(line)
        if m and int(m.group(3)) == cpu:
            running, running_pid = m.group(5), m.group(6)
            woken = pending.pop(m.group(6), None)
            if woken:
                found.append((woken[0], (float(m.group(4)) - woken[0]) * 1e6, woken[1], woken[2]))
    return found


def requests(log):
    """(start s, duration µs) of every answered request in h2load's --log-file."""
    rows = []
    with open(log) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] != '-1':
                rows.append((int(parts[0]) / 1e6, int(parts[2])))
    return rows


def waker_name(comm):
    """Groups per-thread and per-CPU names: swapper/1 and swapper/0 stay apart, C2 CompilerThre... not."""
    return re.sub(r'(?<=[a-zA-Z-])\d+$', '', comm) if not comm.startswith('swapper') else comm


def run_report(key, rnd, data, log, offset, cpu, tids, worker):
    wakes = wakeups(data, cpu, tids, worker)
    reqs = requests(log)
    if not wakes or not reqs:
        return None
    lat = sorted(w[1] for w in wakes)
    durs = sorted(r[1] for r in reqs)
    span = max(r[0] for r in reqs) - min(r[0] for r in reqs)
    p = lambda v, q: v[min(len(v) - 1, int(len(v) * q))]
    # Late wake-ups as wall-clock intervals; a slow request in flight during one is "near" it.
    late = sorted((w[0] + offset, w[0] + offset + w[1] / 1e6) for w in wakes if w[1] >= LATE_US)
    starts = [a for a, _ in late]
    slow = [r for r in reqs if r[1] >= SLOW_US]
    near = 0
    for s, d in slow:
        e = s + d / 1e6
        i = bisect.bisect_right(starts, e)
        # Any late interval that starts before the request ends and ends after it starts.
        if any(late[j][1] >= s for j in range(max(0, i - 50), i)):
            near += 1
    wakers = collections.Counter(waker_name(w[2]) for w in wakes)
    top = ', '.join(f'{n} {c * 100 / len(wakes):.0f} %' for n, c in wakers.most_common(3))
    # What the core was doing when a late wake-up came: idle (swapper: the wait was for the core
    # itself, halted or taken by the hypervisor) or running another task (the scheduler's wait).
    busy = collections.Counter(waker_name(w[3]) for w in wakes if w[1] >= LATE_US)
    late_on = ', '.join(f'{n} {c}' for n, c in busy.most_common(3))
    return {
        'key': key, 'round': rnd, 'p99': p(durs, 0.99) / 1000, 'slow': len(slow),
        'wakes_s': len(wakes) / span if span > 0 else 0.0, 'per_req': len(wakes) / len(reqs),
        'lat50': p(lat, 0.5), 'lat99': p(lat, 0.99), 'late': len(late),
        'near': near, 'top': top, 'late_on': late_on,
    }


def main():
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            key, rnd, data, log, offset, cpu, tids, worker = line.rstrip('\n').split('\t')
            r = run_report(key, rnd, data, log, float(offset), int(cpu), set(tids.split()), worker)
            if r:
                rows.append(r)
    print('\n| contender | round | paced p99 ms | requests ≥ 3 ms | wake-ups/s | per request | '
          'latency p50 µs | p99 µs | ≥ 1 ms | the core then ran | slow requests in flight at one | woken by |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|')
    for r in rows:
        share = f"{r['near']} ({r['near'] * 100 / r['slow']:.0f} %)" if r['slow'] else '0'
        print(f"| {r['key']} | {r['round']} | {r['p99']:.2f} | {r['slow']} | {r['wakes_s']:,.0f} | "
              f"{r['per_req']:.2f} | {r['lat50']:.0f} | {r['lat99']:.0f} | {r['late']} | {r['late_on']} | {share} | {r['top']} |")
    print('\nMedians over rounds:\n')
    print('| contender | paced p99 ms | wake-ups per request | latency p99 µs | wake-ups ≥ 1 ms |')
    print('|---|---:|---:|---:|---:|')
    for key in dict.fromkeys(r['key'] for r in rows):
        mine = [r for r in rows if r['key'] == key]
        med = lambda f: statistics.median(r[f] for r in mine)
        print(f"| {key} | {med('p99'):.2f} | {med('per_req'):.2f} | {med('lat99'):.0f} | {med('late'):.0f} |")


if __name__ == '__main__':
    main()
