# Shell helpers shared by the VM harness scripts in tests/vm; sourced, not run.
# shellcheck shell=bash

# Prints a message prefixed with the calling script's name to stderr.
vm_log() {
    echo "$(basename "$0"): $*" >&2
}

# Fails unless the script runs as root, which debootstrap, apt-get and the 9p share's
# passthrough security model need.
vm_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        vm_log "must run as root"
        return 1
    fi
}

# Installs the Debian packages that provide missing commands. Each argument is
# COMMAND:PACKAGE. apt-get update runs only when the first install fails, so a machine whose
# package lists are current skips it.
vm_ensure_commands() {
    local pair
    local missing=()
    for pair in "$@"; do
        if ! command -v "${pair%%:*}" >/dev/null 2>&1; then
            missing+=("${pair#*:}")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    vm_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}
