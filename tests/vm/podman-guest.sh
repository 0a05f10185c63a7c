#!/bin/bash
# Guest side of the rootless podman checks on the Debian 12 VM (systemd as PID 1, pure cgroup
# v2). A lingering user runs podman 4.3 with RUNTIME as its OCI runtime, the systemd cgroup
# manager and --network none, once with vfs storage and once with overlay storage through
# fuse-overlayfs. For each storage it checks podman info and the output and exit status of run
# --rm. A detached container must run in a cgroup below user@UID.service whose memory.max,
# read from outside and inside, is the --memory limit. It checks exec, and that stop, kill and
# rm leave neither the runtime's state nor the cgroup. With fuse-overlayfs the container's root
# must be a fuse.fuse-overlayfs mount. No registry is reachable, so the image is imported from a
# tar of the busybox rootfs.
#
# Usage (as root in the guest): podman-guest.sh RUNTIME ROOTFS
# RUNTIME is ocirun, or Debian's runc to compare against; ROOTFS the busybox rootfs of
# scripts/make-busybox-rootfs.sh. Prints one "ok" or "FAIL" line a check and exits with the
# number of failed checks, or 125 when the setup failed.
set -u

runtime_source=$1
rootfs_source=$2
runtime_name=$(basename "$runtime_source")
readonly kMiB=1048576
readonly kImage=localhost/busybox:latest

# shellcheck source-path=SCRIPTDIR source=guest-checks.sh
. "$(dirname "$0")/guest-checks.sh"
# shellcheck source-path=SCRIPTDIR source=guest-users.sh
. "$(dirname "$0")/guest-users.sh"

require_rootless_tools
for tool in podman conmon fuse-overlayfs; do
    command -v "$tool" >/dev/null || setup_failed "$tool not found; the image needs $tool"
done

user=ocirun-podman
work=$(mktemp -d /tmp/ocirun-podman.XXXXXX)
chmod 755 "$work"

# Runs podman as the user with the storage STORAGE (vfs or fuse-overlayfs), each with its own
# root, run root and temp dir. The output goes to $work/out and $work/err, files and not pipes,
# because conmon and the container inherit them. Usage: podman_as_user STORAGE ARG...
podman_as_user() {
    local storage=$1
    shift
    local driver=(--storage-driver vfs)
    if [ "$storage" = fuse-overlayfs ]; then
        driver=(--storage-driver overlay --storage-opt overlay.mount_program=/usr/bin/fuse-overlayfs)
    fi
    as_user "$user" "$runtime_dir" env HOME="$work/home" CONTAINERS_CONF="$work/containers.conf" \
        podman --root "$work/$storage/storage" --runroot "$work/$storage/runroot" \
        --tmpdir "$work/$storage/tmp" "${driver[@]}" --cgroup-manager systemd \
        --events-backend file --runtime "$work/bin/$runtime_name" "$@" \
        >"$work/out" 2>"$work/err" </dev/null
}

# Stops the user's containers, then kills the rest of what the user runs (podman's pause
# process keeps the fuse-overlayfs mounts of its mount namespace alive) and removes the user.
cleanup() {
    local storage
    for storage in vfs fuse-overlayfs; do
        if [ -d "$work/$storage" ]; then
            podman_as_user "$storage" rm --all --force --time 0
        fi
    done
    remove_users "$user"
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

add_users "$user"
uid=$(id -u "$user")
gid=$(id -g "$user")
runtime_dir=/run/user/$uid
user_service=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service
state_root=$runtime_dir/$runtime_name

# Copies on the guest's disk, because the user may not read the 9p share.
mkdir -p "$work/bin" "$work/home"
cp "$runtime_source" "$work/bin/$runtime_name"
tar -C "$rootfs_source" -cf "$work/rootfs.tar" .
# No default ulimits, so containers keep the user's limits. podman passes --log-format=json only
# to the runtimes named in runtime_supports_json.
cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = []

[engine]
runtime_supports_json = ["$runtime_name"]
CONF
chown -R "$uid:$gid" "$work"

start_user_manager "$user"
# fuse-overlayfs opens /dev/fuse as the user, which a 0600 /dev/fuse, as on the build machine,
# forbids.
if as_user "$user" "$runtime_dir" test -r /dev/fuse -a -w /dev/fuse; then
    pass "the user may read and write /dev/fuse ($(stat -c %A /dev/fuse))"
else
    fail "the user may not read and write /dev/fuse ($(stat -c '%A %U' /dev/fuse))"
fi

# Prints the output of the last podman command, indented, after a failed check.
last_output() {
    sed 's/^/      /' "$work/out" "$work/err"
}

# Runs podman and checks its exit status. Usage: expect_podman DESCRIPTION STORAGE ARG...
expect_podman() {
    local description=$1
    shift
    if podman_as_user "$@"; then
        pass "$description"
    else
        fail "$description: podman exited with status $?"
        last_output
        return 1
    fi
}

# Prints the field FORMAT (a Go template) of container NAME.
# Usage: inspect_field STORAGE NAME FORMAT
inspect_field() {
    podman_as_user "$1" inspect --format "$3" "$2" && cat "$work/out"
}

# Prints the unified cgroup directory of process PID, read from outside the container.
process_cgroup() {
    echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

# Prints the filesystem type of the last mount on / in the mount namespace of process PID.
root_filesystem_type() {
    awk '$5 == "/" { for (i = 7; $i != "-"; i++) {} type = $(i + 1) } END { print type }' \
        "/proc/$1/mountinfo"
}

check_info() {
    local storage=$1 label="$1: podman info"
    local expected_driver=vfs
    if [ "$storage" = fuse-overlayfs ]; then
        expected_driver=overlay
    fi
    if ! podman_as_user "$storage" info --format \
        '{{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Store.GraphDriverName}}'; then
        fail "$label"
        last_output
        return
    fi
    expect_value "$label cgroup manager, version and driver" "$(cat "$work/out")" \
        "systemd v2 $expected_driver"
    if [ "$storage" = fuse-overlayfs ]; then
        podman_as_user "$storage" info --format '{{.Store.GraphOptions}}'
        if grep -q /usr/bin/fuse-overlayfs "$work/out"; then
            pass "$label shows /usr/bin/fuse-overlayfs as overlay.mount_program"
        else
            fail "$label graph options: $(cat "$work/out")"
        fi
    fi
}

check_run_rm() {
    local storage=$1 status=0
    podman_as_user "$storage" run --rm --network none "$kImage" sh -c 'echo hello; exit 3' ||
        status=$?
    if [ "$status" = 3 ] && [ "$(cat "$work/out")" = hello ]; then
        pass "$storage: run --rm prints hello and exits with status 3"
    else
        fail "$storage: run --rm exited with status $status"
        last_output
    fi
}

# Checks that rm removed container NAME's runtime state and cgroup DIR.
# Usage: expect_no_trace STORAGE NAME ID DIR
expect_no_trace() {
    local storage=$1 name=$2 id=$3 dir=$4
    if [ -e "$state_root/$id" ]; then
        fail "$storage: $runtime_name state of $name is left after rm"
    else
        pass "$storage: no $runtime_name state left after rm of $name"
    fi
    if [ -e "$dir" ]; then
        fail "$storage: cgroup $dir is left after rm of $name"
    else
        pass "$storage: no cgroup left after rm of $name"
    fi
    podman_as_user "$storage" ps --all --quiet --filter "name=^$name\$"
    expect_value "$storage: podman ps --all lines for $name" "$(wc -l <"$work/out")" 0
}

# Runs container NAME detached with a memory limit and sets container_id, container_pid and
# container_cgroup. Usage: start_container STORAGE NAME
start_container() {
    local storage=$1 name=$2
    expect_podman "$storage: run -d --memory 64m $name" "$storage" run -d --name "$name" \
        --network none --memory 64m "$kImage" sleep 1000 || return 1
    container_id=$(inspect_field "$storage" "$name" '{{.Id}}')
    container_pid=$(inspect_field "$storage" "$name" '{{.State.Pid}}')
    container_cgroup=$(process_cgroup "$container_pid")
}

check_stopped_container() {
    local storage=$1 name=$1-stop
    start_container "$storage" "$name" || return
    local id=$container_id pid=$container_pid dir=$container_cgroup
    if [[ $dir == "$user_service/"*"$id"* ]]; then
        pass "$storage: cgroup of $name is below user@$uid.service"
    else
        fail "$storage: cgroup of $name is $dir, expected below $user_service"
    fi
    expect_value "$storage: memory.max of $name" "$(cat "$dir/memory.max")" $((64 * kMiB))
    if [ -f "$state_root/$id/state.json" ]; then
        pass "$storage: $runtime_name state in $state_root"
    else
        fail "$storage: no $state_root/$id/state.json"
    fi
    if [ "$storage" = fuse-overlayfs ]; then
        expect_value "$storage: type of the root of $name" "$(root_filesystem_type "$pid")" \
            fuse.fuse-overlayfs
    fi

    if expect_podman "$storage: exec cat memory.max" "$storage" exec "$name" \
        cat /sys/fs/cgroup/memory.max; then
        expect_value "$storage: memory.max read in $name" "$(cat "$work/out")" $((64 * kMiB))
    fi
    local status=0
    podman_as_user "$storage" exec "$name" sh -c 'exit 5' || status=$?
    expect_value "$storage: exit status of exec sh -c 'exit 5'" "$status" 5

    expect_podman "$storage: stop $name" "$storage" stop --time 1 "$name"
    expect_value "$storage: status of $name after stop" \
        "$(inspect_field "$storage" "$name" '{{.State.Status}}')" exited
    expect_podman "$storage: rm $name" "$storage" rm "$name"
    expect_no_trace "$storage" "$name" "$id" "$dir"
}

check_killed_container() {
    local storage=$1 name=$1-kill
    start_container "$storage" "$name" || return
    local id=$container_id dir=$container_cgroup
    expect_podman "$storage: kill $name" "$storage" kill "$name"
    if expect_podman "$storage: wait $name" "$storage" wait "$name"; then
        expect_value "$storage: exit code of $name after kill" "$(cat "$work/out")" 137
    fi
    expect_podman "$storage: rm $name" "$storage" rm "$name"
    expect_no_trace "$storage" "$name" "$id" "$dir"
}

for storage in vfs fuse-overlayfs; do
    mkdir -p "$work/$storage"
    chown "$uid:$gid" "$work/$storage"
    check_info "$storage"
    expect_podman "$storage: import the busybox image" "$storage" import \
        --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" "$kImage" || continue
    check_run_rm "$storage"
    check_stopped_container "$storage"
    check_killed_container "$storage"
done
exit "$failures"
