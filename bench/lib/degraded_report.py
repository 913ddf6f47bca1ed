"""Turns degraded.sh's raw measurements into the markdown results, and prints them.

usage: degraded_report.py RAW.tsv FAILURES.tsv META.txt OUT.md

Every figure is the median over rounds, with min-max beside it when there was more than one round.
"""
import sys
from collections import defaultdict

from compare_report import cell

LABELS = {
    "fulcrum-dynamic": "Fulcrum `dynamic`",
    "fulcrum-round-robin": "Fulcrum `round-robin`",
    "nginx-least_conn": "NGINX `least_conn`",
    "haproxy-leastconn": "HAProxy `leastconn`",
}
# (metric, column title, decimals)
COLUMNS = [
    ("rps", "req/s served", 0),
    ("p50_ms", "p50 ms", 2),
    ("p99_ms", "p99 ms", 2),
    ("p999_ms", "p99.9 ms", 2),
    ("max_ms", "max ms", 1),
    ("degraded_share_pct", "share to degraded %", 1),
    ("failed", "failed req.", 0),
]


def main() -> None:
    raw_path, failures_path, meta_path, out_path = sys.argv[1:5]
    values = defaultdict(lambda: defaultdict(list))
    weights = []
    for line in open(raw_path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4 or parts[3] in ("", "nan"):
            continue
        if parts[2] == "weights":
            weights.append((parts[0], parts[1], parts[3]))
            continue
        values[parts[0]][parts[2]].append(float(parts[3]))
    failures = {}
    for line in open(failures_path, encoding="utf-8"):
        key, _, reason = line.rstrip("\n").partition("\t")
        failures.setdefault(key, reason)
    meta = dict(line.rstrip("\n").partition("=")[::2] for line in open(meta_path, encoding="utf-8"))

    out = [f"# One degraded backend: Fulcrum vs NGINX vs HAProxy — {meta.get('date', '')}", ""]
    out.append(f"`bench/degraded.sh` ({meta.get('mode')} mode, {meta.get('rounds')} round(s)); median over rounds, "
               "min–max in brackets. Fixed offered rate; exact per-request latencies from `h2load --h1 --log-file` "
               "(nearest rank); the share is counted by the backends themselves. See `bench/COMPARE.md`.")
    out.append("")
    out.append("| balancer | " + " | ".join(title for _, title, _ in COLUMNS) + " |")
    out.append("|---|" + "---:|" * len(COLUMNS))
    for key, name in LABELS.items():
        if key in failures:
            out.append(f"| {name} | " + " | ".join("failed" for _ in COLUMNS) + " |")
        else:
            out.append(f"| {name} | " + " | ".join(cell(values[key].get(m, []), d) for m, _, d in COLUMNS) + " |")
    out.append("")
    out.append("A fair share for the degraded backend is about 20 % (its capacity over the total); "
               "round-robin gives it 33.3 %.")
    out.append("")
    if weights:
        out.append("Fulcrum's effective weights at the end of each measured run (admin API; backends 1, 2, "
                   "then the degraded 3, as `weight@cpu<reported cpu_utilization>`):")
        out.append("")
        for key, round_, text in weights:
            out.append(f"- {LABELS.get(key, key)}, round {round_}: `{text}`")
        out.append("")
    if failures:
        out.append("## Contenders that failed")
        out.append("")
        for key, reason in failures.items():
            out.append(f"- {LABELS.get(key, key)}: {reason}")
        out.append("")
    out.append("## Set-up")
    out.append("")
    for k in ("date", "rate", "backends", "durations", "cpus", "layout", "load_before", "load_after", "nginx",
              "haproxy", "h2load", "java", "fulcrum"):
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
