#!/usr/bin/env bash
# Fulcrum's JIT when its backend pool grows under traffic: a warm daemon (compare.sh's phases:
# keep-alive, a new connection per request, the paced load), then a burst of more client connections
# than the pool holds, which makes each event loop open backend connections after C2 has compiled the
# set-up code for thousands of client connections. Prints the uncommon traps and the C2-compiled
# methods thrown away within 4 s of the burst (-XX:+LogCompilation), and whether the event loop's read
# path (epollInReady) was among them. See bench/README.md ("2026-12-03").
#
# usage: bench/pool-burst.sh [--runs N] [--jar PATH] [--keep]
#   --runs N    daemons to start one after the other (default 1): the JIT's choices vary between runs
#   --jar PATH  the Fulcrum build (default proxy/target/fulcrum.jar)
#   --keep      keep the temp folders (compilation logs, outputs) and print where they are
#
# Pinned as compare.sh pins: Fulcrum alone on one core, nginx backends and the load on the other.
# About 50 s per run.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

RUNS=1
JAR=""
CONNECTIONS=64
BURST_CONNECTIONS=200
declare -A PID=() PORT=() FAILED=() FULCRUM_JARS=() FULCRUM_EXTRA_FLAGS=()

usage() {
    print_usage "${BASH_SOURCE[0]}"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --runs)
                [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
                RUNS="$2"
                shift
                ;;
            --jar)
                [[ $# -ge 2 && -f "$2" ]] || { usage >&2; exit 2; }
                JAR="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
                shift
                ;;
            --keep) KEEP_TMP=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
}

backend_connections() {
    ss -Htn state established "( dport = :${BPORT1} or dport = :${BPORT2} or dport = :${BPORT3} )" | wc -l
}

one_run() {
    local run="$1" key="fulcrum-1" port pid dir uptime before
    dir="${BENCH_TMP}/${key}"
    FULCRUM_JARS[${key}]="${JAR:-${FULCRUM_JAR}}"
    FULCRUM_EXTRA_FLAGS[${key}]="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=${BENCH_TMP}/compilation-${run}.log"
    start_contender "${key}"
    [[ -z "${FAILED[${key}]:-}" ]] || die "Fulcrum did not start"
    port="${PORT[${key}]}"
    pid="${PID[${key}]}"
    log "run ${run}: warm-up (keep-alive, new connection per request, paced)"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d20s "http://127.0.0.1:${port}/" >/dev/null
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d5s -H 'Connection: close' "http://127.0.0.1:${port}/" >/dev/null
    pinned "${LOAD_CPUS}" h2load --h1 -t1 -c100 -r 1 --rate-period 1ms --rps 145 -n 87000 \
        "http://127.0.0.1:${port}/" >/dev/null || true
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d10s "http://127.0.0.1:${port}/" >/dev/null
    sleep 2
    before="$(backend_connections)"
    uptime="$(jcmd "${pid}" VM.uptime | awk 'END { print $1 }')"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${BURST_CONNECTIONS}" -d2s "http://127.0.0.1:${port}/" >/dev/null
    sleep 3
    log "run ${run}: burst of ${BURST_CONNECTIONS} connections at uptime ${uptime} s; backend connections ${before} -> $(backend_connections)"
    stop_bg "${pid}"
    python3 "${BENCH_LIB}/jit_traps.py" "${BENCH_TMP}/compilation-${run}.log" "${uptime}" 4
    mv "${dir}" "${dir}-${run}"
}

main() {
    parse_args "$@"
    ensure_bench_tools
    ensure_tools jcmd:"openjdk-17-jdk-headless|default-jdk-headless" ss:iproute2
    bench_init
    if [[ -z "${JAR}" ]]; then
        ensure_fulcrum_jar
    fi
    start_backends
    local run
    for ((run = 1; run <= RUNS; run++)); do
        one_run "${run}"
    done
}

main "$@"
