-- wrk script: after the run, print one machine-readable line with what compare.sh needs.
-- Latencies are wrk's per-request times (send to last byte) in microseconds; wrk 4 (Debian's)
-- measures them in a closed loop and does not correct for coordinated omission.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_SUMMARY requests=%d bytes=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
