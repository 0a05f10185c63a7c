#!/bin/bash
# Guest side of the rootless checks on the Debian 12 VM (systemd as PID 1, pure cgroup v2).
# It adds a lingering user, whose user@UID.service gets a cgroup subtree delegated by systemd,
# and runs ocirun as that user in scopes of the user's manager (systemd-run --user --scope), as
# a login shell would. It checks run, exec, kill, delete, state, list and ps. It reads the
# limits in the delegated cgroup from outside and from inside the container, checks the errors
# when the user may not write the cgroup, and checks that a second user can neither see nor
# touch the container.
#
# Usage (as root in the guest): rootless-guest.sh OCIRUN ROOTFS CONFIG_DIR
# OCIRUN is the ocirun binary, ROOTFS the busybox rootfs of scripts/make-busybox-rootfs.sh and
# CONFIG_DIR contains the config-rootless-*.json files of container-configs.py. Needs the uidmap
# and dbus-user-session packages. Prints one "ok" or "FAIL" line a check and exits with the
# number of failed checks, or 125 when the setup failed.
set -u

ocirun_source=$1
rootfs_source=$2
config_dir=$3
readonly kMiB=1048576

# shellcheck source-path=SCRIPTDIR source=guest-checks.sh
. "$(dirname "$0")/guest-checks.sh"
# shellcheck source-path=SCRIPTDIR source=guest-users.sh
. "$(dirname "$0")/guest-users.sh"

require_rootless_tools

owner=ocirun-rootless-owner
other=ocirun-rootless-other
work=$(mktemp -d /tmp/ocirun-rootless.XXXXXX)
chmod 755 "$work"

cleanup() {
    remove_users "$owner" "$other"
    rm -rf "$work"
}
trap cleanup EXIT

add_users "$owner" "$other"
uid=$(id -u "$owner")
gid=$(id -g "$owner")
other_uid=$(id -u "$other")
other_gid=$(id -g "$other")
# Copies on the guest's disk, because the user may not read the 9p share.
cp "$ocirun_source" "$work/ocirun"
cp -a "$rootfs_source" "$work/rootfs"
# The other user's runtime directory, private to that user.
other_runtime_dir=$work/other-runtime
mkdir -m 700 "$other_runtime_dir"
chown "$other_uid:$other_gid" "$other_runtime_dir"

start_user_manager "$owner"
runtime_dir=/run/user/$uid
user_service=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service
echo "      user@$uid.service: owner $(stat -c %U "$user_service")," \
    "controllers '$(cat "$user_service/cgroup.controllers")'," \
    "subtree_control '$(cat "$user_service/cgroup.subtree_control")'"

# Runs ocirun as the owner in a new scope of the owner's manager, so that it starts in the
# delegated subtree. cgroup v2 lets a process move another only when it may write cgroup.procs
# of both cgroups' common ancestor, so create and exec need that. The output goes to
# $work/out and $work/err, files and not pipes, because a detached container inherits them.
ocirun_in_scope() {
    as_user "$owner" "$runtime_dir" systemd-run --user --scope --quiet -- "$work/ocirun" "$@" \
        >"$work/out" 2>"$work/err"
}

# Runs ocirun as the owner in the cgroup of this script, which the owner may not write.
ocirun_outside() {
    as_user "$owner" "$runtime_dir" "$work/ocirun" "$@" >"$work/out" 2>"$work/err"
}

# Runs ocirun as the other user, with that user's own runtime directory.
ocirun_as_other() {
    as_user "$other" "$other_runtime_dir" "$work/ocirun" "$@" >"$work/out" 2>"$work/err"
}

# Prints the output of the last ocirun command, indented, after a failed check.
last_output() {
    sed 's/^/      /' "$work/out" "$work/err"
}

# Makes the bundle $work/ID from config-rootless-CASE.json with the owner's ids and prints its
# path. Usage: make_bundle CASE [ID]
make_bundle() {
    local dir=$work/${2:-$1}
    mkdir "$dir"
    sed -e "s/\"@UID@\"/$uid/g; s/\"@GID@\"/$gid/g; s/@UID@/$uid/g; s|@ROOTFS@|$work/rootfs|" \
        "$config_dir/config-rootless-$1.json" >"$dir/config.json"
    chown -R "$uid:$gid" "$dir"
    echo "$dir"
}

state_file() {
    echo "$runtime_dir/ocirun/$1/state.json"
}

# Prints the unified cgroup directory of container ID from its state.json.
cgroup_directory() {
    grep -o '"cgroup_paths":{[^}]*}' "$(state_file "$1")" | grep -o '"":"[^"]*"' | cut -d'"' -f4
}

# Prints the property NAME of the owner's systemd user unit UNIT.
user_unit_property() {
    as_user "$owner" "$runtime_dir" systemctl --user show -P "$2" "$1"
}

# Prints the string or number field NAME of `ocirun state ID` run as the owner.
state_field() {
    as_user "$owner" "$runtime_dir" "$work/ocirun" state "$1" | grep -o "\"$2\": *[^,}]*" |
        sed 's/^[^:]*: *//; s/"//g'
}

check_run_with_limits() {
    local id=limits dir pid
    if ocirun_in_scope run --detach --bundle "$(make_bundle limits)" "$id"; then
        pass "run --detach with limits in the delegated cgroup"
    else
        fail "run --detach with limits in the delegated cgroup"
        last_output
        return 1
    fi
    if grep -q "without a cgroup" "$work/err"; then
        fail "run warned about a missing cgroup: $(cat "$work/err")"
    else
        pass "run prints no warning about a missing cgroup"
    fi
    dir=$(cgroup_directory "$id")
    expect_value "cgroup of the container" "$dir" "$user_service/ocirun-rootless/limits"
    expect_value "owner of the cgroup" "$(stat -c %U "$dir")" "$owner"
    expect_value "memory.max" "$(cat "$dir/memory.max")" $((64 * kMiB))
    expect_value "pids.max" "$(cat "$dir/pids.max")" 32
    expect_value "status" "$(state_field "$id" status)" running
    pid=$(state_field "$id" pid)
    expect_value "cgroup of init" "$(cat "/proc/$pid/cgroup")" "0::${dir#/sys/fs/cgroup}"
    expect_value "host uid of init" "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$uid"
}

check_limits_inside() {
    local id=limits output started
    if ocirun_in_scope exec "$id" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; then
        expect_value "memory.max and pids.max read in the container" "$(tr '\n' ' ' <"$work/out")" \
            "$((64 * kMiB)) 32 "
    else
        fail "exec cat of the cgroup files in the container"
        last_output
    fi
    # Starting 40 processes must fail before the 32nd, because pids.max counts init, the shell
    # and its children. The shell prints its count of started processes after each start.
    ocirun_in_scope exec "$id" sh -c \
        'n=0; while [ $n -lt 40 ]; do sleep 60 & n=$((n + 1)); echo $n; done'
    output=$(cat "$work/out" "$work/err")
    started=$(tail -n 1 "$work/out")
    if [[ $output == *"can't fork"* ]] && [ "${started:-0}" -lt 31 ]; then
        pass "pids.max stops the fork after $started processes in the container"
    else
        fail "40 processes in the container despite pids.max 32: $(tail -n 3 "$work/err")"
    fi
}

check_commands() {
    local id=limits pid
    pid=$(state_field "$id" pid)
    if ocirun_outside list --quiet && [ "$(cat "$work/out")" = "$id" ]; then
        pass "list shows the container"
    else
        fail "list does not show the container alone"
        last_output
    fi
    if ocirun_outside ps --format json "$id" && grep -qw "$pid" "$work/out"; then
        pass "ps lists init"
    else
        fail "ps does not list init $pid"
        last_output
    fi
    if ocirun_in_scope exec "$id" sh -c 'id -u; cat /proc/self/uid_map'; then
        if grep -Eq "^ +0 +$uid +1$" "$work/out" && [ "$(head -n 1 "$work/out")" = 0 ]; then
            pass "exec runs as root of the container mapped to uid $uid"
        else
            fail "exec printed: $(cat "$work/out")"
        fi
    else
        fail "exec id"
        last_output
    fi
}

check_other_user() {
    local id=limits owner_root=$runtime_dir/ocirun command
    if ocirun_as_other list --quiet && [ ! -s "$work/out" ]; then
        pass "the other user's list is empty"
    else
        fail "the other user's list shows: $(cat "$work/out" "$work/err")"
    fi
    if ocirun_as_other --root "$owner_root" list --quiet; [ ! -s "$work/out" ]; then
        pass "the other user's list of the owner's state root shows nothing"
    else
        fail "the other user's list of the owner's state root shows: $(cat "$work/out")"
    fi
    for command in "state $id" "kill $id KILL" "delete --force $id"; do
        # $command is split into ocirun's arguments on purpose.
        # shellcheck disable=SC2086
        if ocirun_as_other --root "$owner_root" $command; then
            fail "the other user ran ocirun --root $owner_root $command"
            last_output
        else
            pass "the other user cannot run $command on the owner's state root"
        fi
    done
    expect_value "status after the other user's attempts" "$(state_field "$id" status)" running
}

check_kill_delete() {
    local id=limits dir status=
    dir=$(cgroup_directory "$id")
    if ocirun_outside kill "$id" KILL; then
        pass "kill KILL"
    else
        fail "kill KILL"
        last_output
    fi
    for _ in $(seq 1 50); do
        status=$(state_field "$id" status)
        [ "$status" = stopped ] && break
        sleep 0.2
    done
    expect_value "status after kill" "$status" stopped
    if ocirun_outside delete "$id"; then
        pass "delete"
    else
        fail "delete"
        last_output
    fi
    if [ -e "$(state_file "$id")" ]; then
        fail "state of $id is left after delete"
    else
        pass "no state left after delete"
    fi
    if [ -e "$dir" ]; then
        fail "cgroup $dir is left after delete"
    else
        pass "no cgroup left after delete"
    fi
}

# Without cgroupsPath the cgroup is made next to the scope ocirun runs in, as runc does on a
# pure cgroup v2 host.
check_default_path() {
    local id=default-path dir
    if ! ocirun_in_scope run --detach --bundle "$(make_bundle default-path)" "$id"; then
        fail "run --detach without cgroupsPath"
        last_output
        return
    fi
    dir=$(cgroup_directory "$id")
    if [[ $dir == "$user_service/app.slice/"* ]] &&
        grep -qx "$(state_field "$id" pid)" "$dir/cgroup.procs"; then
        pass "without cgroupsPath init runs in $dir"
    else
        fail "without cgroupsPath the cgroup is '$dir'"
    fi
    ocirun_outside delete --force "$id" || fail "delete --force of $id"
    [ ! -e "$dir" ] || fail "cgroup $dir is left after delete --force"
}

# Usage: expect_rejected_limits DESCRIPTION ID RUNNER
expect_rejected_limits() {
    local description=$1 id=$2 runner=$3
    if "$runner" run --detach --bundle "$work/$id" "$id"; then
        fail "$description: run succeeded"
        ocirun_outside delete --force "$id"
        return
    fi
    if grep -q "cannot set the limit of a rootless container without a cgroup it may write" \
        "$work/err"; then
        pass "$description: run fails naming the limit"
    else
        fail "$description: unexpected error"
        last_output
    fi
    if [ -e "$(state_file "$id")" ]; then
        fail "$description: state of $id is left"
    else
        pass "$description: no state left"
    fi
}

check_not_writable() {
    make_bundle denied-path >/dev/null
    expect_rejected_limits "limits in a cgroup below root's" denied-path ocirun_in_scope
    if [ -e /sys/fs/cgroup/ocirun-rootless-denied ]; then
        fail "cgroup /sys/fs/cgroup/ocirun-rootless-denied was made"
    fi
    make_bundle limits-default-path >/dev/null
    expect_rejected_limits "limits outside the delegated subtree" limits-default-path \
        ocirun_outside

    # Without limits the container runs without a cgroup, with a warning, as runc does.
    local id=no-cgroup
    if ocirun_outside run --detach --bundle "$(make_bundle default-path "$id")" "$id"; then
        pass "run without limits outside the delegated subtree"
        if grep -q "rootless container runs without a cgroup" "$work/err"; then
            pass "run warns that the container has no cgroup"
        else
            fail "no warning about the missing cgroup: $(cat "$work/err")"
        fi
        ocirun_outside delete --force "$id" || fail "delete --force of $id"
    else
        fail "run without limits outside the delegated subtree"
        last_output
    fi
}

# The systemd driver as the user: ocirun requests the scope from the user's manager, which
# creates it below user@UID.service with the limits as unit properties.
check_systemd_driver() {
    local id=systemd unit=ocirun-rootless-systemd.scope dir pid
    dir=$user_service/user.slice/$unit
    if ! ocirun_in_scope --systemd-cgroup run --detach --bundle "$(make_bundle systemd)" "$id"; then
        fail "--systemd-cgroup run as the user"
        last_output
        return
    fi
    pass "--systemd-cgroup run as the user"
    expect_value "cgroup of the user's scope" "$(cgroup_directory "$id")" "$dir"
    expect_value "$unit ActiveState" "$(user_unit_property "$unit" ActiveState)" active
    expect_value "$unit MemoryMax" "$(user_unit_property "$unit" MemoryMax)" $((64 * kMiB))
    expect_value "$unit TasksMax" "$(user_unit_property "$unit" TasksMax)" 32
    expect_value "memory.max of the user's scope" "$(cat "$dir/memory.max")" $((64 * kMiB))
    expect_value "pids.max of the user's scope" "$(cat "$dir/pids.max")" 32
    pid=$(state_field "$id" pid)
    expect_value "cgroup of init in the user's scope" "$(cat "/proc/$pid/cgroup")" \
        "0::${dir#/sys/fs/cgroup}"

    if ocirun_outside --systemd-cgroup update --memory 32M "$id"; then
        expect_value "$unit MemoryMax after update" "$(user_unit_property "$unit" MemoryMax)" \
            $((32 * kMiB))
        expect_value "memory.max of the user's scope after update" "$(cat "$dir/memory.max")" \
            $((32 * kMiB))
    else
        fail "--systemd-cgroup update --memory as the user"
        last_output
    fi

    if ocirun_outside --systemd-cgroup delete --force "$id"; then
        pass "--systemd-cgroup delete --force as the user"
    else
        fail "--systemd-cgroup delete --force as the user"
        last_output
    fi
    if [ -e "$dir" ]; then
        fail "cgroup $dir is left after delete --force"
    else
        pass "no cgroup of the user's scope left after delete --force"
    fi
    local state
    state=$(user_unit_property "$unit" ActiveState)
    if [ "$state" != active ]; then
        pass "$unit is $state after delete"
    else
        fail "$unit is still active after delete"
    fi
}

if check_run_with_limits; then
    check_commands
    # After the other checks that exec, because the processes it starts fill pids.max.
    check_limits_inside
    check_other_user
    check_kill_delete
fi
check_default_path
check_not_writable
check_systemd_driver
exit "$failures"
