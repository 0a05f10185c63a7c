# Check helpers, daemon start and stop, and image building shared by the manager suites.
# Sourced by run.sh, which sets T (the private temp dir) and OCIRUN.

passed=0
failed=0
# Each command a check runs is stopped after this many seconds, so one hang cannot stall
# the suite. Override with MANAGERS_TIMEOUT.
check_timeout=${MANAGERS_TIMEOUT:-60}

pass() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$1"
}

# fail NAME DETAIL: DETAIL may span several lines; it is indented under the check's line.
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    printf '%s\n' "$2" | sed 's/^/     | /'
}

# capture CMD...: runs CMD with a timeout and stores its stdout in OUT, its stderr in ERR and
# its exit status in RC. Carriage returns are dropped because pty output ends lines in CRLF.
capture() {
    timeout -k 5 "$check_timeout" "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    OUT=$(tr -d '\r' <"$T/out")
    ERR=$(tr -d '\r' <"$T/err")
}

# capture_input TEXT CMD...: like capture, with TEXT on stdin.
capture_input() {
    local input=$1
    shift
    printf '%s' "$input" | timeout -k 5 "$check_timeout" "$@" >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(tr -d '\r' <"$T/out")
    ERR=$(tr -d '\r' <"$T/err")
}

describe_result() {
    printf 'exit status %s\nstdout: %s\nstderr: %s' "$RC" "$OUT" "$ERR"
}

# expect NAME RC OUTPUT CMD...: passes when CMD exits with RC and prints exactly OUTPUT.
expect() {
    local name=$1 want_rc=$2 want_out=$3
    shift 3
    capture "$@"
    if [ "$RC" = "$want_rc" ] && [ "$OUT" = "$want_out" ]; then
        pass "$name"
    else
        fail "$name" "$(printf 'expected exit status %s and stdout %s\n' "$want_rc" "$want_out")
$(describe_result)"
    fi
}

# expect_match NAME RC REGEX CMD...: passes when CMD exits with RC and its stdout or stderr
# matches the extended regular expression REGEX.
expect_match() {
    local name=$1 want_rc=$2 pattern=$3
    shift 3
    capture "$@"
    expect_last_match "$name" "$want_rc" "$pattern"
}

# expect_last_match NAME RC REGEX: checks the result of the last capture.
expect_last_match() {
    if [ "$RC" = "$2" ] && printf '%s\n%s\n' "$OUT" "$ERR" | grep -Eq -- "$3"; then
        pass "$1"
    else
        fail "$1" "$(printf 'expected exit status %s and output matching %s\n' "$2" "$3")
$(describe_result)"
    fi
}

# expect_equal NAME EXPECTED ACTUAL: compares two values computed by the caller.
expect_equal() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "$(printf 'expected: %s\nactual:   %s' "$2" "$3")"
    fi
}

# wait_for_socket PATH SECONDS: waits until PATH is a socket.
wait_for_socket() {
    local tries=$(($2 * 10))
    while [ ! -S "$1" ]; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            return 1
        fi
        sleep 0.1
    done
}

# start_daemon NAME LOG CMD...: starts CMD in the background with every fd above 2 closed
# (Go daemons pass inherited fds on to the runtime) and records its pid in $T/NAME.pid.
start_daemon() {
    local name=$1 log=$2
    shift 2
    (
        local fd_path fd
        for fd_path in /proc/"$BASHPID"/fd/*; do
            fd=${fd_path##*/}
            if [ "$fd" -gt 2 ]; then
                eval "exec $fd>&-"
            fi
        done
        exec "$@" </dev/null >"$log" 2>&1
    ) &
    echo $! >"$T/$name.pid"
}

# stop_daemon NAME: sends SIGTERM to the daemon started as NAME, and SIGKILL after 20 s.
stop_daemon() {
    local pid_file="$T/$1.pid" pid tries=200
    if [ ! -f "$pid_file" ]; then
        return 0
    fi
    pid=$(cat "$pid_file")
    rm -f "$pid_file"
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            echo "managers: $1 (pid $pid) did not stop on SIGTERM; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null
            break
        fi
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
    return 0
}

# kill_leftovers PATTERN: kills, by pid, processes whose command line contains PATTERN (a
# path under $T, so only processes this suite started match), such as shims whose daemon
# has stopped.
kill_leftovers() {
    local dir pid
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        if [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ]; then
            continue
        fi
        if tr '\0' ' ' 2>/dev/null <"$dir/cmdline" | grep -qF -- "$1"; then
            kill -KILL "$pid" 2>/dev/null
        fi
    done
}

# unmount_under DIR: unmounts every mount point below DIR, deepest first.
unmount_under() {
    awk -v dir="$1/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r mount_point; do
            umount -l "$mount_point" 2>/dev/null
        done
}

# sha256_of FILE: prints FILE's hex SHA-256.
sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

# add_blob DIR FILE: moves FILE into the OCI blob store of DIR and prints its digest and size
# as "sha256:HEX SIZE".
add_blob() {
    local digest size
    digest=$(sha256_of "$2")
    size=$(stat -c %s "$2")
    mv "$2" "$1/blobs/sha256/$digest"
    echo "sha256:$digest $size"
}

# make_oci_archive ROOTFS_TAR NAME OUTPUT: writes an OCI image layout tar with one
# uncompressed layer and CMD ["/bin/sh"], tagged NAME, for `ctr images import`.
make_oci_archive() {
    local layout="$T/oci-layout" blob layer_digest layer_size config_digest config_size
    rm -rf "$layout"
    mkdir -p "$layout/blobs/sha256"
    cp "$1" "$layout/layer.tar"
    blob=$(add_blob "$layout" "$layout/layer.tar")
    layer_digest=${blob% *}
    layer_size=${blob#* }
    cat >"$layout/config.json" <<EOF
{
  "architecture": "amd64",
  "os": "linux",
  "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]},
  "rootfs": {"type": "layers", "diff_ids": ["$layer_digest"]}
}
EOF
    blob=$(add_blob "$layout" "$layout/config.json")
    config_digest=${blob% *}
    config_size=${blob#* }
    cat >"$layout/manifest.json" <<EOF
{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {
    "mediaType": "application/vnd.oci.image.config.v1+json",
    "digest": "$config_digest",
    "size": $config_size
  },
  "layers": [
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar",
      "digest": "$layer_digest",
      "size": $layer_size
    }
  ]
}
EOF
    blob=$(add_blob "$layout" "$layout/manifest.json")
    cat >"$layout/index.json" <<EOF
{
  "schemaVersion": 2,
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "${blob% *}",
      "size": ${blob#* },
      "annotations": {
        "io.containerd.image.name": "$2",
        "org.opencontainers.image.ref.name": "latest"
      }
    }
  ]
}
EOF
    echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
    tar -C "$layout" -cf "$3" oci-layout index.json blobs
}
