"""Exact per-request latency percentiles from an `h2load --log-file` file.

Each line of the log is `start-time-us <TAB> status <TAB> elapsed-us` for one request (status -1
when the request failed). Prints one line of key=value pairs: requests, ok (2xx/3xx), failed,
p50_ms, p99_ms, p999_ms, max_ms — over the successful requests, nearest-rank percentiles, so
p99.9 of 30,000 requests is the 29,970th fastest, not an interpolation.
"""
import math
import sys


def nearest_rank(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def main() -> None:
    latencies = []
    total = 0
    for line in open(sys.argv[1], encoding="ascii", errors="replace"):
        parts = line.split()
        if len(parts) < 3:
            continue
        total += 1
        status = int(parts[1])
        if 200 <= status < 400:
            latencies.append(int(parts[2]))
    latencies.sort()
    ms = lambda us: f"{us / 1000.0:.3f}"  # noqa: E731 - a formatter, not worth a def
    print(
        f"requests={total} ok={len(latencies)} failed={total - len(latencies)}"
        f" p50_ms={ms(nearest_rank(latencies, 0.50))}"
        f" p99_ms={ms(nearest_rank(latencies, 0.99))}"
        f" p999_ms={ms(nearest_rank(latencies, 0.999))}"
        f" max_ms={ms(latencies[-1] if latencies else float('nan'))}"
    )


if __name__ == "__main__":
    main()
