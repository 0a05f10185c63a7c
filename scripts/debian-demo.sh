#!/bin/sh
# Builds a Debian bookworm rootfs with debootstrap (minbase plus procps) and runs
# `ps o pid,netns,mntns,pidns,comm` in it under ocirun, then an interactive bash when stdin is a
# terminal. Run as root after scripts/install-deps.sh; needs the Debian mirror.
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
python3 - <<'PY'
import json
with open("config.json") as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = ["ps", "o", "pid,netns,mntns,pidns,comm"]
with open("config.json", "w") as f:
    json.dump(config, f, indent=2)
PY
"$ocirun" run "ocirun-debian-$$"
