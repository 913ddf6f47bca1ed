"""Turns compare.sh's raw measurements into the markdown results, and prints them.

usage: compare_report.py RAW.tsv FAILURES.tsv META.txt OUT.md

RAW.tsv lines are `contender <TAB> round <TAB> metric <TAB> value`, contender as NAME-THREADS.
Every figure is the median over rounds, with min-max beside it when there was more than one round.
"""
import math
import statistics
import sys
from collections import defaultdict

NAMES = {"direct": "direct (one backend)", "fulcrum": "Fulcrum", "nginx": "NGINX", "haproxy": "HAProxy"}
# A paced round's longest stretch of stalled 20 ms slots is noted from this many up: calm rounds had at
# most 4 in 98 of 99 (2026-12-03), rounds whose load fell into step 48 to 262.
STALLED_RUN_NOTE = 10
ORDER = ["direct-1", "fulcrum-1", "nginx-1", "haproxy-1", "fulcrum-2", "nginx-2", "haproxy-2"]

# (metric, column title, decimals, higher is better)
SPEED = [
    ("rps", "req/s keep-alive", 0, True),
    ("wrk_p50_ms", "wrk p50 ms", 2, False),
    ("wrk_p99_ms", "wrk p99 ms", 2, False),
    ("paced_rps", "paced req/s", 0, True),
    ("paced_p50_ms", "paced p50 ms", 2, False),
    ("paced_p99_ms", "paced p99 ms", 2, False),
    ("paced_p999_ms", "paced p99.9 ms", 2, False),
    ("mb_per_s_64k", "MB/s /64k", 0, True),
    ("rps_close", "req/s new conn.", 0, True),
]
COST = [
    ("cpu_us_full", "CPU µs/req full speed", 1, False),
    ("cpu_us_paced", "CPU µs/req paced", 1, False),
    ("cpu_us_paced_loop", "of it, event loops", 1, False),
    ("rss_idle_mib", "RSS idle MiB", 1, False),
    ("rss_conns_mib", "RSS +idle conns MiB", 1, False),
    ("heap_idle_mib", "live heap idle MiB", 1, False),
    ("kib_per_conn", "KiB per idle conn.", 2, False),
]


def load(raw_path):
    values = defaultdict(lambda: defaultdict(list))
    errors = defaultdict(int)
    for line in open(raw_path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            continue
        key, round_, metric, value = parts
        try:
            number = float(value)
        except ValueError:
            continue
        if math.isnan(number):
            continue
        if metric == "errors":
            errors[key] += int(number)
            continue
        values[key][metric].append(number)
        values[key][f"{metric}@{round_}"].append(number)
        # Memory is measured in KiB; MiB reads better for whole processes.
        if metric in ("rss_idle_kib", "rss_conns_kib", "heap_idle_kib"):
            values[key][metric.replace("_kib", "_mib")].append(number / 1024.0)
    return values, errors


def cell(samples, decimals):
    if not samples:
        return "—"
    fmt = f"{{:,.{decimals}f}}"
    median = fmt.format(statistics.median(samples))
    if len(samples) == 1:
        return median
    return f"{median} ({fmt.format(min(samples))}–{fmt.format(max(samples))})"


def label(key):
    name, threads = key.rsplit("-", 1)
    if name == "direct":
        return NAMES[name]
    return f"{NAMES[name]}, {threads} thread{'s' if threads != '1' else ''}"


def table(values, failures, columns):
    head = "| contender | " + " | ".join(title for _, title, _, _ in columns) + " |"
    rule = "|---|" + "---:|" * len(columns)
    rows = [head, rule]
    for key in ORDER:
        if key in failures:
            rows.append(f"| {label(key)} | " + " | ".join("failed" for _ in columns) + " |")
            continue
        if key.startswith("direct") and all(m not in values[key] for m, _, _, _ in columns):
            continue
        rows.append(f"| {label(key)} | " + " | ".join(cell(values[key].get(m, []), d) for m, _, d, _ in columns) + " |")
    return "\n".join(rows)


def by_round(values, failures, metric, decimals, kind):
    """Each round's figure beside the milliseconds the hypervisor stole from the machine during its
    run, which attempt the round kept when it took more than one and, for the paced load, the share
    of its requests h2load sent in bursts: a median hides which rounds measured a machine that was
    not all ours, or a load whose connections had fallen into step (COMPARE.md, "Noise")."""
    rounds = sorted({int(m.split("@")[1]) for key in ORDER for m in values[key] if m.startswith(f"{metric}@")})
    if not rounds:
        return None
    rows = ["| contender | " + " | ".join(f"round {r}" for r in rounds) + " |", "|---|" + "---:|" * len(rounds)]
    for key in ORDER:
        if key in failures or not any(f"{metric}@{r}" in values[key] for r in rounds):
            continue
        cells = []
        for r in rounds:
            value = values[key].get(f"{metric}@{r}")
            if not value:
                cells.append("—")
                continue
            notes = []
            burst = values[key].get(f"paced_burst_pct@{r}") if kind == "paced" else None
            if burst:
                notes.append(f"{burst[0]:.1f} %")
            stalled = values[key].get(f"paced_stalled_run@{r}") if kind == "paced" else None
            if stalled and stalled[0] >= STALLED_RUN_NOTE:
                notes.append(f"{stalled[0]:.0f} stalled slots in a row")
            steal = values[key].get(f"{kind}_steal_ms@{r}")
            if steal:
                notes.append(f"{steal[0]:.0f} ms stolen")
            attempts = values[key].get(f"{kind}_attempts@{r}")
            kept = values[key].get(f"{kind}_kept_attempt@{r}")
            if attempts and kept and attempts[0] > 1:
                notes.append(f"attempt {kept[0]:.0f} of {attempts[0]:.0f}")
            cells.append(f"{value[0]:,.{decimals}f}" + (f" ({', '.join(notes)})" if notes else ""))
        rows.append(f"| {label(key)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ratio(values, a, b, metric):
    x, y = values[a].get(metric), values[b].get(metric)
    if not x or not y or statistics.median(y) == 0:
        return "—"
    return f"{statistics.median(x) / statistics.median(y):.2f}"


def ratios(values):
    head = ("| metric | better | F/HAProxy 1t | F/NGINX 1t | F/direct 1t | F/HAProxy 2t | F/NGINX 2t | F/direct 2t |\n"
            "|---|:---:|---:|---:|---:|---:|---:|---:|")
    rows = [head]
    for metric, title, _, higher in SPEED + COST:
        cells = []
        for threads in ("1", "2"):
            fulcrum = f"fulcrum-{threads}"
            for other in (f"haproxy-{threads}", f"nginx-{threads}", "direct-1"):
                cells.append(ratio(values, fulcrum, other, metric))
        rows.append(f"| {title} | {'higher' if higher else 'lower'} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    raw_path, failures_path, meta_path, out_path = sys.argv[1:5]
    values, errors = load(raw_path)
    failures = {}
    for line in open(failures_path, encoding="utf-8"):
        key, _, reason = line.rstrip("\n").partition("\t")
        failures.setdefault(key, reason)
    meta = {}
    for line in open(meta_path, encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("=")
        meta[k] = v

    out = [f"# Fulcrum vs NGINX vs HAProxy — {meta.get('date', '')}", ""]
    out.append(f"`bench/compare.sh` ({meta.get('mode')} mode, {meta.get('rounds')} round(s)); "
               "each figure is the median over rounds with min–max in brackets. "
               "What each column means and how to read it: `bench/COMPARE.md`.")
    out.append("")
    out.append("## Throughput and latency (`/`: 13 bytes; `/64k`: 64 KiB)")
    out.append("")
    out.append(table(values, failures, SPEED))
    out.append("")
    out.append(f"wrk: `wrk -t1 -c{meta.get('connections')}`, keep-alive, closed loop; its latencies are "
               "not corrected for coordinated omission. paced: `h2load --h1` at "
               f"{meta.get('paced')}, exact per-request latencies from its `--log-file` (nearest rank).")
    out.append("")
    paced = by_round(values, failures, "paced_p99_ms", 2, "paced")
    if paced:
        out.append("Round by round, with the milliseconds of steal (the hypervisor running something else while "
                   "this machine's CPUs had work) during each kept run: a run with tens of milliseconds stolen "
                   "measured the host as much as the proxy. compare.sh gives the runs that were not calm make-up "
                   f"attempts after the last round (for up to {meta.get('makeup_seconds', '?')} s) and each round "
                   "keeps its attempt least over the limits (`bench/COMPARE.md`, \"Noise\").")
        out.append("")
        out.append("Paced p99 ms, with the share of the round's requests h2load sent in bursts (20 or more in one "
                   "0.2 ms slot; more than a few per cent means its connections had fallen into step, not a "
                   f"paced load) and, from {STALLED_RUN_NOTE} up, the most 20 ms slots in a row with a request of "
                   "1 ms or more (a load that fell into step late in its run, with few requests in bursts):")
        out.append("")
        out.append(paced)
        out.append("")
    for metric, decimals, kind, title in (("rps", 0, "keepalive", "Keep-alive req/s:"),
                                          ("mb_per_s_64k", 0, "bulk", "MB/s /64k:")):
        rounds_table = by_round(values, failures, metric, decimals, kind)
        if rounds_table:
            out.append(title)
            out.append("")
            out.append(rounds_table)
            out.append("")
    out.append("## Cost (the proxy process alone)")
    out.append("")
    out.append(table(values, failures, COST))
    out.append("")
    out.append("CPU: utime+stime of the proxy's processes from `/proc/PID/stat` around the run, divided by the "
               f"requests it served. Memory: VmRSS after the load runs with no client, then with "
               f"{meta.get('idle_target')} idle keep-alive clients (each sent one request), in the last round. "
               "For Fulcrum, whose heap is pre-touched (RSS does not move when it allocates), the live heap after a "
               "full GC (`jcmd GC.run`, `GC.heap_info`) is measured too and its growth is added to the RSS growth.")
    out.append("")
    out.append("## Ratios (median / median)")
    out.append("")
    out.append(ratios(values))
    out.append("")
    if failures:
        out.append("## Contenders that failed")
        out.append("")
        for key, reason in failures.items():
            out.append(f"- {label(key)}: {reason}")
        out.append("")
    if any(errors.values()):
        out.append("## Errors counted by the load generators")
        out.append("")
        for key in ORDER:
            if errors.get(key):
                out.append(f"- {label(key)}: {errors[key]} failed or non-2xx requests over all runs")
        out.append("")
    out.append("## Set-up")
    out.append("")
    for k in ("date", "cpus", "layout", "load_before", "load_after", "durations", "kernel", "tcp", "nginx", "haproxy",
              "wrk", "h2load", "java", "fulcrum", "calm"):
        if k in meta:
            out.append(f"- {k.replace('_', ' ')}: {meta[k]}")
    out.append(f"- Fulcrum JVM flags: `{meta.get('jvm_flags', '')}`")
    out.append("")
    text = "\n".join(out)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
