#!/bin/sh
# Builds a Debian bookworm rootfs with debootstrap (minbase plus procps) and runs
# `ps ax o pid,netns,mntns,pidns,comm` in it under ocirun, then a bash shell: interactive through a
# pty when stdin is a terminal, else a short script. Run as root after scripts/install-deps.sh;
# needs the Debian mirror.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${OCIRUN_DEBIAN_BUNDLE:-/tmp/ocirun-debian}
ocirun="$root/build/release/ocirun"

command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
"$root/scripts/build.sh" release >/dev/null
if [ ! -x "$bundle/rootfs/bin/bash" ]; then
    rm -rf "$bundle"
    mkdir -p "$bundle"
    debootstrap --variant=minbase --include=procps bookworm "$bundle/rootfs" >/dev/null
fi
cd "$bundle"
rm -f config.json
"$ocirun" spec
# set_process TERMINAL ARGS...: rewrites process.terminal and process.args in config.json.
set_process() {
    python3 - "$@" <<'PY'
import json
import sys
with open("config.json") as f:
    config = json.load(f)
config["process"]["terminal"] = sys.argv[1] == "true"
config["process"]["args"] = sys.argv[2:]
with open("config.json", "w") as f:
    json.dump(config, f, indent=2)
PY
}

# `ax` because without a terminal plain `ps o ...` selects no process.
set_process false ps ax o pid,netns,mntns,pidns,comm
"$ocirun" run "ocirun-debian-$$"
if [ -t 0 ]; then
    echo "a bash shell in the container; type exit to leave"
    set_process true bash
else
    set_process false bash -c 'echo "bash $BASH_VERSION as pid $$ in $(hostname)"'
fi
"$ocirun" run "ocirun-debian-bash-$$"
