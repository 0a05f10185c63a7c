# dockerd 20.10 with ocirun as its default runtime, on the containerd of containerd.sh:
# setup, checks and cleanup. Sourced by run.sh, which sets T, OCIRUN and ROOTFS_TAR.

image_docker=busybox:latest
docker_dir=$T/docker
docker_socket=$docker_dir/docker.sock
# The docker client of the docker.io package with the private socket and client config, as
# a script so that timeout and script(1) can run it. /usr/bin/docker is named in full because
# another docker client may come first in PATH.
docker_cli=$T/bin/docker

setup_docker() {
    start_containerd || return 1
    mkdir -p "$docker_dir" "$T/bin"
    # No bridge and no iptables: this machine has no network, and the checks need none.
    cat >"$docker_dir/daemon.json" <<EOF
{
  "data-root": "$docker_dir/root",
  "exec-root": "$docker_dir/exec",
  "pidfile": "$docker_dir/dockerd.pid",
  "hosts": ["unix://$docker_socket"],
  "containerd": "$containerd_socket",
  "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "bridge": "none",
  "iptables": false,
  "ip-masq": false,
  "runtimes": {"ocirun": {"path": "$OCIRUN"}},
  "default-runtime": "ocirun"
}
EOF
    cat >"$docker_cli" <<EOF
#!/bin/sh
export DOCKER_CONFIG="$docker_dir/client"
exec /usr/bin/docker -H "unix://$docker_socket" "\$@"
EOF
    chmod +x "$docker_cli"
    start_daemon dockerd "$docker_dir/dockerd.log" dockerd --config-file "$docker_dir/daemon.json"
    if ! wait_for_socket "$docker_socket" 60; then
        fail "dockerd start" "$(tail -n 20 "$docker_dir/dockerd.log")"
        return 1
    fi
    capture "$docker_cli" import --change 'CMD ["/bin/sh"]' "$ROOTFS_TAR" "$image_docker"
    if [ "$RC" != 0 ]; then
        fail "docker import" "$(describe_result)"
        return 1
    fi
}

cleanup_docker() {
    local ids
    if [ ! -S "$docker_socket" ] || [ ! -x "$docker_cli" ]; then
        return 0
    fi
    mapfile -t ids < <(timeout 20 "$docker_cli" ps -a -q 2>/dev/null)
    if [ "${#ids[@]}" -gt 0 ]; then
        timeout 60 "$docker_cli" rm -f "${ids[@]}" >/dev/null 2>&1
    fi
}

# docker_pid NAME: prints the host pid of the container's init.
docker_pid() {
    "$docker_cli" inspect -f '{{.State.Pid}}' "$1" 2>&1
}

check_docker_run() {
    # dockerd runs the default runtime with --version and shows its `commit:` line.
    expect "docker info: ocirun's commit" 0 "$("$OCIRUN" --version | sed -n 's/^commit: //p')" \
        "$docker_cli" info --format '{{.RuncCommit.ID}}'

    expect "docker run --rm: output and exit status" 3 hello \
        "$docker_cli" run --rm "$image_docker" sh -c 'echo hello; exit 3'

    expect_match "docker run --rm: missing binary shows ocirun's error" 127 \
        'OCI runtime create failed: .*/nonexistent.*no such file or directory: unknown' \
        "$docker_cli" run --rm "$image_docker" /nonexistent

    expect "docker run --read-only: / is read-only" 1 "touch: /x: Read-only file system" \
        "$docker_cli" run --rm --read-only "$image_docker" sh -c 'touch /x 2>&1'

    # --init bind-mounts docker-init (tini) and makes it the container's pid 1.
    expect "docker run --init: docker-init is pid 1" 0 "docker-init" \
        "$docker_cli" run --rm --init "$image_docker" cat /proc/1/comm

    check_docker_oom
}

# The shim watches the memory cgroup of the container's init for OOM kills, so docker reports
# one only when ocirun put init in the cgroup that cgroupsPath names. The sleep gives the shim
# time to register before the allocation. The OOM killer takes `sort`, which buffers its input,
# and init lives on for a second. When init itself was the victim, docker missed the OOM in
# some runs on a loaded machine, with runc as well.
check_docker_oom() {
    local name=managers-docker-oom
    expect "docker run --memory: sort is OOM-killed" 0 137 \
        "$docker_cli" run --name "$name" --memory 8m --memory-swap 8m "$image_docker" \
        sh -c 'sleep 2; head -c 40000000 /dev/zero | sort >/dev/null; echo $?; sleep 1'
    expect "docker run --memory: inspect shows OOMKilled" 0 true \
        "$docker_cli" inspect -f '{{.State.OOMKilled}}' "$name"
    capture "$docker_cli" rm -f "$name"
}

check_docker_detached() {
    local name=managers-docker-main pid
    # dockerd 20.10 adds the libnetwork-setkey prestart hook for `--network none`, but not for
    # the default network when the daemon runs with "bridge": "none".
    capture "$docker_cli" run -d --name "$name" --network none "$image_docker" sleep 1000
    expect_last_match "docker run -d: prints the container id" 0 '^[0-9a-f]{64}$'
    pid=$(docker_pid "$name")
    if [ "$RC" != 0 ] || [ "$pid" = 0 ]; then
        fail "docker run -d: container not running, skipping the checks that use it" "pid $pid"
        "$docker_cli" rm -f "$name" >/dev/null 2>&1
        return
    fi

    expect "docker exec: output" 0 sleep "$docker_cli" exec "$name" cat /proc/1/comm
    expect "docker exec: exit status" 7 "" "$docker_cli" exec "$name" sh -c 'exit 7'
    expect_match "docker exec: missing binary shows ocirun's error" 126 \
        'OCI runtime exec failed: .*/nonexistent.*no such file or directory: unknown' \
        "$docker_cli" exec "$name" /nonexistent

    capture script -qec "$docker_cli exec -t $name sh -c 'tty; exit 6'" /dev/null
    expect_last_match "docker exec -t: the process has a pty" 6 '^/dev/pts/[0-9]+$'
    # docker resizes the pty after the process started, so the process waits before reading.
    capture script -qec "stty rows 30 cols 100; $docker_cli exec -t $name \
sh -c 'sleep 1; stty size'" /dev/null
    expect_last_match "docker exec -t: terminal size" 0 '^30 100$'

    capture "$docker_cli" top "$name"
    expect_last_match "docker top: lists init" 0 "^root +$pid .*sleep 1000$"

    # The hook runs dockerd's own binary as libnetwork-setkey with the container's state on
    # stdin. dockerd then bind-mounts the network namespace of the state's pid at the sandbox
    # key.
    check_docker_setkey_hook "$name" "$pid"

    check_docker_update "$name"

    expect_match "docker run --pid container: sees the other container's init" 0 \
        '^ +1 +root .*sleep 1000$' \
        "$docker_cli" run --rm --pid "container:$name" "$image_docker" ps
    expect "docker run --network container: joins its network namespace" 0 \
        "$(readlink "/proc/$pid/ns/net")" \
        "$docker_cli" run --rm --network "container:$name" "$image_docker" \
        readlink /proc/self/ns/net

    expect "docker rm -f: running container" 0 "$name" "$docker_cli" rm -f "$name"
    expect "docker rm -f: container gone" 0 "" "$docker_cli" ps -a -q -f "name=$name"
}

# check_docker_setkey_hook NAME PID: checks that the prestart hook ran for the container.
check_docker_setkey_hook() {
    local sandbox_key hook_netns
    sandbox_key=$("$docker_cli" inspect -f '{{.NetworkSettings.SandboxKey}}' "$1")
    hook_netns=$(stat -L -c 'net:[%i]' "$sandbox_key" 2>&1)
    expect_equal "docker prestart hook: sandbox key is the container's netns" \
        "$(readlink "/proc/$2/ns/net")" "$hook_netns"
}

# check_docker_update NAME: `docker update` goes to the runtime's `update --resources -`.
check_docker_update() {
    expect "docker update --memory: prints the name" 0 "$1" \
        "$docker_cli" update --memory 64m --memory-swap 128m "$1"
    expect "docker update --memory: cgroup limit inside the container" 0 67108864 \
        "$docker_cli" exec "$1" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    expect "docker update --memory: memory+swap limit" 0 134217728 \
        "$docker_cli" exec "$1" cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
}

check_docker_stop() {
    local name=managers-docker-stop
    # A shell as init ignores SIGTERM unless it traps it, and the trap makes a clean stop
    # visible.
    capture "$docker_cli" run -d --name "$name" "$image_docker" \
        sh -c 'trap "exit 0" TERM; while true; do sleep 0.2; done'
    expect "docker stop: prints the name" 0 "$name" "$docker_cli" stop -t 10 "$name"
    expect "docker stop: exit code of the trapped SIGTERM" 0 "exited 0" \
        "$docker_cli" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
    capture "$docker_cli" rm "$name"
}

# Unpacks the archive that `docker save` writes (manifest.json, RepoTags, one tar per layer)
# with ocirun, and runs the bundle with the image's command replaced.
check_docker_save() {
    local archive=$T/docker-save.tar bundle=$T/docker-save-bundle
    capture "$docker_cli" save -o "$archive" "$image_docker"
    if [ "$RC" != 0 ]; then
        fail "docker save" "$(describe_result)"
        return
    fi
    expect "ocirun image unpack of docker save output: no output" 0 "" \
        "$OCIRUN" image unpack "$archive:latest" "$bundle"
    expect "ocirun image unpack of docker save output: CMD becomes args" 0 '["/bin/sh"]' \
        python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["process"]["args"], separators=(",", ":")))' \
        "$bundle/config.json"
    python3 - "$bundle/config.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
config["process"]["args"] = ["/bin/sh", "-c", "echo from docker save; exit 4"]
with open(sys.argv[1], "w") as f:
    json.dump(config, f)
PY
    expect "ocirun run of the docker save bundle: output and exit status" 4 "from docker save" \
        "$OCIRUN" --root "$T/ocirun-root" run --bundle "$bundle" managers-docker-save
    rm -rf "$bundle" "$archive"
}

run_docker_checks() {
    setup_docker || return 0
    check_docker_run
    check_docker_detached
    check_docker_stop
    check_docker_save
    cleanup_docker
}
