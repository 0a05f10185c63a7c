#!/bin/bash
# Runs an ocirun container under a custom AppArmor profile in the Debian 12 VM and checks that
# the profile is applied. The container's /proc/self/attr/current must name the profile, and a
# write that the profile denies must fail while the same write without the profile succeeds.
#
# Usage: run-apparmor-test.sh [OCIRUN_BINARY]
# Default binary: build-security/ocirun of this repository. Run as root. Environment:
# OCIRUN_VM_IMAGE_DIR (default build-vm/image in the repository) and the OCIRUN_VM_* variables
# of run-in-vm.sh.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

repo=$(cd "$script_dir/../.." && pwd)
image_dir=${OCIRUN_VM_IMAGE_DIR:-$repo/build-vm/image}
guest_share_path=${OCIRUN_VM_SHARE_PATH:-/mnt/share}
binary=${1:-$repo/build-security/ocirun}
rootfs=$repo/test-assets/busybox-rootfs

if [ ! -x "$binary" ]; then
    vm_log "$binary is not an executable file"
    exit 1
fi
if [ ! -d "$rootfs" ]; then
    vm_log "$rootfs is missing; build it with scripts/make-busybox-rootfs.sh $rootfs"
    exit 1
fi

share_dir=$(mktemp -d "${TMPDIR:-/tmp}/ocirun-vm-apparmor.XXXXXX")
trap 'rm -rf "$share_dir"' EXIT
cp "$binary" "$share_dir/ocirun"
cp -a "$rootfs" "$share_dir/rootfs"
cp "$script_dir/apparmor-guest.sh" "$share_dir/"

# The guest image has no python3, so the configs are written here from `ocirun spec`.
"$binary" spec --bundle "$share_dir"
python3 "$script_dir/container-configs.py" "$share_dir/config.json" "$share_dir"

"$script_dir/build-image.sh" "$image_dir"
OCIRUN_VM_SHARE_PATH=$guest_share_path "$script_dir/run-in-vm.sh" "$image_dir" "$share_dir" \
    bash apparmor-guest.sh
