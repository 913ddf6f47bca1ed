#!/usr/bin/env bash
# Where each proxy's core goes, per request: kernel and user time, idle, and the kernel functions side
# by side, from `perf record` on the proxy's core, for Fulcrum, NGINX and HAProxy, one thread each.
# See bench/COMPARE.md ("Kernel and user time: perf-split.sh").
#
# usage: bench/perf-split.sh [--rounds N] [--seconds S] [--paced] [--top N] [--keep]
#   --rounds N   rounds of every contender, interleaved, order rotating (default 2)
#   --seconds S  length of each recording, taken in the middle of a load S + 4 s long (default 5)
#   --paced      compare.sh's paced load (100 connections x 145 req/s) instead of its full-speed one
#                (wrk -t1 -c64)
#   --top N      kernel functions to list (default 25)
#   --keep       keep the temp folder (perf data and maps) and print where it is
#
# paced.sh says how much CPU each proxy spends per request; this says on what. On a VM without a PMU
# perf samples a software clock (cpu-clock, 4999 per second): each sample is 200 µs of the core's
# time, so samples x 200 µs / requests is µs per request. Fulcrum's JIT code is named through
# `jcmd PID Compiler.perfmap`. Needs perf (Debian's linux-perf) and root, for a whole-CPU recording.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

ROUNDS=2
SECONDS_RECORDED=5
PACED=0
TOP=25
PACED_CLIENTS=100
PACED_RPS_PER_CLIENT=145
CONNECTIONS=64
CONTENDERS=(fulcrum-1 nginx-1 haproxy-1)
# Counted per contender beside each recording: every system call, the epoll waits among them (NGINX
# and HAProxy call epoll_wait, Netty epoll_pwait2), and how often its threads were switched out.
STAT_EVENTS="raw_syscalls:sys_enter,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait"
STAT_EVENTS+=",syscalls:sys_enter_epoll_pwait2,context-switches"

declare -A PID=() PORT=() FAILED=()

usage() {
    print_usage "${BASH_SOURCE[0]}"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --rounds | --seconds | --top)
                [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
                case "$1" in
                    --rounds) ROUNDS="$2" ;;
                    --seconds) SECONDS_RECORDED="$2" ;;
                    --top) TOP="$2" ;;
                esac
                shift
                ;;
            --paced) PACED=1 ;;
            --keep) KEEP_TMP=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
}

# The load around a recording, $2 seconds of it: paced, or compare.sh's keep-alive one.
load() {
    if [[ ${PACED} -eq 1 ]]; then
        paced_h2load "$1" "$2"
    else
        pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"$2s" "http://127.0.0.1:${PORT[$1]}/" 2>&1
    fi
}

# Requests per second the load's output reports ("Requests/sec: 41234.5"; h2load: "finished in 9.00s,
# 14500.00 req/s").
load_rate() {
    if [[ ${PACED} -eq 1 ]]; then
        echo "$1" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'
    else
        echo "$1" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'
    fi
}

# The kernel's ids of every thread of process $1 and its children, space-separated: perf names
# samples by thread, and a JVM's threads each have their own.
task_ids() {
    local pid
    for pid in $(proc_tree "$1"); do
        ls "/proc/${pid}/task" 2>/dev/null || true
    done | tr '\n' ' '
}

# One recording of KEY in ROUND: the load for SECONDS_RECORDED + 4 s, perf on the proxy's core from
# its second 2 (perf itself on the load's core, so the proxy's core holds the proxy alone), then the
# data file, the load's rate and the contender's thread ids written to RAW.
record() {
    local key="$1" round="$2" data="${BENCH_TMP}/${1}-r${2}.data" out rate recorder counter
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d3s "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    (
        sleep 2
        pinned "${LOAD_CPUS}" perf record -q -e cpu-clock -F 4999 -C "${PROXY1_CPUS}" -o "${data}" -- sleep "${SECONDS_RECORDED}" \
            >/dev/null 2>&1
    ) &
    recorder=$!
    (
        # Over the same seconds, the contender's system calls and context switches (every thread).
        sleep 2
        pinned "${LOAD_CPUS}" perf stat -x, -e "${STAT_EVENTS}" -p "$(proc_tree "${PID[$key]}" | paste -sd,)" -o "${data}.stat" \
            -- sleep "${SECONDS_RECORDED}" >/dev/null 2>&1
    ) &
    counter=$!
    out="$(load "${key}" $((SECONDS_RECORDED + 4)))" || true
    wait "${counter}" || log "${key}: perf stat failed (no system call counts)"
    wait "${recorder}" || { log "${key}: perf record failed"; park "${key}"; return 0; }
    if [[ "${key}" == fulcrum* ]]; then
        # Names for the JIT's code, in /tmp/perf-PID.map, where perf report looks for them.
        jcmd "${PID[$key]}" Compiler.perfmap >/dev/null 2>&1 || log "${key}: no perf map (jcmd failed)"
    fi
    park "${key}"
    rate="$(load_rate "${out}")"
    [[ -n "${rate}" ]] || { log "${key}: the load failed: $(echo "${out}" | tail -1)"; return 0; }
    printf '%s\t%s\t%s\t%s\t%s\n' "${key}" "${round}" "${data}" "${rate}" "$(task_ids "${PID[$key]}")" >>"${RAW}"
    log "round ${round}: ${key}: ${rate} req/s, ${SECONDS_RECORDED} s recorded"
}

main() {
    parse_args "$@"
    [[ $(id -u) -eq 0 ]] || die "perf-split.sh records whole CPUs with perf: run it as root"
    ensure_bench_tools
    ensure_tools perf:linux-perf
    bench_init
    [[ -n "${PROXY1_CPUS}" ]] || die "perf-split.sh needs 2 or more CPUs: the proxy's core is what it records"
    ensure_fulcrum_jar
    start_backends
    start_parked
    # Fulcrum's JIT warm-up, as paced.sh gives it.
    [[ -n "${FAILED[fulcrum-1]:-}" ]] || fulcrum_warm_up fulcrum-1 6
    rotate_rounds "${ROUNDS}" record
    log "$( ((PACED == 1)) && echo "paced load" || echo "full speed (wrk -t1 -c${CONNECTIONS})"), ${ROUNDS} round(s) of ${SECONDS_RECORDED} s"
    python3 "${BENCH_DIR}/lib/perf_split.py" "${RAW}" "${SECONDS_RECORDED}" "${TOP}"
    # The JIT's map is perf's to read at report time only; --keep keeps it with the data.
    local map="/tmp/perf-${PID[fulcrum-1]:-none}.map"
    if [[ "${KEEP_TMP:-0}" -eq 1 && -f "${map}" ]]; then
        mv "${map}" "${BENCH_TMP}/"
        log "Fulcrum's JIT map moved beside the data: copy it back to ${map} to report on them again"
    else
        rm -f "${map}"
    fi
}

main "$@"
