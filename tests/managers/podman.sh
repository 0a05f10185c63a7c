# podman 4.3 with conmon and ocirun as its runtime: setup, checks and cleanup.
# Sourced by run.sh, which sets T, OCIRUN and ROOTFS_TAR.

image_podman=localhost/busybox:latest

# A podman command line with every piece of state under $T/podman, as a script so that
# timeout and script(1) can run it and a person can repeat a check by hand.
podman_cli=$T/bin/podman

setup_podman() {
    mkdir -p "$T/podman" "$T/bin"
    cat >"$podman_cli" <<EOF
#!/bin/sh
export CONTAINERS_CONF="$T/podman/containers.conf"
exec podman --root "$T/podman/root" --runroot "$T/podman/runroot" --tmpdir "$T/podman/tmp" \\
    --storage-driver overlay --cgroup-manager cgroupfs --events-backend file \\
    --runtime "$OCIRUN" "\$@"
EOF
    chmod +x "$podman_cli"
    # The NOFILE and NPROC defaults (1048576) exceed the hard limits of a root without
    # CAP_SYS_RESOURCE. podman passes --log-format=json only to the runtime names listed in
    # runtime_supports_json.
    cat >"$T/podman/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime_supports_json = ["ocirun"]
EOF
    capture "$podman_cli" import --change 'CMD ["/bin/sh"]' "$ROOTFS_TAR" "$image_podman"
    if [ "$RC" != 0 ]; then
        fail "podman import" "$(describe_result)"
        return 1
    fi
}

cleanup_podman() {
    if [ -d "$T/podman" ]; then
        timeout -k 5 60 "$podman_cli" rm -a -f -t 0 >/dev/null 2>&1
    fi
}

# podman_status NAME: prints the container's status as `podman inspect` shows it.
podman_status() {
    "$podman_cli" inspect -f '{{.State.Status}}' "$1" 2>&1
}

# podman_cgroup_file NAME CONTROLLER FILE: prints a file of the container's v1 cgroup.
podman_cgroup_file() {
    local id
    id=$("$podman_cli" inspect -f '{{.Id}}' "$1")
    cat "/sys/fs/cgroup/$2/libpod_parent/libpod-$id/$3" 2>&1
}

check_podman_run() {
    expect "podman run --rm: output and exit status" 3 hello \
        "$podman_cli" run --rm --network none "$image_podman" sh -c 'echo hello; exit 3'

    expect_match "podman run --rm: missing binary shows ocirun's error" 127 \
        'ocirun: .*/nonexistent.*no such file or directory' \
        "$podman_cli" run --rm --network none "$image_podman" /nonexistent

    expect_match "podman run --rm: rlimit over the hard limit shows ocirun's error" 126 \
        'ocirun: .*RLIMIT_NOFILE.*operation not permitted' \
        "$podman_cli" run --rm --network none --ulimit nofile=30000:30000 "$image_podman" true

    expect "podman run --read-only: /tmp writable, / read-only" 1 \
        "tmp writable
touch: /x: Read-only file system" \
        "$podman_cli" run --rm --network none --read-only "$image_podman" \
        sh -c 'touch /tmp/x && echo tmp writable; touch /x 2>&1'

    expect "podman run --user: uid and gid" 0 \
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" \
        "$podman_cli" run --rm --network none --user 65534:65534 "$image_podman" id

    expect "podman run --memory: cgroup limit inside the container" 0 67108864 \
        "$podman_cli" run --rm --network none --memory 64m "$image_podman" \
        cat /sys/fs/cgroup/memory/memory.limit_in_bytes

    capture_input 'echo $((6 * 7))
tty
exit 4
' script -qec "$podman_cli run -it --rm --network none $image_podman sh" /dev/null
    expect_last_match "podman run -it: shell through a pty" 4 '^42$'
    expect_last_match "podman run -it: the container's terminal is /dev/pts/0" 4 '^/dev/pts/0$'

    # podman resizes the container's pty through conmon to the size of its own terminal. It
    # sends the size around `start` and podman 4.3 sets no process.consoleSize, so a process
    # that reads the size at once may still see 0 0, with runc too if it starts fast enough.
    capture script -qec "stty rows 30 cols 100; $podman_cli run -it --rm --network none \
$image_podman sh -c 'sleep 1; stty size'" /dev/null
    expect_last_match "podman run -it: terminal size" 0 '30 100$'
}

check_podman_detached() {
    local name=managers-podman-detached id
    # A shell as init ignores SIGTERM unless it traps it, so `stop` can end it cleanly.
    capture "$podman_cli" run -d --name "$name" --network none "$image_podman" \
        sh -c 'trap "exit 0" TERM; while true; do sleep 0.2; done'
    expect_last_match "podman run -d: prints the container id" 0 '^[0-9a-f]{64}$'
    if [ "$(podman_status "$name")" != running ]; then
        fail "podman run -d: container not running, skipping the checks that use it" \
            "$(podman_status "$name")"
        "$podman_cli" rm -f -t 0 "$name" >/dev/null 2>&1
        return
    fi

    expect "podman exec: output" 0 "sh" "$podman_cli" exec "$name" cat /proc/1/comm
    expect "podman exec: exit status" 7 "" "$podman_cli" exec "$name" sh -c 'exit 7'
    expect_match "podman exec: missing binary" 127 'no such file or directory' \
        "$podman_cli" exec "$name" /nonexistent

    capture script -qec "$podman_cli exec -t $name sh -c 'tty; echo done'" /dev/null
    expect_last_match "podman exec -t: the process has a pty" 0 '^/dev/pts/[0-9]+$'
    expect_last_match "podman exec -t: output" 0 '^done$'

    capture "$podman_cli" pause "$name"
    expect_equal "podman pause: status" "paused" "$(podman_status "$name")"
    expect_equal "podman pause: cgroup frozen" "FROZEN" \
        "$(podman_cgroup_file "$name" freezer freezer.state)"
    capture "$podman_cli" unpause "$name"
    expect_equal "podman unpause: status" "running" "$(podman_status "$name")"
    expect_equal "podman unpause: cgroup thawed" "THAWED" \
        "$(podman_cgroup_file "$name" freezer freezer.state)"

    expect "podman stop: prints the name" 0 "$name" "$podman_cli" stop -t 10 "$name"
    expect_equal "podman stop: exit code of the trapped SIGTERM" "exited 0" \
        "$("$podman_cli" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name" 2>&1)"
    capture "$podman_cli" rm "$name"

    name=managers-podman-remove
    capture "$podman_cli" run -d --name "$name" --network none "$image_podman" sleep 1000
    id=$OUT
    expect "podman rm -f: running container" 0 "$name" "$podman_cli" rm -f -t 0 "$name"
    expect "podman rm -f: container gone" 0 "" \
        "$podman_cli" ps -a -q --no-trunc --filter "name=$name"
    # podman keeps the runtime's state in ocirun's default root.
    expect_equal "podman rm -f: runtime state gone" "" "$(ls -d "/run/ocirun/$id" 2>/dev/null)"
    expect_equal "podman rm -f: cgroup removed" "" \
        "$(ls -d /sys/fs/cgroup/memory/libpod_parent/libpod-"$id" 2>/dev/null)"
}

# Checks --sdnotify=container: podman sends MAINPID (conmon's pid) to its own NOTIFY_SOCKET,
# ocirun gives the container a socket at /run/notify/notify.sock, and relays the container's
# READY=1 to podman's NOTIFY_SOCKET.
check_podman_sdnotify() {
    local name=managers-podman-notify socket="$T/podman/notify.sock" helper="$T/podman/sd-notify"
    local listener conmon_pid
    if ! cc -static -O2 -o "$helper" "$here/sd_notify.c" 2>"$T/err"; then
        fail "podman --sdnotify: build the sd-notify helper" "$(cat "$T/err")"
        return
    fi
    python3 "$here/notify_listener.py" "$socket" 10 >"$T/podman/notify.out" 2>&1 &
    listener=$!
    wait_for_socket "$socket" 10
    capture env NOTIFY_SOCKET="$socket" "$podman_cli" run -d --name "$name" --network none \
        --sdnotify=container -v "$helper:/usr/local/bin/sd-notify:ro" "$image_podman" \
        sh -c 'test -S "$NOTIFY_SOCKET" && echo "$NOTIFY_SOCKET" >/tmp/notify;
            sd-notify READY=1 && echo sent >>/tmp/notify; sleep 1000'
    expect_last_match "podman run --sdnotify=container: starts" 0 '^[0-9a-f]{64}$'
    conmon_pid=$("$podman_cli" inspect -f '{{.State.ConmonPid}}' "$name" 2>&1)

    expect "podman --sdnotify: container's NOTIFY_SOCKET" 0 "/run/notify/notify.sock
sent" "$podman_cli" exec "$name" sh -c 'for i in $(seq 100); do
            grep -q sent /tmp/notify 2>/dev/null && break; sleep 0.1; done; cat /tmp/notify'

    # READY=1 reaches the host socket some time after the container sent it.
    for _ in $(seq 100); do
        grep -q '^READY=1$' "$T/podman/notify.out" && break
        sleep 0.1
    done
    capture "$podman_cli" rm -f -t 0 "$name"
    kill "$listener" 2>/dev/null
    wait "$listener" 2>/dev/null
    # podman sends MAINPID and the runtime relays READY=1 separately, so either may come first.
    expect_equal "podman --sdnotify: host socket gets MAINPID and READY" "MAINPID=$conmon_pid
READY=1" "$(sort "$T/podman/notify.out")"
}

run_podman_checks() {
    setup_podman || return 0
    check_podman_run
    check_podman_detached
    check_podman_sdnotify
    cleanup_podman
}
