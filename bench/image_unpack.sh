#!/bin/bash
# Benchmarks unpacking a Debian bookworm minbase image: `ocirun image unpack` (from the OCI
# layout and from the OCI archive) against `umoci unpack`, `podman load` + `podman create` +
# `podman mount` into an empty store, and a plain `tar -x` of the same layer, in one hyperfine
# run. Prints hyperfine's markdown table and each command's wall-clock and CPU time
# (user + system, child processes included) as ratios to ocirun's.
# Must run as root. docs/benchmarks.md records the results.
#
# Environment (all optional):
#   OCIRUN  the ocirun binary (default build/release/ocirun; use a release build, because
#           sanitizers slow extraction several times over)
#   CACHE   directory that keeps the image between runs (default build/image-bench)
#   RUNS    timed runs per command (default 5, after 1 warmup)
#   MIRROR  Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   DISK    set to 1 to write the outputs to $CACHE/work on disk instead of a tmpfs
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
OCIRUN=${OCIRUN:-$root/build/release/ocirun}
CACHE=${CACHE:-$root/build/image-bench}
RUNS=${RUNS:-5}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
image=localhost/ocirun-bench-minbase:bookworm

log() { echo "image_unpack: $*" >&2; }
die() {
    log "$*"
    exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
for tool in hyperfine umoci podman debootstrap python3 "$OCIRUN"; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
mkdir -p "$CACHE"
archive=$CACHE/minbase.oci.tar
layout=$CACHE/minbase-layout
work=$CACHE/work

# The image is built once: debootstrap, imported into podman, saved as an OCI archive.
if [ ! -f "$archive" ]; then
    if [ ! -x "$CACHE/minbase-root/bin/sh" ]; then
        log "debootstrap --variant=minbase bookworm (a few minutes)"
        rm -rf "$CACHE/minbase-root"
        debootstrap --variant=minbase bookworm "$CACHE/minbase-root" "$MIRROR" >&2
    fi
    # A store of its own keeps the host's podman images out of it.
    build_store="podman --root $CACHE/podman-build/root --runroot $CACHE/podman-build/run"
    tar --numeric-owner --xattrs --xattrs-include='*' -C "$CACHE/minbase-root" -c . |
        $build_store import --change 'CMD ["/bin/bash"]' - "$image" >&2
    $build_store save --format oci-archive -o "$archive.tmp" "$image" >&2
    mv "$archive.tmp" "$archive"
    $build_store system reset --force >/dev/null 2>&1
fi
if [ ! -f "$layout/index.json" ]; then
    rm -rf "$layout"
    mkdir -p "$layout"
    tar -C "$layout" -xf "$archive"
fi

# umoci needs the tag as index.json names it; tar gets the single layer blob of the manifest.
read -r tag layer < <(python3 - "$layout" <<'PY'
import json, sys
layout = sys.argv[1]
index = json.load(open(f"{layout}/index.json"))
entry = index["manifests"][0]
tag = entry.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
algorithm, digest = entry["digest"].split(":")
manifest = json.load(open(f"{layout}/blobs/{algorithm}/{digest}"))
layers = manifest["layers"]
if len(layers) != 1:
    sys.exit(f"expected one layer, found {len(layers)}")
algorithm, digest = layers[0]["digest"].split(":")
print(tag, f"{layout}/blobs/{algorithm}/{digest}")
PY
)
[ -n "$tag" ] || die "index.json of $layout names no tag"

mkdir -p "$work"
# Every tool writes into a tmpfs by default, so the times measure the unpack and not the disk,
# which other jobs may share. The tmpfs is mounted in a private mount namespace, which ends
# with the script.
if [ "${DISK:-0}" != 1 ] && [ -z "${OCIRUN_BENCH_INSIDE:-}" ]; then
    OCIRUN_BENCH_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi
if [ "${DISK:-0}" != 1 ]; then
    mount -t tmpfs -o size=4g ocirun-image-bench "$work"
fi
out=$work/out
# podman extracts an image's layers when it loads it, so each podman run starts from an empty
# store of its own (overlay driver, as podman uses by default) and loads the archive there.
store=$work/podman
podman_store="podman --root $store/root --runroot $store/run --storage-driver overlay --events-backend none"
clean_store="if [ -d $store/root ]; then $podman_store system reset --force >/dev/null 2>&1; fi; rm -rf $store"
log "layer $(du -h "$layer" | cut -f1), $RUNS runs each"

hyperfine --warmup 1 --runs "$RUNS" --prepare "rm -rf $out; $clean_store; sync" \
    --export-json "$work/results.json" --export-markdown "$work/results.md" \
    -n "ocirun (layout)" "$OCIRUN image unpack $layout $out" \
    -n "ocirun (oci-archive)" "$OCIRUN image unpack $archive $out" \
    -n "umoci" "umoci unpack --image $layout:$tag $out" \
    -n "podman load+create+mount" "$podman_store load -q -i $archive >/dev/null && $podman_store create --name ocirun-bench $image >/dev/null && $podman_store mount ocirun-bench >/dev/null" \
    -n "tar -x" "mkdir -p $out && tar --numeric-owner --xattrs --xattrs-include='*' -xpf $layer -C $out" \
    >&2
rm -rf "$out"
eval "$clean_store"

cat "$work/results.md"
echo
python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
def cpu(r):
    return r["user"] + r["system"]
base = next(r for r in results if r["command"] == "ocirun (layout)")
print("| command | wall mean (s) | wall / ocirun | CPU mean (s) | CPU / ocirun |")
print("|---|---|---|---|---|")
for r in results:
    print(f"| {r['command']} | {r['mean']:.3f} | {r['mean'] / base['mean']:.2f} "
          f"| {cpu(r):.3f} | {cpu(r) / cpu(base):.2f} |")
PY
