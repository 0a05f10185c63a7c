#!/bin/bash
# Runs busybox containers through podman (as root and rootless), containerd (ctr) and Docker
# with ocirun as their runtime and checks what each manager shows the user.
#
# Usage: tests/managers/run.sh [podman] [podman_rootless] [containerd] [docker]
#   (default: all four)
# Environment: OCIRUN_BINARY (default build/release/ocirun), MANAGERS_TIMEOUT (seconds per
# command, default 60), MANAGERS_KEEP=1 to keep the temp dir for inspection.
#
# Needs root, cc with a static libc (for the sd-notify helper) and python3. Installs podman,
# uidmap, fuse-overlayfs, containerd and docker.io with apt-get when missing. podman_rootless
# adds a user ocirun-test-podman-PID, runs podman as that user and removes the user on exit.
# Every daemon gets its own root, state, sockets and exec root under a temp dir and is stopped
# by pid on exit. Prints one line per
# check and `managers: N passed, M failed`, and exits 1 when a check failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

OCIRUN=$(realpath -e "${OCIRUN_BINARY:-$repo/build/release/ocirun}") || {
    echo "managers: ocirun binary not found; build it or set OCIRUN_BINARY" >&2
    exit 2
}
if [ "$(id -u)" != 0 ]; then
    echo "managers: must run as root" >&2
    exit 2
fi

suites=${*:-podman podman_rootless containerd docker}

# Prints, as comma-joined controller lists, the cgroup v1 hierarchies in /proc/cgroups that no
# mount in this namespace shows. The kernel keeps a hierarchy after its last unmount while it
# has child cgroups, and containerd and dockerd then fail to load any container's cgroup
# ("cannot find cgroup mount destination"), so Docker never reports an OOM kill.
unmounted_v1_hierarchies() {
    awk 'NR > 1 && $2 != 0 { list[$2] = list[$2] (list[$2] == "" ? "" : ",") $1 }
         END { for (id in list) print list[id] }' /proc/cgroups |
        while read -r controllers; do
            # The filesystem type follows the "-" that ends the optional fields.
            if ! awk -v want=",$controllers," '{
                    separator = 7
                    while ($separator != "-") separator++
                    if ($(separator + 1) != "cgroup") next
                    count = split($NF, options, ","); found = ""
                    for (i = 1; i <= count; i++)
                        if (index(want, "," options[i] ",")) found = found "," options[i]
                    if (found "," == want) hit = 1
                } END { exit !hit }' /proc/self/mountinfo; then
                echo "$controllers"
            fi
        done
}

# The suite runs in a private mount namespace, so that what it mounts stays there and the host
# keeps its own mounts: each such hierarchy where a normal host has it, and for the rootless
# podman checks a usable /dev/fuse. The empty mount points are removed at the end.
if [ -z "${MANAGERS_PRIVATE_NAMESPACE:-}" ]; then
    orphans=$(unmounted_v1_hierarchies)
    created=""
    for controllers in $orphans; do
        if [ ! -e "/sys/fs/cgroup/$controllers" ]; then
            mkdir "/sys/fs/cgroup/$controllers" && created="$created /sys/fs/cgroup/$controllers"
        fi
    done
    if [ -n "$orphans" ]; then
        echo "managers: mounting unmounted cgroup v1 hierarchies in a private mount namespace:" \
            "$orphans"
    fi
    MANAGERS_PRIVATE_NAMESPACE=1 MANAGERS_ORPHAN_HIERARCHIES="$orphans" \
        unshare --mount --propagation private "$0" "$@"
    status=$?
    for dir in $created; do rmdir "$dir"; done
    exit "$status"
fi
for controllers in ${MANAGERS_ORPHAN_HIERARCHIES:-}; do
    mount -t cgroup -o "$controllers" cgroup "/sys/fs/cgroup/$controllers" || exit 2
done

install_missing() {
    packages=""
    for suite in $suites; do
        case "$suite" in
            podman) command -v podman >/dev/null || packages="$packages podman" ;;
            podman_rootless)
                command -v podman >/dev/null || packages="$packages podman"
                command -v newuidmap >/dev/null || packages="$packages uidmap"
                command -v fuse-overlayfs >/dev/null || packages="$packages fuse-overlayfs"
                ;;
            containerd) command -v containerd >/dev/null || packages="$packages containerd" ;;
            docker) [ -x /usr/sbin/dockerd ] || packages="$packages docker.io" ;;
            *)
                echo "managers: unknown suite $suite (expected podman, podman_rootless, containerd or docker)" >&2
                exit 2
                ;;
        esac
    done
    if [ -n "$packages" ]; then
        echo "managers: installing$packages"
        # $packages is a space-separated list, split on purpose.
        # shellcheck disable=SC2086
        if ! apt-get update -q >/dev/null ||
            ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages >/dev/null; then
            echo "managers: apt-get install$packages failed" >&2
            exit 2
        fi
    fi
}
install_missing

T=$(mktemp -d /tmp/ocirun-managers.XXXXXX)
. "$here/lib.sh"
. "$here/podman.sh"
. "$here/podman_rootless.sh"
. "$here/containerd.sh"
. "$here/docker.sh"

cleanup() {
    trap - EXIT INT TERM
    cleanup_docker
    cleanup_containerd
    cleanup_podman
    cleanup_podman_rootless
    stop_daemon dockerd
    stop_daemon containerd
    kill_leftovers "$T/"
    unmount_under "$T"
    if [ "${MANAGERS_KEEP:-0}" = 1 ]; then
        echo "managers: kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$repo/scripts/make-busybox-rootfs.sh" "$T/rootfs" >/dev/null
ROOTFS_TAR=$T/rootfs.tar
tar -C "$T/rootfs" -cf "$ROOTFS_TAR" .

echo "managers: runtime $OCIRUN ($("$OCIRUN" --version | head -n 1))"
for suite in $suites; do
    "run_${suite}_checks"
done

echo "managers: $passed passed, $failed failed"
[ "$failed" = 0 ]
