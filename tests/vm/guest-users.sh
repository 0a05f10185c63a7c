# Ordinary users for the guest scripts that run containers rootless; sourced after
# guest-checks.sh. useradd gives each user subordinate ids in /etc/subuid and /etc/subgid, and
# a lingering user gets user@UID.service, which owns /run/user/UID and the cgroup subtree that
# systemd delegates to the user. Needs the uidmap and dbus-user-session packages.
# shellcheck shell=bash

readonly kSetupFailed=125
# Seconds a command run as a user or a user manager start may take under emulation.
readonly kCommandTimeout=120

# Ends the script with status 125, so that the caller can tell a failed setup from failed checks.
setup_failed() {
    echo "$(basename "$0"): $*" >&2
    exit "$kSetupFailed"
}

# Ends the script unless the guest has the tools of rootless runs and a pure cgroup v2 hierarchy.
require_rootless_tools() {
    local tool
    for tool in newuidmap newgidmap loginctl systemd-run setpriv; do
        command -v "$tool" >/dev/null ||
            setup_failed "$tool not found; the image needs uidmap and dbus-user-session"
    done
    if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        setup_failed "/sys/fs/cgroup is not cgroup2; the guest must boot with pure cgroup v2"
    fi
}

# Adds the users USER... without home directories.
add_users() {
    local user
    for user in "$@"; do
        useradd --no-create-home --shell /usr/sbin/nologin --home-dir /nonexistent "$user" ||
            setup_failed "useradd $user failed"
    done
}

# Kills what the users USER... still run (the user manager, a container left), then removes the
# users.
remove_users() {
    local user pid
    for user in "$@"; do
        if id -u "$user" >/dev/null 2>&1; then
            loginctl disable-linger "$user" 2>/dev/null
            for pid in $(ps -o pid= -u "$(id -u "$user")"); do
                kill -KILL "$pid" 2>/dev/null
            done
            userdel "$user" 2>/dev/null
        fi
    done
}

# Makes USER linger and waits until user@UID.service listens on the session bus and on the
# manager's private socket, which systemd-run --user and systemctl --user need.
start_user_manager() {
    local user=$1
    local runtime_dir
    runtime_dir=/run/user/$(id -u "$user")
    loginctl enable-linger "$user" || setup_failed "loginctl enable-linger $user failed"
    for _ in $(seq 1 "$kCommandTimeout"); do
        [ -S "$runtime_dir/bus" ] && [ -S "$runtime_dir/systemd/private" ] && return 0
        sleep 1
    done
    setup_failed "user@$(id -u "$user").service did not start: no $runtime_dir/bus"
}

# Runs COMMAND as USER with its runtime directory. Usage: as_user USER RUNTIME_DIR COMMAND...
as_user() {
    local user=$1 user_runtime_dir=$2
    shift 2
    setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups -- env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ USER="$user" \
        XDG_RUNTIME_DIR="$user_runtime_dir" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=$user_runtime_dir/bus" \
        timeout --kill-after=5 "$kCommandTimeout" "$@"
}
