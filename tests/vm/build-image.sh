#!/bin/bash
# Builds the Debian 12 VM image that run-in-vm.sh boots: OUT_DIR/rootfs.img (ext4),
# OUT_DIR/vmlinuz and OUT_DIR/initrd.img, skipped when they are current.
#
# The guest has systemd as PID 1, a pure cgroup v2 hierarchy and AppArmor, which ocirun's
# cgroup v2, systemd-driver and AppArmor code need and the build machines lack. Run as root.
# Environment: OCIRUN_VM_MIRROR (Debian mirror URL), OCIRUN_VM_IMAGE_SIZE (mkfs size, 3G).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

suite=bookworm
mirror=${OCIRUN_VM_MIRROR:-http://deb.debian.org/debian}
image_size=${OCIRUN_VM_IMAGE_SIZE:-3G}

# Packages installed on top of debootstrap's minbase variant. Add any package the guest
# needs here, because no other step installs packages.
packages=(
    systemd-sysv dbus udev kmod
    linux-image-amd64
    apparmor
    iproute2 procps busybox-static
    # Runtime libraries of ocirun (libarchive13 and libnettle8 for its image module), and of its
    # -DOCIRUN_SANITIZE=ON builds.
    libseccomp2 libcap2 libarchive13 libnettle8 libstdc++6 libasan8 libubsan1
    # For diagnosing a failing job in the guest.
    strace
    # Debian 12's runc (1.1.5), to compare ocirun's behaviour against inside the guest.
    runc
    # Rootless runs (rootless-guest.sh): newuidmap and newgidmap, and the user's D-Bus
    # session bus that systemd-run --user needs.
    uidmap dbus-user-session
    # Rootless podman with ocirun as its runtime (podman-guest.sh), with vfs and fuse-overlayfs
    # storage. debootstrap skips virtual packages, so containernetworking-plugins is named as
    # the container-network-stack that golang-github-containers-common depends on.
    podman conmon golang-github-containers-common golang-github-containers-image
    containernetworking-plugins fuse-overlayfs fuse3
)

# Units that would start apt or filesystem scrubs in the middle of a test run.
masked_units=(
    systemd-firstboot.service
    apt-daily.timer apt-daily-upgrade.timer
    e2scrub_all.timer e2scrub_reap.service
)

out_dir=${1:?usage: $0 OUT_DIR}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
hash_file=$out_dir/image.sha256

# Hashes every input that ends up in the image: this script and the guest files.
input_hash() {
    cat "$script_dir/build-image.sh" "$script_dir"/guest/* | sha256sum | cut -d' ' -f1
}

image_is_current() {
    [ -f "$out_dir/rootfs.img" ] && [ -f "$out_dir/vmlinuz" ] && [ -f "$out_dir/initrd.img" ] &&
        [ -f "$hash_file" ] && [ "$(cat "$hash_file")" = "$(input_hash)" ]
}

# Unmounts everything below DIR, deepest first. debootstrap mounts /proc and /sys in the
# target and can leave them mounted when it fails. Removing the tree with them still mounted
# would delete through to the host.
unmount_below() {
    local dir=$1
    local target
    awk -v prefix="$dir/" 'index($2, prefix) == 1 { print $2 }' /proc/self/mounts | sort -r |
        while read -r target; do
            umount -l "$target"
        done
}

work_dir=
remove_work_dir() {
    if [ -n "$work_dir" ] && [ -d "$work_dir" ]; then
        unmount_below "$work_dir"
        rm -rf --one-file-system "$work_dir"
    fi
}

# Configures the debootstrapped tree ROOT as a VM guest.
configure_guest() {
    local root=$1
    local unit

    od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
    echo >>"$root/etc/machine-id"
    echo ocirun-vm >"$root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tocirun-vm\n' >"$root/etc/hosts"
    # No fsck: run-in-vm.sh boots with snapshot=on, so the image is never left dirty.
    echo '/dev/vda / ext4 rw,errors=remount-ro 0 0' >"$root/etc/fstab"

    for unit in "${masked_units[@]}"; do
        ln -sf /dev/null "$root/etc/systemd/system/$unit"
    done

    install -m 0755 "$script_dir/guest/ocirun-vm-job" "$root/usr/local/sbin/ocirun-vm-job"
    install -m 0644 "$script_dir/guest/ocirun-vm-job.service" \
        "$root/etc/systemd/system/ocirun-vm-job.service"
    mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
    ln -sf /etc/systemd/system/ocirun-vm-job.service \
        "$root/etc/systemd/system/multi-user.target.wants/ocirun-vm-job.service"

    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
}

# Copies the single installed kernel and its initrd from ROOT/boot to DEST.
copy_kernel() {
    local root=$1 dest=$2
    local kernels=("$root"/boot/vmlinuz-*)
    if [ ${#kernels[@]} -ne 1 ] || [ ! -f "${kernels[0]}" ]; then
        vm_log "expected one kernel in $root/boot, found: ${kernels[*]}"
        exit 1
    fi
    local version=${kernels[0]##*/vmlinuz-}
    cp "${kernels[0]}" "$dest/vmlinuz"
    cp "$root/boot/initrd.img-$version" "$dest/initrd.img"
}

main() {
    if image_is_current; then
        vm_log "$out_dir is up to date"
        return 0
    fi
    vm_require_root
    vm_ensure_commands debootstrap:debootstrap mkfs.ext4:e2fsprogs

    work_dir=$out_dir/build.$$
    trap remove_work_dir EXIT
    mkdir -p "$work_dir"
    local root=$work_dir/root
    local log=$out_dir/debootstrap.log
    local include
    include=$(IFS=,; echo "${packages[*]}")

    vm_log "debootstrap $suite from $mirror (log: $log)"
    if ! debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" \
        >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        vm_log "debootstrap failed; full log in $log"
        exit 1
    fi
    unmount_below "$root"

    configure_guest "$root"
    copy_kernel "$root" "$work_dir"

    vm_log "writing $out_dir/rootfs.img ($image_size)"
    mkfs.ext4 -q -F -L ocirun-vm -d "$root" "$work_dir/rootfs.img" "$image_size" >/dev/null

    rm -f "$hash_file"
    mv "$work_dir/rootfs.img" "$work_dir/vmlinuz" "$work_dir/initrd.img" "$out_dir/"
    input_hash >"$hash_file"
    vm_log "built $out_dir"
}

main
