#!/bin/bash
# Guest side of the rootless checks on the Debian 12 VM (systemd as PID 1, pure cgroup v2).
# It runs ocirun as an ordinary user inside a systemd user scope, where user@UID.service
# delegates its cgroup subtree. It checks that the container's resource limits land in a
# cgroup of that subtree, then runs the Rootless integration tests and, when podman is
# installed, the podman_rootless manager suite.
#
# Usage (as root in the guest, cwd the repository share):
#   bash tests/vm/guest/rootless.sh OCIRUN ROOTFS [INTEGRATION_TESTS]
# OCIRUN is the ocirun binary, ROOTFS the busybox rootfs of scripts/make-busybox-rootfs.sh,
# INTEGRATION_TESTS the ocirun_integration_tests binary. Needs the uidmap package (newuidmap,
# newgidmap) and dbus-user-session in the image; podman is optional. Prints one line per check
# and `rootless: N passed, M failed`, and exits 1 when a check failed.
#
# NOTE: written without a VM run on the machine that wrote it; the cgroup placement assumes
# Debian 12's systemd 252, whose user@.service has Delegate=yes.
set -u

ocirun_source=$(realpath -e "${1:?usage: $0 OCIRUN ROOTFS [INTEGRATION_TESTS]}") || exit 2
rootfs_source=$(realpath -e "${2:?usage: $0 OCIRUN ROOTFS [INTEGRATION_TESTS]}") || exit 2
integration_tests=${3:-}

passed=0
failed=0
pass() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$1"
}
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$1"
    printf '%s\n' "$2" | sed 's/^/     | /'
}

for tool in newuidmap newgidmap loginctl systemd-run; do
    if ! command -v "$tool" >/dev/null; then
        echo "rootless: $tool not found; add uidmap and dbus-user-session to the image" >&2
        exit 2
    fi
done
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    echo "rootless: /sys/fs/cgroup is not cgroup2; the guest must boot with pure cgroup v2" >&2
    exit 2
fi

user=ocirun-test-vm-$$
work=$(mktemp -d /tmp/ocirun-rootless.XXXXXX)
chmod 755 "$work"

cleanup() {
    if id -u "$user" >/dev/null 2>&1; then
        loginctl disable-linger "$user" 2>/dev/null
        # Processes of the user this script made: the user manager and any container left.
        for pid in $(ps -o pid= -u "$(id -u "$user")"); do
            kill -KILL "$pid" 2>/dev/null
        done
        userdel "$user" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

useradd --no-create-home --shell /usr/sbin/nologin --home-dir /nonexistent "$user" || exit 2
uid=$(id -u "$user")
gid=$(id -g "$user")
# Copies on the guest's disk, because the user may not read the 9p share.
cp "$ocirun_source" "$work/ocirun"
cp -a "$rootfs_source" "$work/rootfs"
mkdir "$work/bundle"

# Lingering starts user@UID.service, which owns /run/user/UID and the delegated subtree.
loginctl enable-linger "$user"
runtime_dir=/run/user/$uid
for _ in $(seq 1 60); do
    [ -S "$runtime_dir/bus" ] && break
    sleep 1
done
if [ ! -S "$runtime_dir/bus" ]; then
    echo "rootless: user@$uid.service did not start: $runtime_dir/bus missing" >&2
    exit 2
fi

# as_user CMD...: runs CMD as the user with the user manager's bus and runtime directory.
as_user() {
    setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ USER="$user" XDG_RUNTIME_DIR="$runtime_dir" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime_dir/bus" "$@"
}

# The container's cgroup: below user@UID.service, which systemd delegates to the user. ocirun
# runs in a scope of the user manager, so moving init there stays inside the user's subtree.
cgroup=/user.slice/user-$uid.slice/user@$uid.service/ocirun-rootless-test
chown "$uid:$gid" "$work/bundle"
(cd "$work/bundle" && as_user "$work/ocirun" spec --rootless)
python3 - "$work/bundle/config.json" "$work/rootfs" "$cgroup" <<'PYTHON'
import json, sys
path, rootfs, cgroup = sys.argv[1:]
with open(path) as file:
    config = json.load(file)
config["root"] = {"path": rootfs, "readonly": True}
config["process"]["terminal"] = False
config["process"]["args"] = ["sleep", "100"]
config["linux"]["cgroupsPath"] = cgroup
config["linux"]["resources"] = {"pids": {"limit": 32}, "memory": {"limit": 67108864}}
with open(path, "w") as file:
    json.dump(config, file)
PYTHON

id=rootless-vm
as_user systemd-run --user --scope --quiet -- \
    "$work/ocirun" create --bundle "$work/bundle" "$id" >"$work/out" 2>"$work/err"
status=$?
if [ "$status" = 0 ]; then
    pass "create with resources in a delegated cgroup"
else
    fail "create with resources in a delegated cgroup" "exit status $status: $(cat "$work/err")"
fi
if grep -q "without a cgroup" "$work/err"; then
    fail "no warning about a missing cgroup" "$(cat "$work/err")"
else
    pass "no warning about a missing cgroup"
fi
while read -r file expected; do
    value=$(cat "/sys/fs/cgroup$cgroup/$file" 2>&1)
    if [ "$value" = "$expected" ]; then
        pass "$file of the container's cgroup"
    else
        fail "$file of the container's cgroup" "expected $expected, read: $value"
    fi
done <<'LIMITS'
pids.max 32
memory.max 67108864
LIMITS
pid=$(as_user "$work/ocirun" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
if grep -qx "0::$cgroup" "/proc/$pid/cgroup" 2>/dev/null; then
    pass "init runs in the container's cgroup"
else
    fail "init runs in the container's cgroup" "$(cat "/proc/$pid/cgroup" 2>&1)"
fi
ps_pids=$(as_user "$work/ocirun" ps --format json "$id")
if [ "$(printf '%s' "$ps_pids" | tr -d ' \n')" = "[$pid]" ]; then
    pass "ps lists init from the cgroup"
else
    fail "ps lists init from the cgroup" "ps printed: $ps_pids"
fi
as_user "$work/ocirun" delete --force "$id" >"$work/out" 2>&1
if [ ! -d "/sys/fs/cgroup$cgroup" ]; then
    pass "delete --force removes the cgroup"
else
    fail "delete --force removes the cgroup" "$(cat "$work/out")"
fi

if [ -n "$integration_tests" ]; then
    if "$integration_tests" --gtest_filter='Rootless.*' --gtest_color=no >"$work/out" 2>&1; then
        pass "Rootless integration tests"
    else
        fail "Rootless integration tests" "$(grep -E 'FAILED|Failure' "$work/out")"
    fi
fi
if command -v podman >/dev/null; then
    if OCIRUN_BINARY=$ocirun_source tests/managers/run.sh podman_rootless >"$work/out" 2>&1; then
        pass "podman_rootless manager suite"
    else
        fail "podman_rootless manager suite" "$(grep -E 'FAIL|managers:' "$work/out")"
    fi
fi

echo "rootless: $passed passed, $failed failed"
[ "$failed" = 0 ]
