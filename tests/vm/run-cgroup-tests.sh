#!/bin/bash
# Builds the cgroups unit tests, boots the VM image once and runs them inside it (systemd as
# PID 1, pure cgroup v2), so that the cgroup v2 and systemd-driver tests run for real. Exits
# with the test binary's status: 0 when every test passed.
#
# Usage: run-cgroup-tests.sh [GTEST_ARG...]   (for example --gtest_filter='HostSystemd.*')
# Run as root from anywhere. Environment:
#   OCIRUN_CGROUP_TESTS_BUILD_DIR  CMake build directory (build-vm/cgroups-tests in the
#                                  repository); configured as a Debug build with the
#                                  sanitizers on first use
#   OCIRUN_GUEST_TEST_TIMEOUT      seconds the test binary may run in the guest (600)
#   OCIRUN_VM_IMAGE_DIR            the image (build-vm/image in the repository); built when
#                                  missing or out of date, which takes several minutes
#   OCIRUN_VM_TIMEOUT              seconds from qemu start to power-off (900 here)
#   and the other OCIRUN_VM_* variables of run-in-vm.sh.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

repo=$(cd "$script_dir/../.." && pwd)
build_dir=${OCIRUN_CGROUP_TESTS_BUILD_DIR:-$repo/build-vm/cgroups-tests}
image_dir=${OCIRUN_VM_IMAGE_DIR:-$repo/build-vm/image}
guest_timeout=${OCIRUN_GUEST_TEST_TIMEOUT:-600}
# Under TCG emulation on a loaded host a boot alone can take minutes.
export OCIRUN_VM_TIMEOUT=${OCIRUN_VM_TIMEOUT:-900}
# The repository is shared at its own path, so paths compiled into the binary still resolve.
export OCIRUN_VM_SHARE_PATH=$repo

vm_require_root
start=$SECONDS

if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOCIRUN_SANITIZE=ON \
        >/dev/null
fi
# The guest has Debian 12's libraries too (libsystemd0, libasan8, libubsan1), so a binary built
# here runs there.
cmake --build "$build_dir" --target ocirun_cgroups_tests -j2
binary=$build_dir/tests/ocirun_cgroups_tests
build_seconds=$((SECONDS - start))

start=$SECONDS
"$script_dir/build-image.sh" "$image_dir"
image_seconds=$((SECONDS - start))

# The guest prints its cgroup and systemd state first, to explain skips and failures. The
# timeout turns a hanging test into a failure with output instead of a killed VM.
guest_script='
echo "guest: cgroup $(cat /proc/self/cgroup), systemd $(systemctl is-system-running)"
timeout --kill-after=10 "$0" "$@"
'
start=$SECONDS
status=0
"$script_dir/run-in-vm.sh" "$image_dir" "$repo" \
    bash -c "$guest_script" "$guest_timeout" "$binary" --gtest_color=no "$@" || status=$?
run_seconds=$((SECONDS - start))

echo "run-cgroup-tests: build ${build_seconds}s, image ${image_seconds}s," \
    "VM run ${run_seconds}s (qemu start to exit), status $status"
case $status in
    0) echo "run-cgroup-tests: passed" ;;
    124) vm_log "the tests or the VM timed out" ;;
    125) vm_log "the VM harness failed" ;;
    *) vm_log "tests failed (status $status)" ;;
esac
exit "$status"
