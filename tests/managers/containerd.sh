# containerd 1.6 driven through ctr, with containerd-shim-runc-v2 calling ocirun: setup,
# checks and cleanup. Sourced by run.sh, which sets T, OCIRUN and ROOTFS_TAR.

image_containerd=localhost/busybox:latest
containerd_dir=$T/containerd
containerd_socket=$containerd_dir/containerd.sock
# ctr with the private socket and namespace, as a script so that timeout and script(1) can
# run it and a person can repeat a check by hand.
ctr_cli=$T/bin/ctr
# The runtime flags of `ctr run`. The shim uses them for every runtime call of the task.
ctr_runtime_flags=(--runc-binary "$OCIRUN" --runc-root "$containerd_dir/runc-root")

# Starts a containerd whose root, state, sockets and plugin dirs are all under $T, unless the
# docker suite started one already.
start_containerd() {
    if [ -S "$containerd_socket" ]; then
        return 0
    fi
    mkdir -p "$containerd_dir" "$T/bin"
    cat >"$containerd_dir/config.toml" <<EOF
version = 2
root = "$containerd_dir/root"
state = "$containerd_dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$containerd_socket"

[ttrpc]
  address = "$containerd_socket.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$containerd_dir/opt"
EOF
    start_daemon containerd "$containerd_dir/containerd.log" \
        containerd --config "$containerd_dir/config.toml"
    if ! wait_for_socket "$containerd_socket" 30; then
        fail "containerd start" "$(tail -n 20 "$containerd_dir/containerd.log")"
        return 1
    fi
}

setup_containerd() {
    start_containerd || return 1
    cat >"$ctr_cli" <<EOF
#!/bin/sh
exec ctr --address "$containerd_socket" --namespace managers "\$@"
EOF
    chmod +x "$ctr_cli"
    make_oci_archive "$ROOTFS_TAR" "$image_containerd" "$T/busybox-oci.tar"
    capture "$ctr_cli" images import "$T/busybox-oci.tar"
    if [ "$RC" != 0 ]; then
        fail "ctr images import" "$(describe_result)"
        return 1
    fi
}

# Kills and deletes every task and container of the suite's namespace, so that their shims
# exit before containerd stops.
cleanup_containerd() {
    local id
    if [ ! -S "$containerd_socket" ] || [ ! -x "$ctr_cli" ]; then
        return 0
    fi
    for id in $(timeout 20 "$ctr_cli" containers list -q 2>/dev/null); do
        timeout 20 "$ctr_cli" task kill -s SIGKILL "$id" >/dev/null 2>&1
        timeout 20 "$ctr_cli" task delete --force "$id" >/dev/null 2>&1
        timeout 20 "$ctr_cli" containers delete "$id" >/dev/null 2>&1
    done
}

# ctr_task_status ID: prints the STATUS column of `ctr task ls` for task ID.
ctr_task_status() {
    "$ctr_cli" task ls 2>&1 | awk -v id="$1" '$1 == id { print $3 }'
}

# ctr_task_pid ID: prints the PID column of `ctr task ls` for task ID.
ctr_task_pid() {
    "$ctr_cli" task ls 2>&1 | awk -v id="$1" '$1 == id { print $2 }'
}

# wait_for_task_status ID STATUS: polls `ctr task ls` for up to 10 s.
wait_for_task_status() {
    local tries=100
    while [ "$(ctr_task_status "$1")" != "$2" ] && [ "$tries" -gt 0 ]; do
        tries=$((tries - 1))
        sleep 0.1
    done
}

check_containerd_run() {
    # NOTE: in one suite run ctr 1.6 printed nothing for a process that exited right after
    # writing, which 75 repeated runs with ocirun and 70 with runc did not reproduce. It looks
    # like a race in containerd's IO copy, so the sleep keeps it out of this check.
    expect "ctr run --rm: output and exit status" 3 hello \
        "$ctr_cli" run --rm "${ctr_runtime_flags[@]}" "$image_containerd" managers-run \
        sh -c 'echo hello; sleep 0.2; exit 3'

    expect_match "ctr run --rm: missing binary shows ocirun's error" 1 \
        'OCI runtime create failed: .*/nonexistent.*no such file or directory: unknown' \
        "$ctr_cli" run --rm "${ctr_runtime_flags[@]}" "$image_containerd" managers-missing \
        /nonexistent
    expect "ctr run --rm: failed container removed" 0 "" "$ctr_cli" containers list -q

    capture script -qec "$ctr_cli run -t --rm ${ctr_runtime_flags[*]} $image_containerd \
managers-tty sh -c 'tty; exit 2'" /dev/null
    expect_last_match "ctr run -t: the container's terminal is /dev/pts/0" 2 '/dev/pts/0$'
}

check_containerd_task() {
    local id=managers-task pid
    # A shell as init ignores SIGTERM unless it traps it, and the trap gives `task kill` a
    # visible exit status.
    expect "ctr run -d: no output" 0 "" \
        "$ctr_cli" run -d "${ctr_runtime_flags[@]}" "$image_containerd" "$id" \
        sh -c 'trap "exit 5" TERM; while true; do sleep 0.2; done'
    expect_equal "ctr task ls: running" RUNNING "$(ctr_task_status "$id")"
    pid=$(ctr_task_pid "$id")
    if [ "$(ctr_task_status "$id")" != RUNNING ]; then
        cleanup_containerd
        return
    fi

    expect "ctr task exec: output" 0 sh \
        "$ctr_cli" task exec --exec-id exec-output "$id" cat /proc/1/comm
    expect "ctr task exec: exit status" 7 "" \
        "$ctr_cli" task exec --exec-id exec-status "$id" sh -c 'exit 7'
    expect_match "ctr task exec: missing binary shows ocirun's error" 1 \
        'OCI runtime exec failed: .*/nonexistent.*no such file or directory: unknown' \
        "$ctr_cli" task exec --exec-id exec-missing "$id" /nonexistent

    capture script -qec "$ctr_cli task exec -t --exec-id exec-tty $id sh -c 'tty; exit 6'" \
        /dev/null
    expect_last_match "ctr task exec -t: the process has a pty" 6 '/dev/pts/[0-9]+$'

    # `task ps` lists the host pids that the runtime's `ps --format json` prints.
    capture "$ctr_cli" task ps "$id"
    expect_last_match "ctr task ps: lists init's host pid" 0 "^${pid}[[:space:]]"

    capture "$ctr_cli" task pause "$id"
    expect_equal "ctr task pause: paused" PAUSED "$(ctr_task_status "$id")"
    expect_equal "ctr task pause: cgroup frozen" FROZEN \
        "$(cat "/sys/fs/cgroup/freezer/managers/$id/freezer.state" 2>&1)"
    capture "$ctr_cli" task resume "$id"
    expect_equal "ctr task resume: running" RUNNING "$(ctr_task_status "$id")"

    expect "ctr task kill: no output" 0 "" "$ctr_cli" task kill "$id"
    wait_for_task_status "$id" STOPPED
    expect_equal "ctr task kill: stopped" STOPPED "$(ctr_task_status "$id")"
    expect_match "ctr task delete: shows the exit status of the trap" 0 \
        "task $id exit with non-zero exit code 5" "$ctr_cli" task delete "$id"
    expect "ctr container delete: no output" 0 "" "$ctr_cli" containers delete "$id"
    expect "ctr container delete: container gone" 0 "" "$ctr_cli" containers list -q
    expect_equal "ctr container delete: runtime state gone" "" \
        "$(ls "$containerd_dir/runc-root/managers" 2>&1)"
    expect_equal "ctr container delete: cgroup removed" "" \
        "$(ls -d "/sys/fs/cgroup/memory/managers/$id" 2>/dev/null)"
}

run_containerd_checks() {
    setup_containerd || return 0
    check_containerd_run
    check_containerd_task
    cleanup_containerd
}
