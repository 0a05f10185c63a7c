#!/bin/bash
# Guest half of ci.sh's container checks. It runs busybox containers through the ocirun binary
# on the VM's pure cgroup v2 host with systemd as PID 1 and checks their cgroups from outside.
# The checks cover resources, blockIO with and without the BFQ scheduler, update, pause and
# resume, events --stats, the eBPF device program, delete leaving no cgroup, and a
# --systemd-cgroup container in a transient scope.
#
# Usage: containers-guest.sh OCIRUN ROOTFS CONFIG_DIR
# CONFIG_DIR holds the config-*.json files that container-configs.py writes. Prints one
# "ok" or "FAIL" line a check and exits with the number of failed checks.
set -u

ocirun=$1
rootfs=$2
config_dir=$3
readonly kMiB=1048576
# The guest's disk, whose scheduler check_block_io sets and whose number the blockIO configs get.
readonly kDisk=vda
disk_number=$(cat "/sys/block/$kDisk/dev")

work=$(mktemp -d /tmp/ocirun-containers.XXXXXX)
state_root=$work/state
# shellcheck source-path=SCRIPTDIR source=guest-checks.sh
. "$(dirname "$0")/guest-checks.sh"

# Checks that the cgroup DIRECTORY is gone after the step AFTER. Usage: expect_removed DIRECTORY AFTER
expect_removed() {
    if [ -n "$1" ] && [ ! -e "$1" ]; then
        pass "no cgroup $1 after $2"
    else
        fail "cgroup '$1' is left after $2"
    fi
}

# Runs ocirun with the test's state root, keeping its output in $work/last-output and printing
# it on failure. The output goes to a file, not a pipe, because a detached container inherits
# it and would keep a pipe open.
run_ocirun() {
    local status=0
    "$ocirun" --root "$state_root" "$@" >"$work/last-output" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        echo "      ocirun $* exited with status $status: $(cat "$work/last-output")"
    fi
    return "$status"
}

# Makes the bundle DIR from the rootfs and config-CASE.json, with the disk's major and minor
# numbers in place of the strings DISK_MAJOR and DISK_MINOR. Usage: make_bundle CASE
make_bundle() {
    local dir=$work/$1
    mkdir -p "$dir/rootfs"
    cp -a "$rootfs/." "$dir/rootfs/"
    sed -e "s/\"DISK_MAJOR\"/${disk_number%:*}/g" -e "s/\"DISK_MINOR\"/${disk_number#*:}/g" \
        "$config_dir/config-$1.json" >"$dir/config.json"
    echo "$dir"
}

# Prints the unified cgroup directory of container ID from its state.json.
cgroup_directory() {
    grep -o '"cgroup_paths":{[^}]*}' "$state_root/$1/state.json" |
        grep -o '"":"[^"]*"' | cut -d'"' -f4
}

# Prints the string or number field NAME of `ocirun state ID`, for example status or pid.
state_field() {
    "$ocirun" --root "$state_root" state "$1" | grep -o "\"$2\": *[^,}]*" |
        sed 's/^[^:]*: *//; s/"//g'
}

check_resources() {
    local id=resources dir
    if ! run_ocirun run --detach --bundle "$(make_bundle resources)" "$id"; then
        fail "run --detach with linux.resources"
        return
    fi
    dir=$(cgroup_directory "$id")
    expect_value "cgroup of cgroupsPath /ocirun-ci/resources" "$dir" /sys/fs/cgroup/ocirun-ci/resources
    expect_value "memory.max" "$(cat "$dir/memory.max")" $((64 * kMiB))
    expect_value "memory.low" "$(cat "$dir/memory.low")" $((16 * kMiB))
    # cgroup v2 limits swap alone: memory.swap.max is memory+swap minus memory.
    expect_value "memory.swap.max" "$(cat "$dir/memory.swap.max")" $((32 * kMiB))
    expect_value "memory.high from unified" "$(cat "$dir/memory.high")" $((48 * kMiB))
    expect_value "cpu.weight from shares 2048" "$(cat "$dir/cpu.weight")" 79
    expect_value "cpu.max" "$(cat "$dir/cpu.max")" "20000 50000"
    expect_value "pids.max" "$(cat "$dir/pids.max")" 30

    if run_ocirun update --memory 32M --pids-limit 20 --cpu-quota 10000 "$id"; then
        expect_value "memory.max after update" "$(cat "$dir/memory.max")" $((32 * kMiB))
        expect_value "pids.max after update" "$(cat "$dir/pids.max")" 20
        expect_value "cpu.max after update" "$(cat "$dir/cpu.max")" "10000 50000"
    else
        fail "update --memory --pids-limit --cpu-quota"
    fi
    # docker's update sends zero for the fields it does not change, and those stay unset.
    if echo '{"memory":{"reservation":0,"kernel":0},"blockIO":{"weight":0},"pids":{"limit":25}}' |
        run_ocirun update --resources - "$id"; then
        expect_value "pids.max after update --resources -" "$(cat "$dir/pids.max")" 25
        expect_value "memory.low after a zero reservation" "$(cat "$dir/memory.low")" $((16 * kMiB))
    else
        fail "update --resources - with docker's zero values"
    fi

    if run_ocirun pause "$id"; then
        expect_value "cgroup.freeze after pause" "$(cat "$dir/cgroup.freeze")" 1
        expect_value "status after pause" "$(state_field "$id" status)" paused
        run_ocirun resume "$id" || fail "resume"
        expect_value "cgroup.freeze after resume" "$(cat "$dir/cgroup.freeze")" 0
        expect_value "status after resume" "$(state_field "$id" status)" running
    else
        fail "pause"
    fi

    if run_ocirun events --stats "$id"; then
        local record
        record=$(cat "$work/last-output")
        if [[ $record == *'"type":"stats"'* && $record == *'"pids":{"current":'* &&
            $record == *'"memory":{'* ]]; then
            pass "events --stats prints a stats record with memory and pids"
        else
            fail "events --stats printed: $record"
        fi
    else
        fail "events --stats"
    fi

    run_ocirun delete --force "$id" || fail "delete --force"
    expect_removed "$dir" "delete --force"
}

# Without BFQ a blockIO weight goes to io.weight, converted from the v1 range, and a device
# weight fails unless the device has an io.cost controller.
check_block_io_without_bfq() {
    local dir=/sys/fs/cgroup/ocirun-ci/blkio-weight
    if run_ocirun run --detach --bundle "$(make_bundle blkio-weight)" blkio-weight; then
        # runc's conversion: 1 + (500 - 10) * 9999 / 990.
        expect_value "io.weight from blockIO.weight 500" "$(head -n 1 "$dir/io.weight")" \
            "default 4950"
        run_ocirun delete --force blkio-weight || fail "delete --force"
    else
        fail "run --detach with blockIO.weight and no BFQ"
    fi

    expect_device_weight_fails "no BFQ" "neither the BFQ I/O scheduler"
}

# Checks that create with a blockIO.weightDevice fails with a message that contains EXPECTED and
# leaves no cgroup. Usage: expect_device_weight_fails CASE EXPECTED
expect_device_weight_fails() {
    if run_ocirun create --bundle "$(make_bundle blkio-device)" blkio-device 2>/dev/null; then
        fail "create with blockIO.weightDevice and $1 succeeded"
        run_ocirun delete --force blkio-device
    elif grep -q "weightDevice $disk_number cannot be set.*$2" "$work/last-output"; then
        pass "create with blockIO.weightDevice and $1 fails naming the scheduler"
    else
        fail "create with blockIO.weightDevice and $1 printed: $(cat "$work/last-output")"
    fi
    expect_removed /sys/fs/cgroup/ocirun-ci/blkio-device "a failed create"
}

# With BFQ on the disk the weights go to io.bfq.weight unconverted. The throttles go to io.max.
check_block_io_with_bfq() {
    local id=blkio dir=/sys/fs/cgroup/ocirun-ci/blkio
    if ! run_ocirun run --detach --bundle "$(make_bundle blkio)" "$id"; then
        fail "run --detach with blockIO and BFQ"
        return
    fi
    expect_value "io.bfq.weight" "$(tr '\n' ';' <"$dir/io.bfq.weight")" \
        "default 500;$disk_number 300;"
    expect_value "io.max" "$(cat "$dir/io.max")" \
        "$disk_number rbps=$kMiB wbps=$((2 * kMiB)) riops=100 wiops=200"
    if run_ocirun update --blkio-weight 700 "$id"; then
        expect_value "io.bfq.weight after update --blkio-weight 700" \
            "$(head -n 1 "$dir/io.bfq.weight")" "default 700"
    else
        fail "update --blkio-weight"
    fi
    local resources='{"blockIO":{"throttleReadBpsDevice":[{"major":'${disk_number%:*}
    resources+=',"minor":'${disk_number#*:}',"rate":4194304}]}}'
    if echo "$resources" | run_ocirun update --resources - "$id"; then
        expect_value "io.max after update --resources -" "$(cat "$dir/io.max")" \
            "$disk_number rbps=$((4 * kMiB)) wbps=$((2 * kMiB)) riops=100 wiops=200"
    else
        fail "update --resources - with a read throttle"
    fi
    run_ocirun delete --force "$id" || fail "delete --force"
    expect_removed "$dir" "delete --force"
}

check_block_io() {
    if grep -qw bfq "/sys/block/$kDisk/queue/scheduler"; then
        fail "BFQ is loaded before check_block_io, so the case without it cannot run"
    else
        check_block_io_without_bfq
    fi
    if ! modprobe bfq; then
        fail "load the bfq module"
        return
    fi
    expect_device_weight_fails "BFQ loaded but not selected" "does not use the BFQ I/O scheduler"
    if ! echo bfq >"/sys/block/$kDisk/queue/scheduler"; then
        fail "select BFQ for $kDisk"
        return
    fi
    expect_value "scheduler of $kDisk" \
        "$(grep -o '\[[a-z-]*\]' "/sys/block/$kDisk/queue/scheduler")" "[bfq]"
    check_block_io_with_bfq
}

check_devices() {
    local output
    if ! run_ocirun run --bundle "$(make_bundle devices)" devices; then
        fail "run of the device program check"
        return
    fi
    output=$(cat "$work/last-output")
    if [[ $output == *MKNOD-OK* && $output == *"Operation not permitted"* &&
        $output == *NULL-OK* ]]; then
        pass "the eBPF device program allows mknod and /dev/null and denies opening a disk"
    else
        fail "device program: container printed '$output'"
    fi
    expect_removed /sys/fs/cgroup/ocirun-ci/devices "run"
}

check_default_path() {
    local id=default-path dir
    if ! run_ocirun run --detach --bundle "$(make_bundle default-path)" "$id"; then
        fail "run --detach without cgroupsPath"
        return
    fi
    dir=$(cgroup_directory "$id")
    if [ -d "$dir" ] && grep -qx "$(state_field "$id" pid)" "$dir/cgroup.procs" 2>/dev/null; then
        pass "without cgroupsPath init runs in $dir"
    else
        fail "without cgroupsPath init is not in '$dir'"
    fi
    run_ocirun delete --force "$id" || fail "delete --force"
    expect_removed "$dir" "delete --force"
}

check_failed_create() {
    if run_ocirun create --bundle "$(make_bundle missing-program)" missing-program 2>/dev/null; then
        fail "create of a missing program succeeded"
        run_ocirun delete --force missing-program
    else
        pass "create of a missing program fails"
    fi
    expect_removed /sys/fs/cgroup/ocirun-ci/missing "a failed create"
}

check_systemd() {
    local id=systemd unit=ocirun-ci-systemd.scope dir
    if ! run_ocirun --systemd-cgroup run --detach --bundle "$(make_bundle systemd)" "$id"; then
        # The unit's state and journal show whether systemd or ocirun gave up.
        systemctl status --no-pager "$unit" 2>&1 | sed 's/^/      /'
        fail "--systemd-cgroup run with cgroupsPath system.slice:ocirun-ci:systemd"
        return
    fi
    dir=/sys/fs/cgroup/system.slice/$unit
    expect_value "cgroup of the systemd driver" "$(cgroup_directory "$id")" "$dir"
    expect_value "$unit ActiveState" "$(systemctl show -P ActiveState "$unit")" active
    expect_value "$unit MemoryMax" "$(systemctl show -P MemoryMax "$unit")" $((64 * kMiB))
    expect_value "$unit TasksMax" "$(systemctl show -P TasksMax "$unit")" 30
    # The unified keys: cpu.weight overrides the 79 from shares 2048, memory.min and
    # memory.high are unit properties, and memory.oom.group, which has none, is a file.
    expect_value "$unit CPUWeight from unified" "$(systemctl show -P CPUWeight "$unit")" 300
    expect_value "$unit MemoryHigh from unified" "$(systemctl show -P MemoryHigh "$unit")" \
        $((48 * kMiB))
    expect_value "$unit MemoryMin from unified" "$(systemctl show -P MemoryMin "$unit")" \
        $((8 * kMiB))
    expect_value "$unit TimeoutStopUSec from an annotation" \
        "$(systemctl show -P TimeoutStopUSec "$unit")" 7s
    expect_value "memory.max of the scope" "$(cat "$dir/memory.max")" $((64 * kMiB))
    expect_value "memory.high of the scope from unified" "$(cat "$dir/memory.high")" $((48 * kMiB))
    expect_value "memory.min of the scope from unified" "$(cat "$dir/memory.min")" $((8 * kMiB))
    expect_value "cpu.weight of the scope from unified" "$(cat "$dir/cpu.weight")" 300
    expect_value "memory.oom.group of the scope from unified" "$(cat "$dir/memory.oom.group")" 1
    expect_value "cpu.max of the scope" "$(cat "$dir/cpu.max")" "20000 50000"
    expect_value "pids.max of the scope" "$(cat "$dir/pids.max")" 30

    if run_ocirun --systemd-cgroup update --memory 32M "$id"; then
        expect_value "$unit MemoryMax after update" "$(systemctl show -P MemoryMax "$unit")" \
            $((32 * kMiB))
        expect_value "memory.max of the scope after update" "$(cat "$dir/memory.max")" \
            $((32 * kMiB))
        expect_value "$unit MemoryHigh after update" "$(systemctl show -P MemoryHigh "$unit")" \
            $((48 * kMiB))
    else
        fail "--systemd-cgroup update --memory"
    fi
    if run_ocirun --systemd-cgroup pause "$id" && run_ocirun --systemd-cgroup resume "$id"; then
        pass "pause and resume in the scope"
    else
        fail "pause and resume in the scope"
    fi

    run_ocirun --systemd-cgroup delete --force "$id" || fail "--systemd-cgroup delete --force"
    expect_removed "$dir" "delete --force"
    local state
    state=$(systemctl show -P ActiveState "$unit")
    if [ "$state" != active ]; then
        pass "$unit is $state after delete"
    else
        fail "$unit is still active after delete"
    fi
}

check_resources
check_devices
check_default_path
check_block_io
check_failed_create
check_systemd
rmdir /sys/fs/cgroup/ocirun-ci 2>/dev/null
rm -rf "$work"
exit "$failures"
