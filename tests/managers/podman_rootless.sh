# shellcheck shell=bash disable=SC2154
# podman 4.3 run by an ordinary user (rootless), with ocirun as its runtime, first with vfs
# storage, then with overlay storage mounted by fuse-overlayfs. --network none needs no
# slirp4netns. Sourced by run.sh, which sets T, OCIRUN and ROOTFS_TAR and runs in a private mount
# namespace, after podman.sh, which sets image_podman.

rootless_user=ocirun-test-podman-$$
# A directory the user owns with everything podman keeps; $T is private to root.
rootless_dir=
rootless_podman_cli=$T/bin/podman-rootless
rootless_fuse_cli=$T/bin/podman-rootless-fuse
# Why /dev/fuse is not usable by the user, or empty.
fuse_problem=

# Writes CLI, a script that runs podman as the user with ocirun as its runtime and STORAGE_ARGS
# (its storage root and driver). Usage: write_rootless_cli CLI UID GID STORAGE_ARGS...
write_rootless_cli() {
    local cli=$1 uid=$2 gid=$3
    shift 3
    cat >"$cli" <<SCRIPT
#!/bin/sh
exec setpriv --reuid=$uid --regid=$gid --clear-groups -- env -i \\
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$rootless_dir/home USER=$rootless_user \\
    XDG_RUNTIME_DIR=$rootless_dir/xdg CONTAINERS_CONF=$rootless_dir/containers.conf \\
    podman $* --tmpdir $rootless_dir/tmp --cgroup-manager cgroupfs \\
    --events-backend file --runtime $rootless_dir/bin/ocirun "\$@"
SCRIPT
    chmod +x "$cli"
}

setup_podman_rootless() {
    if ! useradd --no-create-home --shell /usr/sbin/nologin --home-dir /nonexistent \
        "$rootless_user" 2>"$T/err"; then
        fail "podman rootless: useradd $rootless_user" "$(cat "$T/err")"
        return 1
    fi
    local uid gid
    uid=$(id -u "$rootless_user")
    gid=$(id -g "$rootless_user")
    rootless_dir=$(mktemp -d /tmp/ocirun-podman-rootless.XXXXXX)
    chmod 755 "$rootless_dir"
    mkdir -p "$rootless_dir/home" "$rootless_dir/xdg" "$rootless_dir/bin" "$T/bin"
    chmod 700 "$rootless_dir/xdg"
    # A copy, because the user may not reach the build tree.
    cp "$OCIRUN" "$rootless_dir/bin/ocirun"
    cp "$ROOTFS_TAR" "$rootless_dir/rootfs.tar"
    cat >"$rootless_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = []

[engine]
runtime_supports_json = ["ocirun"]
CONF
    chown -R "$uid:$gid" "$rootless_dir"
    # Before podman's first run, whose user and mount namespaces every later run joins.
    fuse_problem=$(expose_fuse_device 2>&1)
    write_rootless_cli "$rootless_podman_cli" "$uid" "$gid" --root "$rootless_dir/storage" \
        --runroot "$rootless_dir/runroot" --storage-driver vfs
    write_rootless_cli "$rootless_fuse_cli" "$uid" "$gid" --root "$rootless_dir/storage-fuse" \
        --runroot "$rootless_dir/runroot-fuse" --storage-driver overlay \
        --storage-opt overlay.mount_program=/usr/bin/fuse-overlayfs
    capture "$rootless_podman_cli" import --change 'CMD ["/bin/sh"]' \
        "$rootless_dir/rootfs.tar" "$image_podman"
    if [ "$RC" != 0 ]; then
        fail "podman rootless: import" "$(describe_result)"
        return 1
    fi
}

cleanup_podman_rootless() {
    local cli
    for cli in "$rootless_podman_cli" "$rootless_fuse_cli"; do
        if [ -n "$rootless_dir" ] && [ -x "$cli" ]; then
            timeout -k 5 60 "$cli" rm -a -f -t 0 >/dev/null 2>&1
        fi
    done
    if id -u "$rootless_user" >/dev/null 2>&1; then
        # podman's pause process and conmon run as the user this suite made.
        for pid in $(ps -o pid= -u "$(id -u "$rootless_user")"); do
            kill -KILL "$pid" 2>/dev/null
        done
        userdel "$rootless_user" 2>/dev/null
    fi
    if [ -n "$rootless_dir" ]; then
        unmount_under "$rootless_dir"
        rm -rf "$rootless_dir"
    fi
}

check_podman_rootless() {
    local uid
    uid=$(id -u "$rootless_user")

    expect "podman rootless: output and exit status" 3 hello \
        "$rootless_podman_cli" run --rm --network none "$image_podman" sh -c 'echo hello; exit 3'

    capture "$rootless_podman_cli" run --rm --network none "$image_podman" \
        sh -c 'id -u; cat /proc/self/uid_map'
    expect_last_match "podman rootless: root in the container is the user's uid" 0 \
        "^ +0 +$uid +1$"

    expect "podman rootless: --user 65534 from the subordinate range" 0 \
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" \
        "$rootless_podman_cli" run --rm --network none --user 65534:65534 "$image_podman" id

    capture "$rootless_podman_cli" run -d --name rootless-detached --network none \
        "$image_podman" sleep 100
    if [ "$RC" != 0 ]; then
        fail "podman rootless: run -d" "$(describe_result)"
        return
    fi
    local id
    id=$("$rootless_podman_cli" inspect -f '{{.Id}}' rootless-detached)
    # Podman runs the runtime as uid 0 in its user namespace without $USER, which makes ocirun
    # keep its state under $XDG_RUNTIME_DIR/ocirun as runc does.
    if [ -f "$rootless_dir/xdg/ocirun/$id/state.json" ]; then
        pass "podman rootless: state under XDG_RUNTIME_DIR/ocirun"
    else
        fail "podman rootless: state under XDG_RUNTIME_DIR/ocirun" \
            "$(ls -la "$rootless_dir/xdg" "$rootless_dir/xdg/ocirun" 2>&1)"
    fi
    expect "podman rootless: exec" 0 "in container" \
        "$rootless_podman_cli" exec rootless-detached echo in container
    expect "podman rootless: status running" 0 running \
        "$rootless_podman_cli" inspect -f '{{.State.Status}}' rootless-detached
    expect_match "podman rootless: stop" 0 rootless-detached \
        "$rootless_podman_cli" stop -t 1 rootless-detached
    expect "podman rootless: status after stop" 0 exited \
        "$rootless_podman_cli" inspect -f '{{.State.Status}}' rootless-detached
    expect_match "podman rootless: rm" 0 rootless-detached \
        "$rootless_podman_cli" rm rootless-detached
    if [ -e "$rootless_dir/xdg/ocirun/$id" ]; then
        fail "podman rootless: rm removes ocirun's state" "$rootless_dir/xdg/ocirun/$id is left"
    else
        pass "podman rootless: rm removes ocirun's state"
    fi
}

# Makes /dev/fuse usable by the user, with the mode 0666 that libfuse's udev rule gives it. A host
# without udev, like this one, may keep mode 0600, so a node with mode 0666 is bound over it in
# this suite's private mount namespace. Prints the reason when it fails.
expose_fuse_device() {
    if [ ! -c /dev/fuse ]; then
        echo "/dev/fuse is missing (is the fuse module loaded?)"
        return
    fi
    if [ "$(stat -c %a /dev/fuse)" = 666 ]; then
        return 0
    fi
    mkdir -p "$T/fuse-device" &&
        mount -t tmpfs -o mode=0755 tmpfs "$T/fuse-device" &&
        mknod -m 0666 "$T/fuse-device/fuse" c 10 229 &&
        mount --bind "$T/fuse-device/fuse" /dev/fuse
}

# Runs a container with overlay storage that fuse-overlayfs mounts in podman's user namespace.
check_podman_rootless_fuse() {
    if [ -n "$fuse_problem" ]; then
        fail "podman rootless fuse-overlayfs: usable /dev/fuse" "$fuse_problem"
        return
    fi
    capture "$rootless_fuse_cli" import --change 'CMD ["/bin/sh"]' \
        "$rootless_dir/rootfs.tar" "$image_podman"
    if [ "$RC" != 0 ]; then
        fail "podman rootless fuse-overlayfs: import" "$(describe_result)"
        return
    fi
    expect_match "podman rootless fuse-overlayfs: podman info names the mount program" 0 \
        "/usr/bin/fuse-overlayfs" "$rootless_fuse_cli" info
    expect "podman rootless fuse-overlayfs: output and exit status" 4 hello \
        "$rootless_fuse_cli" run --rm --network none "$image_podman" sh -c 'echo hello; exit 4'

    capture "$rootless_fuse_cli" run -d --name rootless-fuse --network none "$image_podman" \
        sleep 100
    if [ "$RC" != 0 ]; then
        fail "podman rootless fuse-overlayfs: run -d" "$(describe_result)"
        return
    fi
    local id
    id=$("$rootless_fuse_cli" inspect -f '{{.Id}}' rootless-fuse)
    # The root mount's filesystem type follows the "-" separator in mountinfo.
    expect_match "podman rootless fuse-overlayfs: the root is a fuse-overlayfs mount" 0 \
        " - fuse.fuse-overlayfs " \
        "$rootless_fuse_cli" exec rootless-fuse grep " / / " /proc/self/mountinfo
    expect "podman rootless fuse-overlayfs: write in the container" 0 written \
        "$rootless_fuse_cli" exec rootless-fuse sh -c 'echo written > /new; cat /new'
    expect_match "podman rootless fuse-overlayfs: rm -f" 0 rootless-fuse \
        "$rootless_fuse_cli" rm -f -t 0 rootless-fuse
    if [ -e "$rootless_dir/xdg/ocirun/$id" ]; then
        fail "podman rootless fuse-overlayfs: rm removes ocirun's state" \
            "$rootless_dir/xdg/ocirun/$id is left"
    else
        pass "podman rootless fuse-overlayfs: rm removes ocirun's state"
    fi
}

run_podman_rootless_checks() {
    if setup_podman_rootless; then
        check_podman_rootless
        check_podman_rootless_fuse
    fi
    cleanup_podman_rootless
}
