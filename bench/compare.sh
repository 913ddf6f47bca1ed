#!/usr/bin/env bash
# Fulcrum side by side with NGINX and HAProxy on loopback (issue 7). See bench/COMPARE.md.
#
# usage: bench/compare.sh [--quick] [--rounds N] [--keep] [--out FILE]
#   --quick     one short round: checks the whole script end to end in under 3 minutes
#   --rounds N  rounds of every contender, interleaved (default 3; --quick: 1)
#   --keep      keep the temp folder (configs, logs, raw h2load logs) and print where it is
#   --out FILE  the markdown results (default bench/results/compare-<date>.md)
#
# Every contender forwards to the same three nginx backends; each round runs every contender in
# turn (the order rotates each round, so slow drift of a shared machine spreads over all of them),
# and the results are medians with min-max over rounds. Keep-alive, paced and 64 KiB runs that lost
# more than 40 ms to the hypervisor's steal get make-up attempts after the last round (makeup).
# Exits 1 when a contender failed to start (its row then says why), after writing the results of
# the others.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/common.sh"
# shellcheck source-path=SCRIPTDIR
source "${BENCH_DIR}/lib/contenders.sh"

QUICK=0
ROUNDS=""
OUT=""

# Keep-alive clients of every load run (wrk -t1 -c64) and the paced load: 100 connections each
# sending 145 requests per second = 14,500 requests per second (h2load's timer ticks every 10 ms at
# the least, so each connection sends one or two requests per tick, 1.45 on average).
CONNECTIONS=64
PACED_CLIENTS=100
PACED_RPS_PER_CLIENT=145
IDLE_CONNECTIONS=5000
# A keep-alive, paced or 64 KiB run is calm when steal took at most STEAL_MAX_MS from the machine
# during it (and, paced, at most PACED_BURST_MAX % of its requests went out in bursts); runs that
# were not get make-up attempts after the last round, for up to MAKEUP_SECONDS in all (--quick:
# none). See try_run and makeup.
STEAL_MAX_MS=40
PACED_BURST_MAX=5
MAKEUP_SECONDS=200
# Per "KIND KEY ROUND" (KIND: keepalive, paced or bulk): the attempt the round keeps, how far over
# the calm limits it was, and the attempts made.
declare -A KEPT=() OVER=() ATTEMPTS=()

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
    # Durations in seconds. The JVM's first warm-up is longer: the JIT needs tens of thousands of
    # requests through the hot path before Fulcrum runs compiled code.
    if [[ ${QUICK} -eq 1 ]]; then
        ROUNDS="${ROUNDS:-1}"
        WARM=2; JVM_FIRST_WARM=10; RUN=3; PACED=3; BULK=2; CLOSE=2; MAKEUP_SECONDS=0
    else
        ROUNDS="${ROUNDS:-3}"
        WARM=3; JVM_FIRST_WARM=20; RUN=6; PACED=6; BULK=4; CLOSE=3
    fi
    OUT="${OUT:-${BENCH_DIR}/results/compare-$(date +%Y-%m-%d-%H%M).md}"
}

# Contenders as NAME-THREADS keys. direct has no proxy: it is wrk straight to one backend.
CONTENDERS=(direct-1 fulcrum-1 nginx-1 haproxy-1 fulcrum-2 nginx-2 haproxy-2)
declare -A PID=() PORT=() FAILED=()

# Appends one measurement to the raw results: contender, round, metric, value.
record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"${RAW}"
}

# wrk_run KEY SECONDS PATH [wrk args...] — prints the WRK_SUMMARY fields as "requests bytes
# duration_us errors p50_us p99_us".
wrk_run() {
    local port="${PORT[$1]}" secs="$2" path="$3" line
    shift 3
    line="$(pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${secs}s" --latency -s "${BENCH_LIB}/summary.lua" \
        "$@" "http://127.0.0.1:${port}${path}" | grep '^WRK_SUMMARY')" || return 1
    # "WRK_SUMMARY requests=1 bytes=2 ..." -> "1 2 ..."
    echo "${line}" | sed -e 's/^WRK_SUMMARY //' -e 's/[a-z0-9_]*=//g'
}

# The small answer at full speed over keep-alive connections, KEY in ROUND.
measure_keepalive() {
    try_run keepalive "$1" "$2"
}

# One keep-alive run of KEY in ROUND (attempt ATTEMPT): writes its figures, as "metric value" lines,
# to ${BENCH_TMP}/KEY/keepalive-rROUND-aATTEMPT.vals and prints "steal_ms 0".
keepalive_attempt() {
    local key="$1" round="$2" attempt="$3" pid="${PID[$1]}" c0 c1 s0 s1 req bytes dur err p50 p99
    s0="$(machine_steal_ticks)"
    c0="$(proc_cpu_ticks "${pid}")"
    read -r req bytes dur err p50 p99 < <(wrk_run "${key}" "${RUN}" /) || { log "${key}: wrk failed"; return 1; }
    c1="$(proc_cpu_ticks "${pid}")"
    s1="$(machine_steal_ticks)"
    local stolen=$(((s1 - s0) * 1000 / CLK_TCK))
    {
        echo "rps $(awk -v n="${req}" -v d="${dur}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')"
        echo "wrk_p50_ms $(awk -v v="${p50}" 'BEGIN { printf "%.3f", v / 1000 }')"
        echo "wrk_p99_ms $(awk -v v="${p99}" 'BEGIN { printf "%.3f", v / 1000 }')"
        echo "errors ${err}"
        echo "keepalive_steal_ms ${stolen}"
        [[ "${key}" == direct-1 ]] || echo "cpu_us_full $(cpu_us_per_request $((c1 - c0)) "${req}")"
    } >"${BENCH_TMP}/${key}/keepalive-r${round}-a${attempt}.vals"
    log "${key}: keep-alive round ${round}, attempt ${attempt}: ${req} requests, ${stolen} ms stolen"
    echo "${stolen} 0"
}

# One paced run of KEY in ROUND (attempt ATTEMPT): writes the metrics it measured, as "metric value"
# lines, to ${BENCH_TMP}/KEY/paced-rROUND-aATTEMPT.vals and prints "steal_ms burst_pct". Returns 1
# when h2load failed.
paced_attempt() {
    local key="$1" round="$2" attempt="$3" pid="${PID[$1]}" c0 c1 l0="" l1="" s0 s1 out
    local logf="${BENCH_TMP}/$1/paced-r$2.log" vals="${BENCH_TMP}/$1/paced-r$2-a$3.vals"
    c0="$(proc_cpu_ticks "${pid}")"
    [[ "${key}" != fulcrum-* ]] || { thread_cpu_by_name "${pid}" > "${BENCH_TMP}/$1/threads-before"
        l0="$(group_cpu_ticks "${BENCH_TMP}/$1/threads-before" fulcrum-io)"; }
    rm -f "${logf}"
    s0="$(machine_steal_ticks)"
    # Connections open one per millisecond so their request timers are out of phase; opened at
    # once, they would all send at the same instant, in bursts of PACED_CLIENTS requests. -r
    # excludes -D, so the length is a request count.
    out="$(pinned "${LOAD_CPUS}" h2load --h1 -t1 -c"${PACED_CLIENTS}" -r 1 --rate-period 1ms \
        --rps "${PACED_RPS_PER_CLIENT}" -n $((PACED_CLIENTS * PACED_RPS_PER_CLIENT * PACED)) \
        --log-file "${logf}" "http://127.0.0.1:${PORT[$key]}/" 2>&1)" || {
        log "${key}: h2load failed: $(echo "${out}" | tail -1)"
        return 1
    }
    s1="$(machine_steal_ticks)"
    c1="$(proc_cpu_ticks "${pid}")"
    [[ -z "${l0}" ]] || { thread_cpu_by_name "${pid}" > "${BENCH_TMP}/$1/threads-after"
        l1="$(group_cpu_ticks "${BENCH_TMP}/$1/threads-after" fulcrum-io)"; }
    local requests failed p50 p99 p999 burst steal_ms=$(((s1 - s0) * 1000 / CLK_TCK))
    # "requests=1 ok=1 ..." -> "1 1 ..."; ok and max go to _.
    read -r requests _ failed p50 p99 p999 _ burst < <(python3 "${BENCH_LIB}/latency.py" "${logf}" | sed 's/[a-z0-9_]*=//g')
    # The most 20 ms slots in a row with a request of 1 ms or more (lib/stalls.py): a few is a stall;
    # tens or more is a load that fell into step late in the run, with too few requests in bursts to
    # pass the burst limit (bench/README.md, 2026-12-03 from 08:20). Reported, not a limit.
    local stalled_run
    stalled_run="$(python3 "${BENCH_LIB}/stalls.py" --longest-stretch "${logf}")" || stalled_run=0
    # Whether the load was still paced (lib/latency.py): a round whose connections fell into step
    # measured how fast a proxy drains bursts of 100, not its latency at 14,500 req/s.
    log "${key}: paced round ${round}, attempt ${attempt}: p99 ${p99} ms, ${burst} % of requests sent in bursts, ${steal_ms} ms stolen"
    {
        echo "paced_burst_pct ${burst}"
        echo "paced_stalled_run ${stalled_run}"
        echo "paced_steal_ms ${steal_ms}"
        # "finished in 8.10s, 14320.50 req/s, ..." -> the rate actually served
        echo "paced_rps $(echo "${out}" | sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p')"
        echo "paced_p50_ms ${p50}"
        echo "paced_p99_ms ${p99}"
        echo "paced_p999_ms ${p999}"
        echo "errors ${failed}"
        [[ "${key}" == direct-1 ]] || echo "cpu_us_paced $(cpu_us_per_request $((c1 - c0)) "${requests}")"
        [[ -z "${l1}" ]] || echo "cpu_us_paced_loop $(cpu_us_per_request $((l1 - l0)) "${requests}")"
    } >"${vals}"
    # Where the rest of the paced CPU went, by thread: for the log only (jiffies are coarse).
    [[ -z "${l1}" ]] || log "${key}: paced CPU by thread, µs/req: $(thread_cpu_growth \
        "${BENCH_TMP}/$1/threads-before" "${BENCH_TMP}/$1/threads-after" "${requests}")"
    [[ ${KEEP_TMP} -eq 1 ]] && mv "${logf}" "${BENCH_TMP}/$1/paced-r$2-a$3.log" || rm -f "${logf}"
    echo "${steal_ms} ${burst}"
}

# The paced load of KEY in ROUND.
measure_paced() {
    try_run paced "$1" "$2"
}

# The 64 KiB answer at full speed, KEY in ROUND.
measure_bulk() {
    try_run bulk "$1" "$2"
}

# One 64 KiB run of KEY in ROUND (attempt ATTEMPT), as keepalive_attempt.
bulk_attempt() {
    local key="$1" round="$2" attempt="$3" s0 s1 req bytes dur err p50 p99
    s0="$(machine_steal_ticks)"
    read -r req bytes dur err p50 p99 < <(wrk_run "${key}" "${BULK}" /64k) || { log "${key}: wrk failed"; return 1; }
    s1="$(machine_steal_ticks)"
    local stolen=$(((s1 - s0) * 1000 / CLK_TCK)) mbps
    mbps="$(awk -v b="${bytes}" -v d="${dur}" 'BEGIN { printf "%.1f", b / 1e6 / (d / 1e6) }')"
    {
        echo "mb_per_s_64k ${mbps}"
        echo "errors ${err}"
        echo "bulk_steal_ms ${stolen}"
    } >"${BENCH_TMP}/${key}/bulk-r${round}-a${attempt}.vals"
    log "${key}: 64 KiB round ${round}, attempt ${attempt}: ${mbps} MB/s, ${stolen} ms stolen"
    echo "${stolen} 0"
}

# Steal time, in clock ticks, of the whole machine so far: how long the hypervisor ran something
# else while this machine's CPUs had work (field 8 of /proc/stat's "cpu" line).
machine_steal_ticks() {
    awk '$1 == "cpu" { print $9; exit }' /proc/stat
}

# One more attempt at the KIND run (keepalive, paced or bulk) of KEY for ROUND; the round keeps it if
# it is the least over the calm limits so far. Its figures are recorded at the end of the run
# (record_kept). On a shared VM the hypervisor takes the CPUs away for tens of milliseconds at a
# time (steal), for minutes on end in a bad hour, and the paced load's connections can fall into
# step; either one, not the proxy, then decides a round's figures (bench/COMPARE.md, "Noise").
# Returns 1 when the load generator failed.
try_run() {
    local kind="$1" key="$2" round="$3" id="$1 $2 $3" attempt steal burst over
    attempt=$((${ATTEMPTS[$id]:-0} + 1))
    read -r steal burst < <("${kind}_attempt" "${key}" "${round}" "${attempt}") || return 1
    [[ -n "${steal}" ]] || return 1
    ATTEMPTS[$id]="${attempt}"
    # Failed requests count whichever attempt the round keeps: a make-up must not hide them.
    record "${key}" "${round}" errors \
        "$(awk '$1 == "errors" { print $2 }' "${BENCH_TMP}/${key}/${kind}-r${round}-a${attempt}.vals")"
    # How far over the limits, as a fraction of them: at most 1 is calm.
    over="$(awk -v s="${steal}" -v sm="${STEAL_MAX_MS}" -v b="${burst}" -v bm="${PACED_BURST_MAX}" \
        'BEGIN { x = s / (sm > 0 ? sm : 1); y = b / (bm > 0 ? bm : 1); printf "%.4f", (x > y ? x : y) }')"
    if [[ -z "${KEPT[$id]:-}" ]] || awk -v a="${over}" -v b="${OVER[$id]}" 'BEGIN { exit !(a < b) }'; then
        KEPT[$id]="${attempt}"
        OVER[$id]="${over}"
    fi
}

# Make-up attempts for the runs that were not calm, after the last round, so that they come
# minutes later, when steal has often passed (retried at once, they mostly landed in the same bad
# stretch). Each pass gives every contender with such a run one attempt at one of them — the one
# with the fewest attempts so far, the worst of those, so that they spread over its rounds as the
# medians need — after a keep-alive warm-up as in the rounds. A pass starts only when it can end
# within MAKEUP_SECONDS, so every contender in need gets as many attempts as the others. A round
# keeps the attempt least over the limits: chosen by the state of the machine and of the load
# generator, never by the figure it measured.
makeup() {
    local deadline=$((SECONDS + MAKEUP_SECONDS)) pass=0 n="${#CONTENDERS[@]}" i key kind r id made worst pick tries
    local need secs
    local -a todo
    while true; do
        todo=() need=0
        for ((i = 0; i < n; i++)); do
            key="${CONTENDERS[(i + pass) % n]}"
            [[ -z "${FAILED[${key}]:-}" ]] || continue
            worst="" pick="" tries=""
            for kind in keepalive paced bulk; do
                for ((r = 1; r <= ROUNDS; r++)); do
                    id="${kind} ${key} ${r}"
                    [[ -n "${OVER[$id]:-}" ]] || continue
                    awk -v o="${OVER[$id]}" 'BEGIN { exit !(o > 1) }' || continue
                    made="${ATTEMPTS[$id]}"
                    if [[ -z "${pick}" ]] || ((made < tries)) || { ((made == tries)) &&
                        awk -v o="${OVER[$id]}" -v w="${worst}" 'BEGIN { exit !(o > w) }'; }; then
                        worst="${OVER[$id]}" pick="${id}" tries="${made}"
                    fi
                done
            done
            [[ -z "${pick}" ]] || todo+=("${pick}")
        done
        ((${#todo[@]} > 0)) || break
        # An attempt: the warm-up, the run, and about 2 s of starting and reading it.
        for id in "${todo[@]}"; do
            case "${id%% *}" in
                keepalive) secs="${RUN}" ;;
                paced) secs="${PACED}" ;;
                *) secs="${BULK}" ;;
            esac
            need=$((need + WARM + secs + 2))
        done
        ((SECONDS + need <= deadline)) || break
        pass=$((pass + 1))
        log "make-up pass ${pass}: $(printf '[%s] ' "${todo[@]}")"
        for id in "${todo[@]}"; do
            read -r kind key r <<<"${id}"
            unpark "${key}"
            pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${WARM}s" "http://127.0.0.1:${PORT[$key]}/" >/dev/null
            try_run "${kind}" "${key}" "${r}" || true
            park "${key}"
        done
    done
}

# Records the attempt every keep-alive, paced and 64 KiB round kept.
record_kept() {
    local id kind key round k v
    for id in "${!KEPT[@]}"; do
        read -r kind key round <<<"${id}"
        while read -r k v; do
            # errors: recorded for every attempt as it ran (try_run)
            [[ "${k}" == errors ]] || record "${key}" "${round}" "${k}" "${v}"
        done <"${BENCH_TMP}/${key}/${kind}-r${round}-a${KEPT[$id]}.vals"
        record "${key}" "${round}" "${kind}_attempts" "${ATTEMPTS[$id]}"
        record "${key}" "${round}" "${kind}_kept_attempt" "${KEPT[$id]}"
    done
}

measure_close() {
    local key="$1" round="$2" req bytes dur err p50 p99
    read -r req bytes dur err p50 p99 < <(wrk_run "${key}" "${CLOSE}" / -H 'Connection: close') ||
        { log "${key}: wrk failed"; return 0; }
    record "${key}" "${round}" rps_close "$(awk -v n="${req}" -v d="${dur}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')"
    record "${key}" "${round}" errors "${err}"
}

# Opens IDLE_CONNECTIONS idle keep-alive clients to a contender in the background; sets the variable
# named by $1 to the opener's pid; returns 0 once all are open (their count is in the file $3).
open_idle_clients() {
    local -n opener_pid="$1"
    local key="$2" ready="$3" deadline
    rm -f "${ready}"
    start_bg opener_pid "${LOAD_CPUS}" "${BENCH_TMP}/${key}/idle" python3 "${BENCH_LIB}/idle_conns.py" 127.0.0.1 \
        "${PORT[$key]}" "${IDLE_CONNECTIONS}" "${ready}" 120
    deadline=$((SECONDS + 90))
    while [[ ! -s "${ready}" ]] && kill -0 "${opener_pid}" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    [[ -s "${ready}" ]]
}

# Resident memory with no client connection, then with IDLE_CONNECTIONS idle keep-alive ones.
#
# Fulcrum first gets one batch of as many connections, opened and closed, before either figure is
# read: the JIT compiles the code those connections run, and its code cache and compiler arenas
# (measured with -XX:NativeMemoryTracking: +0.7 MiB code, +11 MiB arena chunks) would otherwise be
# charged to the connections, as the longer JVM warm-up keeps JIT time out of the CPU figures. This
# cannot hide what Fulcrum's connections hold: that is on the heap, measured live after a full GC.
# NGINX and HAProxy get no such batch: their allocators keep freed memory resident, so a second
# batch would reuse it and hide what their connections cost. Both of Fulcrum's RSS figures are read
# after java_trim_native_heap, so that memory its JIT freed a moment before is not counted either way.
measure_memory() {
    local key="$1" round="$2" pid="${PID[$1]}" ready="${BENCH_TMP}/$1/idle-ready" idle_pid idle with opened
    local heap_idle="" heap_with=""
    if [[ "${key}" == fulcrum-* ]]; then
        open_idle_clients idle_pid "${key}" "${ready}" ||
            log "${key}: the warm-up idle connections were not all opened: $(tail -1 "${BENCH_TMP}/$1/idle.err" 2>/dev/null)"
        stop_bg "${idle_pid}"
        sleep 2 # let the proxy see the closes
        heap_idle="$(java_live_heap_kib "${pid}")"
        java_trim_native_heap "${pid}"
    fi
    idle="$(proc_rss_kib "${pid}")"
    if open_idle_clients idle_pid "${key}" "${ready}"; then
        sleep 1 # let the proxy finish whatever it does lazily after the last answer
        [[ "${key}" != fulcrum-* ]] || java_trim_native_heap "${pid}"
        with="$(proc_rss_kib "${pid}")"
        opened="$(cat "${ready}")"
        # Fulcrum's heap is pre-touched, so its RSS hides what the connections hold on the heap:
        # add the growth of the live heap (after a full GC) to the growth of RSS.
        local heap_growth=0
        [[ -z "${heap_idle}" ]] || heap_with="$(java_live_heap_kib "${pid}")"
        if [[ -n "${heap_with}" ]]; then
            record "${key}" "${round}" heap_idle_kib "${heap_idle}"
            record "${key}" "${round}" heap_conns_kib "${heap_with}"
            heap_growth=$((heap_with - heap_idle))
        fi
        record "${key}" "${round}" rss_idle_kib "${idle}"
        record "${key}" "${round}" rss_conns_kib "${with}"
        record "${key}" "${round}" idle_conns "${opened}"
        record "${key}" "${round}" kib_per_conn "$(awk -v a="${idle}" -v b="${with}" -v h="${heap_growth}" \
            -v n="${opened}" 'BEGIN { if (n > 0) printf "%.2f", (b - a + h) / n; else print "nan" }')"
    else
        log "${key}: the idle connections were not all opened: $(tail -1 "${BENCH_TMP}/$1/idle.err" 2>/dev/null)"
    fi
    stop_bg "${idle_pid}"
}

# One unrecorded pass of every load shape the rounds measure, for the JIT.
warm_every_shape() {
    local port="${PORT[$1]}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${RUN}s" "http://127.0.0.1:${port}/" >/dev/null
    pinned "${LOAD_CPUS}" h2load --h1 -t1 -c"${PACED_CLIENTS}" -r 1 --rate-period 1ms \
        --rps "${PACED_RPS_PER_CLIENT}" -n $((PACED_CLIENTS * PACED_RPS_PER_CLIENT * PACED)) \
        "http://127.0.0.1:${port}/" >/dev/null 2>&1 || true
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${BULK}s" "http://127.0.0.1:${port}/64k" >/dev/null
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${CLOSE}s" -H 'Connection: close' \
        "http://127.0.0.1:${port}/" >/dev/null
}

# Fulcrum's JVM warm-up, before the first round (NGINX and HAProxy have no JIT and need none): a
# longer keep-alive run, then unrecorded passes of every load shape. The JIT compiles each load shape's
# code (paced sleeps and wake-ups, 64 KiB reads, accepts and closes) only once it sees it, and brings
# it to its last tier over the next passes: measured by thread, C2 took 3-5 us per paced request in
# rounds 1 and 2 and under 0.3 in round 3. With two unrecorded passes C2 still took 1.3-2.0 us per
# paced request in round 1 (recompiling the event loop after rare branches: connections a load
# generator drops with answers in flight), and a compilation shares the one core with the event loop,
# which shows in that round's p99. Three passes; --quick, which only checks the script end to end,
# makes one to stay under 3 minutes.
# Why before the first round and not at the start of Fulcrum's turn in it: the passes leave Fulcrum's
# pool with backend connections that carried 64 KiB answers seconds before, and round 1's 64 KiB run
# then got them: in 10 of 11 runs on 2026-12-03 it was Fulcrum's lowest, 9-29 % under a later round
# in a by-hand series, and NGINX given the same passes dipped too (18 % in one of three trials;
# bench/README.md, "2026-12-03, from 10:58"). Done here, those connections have sat idle past the
# pool's 30 s before Fulcrum's round-1 turn, so every measured 64 KiB run starts, as each peer's
# does, from connections opened in the same round.
warm_jvm() {
    local key="$1" pass passes=$((QUICK == 1 ? 1 : 3))
    if ! kill -0 "${PID[$key]}" 2>/dev/null; then
        return 0 # measure_contender reports it
    fi
    log "${key}: JVM warm-up (${JVM_FIRST_WARM}s keep-alive, ${passes} unrecorded pass(es) of every load shape)"
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${JVM_FIRST_WARM}s" "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    for ((pass = 1; pass <= passes; pass++)); do
        warm_every_shape "${key}"
    done
    park "${key}"
    log "${key}: JVM warm-up done"
}

# One contender's whole set of measurements in one round.
measure_contender() {
    local key="$1" round="$2"
    if ! kill -0 "${PID[$key]}" 2>/dev/null; then
        fail_contender "${key}" "exited during the run (round ${round}): $(tail -1 "${BENCH_TMP}/${key}/proxy.err" 2>/dev/null)"
        return 0
    fi
    log "round ${round}/${ROUNDS}: ${key} (warm-up ${WARM}s)"
    unpark "${key}"
    pinned "${LOAD_CPUS}" wrk -t1 -c"${CONNECTIONS}" -d"${WARM}s" "http://127.0.0.1:${PORT[$key]}/" >/dev/null
    measure_keepalive "${key}" "${round}"
    measure_paced "${key}" "${round}"
    measure_bulk "${key}" "${round}"
    measure_close "${key}" "${round}"
    # Memory moves little between rounds and opening 5,000 connections takes a while on a busy
    # machine: measured once, in the last round, after every other load has run.
    if [[ "${key}" != direct-1 && "${round}" -eq "${ROUNDS}" ]]; then
        measure_memory "${key}" "${round}"
    fi
    park "${key}"
}

write_meta() {
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "mode=$([[ ${QUICK} -eq 1 ]] && echo quick || echo full)"
        echo "rounds=${ROUNDS}"
        echo "durations=warm-up ${WARM}s (and before the first round Fulcrum's JVM warm-up: ${JVM_FIRST_WARM}s plus $((QUICK == 1 ? 1 : 3)) unrecorded pass(es) of every load shape), keep-alive ${RUN}s, paced ${PACED}s, 64k ${BULK}s, new-connection ${CLOSE}s"
        echo "cpus=${CPU_COUNT} cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
        echo "layout=load generator and backends on CPU ${LOAD_CPUS:-any}; one-thread proxies on CPU ${PROXY1_CPUS:-any}; two-thread proxies on CPUs ${PROXY2_CPUS:-any (not pinned)}"
        echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "kernel=$(uname -r)"
        # The backends' congestion control decides how they pace their answers on loopback (BBR
        # without the fq qdisc paces inside TCP, with a timer per throttled send), so it goes with
        # the figures: bench/README.md, "2026-12-03, from 10:58".
        echo "tcp=congestion control $(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown), default qdisc $(sysctl -n net.core.default_qdisc 2>/dev/null || echo unknown)"
        echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
        echo "haproxy=$(haproxy -v | head -1 | cut -d' ' -f3)"
        echo "wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
        echo "h2load=$(h2load --version | sed 's/^h2load //')"
        echo "java=$(java -version 2>&1 | head -1)"
        echo "fulcrum=$(git -C "${REPO_DIR}" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "${REPO_DIR}" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
        echo "jvm_flags=${FULCRUM_JVM_FLAGS[*]}"
        echo "connections=${CONNECTIONS}"
        echo "paced=${PACED_CLIENTS} connections x ${PACED_RPS_PER_CLIENT} req/s = $((PACED_CLIENTS * PACED_RPS_PER_CLIENT)) req/s"
        echo "makeup_seconds=${MAKEUP_SECONDS}"
        echo "calm=keep-alive, paced and 64 KiB runs with at most ${STEAL_MAX_MS} ms stolen (paced: and at most ${PACED_BURST_MAX} % of requests in bursts); make-up attempts for the others for up to ${MAKEUP_SECONDS} s after the last round"
        echo "idle_target=${IDLE_CONNECTIONS}"
    } >"${META}"
}

main() {
    parse_args "$@"
    ensure_bench_tools
    bench_init
    if ! (ensure_fulcrum_jar); then
        log "continuing without Fulcrum"
    fi
    write_meta
    start_backends
    local key round i n="${#CONTENDERS[@]}"
    for key in "${CONTENDERS[@]}"; do
        [[ "${key}" == direct-1 ]] || start_contender "${key}"
    done
    # Started on their own CPUs (so each sizes its threads for them), then parked until their turn.
    for key in "${CONTENDERS[@]}"; do
        park "${key}"
    done
    for key in "${CONTENDERS[@]}"; do
        [[ "${key}" != fulcrum-* || -n "${FAILED[${key}]:-}" ]] || warm_jvm "${key}"
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        for ((i = 0; i < n; i++)); do
            # Rotate the order each round so no contender always runs first or last.
            key="${CONTENDERS[(i + round - 1) % n]}"
            [[ -z "${FAILED[${key}]:-}" ]] || continue
            measure_contender "${key}" "${round}"
        done
    done
    makeup
    record_kept
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"${META}"
    mkdir -p "$(dirname "${OUT}")"
    python3 "${BENCH_LIB}/compare_report.py" "${RAW}" "${FAILURES}" "${META}" "${OUT}"
    log "results written to ${OUT}"
    [[ ! -s "${FAILURES}" ]]
}

main "$@"
