#!/usr/bin/env bash
# How late each proxy's thread runs after it is woken, at compare.sh's paced load, and how many of the
# slow requests fall just before a late wake-up: Fulcrum, NGINX and HAProxy, one thread each.
# See bench/COMPARE.md ("Wake-ups: wakeups.sh").
#
# usage: bench/wakeups.sh [--rounds N] [--seconds S] [--keep]
#   --rounds N   rounds of every contender, interleaved, order rotating (default 3)
#   --seconds S  length of each paced run (default 6)
#   --keep       keep the temp folder (perf data, h2load logs) and print where it is
#
# At the paced load a proxy's core is idle a third of the time or more, so nearly every request
# starts with its event loop asleep in epoll and a wake-up: on a VM the core may be halted then, and
# the wait until the hypervisor runs it again is part of the request's latency but not of the
# proxy's CPU time or the guest's steal. This records sched_waking and sched_switch on both cores
# (perf, on the load's core) around each paced run and reports, per run: the paced p99 from h2load's
# per-request log, how often the proxy's threads were woken on its core and by whom, the latency
# from waking to running (p50, p99, how many of 1 ms or more), and the share of the requests of 3 ms
# or more that were in flight while a wake-up of the proxy's own thread ran 1 ms late; and the same for
# the load core's two parties, h2load and the backends, whose wake-ups a proxy's writes cause.
# Needs perf (Debian's linux-perf) and root, for whole-CPU tracepoints.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

ROUNDS=3
PACED=6
PACED_CLIENTS=100
PACED_RPS_PER_CLIENT=145
CONTENDERS=(fulcrum-1 nginx-1 haproxy-1)

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
            --keep) KEEP_TMP=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
}

# The kernel's ids of every thread of process $1 and its children, space-separated.
task_ids() {
    local pid
    for pid in $(proc_tree "$1"); do
        ls "/proc/${pid}/task" 2>/dev/null || true
    done | tr '\n' ' '
}

# One paced run of KEY in ROUND under the scheduler trace; writes a line to RAW for wakeups.py.
record() {
    local key="$1" round="$2" data="${BENCH_TMP}/${1}-r${2}.data" requests="${BENCH_TMP}/${1}-r${2}.h2load"
    local recorder offset worker
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c64 -d3s "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    pinned "${LOAD_CPUS}" perf record -q -k mono -e sched:sched_switch -e sched:sched_waking -C "${LOAD_CPUS},${PROXY1_CPUS}" \
        -o "${data}" -- sleep $((PACED + 1)) >/dev/null 2>&1 &
    recorder=$!
    sleep 0.3
    # perf's clock is CLOCK_MONOTONIC, h2load's log the wall clock: the difference joins the two.
    offset="$(python3 -c 'import time; print(time.time() - time.monotonic())')"
    paced_h2load "${key}" "${PACED}" --log-file "${requests}" >/dev/null || true
    wait "${recorder}" || { log "${key}: perf record failed"; park "${key}"; return 0; }
    park "${key}"
    [[ -s "${requests}" ]] || { log "${key}: h2load wrote no log"; return 0; }
    # Fulcrum's requests are served by its event loops alone; its other threads (the JIT's, GC's,
    # health probes') are what may delay them.
    worker=""
    [[ "${key}" != fulcrum* ]] || worker="fulcrum-io"
    # The load core's side of every request: h2load and the backends' nginx, on LOAD_CPUS.
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${key}" "${round}" "${data}" "${requests}" "${offset}" \
        "${PROXY1_CPUS}" "$(task_ids "${PID[$key]}")" "${worker}" "${LOAD_CPUS}" "$(task_ids "${BACKENDS_PID}")" >>"${RAW}"
    log "round ${round}: ${key} traced"
}

main() {
    parse_args "$@"
    [[ $(id -u) -eq 0 ]] || die "wakeups.sh traces whole CPUs with perf: run it as root"
    ensure_bench_tools
    ensure_tools perf:linux-perf
    bench_init
    [[ -n "${PROXY1_CPUS}" && "${PROXY1_CPUS}" != *,* ]] || die "wakeups.sh needs a proxy core of its own (2 or more CPUs)"
    ensure_fulcrum_jar
    start_backends
    start_parked
    if [[ -z "${FAILED[fulcrum-1]:-}" ]]; then
        fulcrum_warm_up fulcrum-1 "${PACED}"
        # compare.sh's warm-up has a pass with a new connection per request too: without one, C2
        # compiles the connection set-up code during the first traced run (bench/README.md, 2026-12-04).
        unpark fulcrum-1
        pinned "${LOAD_CPUS}" wrk -t1 -c64 -d5s -H 'Connection: close' "http://127.0.0.1:${PORT[fulcrum-1]}/" >/dev/null
        park fulcrum-1
    fi
    rotate_rounds "${ROUNDS}" record
    log "paced load, ${ROUNDS} round(s) of ${PACED} s"
    python3 "${BENCH_DIR}/lib/wakeups.py" "${RAW}"
}

main "$@"
