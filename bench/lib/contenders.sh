# shellcheck shell=bash
# Starting the contenders of bench/compare.sh and bench/paced.sh: the three nginx backends and, per
# NAME-THREADS key, a proxy in front of them (fulcrum*, nginx, haproxy). Sourced after common.sh;
# the caller declares the associative arrays PID, PORT and FAILED, and sets FAILURES (a file).
# A key whose name starts with "fulcrum" runs the jar FULCRUM_JARS[KEY] when set, else FULCRUM_JAR,
# with FULCRUM_JVM_FLAGS plus FULCRUM_EXTRA_FLAGS[KEY] (split on spaces), so that two builds or two
# sets of JVM flags can be compared in one run.

declare -A FULCRUM_JARS=() FULCRUM_EXTRA_FLAGS=()

fail_contender() {
    local key="$1" reason="$2"
    FAILED[${key}]="${reason}"
    printf '%s\t%s\n' "${key}" "${reason}" >>"${FAILURES}"
    log "${key}: ${reason}"
}

start_backends() {
    local dir="${BENCH_TMP}/backends"
    nginx_dir "${dir}"
    head -c 65536 /dev/urandom >"${dir}/www/64k"
    chmod 644 "${dir}/www/64k"
    read -r -d '' BPORT1 BPORT2 BPORT3 < <(free_ports 3) || true
    render "${BENCH_CONF}/nginx-backends.conf" "${dir}/nginx.conf" \
        DIR="${dir}" PORT1="${BPORT1}" PORT2="${BPORT2}" PORT3="${BPORT3}"
    start_bg BACKENDS_PID "${LOAD_CPUS}" "${dir}/nginx" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
    local port
    for port in "${BPORT1}" "${BPORT2}" "${BPORT3}"; do
        wait_http "http://127.0.0.1:${port}/healthz" "${BACKENDS_PID}" 10 ||
            die "the backend nginx did not start: $(tail -3 "${dir}/nginx.err" "${dir}/error.log" 2>/dev/null)"
    done
    mkdir -p "${BENCH_TMP}/direct-1"
    PID[direct-1]="${BACKENDS_PID}"
    PORT[direct-1]="${BPORT1}"
    log "backends: one nginx on 127.0.0.1:${BPORT1},${BPORT2},${BPORT3}"
}

# start_contender KEY — renders its config, starts it pinned, waits until it forwards `GET /`.
start_contender() {
    local key="$1" name="${1%-*}" threads="${1##*-}" dir="${BENCH_TMP}/$1" listen admin cpus pid
    mkdir -p "${dir}"
    read -r -d '' listen admin < <(free_ports 2) || true
    cpus="$(proxy_cpus "${threads}")"
    local common=(DIR="${dir}" LISTEN="${listen}" THREADS="${threads}"
        PORT1="${BPORT1}" PORT2="${BPORT2}" PORT3="${BPORT3}")
    case "${name}" in
        nginx)
            nginx_dir "${dir}"
            render "${BENCH_CONF}/nginx-proxy.conf" "${dir}/nginx.conf" "${common[@]}" UPSTREAM_POLICY=""
            start_bg pid "${cpus}" "${dir}/proxy" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
            ;;
        haproxy)
            render "${BENCH_CONF}/haproxy.cfg" "${dir}/haproxy.cfg" "${common[@]}" BALANCE=roundrobin
            start_bg pid "${cpus}" "${dir}/proxy" haproxy -db -f "${dir}/haproxy.cfg"
            ;;
        fulcrum*)
            local jar="${FULCRUM_JARS[${key}]:-${FULCRUM_JAR}}"
            if [[ ! -f "${jar}" ]]; then
                fail_contender "${key}" "no ${jar} (the build failed)"
                return 0
            fi
            # In a folder of its own: Fulcrum watches its config's folder, and every write to a file
            # there (the load generator's logs, the proxy's output) would wake its watcher.
            mkdir -p "${dir}/conf"
            render "${BENCH_CONF}/fulcrum.conf" "${dir}/conf/fulcrum.conf" "${common[@]}" \
                ADMIN="${admin}" STRATEGY=dynamic INTERVAL=2s
            local extra=()
            read -r -a extra <<<"${FULCRUM_EXTRA_FLAGS[${key}]:-}"
            start_bg pid "${cpus}" "${dir}/proxy" java "${FULCRUM_JVM_FLAGS[@]}" "${extra[@]+"${extra[@]}"}" -jar "${jar}" \
                run --config "${dir}/conf/fulcrum.conf"
            ;;
    esac
    if wait_http "http://127.0.0.1:${listen}/" "${pid}" 60; then
        PID[${key}]="${pid}"
        PORT[${key}]="${listen}"
        log "${key}: pid ${pid} on 127.0.0.1:${listen}, CPUs ${cpus:-not pinned}"
    else
        stop_bg "${pid}"
        fail_contender "${key}" "did not start: $(start_failure "${dir}")"
    fi
}

# cpu_us_per_request TICKS REQUESTS — microseconds of CPU per request.
cpu_us_per_request() {
    awk -v t="$1" -v n="$2" -v hz="${CLK_TCK}" 'BEGIN { if (n > 0) printf "%.2f", t * 1e6 / hz / n; else print "nan" }'
}

# A contender waiting for its turn is parked on the load generator's CPUs, and moved to its own
# CPUs only for its turn: the proxy being measured is then the only process on its core. Without
# this, every idle contender shared the measured proxy's core: the other one-thread proxies pinned
# there, and the unpinned two-thread ones wherever the scheduler put them. An idle JVM still wakes
# (its health probes, GC and JIT threads, timers), and each wake-up on the measured proxy's core
# delays that proxy's next read; idle nginx and HAProxy wake too, less often.

# move_contender KEY CPUS — sets the CPUs of every thread of KEY's processes, nginx's workers too
# ("" = all CPUs).
move_contender() {
    local key="$1" cpus="$2" p
    [[ -n "${cpus}" ]] || cpus="0-$((CPU_COUNT - 1))"
    for p in $(proc_tree "${PID[$key]}"); do
        taskset -a -p -c "${cpus}" "${p}" >/dev/null 2>&1 || true
    done
}

# park KEY — moves KEY to the load generator's CPUs until its next turn. The backends (direct-1)
# live there already; with one CPU there is nowhere else to go.
park() {
    local key="$1"
    [[ "${key}" != direct-1 && -n "${LOAD_CPUS}" && -n "${PID[$key]:-}" ]] || return 0
    move_contender "${key}" "${LOAD_CPUS}"
}

# unpark KEY — gives KEY back the CPUs it started on, for its turn.
unpark() {
    local key="$1"
    [[ "${key}" != direct-1 && -n "${LOAD_CPUS}" && -n "${PID[$key]:-}" ]] || return 0
    move_contender "${key}" "$(proxy_cpus "${key##*-}")"
}

# paced_h2load KEY SECONDS [H2LOAD_ARG...] — compare.sh's paced load on KEY for SECONDS (PACED_CLIENTS
# connections at PACED_RPS_PER_CLIENT requests/s each), from the load's CPUs, with any further h2load
# arguments (--log-file FILE); h2load's output on stdout.
paced_h2load() {
    local key="$1" seconds="$2"
    shift 2
    pinned "${LOAD_CPUS}" h2load --h1 -t1 -c"${PACED_CLIENTS}" -r 1 --rate-period 1ms \
        --rps "${PACED_RPS_PER_CLIENT}" -n $((PACED_CLIENTS * PACED_RPS_PER_CLIENT * seconds)) \
        "$@" "http://127.0.0.1:${PORT[$key]}/" 2>&1
}

# add_fulcrum_builds LABEL=PATH... -- LABEL=FLAGS... — one Fulcrum contender "fulcrumLABEL-1" per
# --jar pair (the jar in FULCRUM_JARS), appended to CONTENDERS, with the extra JVM flags of the
# matching --flags pairs in FULCRUM_EXTRA_FLAGS; dies on a bad label, a missing file or flags for no
# jar. An empty label gives "fulcrum-1".
add_fulcrum_builds() {
    local pair label path jars=() flags=()
    while [[ $# -gt 0 && "$1" != -- ]]; do
        jars+=("$1")
        shift
    done
    [[ $# -eq 0 ]] || shift
    flags=("$@")
    for pair in "${jars[@]+"${jars[@]}"}"; do
        label="${pair%%=*}"
        path="${pair#*=}"
        [[ -z "${label}" || "${label}" =~ ^[a-zA-Z0-9_]+$ ]] || die "--jar label '${label}': letters, digits and _ only"
        [[ -f "${path}" ]] || die "--jar ${label}: no file ${path}"
        FULCRUM_JARS["fulcrum${label}-1"]="$(cd "$(dirname "${path}")" && pwd)/$(basename "${path}")"
        CONTENDERS+=("fulcrum${label}-1")
    done
    for pair in "${flags[@]+"${flags[@]}"}"; do
        label="${pair%%=*}"
        [[ -n "${FULCRUM_JARS["fulcrum${label}-1"]:-}" ]] || die "--flags ${label}: no --jar ${label}=PATH"
        FULCRUM_EXTRA_FLAGS["fulcrum${label}-1"]="${pair#*=}"
    done
}

# fulcrum_warm_up KEY SECONDS — the JIT warm-up paced.sh and perf-split.sh give a Fulcrum contender:
# 20 s of keep-alive load (wrk -t1 -c64) and two unrecorded paced runs of SECONDS, on its own CPUs.
fulcrum_warm_up() {
    log "$1: JVM warm-up"
    unpark "$1"
    pinned "${LOAD_CPUS}" wrk -t1 -c64 -d20s "http://127.0.0.1:${PORT[$1]}/" >/dev/null
    paced_h2load "$1" "$2" >/dev/null || true
    paced_h2load "$1" "$2" >/dev/null || true
    park "$1"
}

# start_parked — starts every contender in CONTENDERS, then parks them all until their turns.
start_parked() {
    local key
    for key in "${CONTENDERS[@]}"; do
        start_contender "${key}"
    done
    for key in "${CONTENDERS[@]}"; do
        park "${key}"
    done
}
