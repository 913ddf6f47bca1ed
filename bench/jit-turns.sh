#!/usr/bin/env bash
# What Fulcrum's JIT throws away and compiles again inside each paced run of compare.sh's sequence
# of loads, and how many of that run's slow requests were in flight while C2 worked: one or more
# Fulcrum builds (or JVM flags) side by side. See bench/COMPARE.md ("The JIT at each turn: jit-turns.sh").
#
# usage: bench/jit-turns.sh [--rounds N] [--idle S] [--jar LABEL=PATH]... [--flags LABEL=FLAGS]... [--keep]
#   --rounds N        turns of every build, interleaved, order rotating (default 3)
#   --idle S          seconds each build waits parked between its turns, as while compare.sh measures
#                     the other contenders (default 60)
#   --jar LABEL=PATH  a Fulcrum build, as "fulcrumLABEL" (repeatable; default proxy/target/fulcrum.jar)
#   --flags LABEL=FLAGS  extra JVM flags for the build LABEL
#   --keep            keep the temp folder (compilation logs, h2load logs) and print where it is
#
# The paced p99 of one compare.sh run swings 2x with the host; the number of uncommon traps and the
# C2 time inside a paced run do not, so a change meant to keep C2 off the proxy's core at the turns
# is judged here first. Each turn is compare.sh's: 5 s of keep-alive warm-up, 6 s keep-alive, 6 s
# paced (logged per request), 6 s of 64 KiB answers, 6 s with a new connection per request; before
# the first turn, compare.sh's JVM warm-up (20 s keep-alive and three passes of every load shape).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

ROUNDS=3
IDLE=60
RUN=6
PACED=6
CONNECTIONS=64
PACED_CLIENTS=100
PACED_RPS_PER_CLIENT=145
JARS=()
FLAGS=()

declare -A PID=() PORT=() FAILED=() CLOCK=()

usage() {
    print_usage "${BASH_SOURCE[0]}"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --rounds | --idle)
                [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }
                if [[ "$1" == --rounds ]]; then ROUNDS="$2"; else IDLE="$2"; fi
                shift
                ;;
            --jar | --flags)
                [[ $# -ge 2 && "$2" == *=* ]] || { usage >&2; exit 2; }
                if [[ "$1" == --jar ]]; then JARS+=("$2"); else FLAGS+=("$2"); fi
                shift
                ;;
            --keep) KEEP_TMP=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
    [[ "${ROUNDS}" -ge 1 ]] || { usage >&2; exit 2; }
}

choose_builds() {
    CONTENDERS=()
    if [[ ${#JARS[@]} -eq 0 ]]; then
        ensure_fulcrum_jar
        JARS=("=${FULCRUM_JAR}")
    fi
    local key
    add_fulcrum_builds "${JARS[@]}" -- "${FLAGS[@]+"${FLAGS[@]}"}"
    for key in "${CONTENDERS[@]}"; do
        FULCRUM_EXTRA_FLAGS[${key}]="${FULCRUM_EXTRA_FLAGS[${key}]:-} -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=${BENCH_TMP}/${key}.compilation.log"
    done
}

# Seconds since the JVM of KEY started, as its compilation log counts them, less the monotonic clock
# now: added to a monotonic time it gives the log's time. Read once (jcmd attaches to the JVM).
read_clock() {
    local key="$1" before after up
    before="$(python3 -c 'import time; print(time.monotonic())')"
    up="$(pinned "${LOAD_CPUS}" jcmd "${PID[$key]}" VM.uptime | awk 'END { print $1 }')"
    after="$(python3 -c 'import time; print(time.monotonic())')"
    CLOCK[${key}]="$(awk -v u="${up}" -v b="${before}" -v a="${after}" 'BEGIN { printf "%.4f", u - (a + b) / 2 }')"
}

every_shape() {
    local port="${PORT[$1]}" requests="${2:-}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${RUN}s" "http://127.0.0.1:${port}/" >/dev/null
    local log=()
    [[ -z "${requests}" ]] || log=(--log-file "${requests}")
    paced_h2load "$1" "${PACED}" "${log[@]+"${log[@]}"}" >/dev/null || true
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${RUN}s" "http://127.0.0.1:${port}/64k" >/dev/null
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${RUN}s" -H 'Connection: close' "http://127.0.0.1:${port}/" >/dev/null
}

warm_up() {
    local key="$1" pass
    log "${key}: compare.sh's JVM warm-up"
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d20s "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    for pass in 1 2 3; do
        every_shape "${key}"
    done
    park "${key}"
    read_clock "${key}"
}

turn() {
    local key="$1" round="$2" requests="${BENCH_TMP}/${1}-r${2}.h2load"
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d5s "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    every_shape "${key}" "${requests}"
    park "${key}"
    # h2load logs wall-clock microseconds; wall minus monotonic joins them to the compilation log.
    printf '%s\t%s\t%s\t%s\n' "${key}" "${round}" "${requests}" \
        "$(python3 -c "import time; print(${CLOCK[$key]} - (time.time() - time.monotonic()))")" >>"${RAW}"
    log "round ${round}: ${key} done; idle ${IDLE} s"
    sleep "${IDLE}"
}

main() {
    parse_args "$@"
    ensure_bench_tools
    ensure_tools jcmd:"openjdk-17-jdk-headless|default-jdk-headless"
    bench_init
    [[ -n "${PROXY1_CPUS}" && "${PROXY1_CPUS}" != *,* ]] || die "jit-turns.sh needs a proxy core of its own (2 or more CPUs)"
    choose_builds
    start_backends
    start_parked
    local key
    for key in "${CONTENDERS[@]}"; do
        [[ -n "${FAILED[${key}]:-}" ]] || warm_up "${key}"
    done
    rotate_rounds "${ROUNDS}" turn
    # The JVM writes its compilation log out whole only when it exits.
    for key in "${CONTENDERS[@]}"; do
        [[ -z "${PID[$key]:-}" ]] || stop_bg "${PID[$key]}"
    done
    python3 "${BENCH_LIB}/jit_turns.py" "${RAW}" "${BENCH_TMP}"
    # A build that did not start or died was reported when it happened; the run fails for it.
    [[ ! -s "${FAILURES}" ]]
}

main "$@"
