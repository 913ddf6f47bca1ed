"""Issue 7's targets, run by run, from compare.sh's result files, and their median over the runs.

usage: python3 bench/lib/targets.py bench/results/compare-*.md

For each full-mode result file (quick runs are listed but left out of the medians): the one-thread
ratios the targets name, each marked met or not, and how many of the six were met:
  paced CPU per request, F/HAProxy <= 1 and F/NGINX <= 1;
  paced p99, F/HAProxy <= 1, and the p99 added over the direct run's, Fulcrum's minus direct's over
  HAProxy's minus direct's, which is what the issue names;
  keep-alive req/s, F/HAProxy >= 0.95;
  64 KiB MB/s, F/NGINX >= 0.95;
  KiB per idle client connection <= 2.
A single run's p99 and throughput ratios move with the host's minute (bench/README.md); the median
over several runs says more than any one of them.
"""
import re
import statistics
import sys

# (label, row in the Ratios table, column: 0 = F/HAProxy 1t, 1 = F/NGINX 1t, limit, lower is better)
RATIO_TARGETS = [
    ("paced CPU F/H", "CPU µs/req paced", 0, 1.0, True),
    ("paced CPU F/N", "CPU µs/req paced", 1, 1.0, True),
    ("paced p99 F/H", "paced p99 ms", 0, 1.0, True),
    ("keep-alive F/H", "req/s keep-alive", 0, 0.95, False),
    ("64 KiB F/N", "MB/s /64k", 1, 0.95, False),
]


def number(text):
    m = re.match(r"\s*([0-9][0-9,]*\.?[0-9]*)", text)
    return float(m.group(1).replace(",", "")) if m else None


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read(path):
    text = open(path, encoding="utf-8").read()
    quick = "(quick mode" in text
    ratios, medians, kib = {}, {}, None
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        row = cells(line)
        if section.startswith("## Ratios"):
            ratios[row[0]] = row[2:4]
        elif section.startswith("## Throughput") and len(row) >= 7:
            medians[row[0]] = number(row[6])  # paced p99 ms
        elif section.startswith("## Cost") and row[0] == "Fulcrum, 1 thread":
            kib = number(row[-1])
    values = {}
    for name, metric, column, _, _ in RATIO_TARGETS:
        got = ratios.get(metric, [None, None])[column]
        values[name] = number(got) if got else None
    direct, f, h = (medians.get(k) for k in ("direct (one backend)", "Fulcrum, 1 thread", "HAProxy, 1 thread"))
    values["added p99 F/H"] = (f - direct) / (h - direct) if None not in (direct, f, h) and h > direct else None
    values["KiB per idle conn."] = kib
    return quick, values


def met(name, value):
    if value is None:
        return None
    for label, _, _, limit, lower in RATIO_TARGETS:
        if label == name:
            return value <= limit if lower else value >= limit
    if name == "added p99 F/H":
        return value <= 1.0
    return value <= 2.0  # KiB per idle connection


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    names = [t[0] for t in RATIO_TARGETS] + ["added p99 F/H", "KiB per idle conn."]
    print("| run | " + " | ".join(names) + " | targets met |")
    print("|---|" + "---:|" * (len(names) + 1))
    full = []
    for path in sys.argv[1:]:
        quick, values = read(path)
        marks = []
        for n in names:
            v, ok = values[n], met(n, values[n])
            marks.append("—" if v is None else f"{v:.2f}" + ("" if ok else " ✗"))
        # Six targets: CPU vs both peers, p99 (added, as the issue names it), keep-alive, 64 KiB, memory.
        six = [met(n, values[n]) for n in ("paced CPU F/H", "paced CPU F/N", "added p99 F/H", "keep-alive F/H",
                                           "64 KiB F/N", "KiB per idle conn.")]
        run = re.sub(r"^.*compare-|\.md$", "", path) + (" (quick)" if quick else "")
        print(f"| {run} | " + " | ".join(marks) + f" | {sum(1 for x in six if x)} of 6 |")
        if not quick:
            full.append(values)
    if len(full) > 1:
        meds = []
        for n in names:
            got = [v[n] for v in full if v[n] is not None]
            m = statistics.median(got) if got else None
            meds.append("—" if m is None else f"{m:.2f}" + ("" if met(n, m) else " ✗"))
        print(f"| median of {len(full)} full runs | " + " | ".join(meds) + " | |")


if __name__ == "__main__":
    main()
