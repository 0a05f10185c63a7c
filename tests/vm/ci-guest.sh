#!/bin/bash
# Guest half of ci.sh, run in the VM with the repository shared at its own path as the working
# directory. Runs each step with a timeout and writes into RESULTS_DIR its output (STEP.log),
# its exit status (STEP.status) and, for the gtest binaries, the JSON report (STEP.json).
#
# Usage: ci-guest.sh BUILD_DIR OCIRUN RESULTS_DIR
# BUILD_DIR has the gtest binaries. OCIRUN is the binary that runs the containers of the
# integration tests and check scripts.
# Environment: OCIRUN_CI_STEP_TIMEOUT (seconds a step may run, 900).
set -u

build_dir=$1
shared_ocirun=$2
results=$3
step_timeout=${OCIRUN_CI_STEP_TIMEOUT:-900}
script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
shared_rootfs=$repo/test-assets/busybox-rootfs
rootfs=/var/tmp/busybox-rootfs
ocirun=/var/tmp/ocirun
# Under emulation an ocirun command takes seconds, so the integration tests' command timeouts
# (10 s by default) are multiplied by this.
readonly kTimeoutScale=4

# The cgroup and integration tests that need what only this guest has: pure cgroup v2 with
# controllers, systemd as PID 1, AppArmor. The rootless tests run here too, to cover an
# ordinary user on a pure cgroup v2 host.
readonly kIntegrationFilter='Run.*:Create.*:Kill.*:Delete.*:Update.*:Events.*:Ps.*:Pause.*:Resume.*:Resources.*:CgroupProcesses.*:Rootless.*'

# Runs STEP's command with the step timeout, recording its output and exit status.
# Usage: run_step STEP COMMAND [ARG...]
run_step() {
    local step=$1
    shift
    local start=$SECONDS status=0
    timeout --kill-after=10 "$step_timeout" "$@" >"$results/$step.log" 2>&1 || status=$?
    echo "$status" >"$results/$step.status"
    echo "ci-guest: $step exited with status $status after $((SECONDS - start))s"
}

{
    echo "kernel $(uname -r), systemd $(systemctl is-system-running)," \
        "cgroup $(sed -n 's/^0:://p' /proc/self/cgroup)," \
        "cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)," \
        "AppArmor $(cat /sys/module/apparmor/parameters/enabled)"
} >"$results/guest-info"

# The integration tests read the busybox rootfs at the path compiled into them. A copy on the
# guest's disk is mounted over the 9p share's, so that containers never run from 9p.
mkdir -p "$rootfs"
cp -a "$shared_rootfs/." "$rootfs/"
mount --bind "$rootfs" "$shared_rootfs"
cp "$shared_ocirun" "$ocirun"

run_step cgroups "$build_dir/tests/ocirun_cgroups_tests" --gtest_color=no \
    --gtest_output="json:$results/cgroups.json"
OCIRUN_TEST_BINARY=$ocirun OCIRUN_TEST_TIMEOUT_SCALE=$kTimeoutScale run_step integration \
    "$build_dir/tests/integration/ocirun_integration_tests" --gtest_color=no \
    --gtest_filter="$kIntegrationFilter" --gtest_output="json:$results/integration.json"
run_step containers bash "$script_dir/containers-guest.sh" "$ocirun" "$rootfs" "$results"
run_step apparmor bash "$script_dir/apparmor-guest.sh" "$ocirun" "$rootfs" "$results"
run_step rootless bash "$script_dir/rootless-guest.sh" "$ocirun" "$rootfs" "$results"
run_step podman bash "$script_dir/podman-guest.sh" "$ocirun" "$rootfs"

umount "$shared_rootfs"
