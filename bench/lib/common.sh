# shellcheck shell=bash
# Shared helpers of bench/compare.sh and bench/degraded.sh. Sourced, not run; expects the caller
# to have set `set -euo pipefail` and BENCH_DIR (the bench/ folder).
#
# Everything here stays on 127.0.0.1 and every process started through start_bg is stopped by the
# EXIT trap that bench_init installs, whatever way the script ends.

BENCH_LIB="${BENCH_DIR}/lib"
BENCH_CONF="${BENCH_DIR}/conf"
REPO_DIR="$(cd "${BENCH_DIR}/.." && pwd)"
FULCRUM_JAR="${REPO_DIR}/proxy/target/fulcrum.jar"

# PIDs of every process start_bg started, in start order; the EXIT trap stops them in reverse.
STARTED_PIDS=()
BENCH_TMP=""
KEEP_TMP=0

# Prints a script's usage: its header comment from "# usage:" to the first line that is no longer
# part of that block (a bare "#" or code).
print_usage() {
    awk '/^# usage:/ { on = 1 } on && (/^#$/ || !/^#/) { exit } on { sub(/^# ?/, ""); print }' "$1"
}

log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

# Installs the Debian packages behind any missing command, running `apt-get update` first and only
# when something is missing. Arguments are command:package pairs ("nginx:nginx-light|nginx" tries
# the packages in turn). Nothing but Debian's packages is ever fetched.
ensure_tools() {
    local pair cmd pkgs missing=()
    for pair in "$@"; do
        cmd="${pair%%:*}"
        pkgs="${pair#*:}"
        command -v "${cmd}" >/dev/null 2>&1 || missing+=("${pkgs}")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}) and not root: install them first"
        sudo=(sudo)
    fi
    log "installing from Debian's packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    local alternatives pkg installed pkgs_arr
    for alternatives in "${missing[@]}"; do
        installed=0
        IFS='|' read -r -a pkgs_arr <<<"${alternatives}"
        for pkg in "${pkgs_arr[@]}"; do
            if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${pkg}" >&2; then
                installed=1
                break
            fi
        done
        [[ ${installed} -eq 1 ]] || die "could not install any of: ${alternatives}"
    done
}

# What compare.sh and paced.sh run: the peers, the load generators, and a JRE for Fulcrum.
ensure_bench_tools() {
    ensure_tools nginx:"nginx-light|nginx" haproxy:haproxy wrk:wrk h2load:nghttp2-client curl:curl \
        python3:python3 taskset:util-linux java:"openjdk-17-jre-headless|default-jre-headless"
}

# Creates the run's temp folder and its files (RAW, FAILURES, META), reads the clock tick and the CPU
# layout, and installs the EXIT trap. The folder is world-traversable
# because nginx workers run as an unprivileged user when the master runs as root.
bench_init() {
    BENCH_TMP="$(mktemp -d "${TMPDIR:-/tmp}/fulcrum-bench.XXXXXX")"
    chmod 755 "${BENCH_TMP}"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # Thousands of idle client connections need as many descriptors in the client and the proxy.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    # The run's files: measurements (contender, round, metric, value), contenders that failed, set-up.
    RAW="${BENCH_TMP}/raw.tsv"
    FAILURES="${BENCH_TMP}/failures.tsv"
    META="${BENCH_TMP}/meta.txt"
    : >"${RAW}"
    : >"${FAILURES}"
    CLK_TCK="$(getconf CLK_TCK)"
    cpu_layout
}

# Stops, in reverse start order, every process this run started: TERM, a grace of up to five
# seconds, then KILL. Only our own PIDs, never by name.
bench_cleanup() {
    local rc=$? i pid deadline
    trap - EXIT INT TERM
    for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
        pid="${STARTED_PIDS[i]}"
        kill -TERM "${pid}" 2>/dev/null || true
    done
    deadline=$((SECONDS + 5))
    for pid in "${STARTED_PIDS[@]}"; do
        while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.1
        done
        kill -KILL "${pid}" 2>/dev/null || true
        wait "${pid}" 2>/dev/null || true
    done
    if [[ -n "${BENCH_TMP}" && -d "${BENCH_TMP}" ]]; then
        if [[ ${KEEP_TMP} -eq 1 ]]; then
            log "kept ${BENCH_TMP}"
        else
            rm -rf "${BENCH_TMP}"
        fi
    fi
    exit "${rc}"
}

# Stops one process that start_bg started (TERM, then KILL after five seconds) and forgets it.
stop_bg() {
    local pid="$1" deadline=$((SECONDS + 5)) kept=() p
    kill -TERM "${pid}" 2>/dev/null || true
    while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
    for p in "${STARTED_PIDS[@]}"; do
        [[ "${p}" == "${pid}" ]] || kept+=("${p}")
    done
    STARTED_PIDS=("${kept[@]+"${kept[@]}"}")
}

# start_bg VAR CPUS LOGPREFIX CMD... — starts CMD in the background pinned to CPUS ("" = not
# pinned), output to LOGPREFIX.out/.err, and stores its PID in VAR. taskset execs CMD, so the PID
# is CMD's own (nginx's master, haproxy, java).
start_bg() {
    local -n pid_out="$1"
    local cpus="$2" prefix="$3"
    shift 3
    if [[ -n "${cpus}" ]]; then
        taskset -c "${cpus}" "$@" >"${prefix}.out" 2>"${prefix}.err" </dev/null &
    else
        "$@" >"${prefix}.out" 2>"${prefix}.err" </dev/null &
    fi
    pid_out=$!
    STARTED_PIDS+=("${pid_out}")
}

# Runs a foreground command pinned to CPUS ("" = not pinned).
pinned() {
    local cpus="$1"
    shift
    if [[ -n "${cpus}" ]]; then
        taskset -c "${cpus}" "$@"
    else
        "$@"
    fi
}

# Prints N distinct free TCP ports on 127.0.0.1 (bound at once with port 0, then released).
free_ports() {
    python3 "${BENCH_LIB}/free_ports.py" "$1"
}

# render TEMPLATE OUT KEY=VALUE... — copies a config template replacing every @KEY@.
render() {
    local template="$1" out="$2" pair expr=()
    shift 2
    for pair in "$@"; do
        expr+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
    done
    sed "${expr[@]}" "${template}" >"${out}"
    if grep -q '@[A-Z_0-9]*@' "${out}"; then
        die "unreplaced placeholder in ${out}: $(grep -o '@[A-Z_0-9]*@' "${out}" | head -1)"
    fi
}

# wait_http URL PID SECONDS — polls URL until it answers 200; fails early when PID has exited.
wait_http() {
    local url="$1" pid="$2" limit="$3" deadline
    deadline=$((SECONDS + limit))
    while ((SECONDS < deadline)); do
        kill -0 "${pid}" 2>/dev/null || return 1
        if [[ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "${url}" 2>/dev/null)" == "200" ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# The PID and its direct children (nginx's workers), one per line.
proc_tree() {
    echo "$1"
    pgrep -P "$1" 2>/dev/null || true
}

# CPU time, in clock ticks, of a process and its children so far: utime+stime (fields 14 and 15
# of /proc/PID/stat, counted after the parenthesised command name, which may hold spaces).
proc_cpu_ticks() {
    local total=0 pid stat
    for pid in $(proc_tree "$1"); do
        stat="$(cat "/proc/${pid}/stat" 2>/dev/null)" || continue
        stat="${stat##*) }"
        # shellcheck disable=SC2086 # word splitting of the stat fields is the point
        set -- ${stat}
        # After "pid (comm) " field 3 (state) is $1, so utime (14) is $12 and stime (15) is $13.
        total=$((total + ${12} + ${13}))
    done
    echo "${total}"
}

# CPU time, in clock ticks, of the thread groups in a thread_cpu_by_name snapshot $1 (a file) whose
# name starts with $2 (Fulcrum's event loops are "fulcrum-io"): the cost of the request path alone,
# without the JIT compiler and GC threads that proc_cpu_ticks counts too.
group_cpu_ticks() {
    awk -F'\t' -v p="$2" 'index($2, p) == 1 { t += $1 } END { print t + 0 }' "$1"
}

# CPU time, in clock ticks, of every thread of process $1, summed by name with its trailing digits
# and dashes dropped ("fulcrum-io-1-2" and "fulcrum-io-1-3" both count as "fulcrum-io", "C2
# CompilerThread0" as "C2 CompilerThread"): one "ticks name" line per group, for diffing two snapshots.
thread_cpu_by_name() {
    local task stat name
    for task in /proc/"$1"/task/*; do
        name="$(cat "${task}/comm" 2>/dev/null)" || continue
        stat="$(cat "${task}/stat" 2>/dev/null)" || continue
        stat="${stat##*) }"
        # shellcheck disable=SC2086 # word splitting of the stat fields is the point
        set -- ${stat}
        printf '%s\t%s\n' "$((${12} + ${13}))" "$(echo "${name}" | sed 's/[-0-9#]*$//')"
    done | awk -F'\t' '{ t[$2] += $1 } END { for (n in t) printf "%d\t%s\n", t[n], n }' | sort -t$'\t' -k2
}

# The growth, per group, between two thread_cpu_by_name snapshots $1 and $2 (files), in µs per
# request for $3 requests, largest first: "name=µs name=µs ...".
thread_cpu_growth() {
    awk -F'\t' -v n="$3" -v hz="${CLK_TCK}" 'NR == FNR { a[$2] = $1; next }
        { d = $1 - a[$2]; if (d > 0 && n > 0) printf "%.2f\t%s\n", d * 1e6 / hz / n, $2 }' "$1" "$2" |
        sort -rn | awk -F'\t' '{ gsub(/ /, "_", $2); printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 } END { print "" }'
}

# Resident memory, in KiB, of a process and its children (VmRSS from /proc/PID/status).
proc_rss_kib() {
    local total=0 pid kib
    for pid in $(proc_tree "$1"); do
        kib="$(awk '/^VmRSS:/ {print $2}' "/proc/${pid}/status" 2>/dev/null)" || continue
        total=$((total + ${kib:-0}))
    done
    echo "${total}"
}

# Live Java heap, in KiB, of a JVM right after a full collection (jcmd GC.run, then the "used"
# figures of GC.heap_info's generations). With a pre-touched heap a JVM's RSS does not move when
# it allocates, so this is where its per-connection memory shows. Prints nothing without jcmd.
java_live_heap_kib() {
    command -v jcmd >/dev/null 2>&1 || return 0
    jcmd "$1" GC.run >/dev/null 2>&1 || return 0
    # Generation lines read "<name>   total 76288K, used 2621K [...": sum their "used" figures.
    jcmd "$1" GC.heap_info 2>/dev/null |
        awk '/ total [0-9]+K, used [0-9]+K/ { sub(/.*, used /, ""); sub(/K.*/, ""); sum += $0; found = 1 }
             END { if (found) print sum }'
}

# Hands the native memory a JVM has freed back to the kernel, so that its RSS counts only what it
# holds: waits past the 5 s period after which HotSpot frees the arena chunks its JIT compilers
# pooled, then has glibc trim its free lists (`jcmd PID System.trim_native_heap`, JDK 17.0.9+).
# Without it a compile that ran near the reading swings RSS by up to 10 MiB either way (seen with
# -XX:NativeMemoryTracking: 8-9 MiB of arena chunks 2 s after a batch of connections, gone 6 s later).
java_trim_native_heap() {
    command -v jcmd >/dev/null 2>&1 || return 0
    sleep 6
    jcmd "$1" System.trim_native_heap >/dev/null 2>&1 || true
}

# Sets LOAD_CPUS (load generator and backends), PROXY1_CPUS (a one-thread proxy) and PROXY2_CPUS
# (a two-thread proxy). On 2 cores a one-thread proxy gets CPU 1 to itself and everything else
# shares CPU 0, so the proxy's CPU time per request is its own and clean; a two-thread proxy cannot
# have cores to itself there, so it is left unpinned. With 4 or more cores each gets its own.
cpu_layout() {
    local n
    n="$(nproc)"
    if ((n >= 4)); then
        LOAD_CPUS="0,3"
        PROXY1_CPUS="1"
        PROXY2_CPUS="1,2"
    elif ((n >= 2)); then
        LOAD_CPUS="0"
        PROXY1_CPUS="1"
        PROXY2_CPUS=""
    else
        LOAD_CPUS=""
        PROXY1_CPUS=""
        PROXY2_CPUS=""
    fi
    CPU_COUNT="${n}"
}

# The proxy's CPUs for a thread count.
proxy_cpus() {
    if [[ "$1" -eq 1 ]]; then echo "${PROXY1_CPUS}"; else echo "${PROXY2_CPUS}"; fi
}

# Builds the Fulcrum jar when it is missing (offline, tests skipped).
ensure_fulcrum_jar() {
    if [[ ! -f "${FULCRUM_JAR}" ]]; then
        command -v mvn >/dev/null 2>&1 || die "${FULCRUM_JAR} is missing and mvn is not installed"
        log "building ${FULCRUM_JAR}"
        (cd "${REPO_DIR}" && mvn -q -B -DskipTests package) >&2 || die "the Fulcrum build failed"
    fi
}

# JVM flags for Fulcrum in every benchmark: the launcher's, read from the file it reads
# (conf/jvm.options, where each flag's reason is), so that what is measured is what ships. The daemon
# turns Netty's leak detector off itself (Main), as it does for a user.
[[ -r "${REPO_DIR}/conf/jvm.options" ]] || die "${REPO_DIR}/conf/jvm.options is missing"
mapfile -t FULCRUM_JVM_FLAGS < <(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^#/d' -e '/^$/d' \
    "${REPO_DIR}/conf/jvm.options")
if [[ -n "${FULCRUM_JVM_OPTS:-}" ]]; then
    # Extra or overriding flags from the environment, split on spaces.
    read -r -a _extra_jvm <<<"${FULCRUM_JVM_OPTS}"
    FULCRUM_JVM_FLAGS+=("${_extra_jvm[@]}")
fi

# One nginx temp/prefix folder, with the folders its config names.
nginx_dir() {
    mkdir -p "$1"/{client_body,proxy,fastcgi,uwsgi,scgi,www}
}

# start_failure DIR — why a contender started in DIR did not answer, from its logs. Missing logs are
# normal (HAProxy and Fulcrum write no error.log): never fail on them. The first error lines say why
# (HAProxy follows its cause with generic lines); else the last lines of its stderr.
start_failure() {
    local dir="$1" why
    why="$(cat "${dir}/proxy.err" "${dir}/error.log" 2>/dev/null |
        grep -m2 -E '\[ALERT\]|\[emerg\]|^fulcrum|Exception|Error:' | tr '\n' ' ' || true)"
    [[ -n "${why}" ]] || why="$(tail -2 "${dir}/proxy.err" 2>/dev/null | tr '\n' ' ' || true)"
    echo "${why:-no answer on /}"
}

# rotate_rounds ROUNDS FN — FN KEY ROUND for every contender in CONTENDERS (the caller's array) not in
# FAILED, ROUNDS times, the order rotating one place each round so no contender always runs first or
# last.
rotate_rounds() {
    local rounds="$1" fn="$2" key round i n="${#CONTENDERS[@]}"
    for ((round = 1; round <= rounds; round++)); do
        for ((i = 0; i < n; i++)); do
            key="${CONTENDERS[(i + round - 1) % n]}"
            [[ -z "${FAILED[${key}]:-}" ]] || continue
            "${fn}" "${key}" "${round}"
        done
    done
}
