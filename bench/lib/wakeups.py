#!/usr/bin/env python3
"""Reports bench/wakeups.sh's traces: per paced run, how the proxy's threads were woken on its core.

usage: wakeups.py RAW

RAW has one line per traced run: contender, round, perf data file, h2load log, the wall clock minus
CLOCK_MONOTONIC when the run started (perf records -k mono, h2load logs the wall clock), the proxy's
core, the kernel ids of the proxy's threads, and the name its request-serving threads start with
(Fulcrum's event loops: fulcrum-io; empty for every thread). A wake-up is a sched_waking of one of those threads
aimed at the proxy's core; its latency runs to the sched_switch that puts the thread on the core. On a
VM whose core was halted, the hypervisor's delay in running it again is inside that latency. Newer
RAW lines add the load's cores and the backends' thread ids: the same is then reported for the wake-ups
of h2load and of the backends on the load's cores.
"""
import collections
import re
import statistics
import subprocess
import sys

from latency import answered, in_flight_during, nearest_rank  # this folder's

LATE_US = 1000      # a wake-up this late or later counts as late
SLOW_US = 3000      # a request this slow or slower counts as slow

WAKING = re.compile(r'^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_waking:\s+comm=(.*?) pid=(\d+) prio=\d+ target_cpu=(\d+)')
SWITCH = re.compile(r'^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:\s+prev_comm=.*? prev_pid=\d+ .*?==> next_comm=(.*?) next_pid=(\d+)')


def wakeups(data, groups):
    """For each group (name, cpus, pick(pid, comm)): (wake time s, latency µs, waker's name, what the
    core ran then) for every wake-up on one of cpus of a thread that pick accepts. One pass over the
    trace."""
    out = subprocess.run(['perf', 'script', '-F', 'comm,tid,cpu,time,event,trace', '-i', data],
                         capture_output=True, text=True, check=True).stdout
    found = {name: [] for name, _, _ in groups}
    pending = {}                                # (cpu, pid) -> (group, wake time, waker, core ran)
    running = collections.defaultdict(lambda: ('swapper', '0'))
    for line in out.splitlines():
        m = WAKING.match(line)
        if m:
            pid, comm, target = m.group(6), m.group(5), int(m.group(7))
            # A thread woken while still on its core (between saying it will sleep and sleeping)
            # never waits: not a wake-up to time.
            if (target, pid) in pending or running[target][1] == pid:
                continue
            for name, cpus, pick in groups:
                if target in cpus and pick(pid, comm):
                    # The waker is whatever ran where the wake-up happened (a task, or swapper for an
                    # interrupt on an idle core: a timer, or the loopback's softirq).
                    pending[(target, pid)] = (name, float(m.group(4)), m.group(1).strip(), running[target][0])
                    break
            continue
        m = SWITCH.match(line)
        if m:
            cpu = int(m.group(3))
            running[cpu] = (m.group(5), m.group(6))
            woken = pending.pop((cpu, m.group(6)), None)
            if woken:
                name, t, waker, ran = woken
                found[name].append((t, (float(m.group(4)) - t) * 1e6, waker, ran))
    return found


def requests(log):
    """(start s, duration µs) of every answered request in h2load's --log-file."""
    return [(start / 1e6, elapsed) for start, elapsed in answered(log)]


def waker_name(comm):
    """Groups per-thread and per-CPU names: swapper/1 and swapper/0 stay apart, C2 CompilerThre... not."""
    return re.sub(r'(?<=[a-zA-Z-])\d+$', '', comm) if not comm.startswith('swapper') else comm


def late_intervals(wakes, offset):
    """The late wake-ups as wall-clock (start, end) intervals, sorted."""
    return sorted((w[0] + offset, w[0] + offset + w[1] / 1e6) for w in wakes if w[1] >= LATE_US)


def in_flight_at(slow, late):
    """How many of the slow requests (start s, duration µs) were in flight during one of the late
    intervals (sorted by start)."""
    return in_flight_during([(start, start + d / 1e6) for start, d in slow], late)


def run_report(key, rnd, data, log, offset, cpu, tids, worker, load_cpus, backend_tids):
    groups = [('proxy', {cpu}, lambda pid, comm: pid in tids and comm.startswith(worker))]
    if load_cpus:
        # The load core's two parties in every request: the load generator and the backends.
        groups.append(('h2load', load_cpus, lambda pid, comm: comm.startswith('h2load')))
        groups.append(('backends', load_cpus, lambda pid, comm: pid in backend_tids))
    found = wakeups(data, groups)
    wakes = found['proxy']
    reqs = requests(log)
    if not wakes or not reqs:
        return None
    lat = sorted(w[1] for w in wakes)
    durs = sorted(r[1] for r in reqs)
    span = max(r[0] for r in reqs) - min(r[0] for r in reqs)
    p = nearest_rank
    slow = [r for r in reqs if r[1] >= SLOW_US]
    late = late_intervals(wakes, offset)
    wakers = collections.Counter(waker_name(w[2]) for w in wakes)
    top = ', '.join(f'{n} {c * 100 / len(wakes):.0f} %' for n, c in wakers.most_common(3))
    # What the core was doing when a late wake-up came: idle (swapper: the wait was for the core
    # itself, halted or taken by the hypervisor) or running another task (the scheduler's wait).
    busy = collections.Counter(waker_name(w[3]) for w in wakes if w[1] >= LATE_US)
    late_on = ', '.join(f'{n} {c}' for n, c in busy.most_common(3))
    row = {
        'key': key, 'round': rnd, 'p99': p(durs, 0.99) / 1000, 'slow': len(slow),
        'wakes_s': len(wakes) / span if span > 0 else 0.0, 'per_req': len(wakes) / len(reqs),
        'lat50': p(lat, 0.5), 'lat99': p(lat, 0.99), 'late': len(late),
        'near': in_flight_at(slow, late), 'top': top, 'late_on': late_on, 'load': [],
    }
    every_late = list(late)
    for name in ('h2load', 'backends'):
        theirs = found.get(name)
        if theirs is None:
            continue
        their_late = late_intervals(theirs, offset)
        every_late += their_late
        lat_l = sorted(w[1] for w in theirs) or [0.0]
        row['load'].append({'name': name, 'per_req': len(theirs) / len(reqs), 'lat99': p(lat_l, 0.99),
                            'late': len(their_late), 'near': in_flight_at(slow, their_late)})
    row['near_any'] = in_flight_at(slow, sorted(every_late))
    return row


def share(n, of):
    return f'{n} ({n * 100 / of:.0f} %)' if of else '0'


def main():
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            fields = line.rstrip('\n').split('\t')
            key, rnd, data, log, offset, cpu, tids, worker = fields[:8]
            # Older RAW files have no load core: their runs report the proxy's core alone.
            load_cpus = {int(c) for c in fields[8].split(',') if c} if len(fields) > 8 else set()
            backend_tids = set(fields[9].split()) if len(fields) > 9 else set()
            r = run_report(key, rnd, data, log, float(offset), int(cpu), set(tids.split()), worker,
                           load_cpus, backend_tids)
            if r:
                rows.append(r)
    print('\nThe proxy\'s core:\n')
    print('| contender | round | paced p99 ms | requests ≥ 3 ms | wake-ups/s | per request | '
          'latency p50 µs | p99 µs | ≥ 1 ms | the core then ran | slow requests in flight at one | woken by |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|')
    for r in rows:
        print(f"| {r['key']} | {r['round']} | {r['p99']:.2f} | {r['slow']} | {r['wakes_s']:,.0f} | "
              f"{r['per_req']:.2f} | {r['lat50']:.0f} | {r['lat99']:.0f} | {r['late']} | {r['late_on']} | "
              f"{share(r['near'], r['slow'])} | {r['top']} |")
    if any(r['load'] for r in rows):
        print('\nThe load core (h2load and the backends), the same runs:\n')
        print('| contender | round | h2load wake-ups per request | p99 µs | ≥ 1 ms | slow requests in flight at one | '
              'backends\' wake-ups per request | p99 µs | ≥ 1 ms | slow requests in flight at one | '
              'slow requests at a late wake-up of any of the three |')
        print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        for r in rows:
            cells = []
            for g in r['load']:
                cells += [f"{g['per_req']:.2f}", f"{g['lat99']:.0f}", str(g['late']), share(g['near'], r['slow'])]
            print(f"| {r['key']} | {r['round']} | " + ' | '.join(cells) + f" | {share(r['near_any'], r['slow'])} |")
    print('\nMedians over rounds:\n')
    print('| contender | paced p99 ms | wake-ups per request | latency p99 µs | wake-ups ≥ 1 ms | '
          'h2load wake-ups per request | backends\' wake-ups per request |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for key in dict.fromkeys(r['key'] for r in rows):
        mine = [r for r in rows if r['key'] == key]
        med = lambda f: statistics.median(r[f] for r in mine)
        load = lambda name: (f"{statistics.median(g['per_req'] for r in mine for g in r['load'] if g['name'] == name):.2f}"
                             if all(r['load'] for r in mine) else '')
        print(f"| {key} | {med('p99'):.2f} | {med('per_req'):.2f} | {med('lat99'):.0f} | {med('late'):.0f} | "
              f"{load('h2load')} | {load('backends')} |")


if __name__ == '__main__':
    main()
