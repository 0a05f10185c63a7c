#!/bin/bash
# Smoke test of the VM harness: builds the image (cached), boots it once, and checks systemd as
# PID 1, pure cgroup v2, AppArmor, the share, stdout/stderr separation and exit status
# passing, and runs BINARY from the share.
#
# Usage: smoke.sh [BINARY [ARG...]]
# Without BINARY it runs the newest build*/ ocirun of this repository with --version, or the
# host's static /bin/busybox when no ocirun is built. Run as root.
# Environment: OCIRUN_VM_IMAGE_DIR (default build-vm/image in the repository), and the
# OCIRUN_VM_* variables of run-in-vm.sh.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

repo=$(cd "$script_dir/../.." && pwd)
image_dir=${OCIRUN_VM_IMAGE_DIR:-$repo/build-vm/image}
guest_share_path=${OCIRUN_VM_SHARE_PATH:-/mnt/share}
# smoke-guest.sh exits with this status when all its checks pass.
readonly kGuestPassStatus=42

# Prints the path of the most recently built ocirun under the repository's build*/ dirs.
find_ocirun() {
    find "$repo" -maxdepth 3 -path "$repo/build*" -type f -name ocirun -perm -u+x \
        -printf '%T@ %p\n' | sort -rn | head -n 1 | cut -d' ' -f2-
}

if [ $# -gt 0 ]; then
    binary=$1
    shift
    binary_args=("$@")
else
    binary=$(find_ocirun)
    binary_args=(--version)
    if [ -z "$binary" ]; then
        binary=/bin/busybox
        binary_args=(echo "busybox from the share")
    fi
fi
if [ ! -x "$binary" ]; then
    vm_log "$binary is not an executable file"
    exit 1
fi

share_dir=$(mktemp -d "${TMPDIR:-/tmp}/ocirun-vm-smoke.XXXXXX")
trap 'rm -rf "$share_dir"' EXIT
mkdir "$share_dir/bin"
cp "$binary" "$share_dir/bin/"
cp "$script_dir/smoke-guest.sh" "$share_dir/"

start=$SECONDS
"$script_dir/build-image.sh" "$image_dir"
build_seconds=$((SECONDS - start))

start=$SECONDS
status=0
"$script_dir/run-in-vm.sh" "$image_dir" "$share_dir" \
    bash smoke-guest.sh "$guest_share_path" "bin/$(basename "$binary")" "${binary_args[@]}" \
    >"$share_dir/stdout" 2>"$share_dir/stderr" || status=$?
run_seconds=$((SECONDS - start))
cat "$share_dir/stdout"
cat "$share_dir/stderr" >&2

lacks_line() {
    ! grep -qx "$1" "$2"
}

failures=0
expect() {
    local description=$1
    shift
    if ! "$@"; then
        vm_log "FAIL: $description"
        failures=$((failures + 1))
    fi
}
expect "run-in-vm.sh exits with the guest's status $kGuestPassStatus (got $status)" \
    [ "$status" -eq "$kGuestPassStatus" ]
expect "guest stdout ends with 'smoke: all checks passed'" \
    grep -qx 'smoke: all checks passed' "$share_dir/stdout"
expect "guest stderr reaches stderr" grep -qx 'smoke: stderr marker' "$share_dir/stderr"
expect "guest stderr stays out of stdout" \
    lacks_line 'smoke: stderr marker' "$share_dir/stdout"
expect "file written by the guest appears in the share" \
    grep -qx 'written by the guest' "$share_dir/guest-write-check"

echo "smoke: image build ${build_seconds}s, VM run ${run_seconds}s (qemu start to exit)"
if [ "$failures" -ne 0 ]; then
    vm_log "$failures host-side checks failed"
    exit 1
fi
echo "smoke: passed"
