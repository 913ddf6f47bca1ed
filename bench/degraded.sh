#!/usr/bin/env bash
# Issue 4's scenario: three backends, one degraded (half the capacity, reporting 95 % CPU), under a
# fixed request rate the two healthy ones could carry alone. Compares how much traffic each
# balancer still sends to the degraded backend and what that costs in exact latency percentiles:
# Fulcrum dynamic, Fulcrum round-robin, NGINX least_conn, HAProxy leastconn. See bench/COMPARE.md.
#
# usage: bench/degraded.sh [--quick] [--rounds N] [--rate R] [--keep] [--out FILE]
#   --quick     one short round (under 2 minutes)
#   --rounds N  rounds of every contender, interleaved (default 2; --quick: 1)
#   --rate R    total requests per second offered (default 2000)
#   --keep      keep the temp folder (configs, logs, raw h2load logs) and print where it is
#   --out FILE  the markdown results (default bench/results/degraded-<date>.md)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"

QUICK=0
ROUNDS=""
OUT=""
RATE=2000
# Offered load comes from this many keep-alive connections, each pacing its own requests; many
# slow-paced connections rather than a few fast ones, because h2load sends HTTP/1.1 requests one at
# a time per connection: an answer slower than the connection's interval (100 ms here) delays its
# next request, and that wait is not in the latency h2load logs.
CLIENTS=200

# The backends: capacity = slots / service time. Healthy: 8 slots x 4 ms = 2,000 req/s each.
# Degraded: 5 slots x 5 ms = 1,000 req/s — half, with fewer slots and slower answers, so a queue
# builds on it as its share of the load rises. Each answer also costs some CPU on a shared core, so
# the real capacities are somewhat lower (about 1,800 and 900 req/s measured on 2 cores).
HEALTHY_SLOTS=8
HEALTHY_MS=4
HEALTHY_CPU=0.30
DEGRADED_SLOTS=5
DEGRADED_MS=5
DEGRADED_CPU=0.95

usage() {
    print_usage "${BASH_SOURCE[0]}"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --quick) QUICK=1 ;;
            --rounds)
                [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
                ROUNDS="$2"
                shift
                ;;
            --rate)
                [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
                RATE="$2"
                shift
                ;;
            --keep) KEEP_TMP=1 ;;
            --out)
                [[ $# -ge 2 ]] || { usage >&2; exit 2; }
                OUT="$2"
                shift
                ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
        shift
    done
    # Warm-up runs at the measured rate, so the balancers see the degraded backend's queue and load
    # reports (Fulcrum probes every second here) before the measurement starts. The JVM's first
    # warm-up is longer, for the JIT.
    if [[ ${QUICK} -eq 1 ]]; then
        ROUNDS="${ROUNDS:-1}"
        WARM=4; JVM_FIRST_WARM=10; RUN=8; BACKEND_WARM=3
    else
        ROUNDS="${ROUNDS:-2}"
        WARM=8; JVM_FIRST_WARM=20; RUN=20; BACKEND_WARM=8
    fi
    # h2load paces per connection: CLIENTS connections x RPS each (rounded to a whole number).
    RPS_PER_CLIENT=$(((RATE + CLIENTS / 2) / CLIENTS))
    ((RPS_PER_CLIENT >= 1)) || RPS_PER_CLIENT=1
    OUT="${OUT:-${BENCH_DIR}/results/degraded-$(date +%Y-%m-%d-%H%M).md}"
}

CONTENDERS=(fulcrum-dynamic fulcrum-round-robin nginx-least_conn haproxy-leastconn)
declare -A PID=() PORT=() ADMIN=() FAILED=()

record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"${RAW}"
}

fail_contender() {
    FAILED[$1]="$2"
    printf '%s\t%s\n' "$1" "$2" >>"${FAILURES}"
    log "$1: $2"
}

# Backends 1 and 2 are healthy, backend 3 is the degraded one: one JVM serving all three
# (bench/lib/SlowBackends.java, run by the single-source launcher). TCP_NODELAY on, or Nagle and
# delayed ACKs would add 40 ms stalls; idle keep-alive connections kept for minutes, as the proxies
# pool them.
start_backends() {
    local dir="${BENCH_TMP}/backends" port
    mkdir -p "${dir}"
    read -r -d '' BPORT1 BPORT2 BPORT3 < <(free_ports 3) || true
    start_bg BACKENDS_PID "${LOAD_CPUS}" "${dir}/backends" java -XX:+UseSerialGC -Xms64m -Xmx128m \
        -Dsun.net.httpserver.nodelay=true -Dsun.net.httpserver.idleInterval=300 \
        -Dsun.net.httpserver.maxIdleConnections=2000 "${BENCH_LIB}/SlowBackends.java" \
        "${BPORT1}:${HEALTHY_SLOTS}:${HEALTHY_MS}:${HEALTHY_CPU}" \
        "${BPORT2}:${HEALTHY_SLOTS}:${HEALTHY_MS}:${HEALTHY_CPU}" \
        "${BPORT3}:${DEGRADED_SLOTS}:${DEGRADED_MS}:${DEGRADED_CPU}"
    for port in "${BPORT1}" "${BPORT2}" "${BPORT3}"; do
        wait_http "http://127.0.0.1:${port}/healthz" "${BACKENDS_PID}" 60 ||
            die "the backends did not start: $(tail -3 "${dir}/backends.err" 2>/dev/null || true)"
    done
    log "backends on 127.0.0.1: ${BPORT1}, ${BPORT2} healthy; ${BPORT3} degraded"
    # Warm the backends' JIT directly (through backend 1, the code is shared), so the first
    # contender measured does not pay for it. At the full rate one backend queues, but never more
    # than CLIENTS requests, and the queue is gone a moment after the run.
    PORT[backends]="${BPORT1}"
    paced_run backends "${BACKEND_WARM}" "" >/dev/null || true
}

start_contender() {
    local key="$1" name="${1%%-*}" policy="${1#*-}" dir="${BENCH_TMP}/$1" listen admin pid
    mkdir -p "${dir}"
    read -r -d '' listen admin < <(free_ports 2) || true
    local common=(DIR="${dir}" LISTEN="${listen}" THREADS=1 PORT1="${BPORT1}" PORT2="${BPORT2}" PORT3="${BPORT3}")
    case "${name}" in
        nginx)
            nginx_dir "${dir}"
            render "${BENCH_CONF}/nginx-proxy.conf" "${dir}/nginx.conf" "${common[@]}" UPSTREAM_POLICY="${policy};"
            start_bg pid "${PROXY1_CPUS}" "${dir}/proxy" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
            ;;
        haproxy)
            render "${BENCH_CONF}/haproxy.cfg" "${dir}/haproxy.cfg" "${common[@]}" BALANCE="${policy}"
            start_bg pid "${PROXY1_CPUS}" "${dir}/proxy" haproxy -db -f "${dir}/haproxy.cfg"
            ;;
        fulcrum)
            if [[ ! -f "${FULCRUM_JAR}" ]]; then
                fail_contender "${key}" "no ${FULCRUM_JAR} (the build failed)"
                return 0
            fi
            # In a folder of its own: Fulcrum watches its config's folder, and every write to a file
            # there (the load generator's logs, the proxy's output) would wake its watcher.
            mkdir -p "${dir}/conf"
            render "${BENCH_CONF}/fulcrum.conf" "${dir}/conf/fulcrum.conf" "${common[@]}" \
                ADMIN="${admin}" STRATEGY="${policy}" INTERVAL=1s
            start_bg pid "${PROXY1_CPUS}" "${dir}/proxy" java "${FULCRUM_JVM_FLAGS[@]}" -jar "${FULCRUM_JAR}" \
                run --config "${dir}/conf/fulcrum.conf"
            ;;
    esac
    if wait_http "http://127.0.0.1:${listen}/" "${pid}" 60; then
        PID[${key}]="${pid}"
        PORT[${key}]="${listen}"
        ADMIN[${key}]="${admin}"
        log "${key}: pid ${pid} on 127.0.0.1:${listen}"
    else
        stop_bg "${pid}"
        fail_contender "${key}" "did not start: $(start_failure "${dir}")"
    fi
}

# Requests of `/` each backend has served so far, as "b1 b2 b3", read from the backends directly.
backend_counts() {
    local port counts=()
    for port in "${BPORT1}" "${BPORT2}" "${BPORT3}"; do
        # {"requests":N,"queuedMax":M} -> N
        counts+=("$(curl -s -m 5 "http://127.0.0.1:${port}/stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')")
    done
    echo "${counts[*]}"
}

# paced_run KEY SECONDS LOGFILE — h2load at the fixed rate against the contender; prints h2load's
# output. Connections open one per millisecond (-r 1 --rate-period 1ms) so that their request
# timers are out of phase: opened at once, every connection would send at the same instant and
# the backends would see bursts of CLIENTS requests instead of a steady rate. -r excludes -D, so the
# length is a request count: CLIENTS x RPS_PER_CLIENT x SECONDS.
paced_run() {
    local logf="$3"
    [[ -z "${logf}" ]] || rm -f "${logf}"
    pinned "${LOAD_CPUS}" h2load --h1 -t1 -c"${CLIENTS}" -r 1 --rate-period 1ms --rps "${RPS_PER_CLIENT}" \
        -n $((CLIENTS * RPS_PER_CLIENT * $2)) ${logf:+--log-file "${logf}"} "http://127.0.0.1:${PORT[$1]}/" 2>&1
}

measure_contender() {
    local key="$1" round="$2" warm="${WARM}" logf="${BENCH_TMP}/$1/r$2.log" before after out
    [[ "${key}" == fulcrum-* && "${round}" -eq 1 ]] && warm="${JVM_FIRST_WARM}"
    if ! kill -0 "${PID[$key]}" 2>/dev/null; then
        fail_contender "${key}" "exited during the run (round ${round})"
        return 0
    fi
    log "round ${round}/${ROUNDS}: ${key} (warm-up ${warm}s, then ${RUN}s at ${RATE} req/s)"
    paced_run "${key}" "${warm}" "" >/dev/null || true
    before="$(backend_counts)"
    out="$(paced_run "${key}" "${RUN}" "${logf}")" || { log "${key}: h2load failed: $(echo "${out}" | tail -1)"; return 0; }
    after="$(backend_counts)"
    local requests failed p50 p99 p999 max b1 b2 b3 a1 a2 a3
    read -r requests _ failed p50 p99 p999 max _ < <(python3 "${BENCH_LIB}/latency.py" "${logf}" | sed 's/[a-z0-9_]*=//g')
    read -r b1 b2 b3 <<<"${before}"
    read -r a1 a2 a3 <<<"${after}"
    # "finished in 20.01s, 2398.50 req/s, ..." -> the rate actually served
    record "${key}" "${round}" rps "$(echo "${out}" | sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p')"
    record "${key}" "${round}" p50_ms "${p50}"
    record "${key}" "${round}" p99_ms "${p99}"
    record "${key}" "${round}" p999_ms "${p999}"
    record "${key}" "${round}" max_ms "${max}"
    record "${key}" "${round}" failed "${failed}"
    record "${key}" "${round}" requests "${requests}"
    record "${key}" "${round}" degraded_share_pct "$(awk -v a=$((a1 - b1)) -v b=$((a2 - b2)) -v c=$((a3 - b3)) \
        'BEGIN { t = a + b + c; if (t > 0) printf "%.1f", 100 * c / t; else print "nan" }')"
    [[ ${KEEP_TMP} -eq 1 ]] || rm -f "${logf}"
    [[ "${key}" != fulcrum-* ]] || record_fulcrum_weights "${key}" "${round}"
}

# What Fulcrum made of the load reports at the end of the run: each backend's effective weight and
# reported CPU from the admin API (SPEC section 7), so a surprising share can be explained.
record_fulcrum_weights() {
    local key="$1" round="$2" json
    if ! json="$(curl -sf -m 5 "http://127.0.0.1:${ADMIN[$key]}/api/v1/pools/backends")"; then
        record "${key}" "${round}" weights "admin API not answering on 127.0.0.1:${ADMIN[$key]}"
        return 0
    fi
    echo "${json}" >"${BENCH_TMP}/${key}/pool-r${round}.json"
    record "${key}" "${round}" weights "$(echo "${json}" | python3 "${BENCH_LIB}/fulcrum_weights.py" 2>/dev/null ||
        echo "unreadable")"
}

write_meta() {
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "mode=$([[ ${QUICK} -eq 1 ]] && echo quick || echo full)"
        echo "rounds=${ROUNDS}"
        echo "rate=${CLIENTS} connections x ${RPS_PER_CLIENT} req/s = $((CLIENTS * RPS_PER_CLIENT)) req/s"
        echo "durations=warm-up ${WARM}s (Fulcrum's first ${JVM_FIRST_WARM}s), then ${RUN}s measured"
        echo "backends=two healthy: ${HEALTHY_SLOTS} slots x ${HEALTHY_MS} ms ($((HEALTHY_SLOTS * 1000 / HEALTHY_MS)) req/s each), cpu_utilization=${HEALTHY_CPU}; one degraded: ${DEGRADED_SLOTS} slots x ${DEGRADED_MS} ms ($((DEGRADED_SLOTS * 1000 / DEGRADED_MS)) req/s), cpu_utilization=${DEGRADED_CPU}"
        echo "cpus=${CPU_COUNT} cores"
        echo "layout=load generator and backends on CPU ${LOAD_CPUS:-any}; every proxy one thread, on CPU ${PROXY1_CPUS:-any}"
        echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
        echo "haproxy=$(haproxy -v | head -1 | cut -d' ' -f3)"
        echo "h2load=$(h2load --version | sed 's/^h2load //')"
        echo "java=$(java -version 2>&1 | head -1)"
        echo "fulcrum=$(git -C "${REPO_DIR}" rev-parse --short HEAD 2>/dev/null || echo unknown)"
        echo "jvm_flags=${FULCRUM_JVM_FLAGS[*]}"
    } >"${META}"
}

main() {
    parse_args "$@"
    ensure_tools nginx:"nginx-light|nginx" haproxy:haproxy h2load:nghttp2-client curl:curl python3:python3 \
        taskset:util-linux java:"openjdk-17-jre-headless|default-jre-headless"
    bench_init
    if ! (ensure_fulcrum_jar); then
        log "continuing without Fulcrum"
    fi
    write_meta
    start_backends
    local key
    for key in "${CONTENDERS[@]}"; do
        start_contender "${key}"
    done
    rotate_rounds "${ROUNDS}" measure_contender
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"${META}"
    mkdir -p "$(dirname "${OUT}")"
    python3 "${BENCH_LIB}/degraded_report.py" "${RAW}" "${FAILURES}" "${META}" "${OUT}"
    log "results written to ${OUT}"
    [[ ! -s "${FAILURES}" ]]
}

main "$@"
