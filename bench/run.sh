#!/bin/bash
# Benchmarks ocirun against runc and crun, with ocirun_floor as the lower bound, on one busybox
# bundle that runs /bin/true with the config of `runc spec` (terminal off). Prints a markdown
# report on stdout. Must run as root. docs/benchmarks.md explains the numbers.
#
# Environment (all optional):
#   BUILD       build directory with ocirun, ocirun_floor and ocirun_peak_rss
#               (default build/release; the two bench programs are built there when missing)
#   RUNTIMES    runtimes to measure (default "ocirun runc crun")
#   RUNS        timed runs of each single-container measurement (default 30, after 2 warmups)
#   SEQ_RUNS    timed runs of 100 sequential containers (default 10)
#   PAR_RUNS    timed runs of 10 parallel containers (default 20)
#   RSS_RUNS    peak RSS samples per runtime and command (default 10)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build/release}
RUNTIMES=${RUNTIMES:-ocirun runc crun}
RUNS=${RUNS:-30}
SEQ_RUNS=${SEQ_RUNS:-10}
PAR_RUNS=${PAR_RUNS:-20}
RSS_RUNS=${RSS_RUNS:-10}
export BUILD RUNTIMES RUNS SEQ_RUNS PAR_RUNS RSS_RUNS

log() { echo "bench: $*" >&2; }
die() {
    log "$*"
    exit 1
}

# Installs the Debian packages behind any missing tool.
install_missing_tools() {
    local packages=""
    command -v hyperfine >/dev/null || packages+=" hyperfine"
    command -v python3 >/dev/null || packages+=" python3"
    command -v unshare >/dev/null || packages+=" util-linux"
    [ -x /bin/busybox ] || packages+=" busybox-static"
    case " $RUNTIMES " in *" runc "*) command -v runc >/dev/null || packages+=" runc" ;; esac
    case " $RUNTIMES " in *" crun "*) command -v crun >/dev/null || packages+=" crun" ;; esac
    if [ -n "$packages" ]; then
        log "installing$packages"
        apt-get install -y $packages >&2
    fi
}

build_bench_programs() {
    if [ -x "$BUILD/ocirun_floor" ] && [ -x "$BUILD/ocirun_peak_rss" ]; then
        return
    fi
    [ -f "$BUILD/build.ninja" ] || die "no build in \`$BUILD\`; run scripts/build.sh release or set BUILD"
    log "building ocirun_floor and ocirun_peak_rss in $BUILD"
    cmake --build "$BUILD" --target ocirun_floor ocirun_peak_rss -j2 >&2
}

# Outside the private mount namespace: check, install and build, then re-run inside one.
if [ -z "${OCIRUN_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || die "must run as root"
    install_missing_tools
    case " $RUNTIMES " in
        *" ocirun "*) [ -x "$BUILD/ocirun" ] || die "\`$BUILD/ocirun\` not found; run scripts/build.sh release or set BUILD" ;;
    esac
    build_bench_programs
    OCIRUN_BENCH_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi

# Inside the private mount namespace from here on: mounts vanish with it.
# crun 1.8.1 rejects a hybrid layout (v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified). An empty tmpfs in place of the cgroup2 mount makes it plain cgroup v1
# for all three runtimes. The cgroup2 mount is unmounted first, not covered, because a covered
# mount still shows in /proc/self/mountinfo, and a runtime that reads the layout from there
# would still see a hybrid host.
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    umount /sys/fs/cgroup/unified
    mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup/unified
fi
[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || die "this script measures cgroup v1 only"

work=$(mktemp -d /tmp/ocirun-bench.XXXXXX)
trap 'cleanup' EXIT
# State directories and the bundle live on a tmpfs, as /run does on a normal host.
mount -t tmpfs -o size=64m tmpfs "$work"
mkdir -p "$work/results"
bundle=$work/bundle
floor=$BUILD/ocirun_floor
peak_rss=$BUILD/ocirun_peak_rss

# Prints the command line of a runtime, with its own state directory.
runtime_command() {
    case "$1" in
        ocirun) echo "$BUILD/ocirun --root $work/state-ocirun" ;;
        runc) echo "runc --root $work/state-runc" ;;
        crun) echo "crun --root $work/state-crun" ;;
        *) die "unknown runtime \`$1\`" ;;
    esac
}

cleanup() {
    local runtime id
    for runtime in $RUNTIMES; do
        for id in $(ls "$work/state-$runtime" 2>/dev/null); do
            $(runtime_command "$runtime") delete --force "$id" >/dev/null 2>&1 || true
        done
    done
    umount "$work" 2>/dev/null || true
    rmdir "$work" 2>/dev/null || true
}

make_bundle() {
    "$root/scripts/make-busybox-rootfs.sh" "$bundle/rootfs" >/dev/null
    (cd "$bundle" && runc spec)
    python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = ["/bin/true"]
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
}

# op.sh RUNTIME ACTION [ID]: the untimed steps around a measurement, and the loops of 100
# sequential and 10 parallel containers. RUNTIME "floor" runs ocirun_floor instead.
write_op_script() {
    local runtime
    {
        echo '#!/bin/sh'
        echo 'set -eu'
        echo 'runtime=$1 action=$2 id=${3:-bench}'
        echo "bundle=\"$bundle\""
        echo 'case "$runtime" in'
        echo "    floor) run_one() { \"$floor\" \"\$bundle\"; } ;;"
        for runtime in $RUNTIMES; do
            echo "    $runtime) rt=\"$(runtime_command "$runtime")\" ;;"
        done
        echo '    *) echo "op.sh: unknown runtime $runtime" >&2; exit 2 ;;'
        echo 'esac'
        cat <<'EOF'
if [ "$runtime" != floor ]; then
    run_one() { $rt run --bundle "$bundle" "$1"; }
fi
case "$action" in
    sequential)
        for i in $(seq 100); do run_one "seq-$i"; done ;;
    parallel)
        pids=""
        for i in $(seq 10); do
            run_one "par-$i" &
            pids="$pids $!"
        done
        for pid in $pids; do wait "$pid"; done ;;
    reset)
        $rt delete --force "$id" >/dev/null 2>&1 || true ;;
    created)
        $rt delete --force "$id" >/dev/null 2>&1 || true
        $rt create --bundle "$bundle" "$id" ;;
    stopped)
        $rt delete --force "$id" >/dev/null 2>&1 || true
        $rt create --bundle "$bundle" "$id"
        $rt start "$id"
        while $rt state "$id" | grep -q '"status": *"running"'; do :; done ;;
    *) echo "op.sh: unknown action $action" >&2; exit 2 ;;
esac
EOF
    } >"$work/op.sh"
    chmod +x "$work/op.sh"
}

# time_command NAME RUNTIME RUNS WARMUP [PREPARE] -- COMMAND...: times COMMAND with hyperfine
# into results/NAME-RUNTIME.json. A failure is logged and leaves no result, so the report shows
# the cell as failed and the other measurements still run.
time_command() {
    local name=$1 runtime=$2 runs=$3 warmup=$4 prepare=()
    shift 4
    if [ "$1" != -- ]; then
        prepare=(--prepare "$1")
        shift
    fi
    shift
    log "$name: $runtime"
    if ! hyperfine --shell=none --style=none --output=inherit --runs "$runs" --warmup "$warmup" \
        "${prepare[@]}" --export-json "$work/results/$name-$runtime.json" --command-name "$runtime" \
        "$*" >/dev/null 2>"$work/results/$name-$runtime.err"; then
        log "$name: $runtime failed: $(tail -n 3 "$work/results/$name-$runtime.err")"
        rm -f "$work/results/$name-$runtime.json"
    fi
}

# Each measurement runs for all runtimes back to back, so that a change of load on the machine
# during the script affects the runtimes of one row alike.
measure_lifecycles() {
    local runtime
    for runtime in $RUNTIMES floor; do
        if [ "$runtime" = floor ]; then
            time_command run floor "$RUNS" 2 -- "$floor" "$bundle"
        else
            time_command run "$runtime" "$RUNS" 2 -- $(runtime_command "$runtime") run \
                --bundle "$bundle" bench
        fi
    done
    for runtime in $RUNTIMES floor; do
        time_command sequential "$runtime" "$SEQ_RUNS" 0 -- "$work/op.sh" "$runtime" sequential
    done
    for runtime in $RUNTIMES floor; do
        time_command parallel "$runtime" "$PAR_RUNS" 1 -- "$work/op.sh" "$runtime" parallel
    done
}

measure_phases() {
    local runtime rt op="$work/op.sh"
    for runtime in $RUNTIMES; do
        rt=$(runtime_command "$runtime")
        time_command create "$runtime" "$RUNS" 2 "$op $runtime reset" -- \
            $rt create --bundle "$bundle" bench
    done
    for runtime in $RUNTIMES; do
        time_command start "$runtime" "$RUNS" 2 "$op $runtime created" -- \
            $(runtime_command "$runtime") start bench
    done
    for runtime in $RUNTIMES; do
        "$op" "$runtime" created >/dev/null 2>&1 || true
        time_command state "$runtime" "$RUNS" 2 -- $(runtime_command "$runtime") state bench
    done
    for runtime in $RUNTIMES; do
        time_command kill "$runtime" "$RUNS" 2 "$op $runtime created" -- \
            $(runtime_command "$runtime") kill bench KILL
    done
    for runtime in $RUNTIMES; do
        time_command delete "$runtime" "$RUNS" 2 "$op $runtime stopped" -- \
            $(runtime_command "$runtime") delete bench
        "$op" "$runtime" reset
    done
}

# Appends one peak RSS sample (KiB) per line to results/rss-COMMAND-RUNTIME.txt.
measure_peak_rss() {
    local runtime rt i out errors
    for i in $(seq "$RSS_RUNS"); do
        "$peak_rss" /bin/true >>"$work/results/rss-run-tool.txt" 2>/dev/null
        "$peak_rss" "$floor" "$bundle" >>"$work/results/rss-run-floor.txt" 2>/dev/null
    done
    for runtime in $RUNTIMES; do
        log "peak rss: $runtime"
        rt=$(runtime_command "$runtime")
        errors=$work/results/rss-$runtime.err
        for i in $(seq "$RSS_RUNS"); do
            "$work/op.sh" "$runtime" reset rss
            out=$("$peak_rss" $rt create --bundle "$bundle" rss 2>>"$errors") &&
                echo "$out" >>"$work/results/rss-create-$runtime.txt"
            "$work/op.sh" "$runtime" reset rss
            out=$("$peak_rss" $rt run --bundle "$bundle" rss 2>>"$errors") &&
                echo "$out" >>"$work/results/rss-run-$runtime.txt"
        done
        "$work/op.sh" "$runtime" reset rss
        [ ! -s "$errors" ] || log "peak rss: $runtime: $(tail -n 3 "$errors")"
    done
}

print_versions() {
    local runtime
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel=$(uname -r)"
    echo "cpus=$(nproc)"
    echo "load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)"
    echo "hyperfine=$(hyperfine --version)"
    for runtime in $RUNTIMES; do
        echo "$runtime=$($(runtime_command "$runtime") --version | head -n 1)"
    done
}

make_bundle
write_op_script
print_versions >"$work/results/versions.txt"
start=$(date +%s)
measure_lifecycles
measure_phases
measure_peak_rss
{
    echo "seconds=$(($(date +%s) - start))"
    echo "load_end=$(cut -d ' ' -f 1-3 /proc/loadavg)"
} >>"$work/results/versions.txt"
python3 "$root/bench/report.py" "$work/results" "$RUNTIMES"
