#!/bin/bash
# Boots the image from build-image.sh with qemu, runs COMMAND as root in the guest with cwd
# the shared directory, prints the command's stdout and stderr and exits with its status.
#
# Usage: run-in-vm.sh IMAGE_DIR SHARE_DIR COMMAND [ARG...]
# SHARE_DIR is shared read-write over virtio-9p; files the guest creates there are owned by
# the guest's uid. The command's output is printed when the VM has powered off, not while it
# runs.
#
# Environment:
#   OCIRUN_VM_TIMEOUT     seconds from qemu start to power-off before qemu is killed (300)
#   OCIRUN_VM_MEMORY      guest RAM in MiB (2048)
#   OCIRUN_VM_CPUS        guest vCPUs (2)
#   OCIRUN_VM_SHARE_PATH  where the guest mounts SHARE_DIR (/mnt/share). Set it to SHARE_DIR
#                         itself so that absolute paths built into test binaries still work.
#   OCIRUN_VM_ACCEL       kvm, tcg or auto (auto). Auto picks kvm only when the kvm_intel or
#                         kvm_amd module is loaded, because other KVM providers, such as
#                         kvm_pvm, cannot boot a stock kernel.
#
# Exit status: the command's, or 124 when the timeout expired, or 125 when the harness failed
# (bad arguments, qemu error, or the guest powered off without reporting a status). On 124
# and 125 the serial console log is kept and its path printed.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$script_dir/lib.sh"

readonly kTimeoutStatus=124
readonly kHarnessStatus=125

usage() {
    echo "usage: $0 IMAGE_DIR SHARE_DIR COMMAND [ARG...]" >&2
    exit "$kHarnessStatus"
}

if [ $# -lt 3 ]; then
    usage
fi
image_dir=$1
share_dir=$2
shift 2

# NOTE: under TCG on 2 cores shared with parallel C++ builds, qemu start to exit of a trivial
# job took 84 to 243 s, so a long job needs a larger OCIRUN_VM_TIMEOUT.
timeout_seconds=${OCIRUN_VM_TIMEOUT:-300}
memory_mib=${OCIRUN_VM_MEMORY:-2048}
cpus=${OCIRUN_VM_CPUS:-2}
guest_share_path=${OCIRUN_VM_SHARE_PATH:-/mnt/share}
accel=${OCIRUN_VM_ACCEL:-auto}

check_arguments() {
    local file
    for file in rootfs.img vmlinuz initrd.img; do
        if [ ! -f "$image_dir/$file" ]; then
            vm_log "$image_dir/$file not found; build the image with build-image.sh $image_dir"
            exit "$kHarnessStatus"
        fi
    done
    if [ ! -d "$share_dir" ]; then
        vm_log "share directory $share_dir not found"
        exit "$kHarnessStatus"
    fi
    if ! [[ $timeout_seconds =~ ^[1-9][0-9]*$ ]]; then
        vm_log "invalid OCIRUN_VM_TIMEOUT '$timeout_seconds': expected whole seconds"
        exit "$kHarnessStatus"
    fi
    if [[ $guest_share_path != /* ]]; then
        vm_log "invalid OCIRUN_VM_SHARE_PATH '$guest_share_path': expected an absolute path"
        exit "$kHarnessStatus"
    fi
}

# Prints the qemu arguments that select the accelerator and CPU model.
accel_arguments() {
    case $accel in
        auto)
            if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
                echo "-accel kvm -cpu host"
            else
                echo "-accel tcg,thread=multi -cpu max"
            fi
            ;;
        kvm) echo "-accel kvm -cpu host" ;;
        tcg) echo "-accel tcg,thread=multi -cpu max" ;;
        *)
            vm_log "invalid OCIRUN_VM_ACCEL '$accel': expected kvm, tcg or auto"
            exit "$kHarnessStatus"
            ;;
    esac
}

qemu_pid=
job_dir=
# Set on the failure paths that keep job_dir for inspection.
keep_job_dir=

# Stops qemu if it still runs: SIGTERM, then SIGKILL after 5 s.
stop_qemu() {
    if [ -z "$qemu_pid" ] || ! kill -0 "$qemu_pid" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$qemu_pid" 2>/dev/null || true
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # runs from the EXIT trap
on_exit() {
    stop_qemu
    if [ -n "$job_dir" ] && [ -d "$job_dir" ]; then
        if [ -n "$keep_job_dir" ]; then
            vm_log "serial console log: $job_dir/console.log"
        else
            rm -rf "$job_dir"
        fi
    fi
}

# Prints what the guest has written so far and the end of the serial console.
report_failure() {
    keep_job_dir=1
    if [ -f "$job_dir/stdout" ]; then
        cat "$job_dir/stdout"
    fi
    if [ -f "$job_dir/stderr" ]; then
        cat "$job_dir/stderr" >&2
    fi
    vm_log "last lines of the serial console:"
    tail -n 25 "$job_dir/console.log" >&2 || true
}

write_job() {
    printf '%q ' "$@" >"$job_dir/command"
    echo >>"$job_dir/command"
    echo "$guest_share_path" >"$job_dir/share-path"
}

start_qemu() {
    local accel_args
    accel_args=$(accel_arguments)
    # shellcheck disable=SC2086 # accel_args holds several words on purpose
    qemu-system-x86_64 -nodefaults -no-user-config -machine q35 $accel_args \
        -smp "$cpus" -m "$memory_mib" -display none \
        -serial "file:$job_dir/console.log" \
        -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.unified_cgroup_hierarchy=1 ocirun.vm_job" \
        -drive "file=$image_dir/rootfs.img,format=raw,if=virtio,snapshot=on" \
        -virtfs "local,path=$job_dir,mount_tag=ocirun-job,security_model=passthrough,id=job" \
        -virtfs "local,path=$share_dir,mount_tag=ocirun-share,security_model=passthrough,multidevs=remap,id=share" \
        -device virtio-rng-pci \
        -nic none -no-reboot \
        </dev/null >"$job_dir/qemu.log" 2>&1 &
    qemu_pid=$!
}

# Waits for qemu to exit; exits with kTimeoutStatus when the timeout expires first.
wait_for_qemu() {
    local deadline=$((SECONDS + timeout_seconds))
    while kill -0 "$qemu_pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            stop_qemu
            report_failure
            vm_log "timed out after ${timeout_seconds}s; raise OCIRUN_VM_TIMEOUT if the job needs longer"
            exit "$kTimeoutStatus"
        fi
        sleep 1
    done
    local status=0
    wait "$qemu_pid" || status=$?
    qemu_pid=
    if [ "$status" -ne 0 ]; then
        report_failure
        cat "$job_dir/qemu.log" >&2
        vm_log "qemu exited with status $status"
        exit "$kHarnessStatus"
    fi
}

main() {
    check_arguments
    vm_require_root || exit "$kHarnessStatus"
    vm_ensure_commands qemu-system-x86_64:qemu-system-x86 || exit "$kHarnessStatus"
    image_dir=$(cd "$image_dir" && pwd)
    share_dir=$(cd "$share_dir" && pwd)

    trap on_exit EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    job_dir=$(mktemp -d "${TMPDIR:-/tmp}/ocirun-vm.XXXXXX")
    write_job "$@"
    start_qemu
    wait_for_qemu

    if [ ! -f "$job_dir/exit-status" ]; then
        report_failure
        vm_log "the guest powered off without writing an exit status"
        exit "$kHarnessStatus"
    fi
    cat "$job_dir/stdout"
    cat "$job_dir/stderr" >&2
    exit "$(cat "$job_dir/exit-status")"
}

main "$@"
