#!/usr/bin/env bash
# The paced load alone: proxy CPU per request, split into user and system time, for one or more
# Fulcrum builds beside NGINX and HAProxy, one thread each. See bench/COMPARE.md ("A/B").
#
# usage: bench/paced.sh [--rounds N] [--seconds S] [--jar LABEL=PATH]... [--no-peers] [--full-speed] [--keep]
#   --rounds N        rounds of every contender, interleaved, order rotating (default 5)
#   --seconds S       length of each paced run (default 6)
#   --jar LABEL=PATH  a Fulcrum build to measure, as contender "fulcrumLABEL" (repeatable; default
#                     one: proxy/target/fulcrum.jar as "fulcrum")
#   --flags LABEL=FLAGS  extra JVM flags for the build LABEL (after the bench's own: they win)
#   --no-peers        Fulcrum builds only, no NGINX and HAProxy
#   --full-speed      measure at compare.sh's keep-alive load (wrk -t1 -c64 for --seconds) instead of
#                     the paced one: the figure that decides keep-alive req/s where the proxy's own core
#                     saturates before the load core does (bench/README.md, 2026-12-03 from 17:53)
#   --keep            keep the temp folder and print where it is
#
# compare.sh measures everything (10 minutes); this measures the one figure that moves least between
# runs of a shared machine, quickly enough to decide whether a change to the request path pays:
# a full compare.sh round's paced run, the same load (100 connections x 145 req/s), the same pinning
# (each proxy alone on one core, load and backends on the other) and the same JVM flags.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

ROUNDS=5
PACED=6
PEERS=1
PACED_CLIENTS=100
PACED_RPS_PER_CLIENT=145
CONNECTIONS=64
FULL_SPEED=0
JARS=()
FLAGS=()

declare -A PID=() PORT=() FAILED=()

usage() {
    print_usage "${BASH_SOURCE[0]}"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --rounds | --seconds)
                [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
                if [[ "$1" == --rounds ]]; then ROUNDS="$2"; else PACED="$2"; fi
                shift
                ;;
            --jar)
                [[ $# -ge 2 && "$2" == *=* ]] || { usage >&2; exit 2; }
                JARS+=("$2")
                shift
                ;;
            --flags)
                [[ $# -ge 2 && "$2" == *=* ]] || { usage >&2; exit 2; }
                FLAGS+=("$2")
                shift
                ;;
            --no-peers) PEERS=0 ;;
            --full-speed) FULL_SPEED=1 ;;
            --keep) KEEP_TMP=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
}

# Adds the Fulcrum contenders, one per --jar (or the default build), then the peers.
choose_contenders() {
    CONTENDERS=()
    if [[ ${#JARS[@]} -eq 0 ]]; then
        ensure_fulcrum_jar
        CONTENDERS+=(fulcrum-1)
    fi
    add_fulcrum_builds "${JARS[@]+"${JARS[@]}"}" -- "${FLAGS[@]+"${FLAGS[@]}"}"
    [[ ${PEERS} -eq 0 ]] || CONTENDERS+=(nginx-1 haproxy-1)
}

# utime and stime (fields 14 and 15), in ticks, summed over the /proc stat files named.
sum_user_sys() {
    local u=0 s=0 file stat
    for file in "$@"; do
        stat="$(cat "${file}" 2>/dev/null)" || continue
        stat="${stat##*) }"
        # shellcheck disable=SC2086 # word splitting of the stat fields is the point
        set -- ${stat}
        u=$((u + ${12}))
        s=$((s + ${13}))
    done
    echo "${u} ${s}"
}

# User and system ticks of process $1 and its children (NGINX's workers).
user_sys_ticks() {
    local files=() pid
    for pid in $(proc_tree "$1"); do
        files+=("/proc/${pid}/stat")
    done
    sum_user_sys "${files[@]}"
}

# The same for the event-loop threads ("fulcrum-io-*") of process $1 only: the request path without the
# JIT compiler and GC threads.
loop_user_sys_ticks() {
    local files=() task
    for task in /proc/"$1"/task/*; do
        [[ "$(cat "${task}/comm" 2>/dev/null)" != fulcrum-io* ]] || files+=("${task}/stat")
    done
    sum_user_sys "${files[@]+"${files[@]}"}"
}

paced_load() {
    paced_h2load "$1" "${PACED}"
}

# The load measured: the paced one, or with --full-speed compare.sh's keep-alive run of the same length.
measured_load() {
    if [[ ${FULL_SPEED} -eq 1 ]]; then
        pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${PACED}s" "http://127.0.0.1:${PORT[$1]}/" 2>&1
    else
        paced_load "$1"
    fi
}

# The requests that load's output says were answered.
measured_requests() {
    if [[ ${FULL_SPEED} -eq 1 ]]; then
        # "  184117 requests in 6.00s, 25.81MB read"; non-2xx answers would be a broken proxy: none counted
        [[ "$1" != *"Non-2xx"* ]] || return 0
        echo "$1" | sed -n 's/^ *\([0-9]*\) requests in .*/\1/p'
    else
        # "requests: 87000 total, 87000 started, 87000 done, 87000 succeeded, 0 failed, ..."
        echo "$1" | sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p'
    fi
}

# One JIT warm-up for every Fulcrum build, as compare.sh gives it: 20 s of keep-alive load and two
# unrecorded paced passes. NGINX and HAProxy need none.
warm_up() {
    local key
    for key in "${CONTENDERS[@]}"; do
        [[ "${key}" == fulcrum* && -z "${FAILED[${key}]:-}" ]] || continue
        fulcrum_warm_up "${key}" "${PACED}"
    done
}

measure() {
    local key="$1" round="$2" pid="${PID[$1]}" u0 s0 u1 s1 lu0=0 ls0=0 lu1=0 ls1=0 out requests user sys
    local loop="" threads=""
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d3s "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    if [[ "${key}" == fulcrum* ]]; then
        thread_cpu_by_name "${pid}" >"${BENCH_TMP}/${key}/threads-before"
        read -r lu0 ls0 < <(loop_user_sys_ticks "${pid}")
    fi
    read -r u0 s0 < <(user_sys_ticks "${pid}")
    out="$(measured_load "${key}")" || { park "${key}"; log "${key}: load failed: $(echo "${out}" | tail -1)"; return 0; }
    read -r u1 s1 < <(user_sys_ticks "${pid}")
    requests="$(measured_requests "${out}")"
    user="$(cpu_us_per_request $((u1 - u0)) "${requests}")"
    sys="$(cpu_us_per_request $((s1 - s0)) "${requests}")"
    if [[ "${key}" == fulcrum* ]]; then
        read -r lu1 ls1 < <(loop_user_sys_ticks "${pid}")
        loop="$(cpu_us_per_request $((lu1 - lu0)) "${requests}") $(cpu_us_per_request $((ls1 - ls0)) "${requests}")"
        # Which threads the rest went to (the JIT, GC, health probes): coarse, for the log.
        thread_cpu_by_name "${pid}" >"${BENCH_TMP}/${key}/threads-after"
        threads="; event loop user/sys ${loop}; by thread: $(thread_cpu_growth "${BENCH_TMP}/${key}/threads-before" \
            "${BENCH_TMP}/${key}/threads-after" "${requests}")"
    fi
    park "${key}"
    printf '%s\t%s\t%s\t%s\t%s\n' "${key}" "${round}" "${user}" "${sys}" "${loop/ /$'\t'}" >>"${RAW}"
    log "round ${round}: ${key}: user ${user} sys ${sys} µs/req (${requests} requests)${threads}"
}

# Medians and min-max per contender, then every Fulcrum build over each peer.
report() {
    python3 - "${RAW}" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    rows.setdefault(f[0], []).append([float(x) for x in f[2:] if x])
def cell(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f})"
print("| contender | user µs/req | sys µs/req | total µs/req | event loop user | event loop sys |")
print("|---|---:|---:|---:|---:|---:|")
total = {}
for key, vals in rows.items():
    t = [v[0] + v[1] for v in vals]
    total[key] = statistics.median(t)
    loop = [cell([v[2] for v in vals]), cell([v[3] for v in vals])] if len(vals[0]) == 4 else ["—", "—"]
    print(f"| {key} | {cell([v[0] for v in vals])} | {cell([v[1] for v in vals])} | {cell(t)} | {loop[0]} | {loop[1]} |")
peers = [k for k in rows if not k.startswith("fulcrum")]
for f in [k for k in rows if k.startswith("fulcrum") and peers]:
    print(f"{f} total: " + ", ".join(f"{total[f] / total[p]:.2f} x {p}" for p in peers))
EOF
}

main() {
    parse_args "$@"
    ensure_bench_tools
    bench_init
    choose_contenders
    start_backends
    start_parked
    warm_up
    rotate_rounds "${ROUNDS}" measure
    report
}

main "$@"
