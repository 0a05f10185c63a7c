#!/bin/bash
# CI entry point of the VM suite, which scripts/test.sh runs as suite "vm". It builds the Debian
# 12 image (skipped when image.sha256 is current), the sanitizer build of the cgroup and
# integration tests, and the release build of ocirun. Then it boots the image once and runs
# ci-guest.sh there: the cgroup unit tests, the integration tests of the commands that use the
# cgroup, containers-guest.sh, apparmor-guest.sh, rootless-guest.sh and podman-guest.sh, all with
# the release ocirun running the containers, because under emulation a command of the 200 MB
# sanitizer build of ocirun took over 10 s, past the integration tests' command timeouts. It
# prints the failures, each failed step's test failure messages or the last 40 lines of its log
# (with ocirun's stderr), and ends with "vm: N passed, M failed". Exit status: 0 when everything
# passed, 1 when a check failed, 124 when the VM timed out and 125 when the build, the image or
# the VM harness failed.
#
# Usage: ci.sh    (as root, from anywhere)
# Environment:
#   OCIRUN_VM_BUILD_DIR  CMake build directory of the tests (build/asan of the repository,
#                        which scripts/build.sh asan also uses); configured when missing
#   OCIRUN_VM_RELEASE_DIR  CMake build directory of ocirun (build/release, as scripts/build.sh
#                        release); configured when missing
#   OCIRUN_VM_IMAGE_DIR  the image (build-vm/image of the repository)
#   OCIRUN_VM_TIMEOUT    seconds from qemu start to power-off (1500 here)
#   and the other OCIRUN_VM_* variables of run-in-vm.sh.
set -uo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

repo=$(cd "$script_dir/../.." && pwd)
build_dir=${OCIRUN_VM_BUILD_DIR:-$repo/build/asan}
release_dir=${OCIRUN_VM_RELEASE_DIR:-$repo/build/release}
image_dir=${OCIRUN_VM_IMAGE_DIR:-$repo/build-vm/image}
# Inside the repository, so that the guest reaches it through the share.
results=$repo/build-vm/ci-results
export OCIRUN_VM_TIMEOUT=${OCIRUN_VM_TIMEOUT:-1500}
# The repository is shared at its own path, so paths compiled into the tests still resolve.
export OCIRUN_VM_SHARE_PATH=$repo
readonly kHarnessStatus=125

# Ends the suite when a host-side step failed, with a closing line that counts it.
harness_failed() {
    vm_log "$*"
    echo "vm: 0 passed, 1 failed"
    exit "$kHarnessStatus"
}

vm_require_root || harness_failed "must run as root"
start=$SECONDS

# Configures (when needed) and builds TARGETS in DIR. Usage: build DIR BUILD_TYPE SANITIZE TARGET...
build() {
    local dir=$1 type=$2 sanitize=$3
    shift 3
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
            -DOCIRUN_SANITIZE="$sanitize" >/dev/null || harness_failed "cmake could not configure $dir"
    fi
    cmake --build "$dir" -j2 --target "$@" >>"$repo/build-vm/ci-build.log" 2>&1 ||
        harness_failed "build failed; see $repo/build-vm/ci-build.log"
}

mkdir -p "$repo/build-vm"
: >"$repo/build-vm/ci-build.log"
# The guest has the same Debian 12 libraries as this host (libasan8, libubsan1 and the rest
# that build-image.sh installs), so a binary built here runs there.
build "$build_dir" Debug ON ocirun ocirun_cgroups_tests ocirun_integration_tests
build "$release_dir" Release OFF ocirun
"$repo/scripts/make-busybox-rootfs.sh" "$repo/test-assets/busybox-rootfs" >/dev/null ||
    harness_failed "could not make the busybox rootfs"
build_seconds=$((SECONDS - start))

start=$SECONDS
"$script_dir/build-image.sh" "$image_dir" || harness_failed "could not build the image"
image_seconds=$((SECONDS - start))

rm -rf "$results"
mkdir -p "$results"
mkdir -p "$results/rootless-base"
"$build_dir/ocirun" spec --bundle "$results" &&
    "$build_dir/ocirun" spec --rootless --bundle "$results/rootless-base" &&
    python3 "$script_dir/container-configs.py" "$results/config.json" "$results" \
        "$results/rootless-base/config.json" ||
    harness_failed "could not write the container configs"

start=$SECONDS
status=0
"$script_dir/run-in-vm.sh" "$image_dir" "$repo" \
    bash "$script_dir/ci-guest.sh" "$build_dir" "$release_dir/ocirun" "$results" || status=$?
run_seconds=$((SECONDS - start))
cat "$results/guest-info" 2>/dev/null
echo "vm: build ${build_seconds}s, image ${image_seconds}s, VM run ${run_seconds}s" \
    "(qemu start to exit, status $status); logs in $results"
if [ "$status" -ne 0 ]; then
    vm_log "the VM run failed with status $status (124: timed out, 125: harness failure)"
fi

report_status=0
python3 "$script_dir/ci-report.py" "$results" || report_status=$?
if [ "$status" -eq 0 ]; then
    status=$report_status
fi
exit "$status"
