#!/bin/bash
# Guest half of smoke.sh: checks that the VM is the host ocirun's tests need (systemd as PID 1,
# pure cgroup v2, AppArmor) and runs a binary from the share.
#
# Usage: smoke-guest.sh EXPECTED_CWD BINARY [ARG...]
# Exits with kPassStatus when every check passes, else with the number of failed checks. A
# fixed non-zero status on success lets smoke.sh check that run-in-vm.sh passes the guest's
# exit status through.
set -u

readonly kPassStatus=42
expected_cwd=$1
binary=$2
shift 2
failures=0

pass() {
    echo "ok    $*"
}

fail() {
    echo "FAIL  $*"
    failures=$((failures + 1))
}

# Prints the words after LIST that the space-separated LIST lacks, each after a space.
missing_words() {
    local list=$1
    shift
    local word
    for word in "$@"; do
        if [[ " $list " != *" $word "* ]]; then
            printf ' %s' "$word"
        fi
    done
}

check_pid1() {
    local exe
    exe=$(readlink /proc/1/exe)
    if [ "$exe" = /usr/lib/systemd/systemd ] || [ "$exe" = /lib/systemd/systemd ]; then
        pass "pid 1 is $exe ($(systemctl --version | head -n 1))"
    else
        fail "pid 1 is '$exe', expected systemd"
    fi

    local state
    state=$(systemctl is-system-running)
    if [ "$state" = running ]; then
        pass "system state is $state"
    else
        fail "system state is '$state', expected running; failed units:"
        systemctl --failed --no-legend
    fi
}

check_cgroup_v2() {
    local fs_type
    fs_type=$(stat -f -c %T /sys/fs/cgroup)
    if [ "$fs_type" = cgroup2fs ]; then
        pass "/sys/fs/cgroup is $fs_type"
    else
        fail "/sys/fs/cgroup is '$fs_type', expected cgroup2fs"
    fi

    local controllers missing
    controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
    missing=$(missing_words "$controllers" cpu cpuset io memory pids)
    if [ -z "$missing" ]; then
        pass "root cgroup controllers: $controllers"
    else
        fail "root cgroup lacks controllers:$missing (has: $controllers)"
    fi

    # Delegate=yes on the job unit makes systemd enable these controllers for the job's cgroup.
    local job_cgroup job_controllers
    job_cgroup=$(sed -n 's/^0:://p' /proc/self/cgroup)
    job_controllers=$(cat "/sys/fs/cgroup$job_cgroup/cgroup.controllers")
    missing=$(missing_words "$job_controllers" cpu io memory pids)
    if [ -z "$missing" ]; then
        pass "job cgroup $job_cgroup controllers: $job_controllers"
    else
        fail "job cgroup $job_cgroup lacks controllers:$missing (has: $job_controllers)"
    fi

    local v1_mounts
    v1_mounts=$(awk '$3 == "cgroup" { print $2 }' /proc/self/mounts)
    if [ -z "$v1_mounts" ]; then
        pass "no cgroup v1 mounts"
    else
        fail "cgroup v1 mounts present: $v1_mounts"
    fi
}

check_apparmor() {
    local enabled
    enabled=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)
    if [ "$enabled" = Y ] && aa-enabled -q; then
        pass "AppArmor enabled (LSMs: $(cat /sys/kernel/security/lsm))"
    else
        fail "AppArmor not enabled (module parameter '$enabled')"
    fi

    local enforced
    enforced=$(grep -c '(enforce)$' /sys/kernel/security/apparmor/profiles)
    if [ "$enforced" -gt 0 ]; then
        pass "$enforced AppArmor profiles in enforce mode"
    else
        fail "no AppArmor profile in enforce mode"
    fi
}

check_share() {
    if [ "$PWD" = "$expected_cwd" ]; then
        pass "cwd is $PWD"
    else
        fail "cwd is '$PWD', expected $expected_cwd"
    fi
    echo "written by the guest" >guest-write-check
    echo "smoke: stderr marker" >&2
}

check_binary() {
    local status=0
    echo "running $binary $*:"
    "$binary" "$@" || status=$?
    if [ "$status" -eq 0 ]; then
        pass "$binary exited with status 0"
    else
        fail "$binary exited with status $status"
    fi
}

echo "kernel $(uname -r)"
check_pid1
check_cgroup_v2
check_apparmor
check_share
check_binary "$@"

if [ "$failures" -ne 0 ]; then
    echo "smoke: $failures checks failed"
    exit "$failures"
fi
echo "smoke: all checks passed"
exit "$kPassStatus"
