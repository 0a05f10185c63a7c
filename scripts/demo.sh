#!/bin/sh
# Builds ocirun, makes a busybox bundle, writes runc's default config with
# `ocirun spec`, and runs a container that prints its pid and namespace inodes next to the
# host's. Run as root on Debian 12 after scripts/install-deps.sh.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${OCIRUN_DEMO_BUNDLE:-/tmp/ocirun-demo}
ocirun="$root/build/release/ocirun"

"$root/scripts/build.sh" release >/dev/null
rm -rf "$bundle"
mkdir -p "$bundle"
"$root/scripts/make-busybox-rootfs.sh" "$bundle/rootfs" >/dev/null
cd "$bundle"
"$ocirun" spec

# The default config requests a terminal and runs `sh`; run a script without one instead.
python3 - <<'PY'
import json
with open("config.json") as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = ["sh", "-c",
    "echo \"in the container: pid $$, hostname $(hostname)\"; "
    "for ns in pid net mnt ipc uts; do echo \"  $ns $(readlink /proc/self/ns/$ns)\"; done"]
with open("config.json", "w") as f:
    json.dump(config, f, indent=2)
PY

echo "on the host: pid $$"
for ns in pid net mnt ipc uts; do echo "  $ns $(readlink /proc/self/ns/$ns)"; done
"$ocirun" run "ocirun-demo-$$"
