#!/bin/bash
# Benchmarks unpacking a Debian bookworm minbase image: `ocirun image unpack` (from the OCI
# layout and from the OCI archive) against `umoci unpack`, `podman create` + `podman mount` +
# `cp -a`, and a plain `tar -x` of the same layer, in one hyperfine run. Prints hyperfine's
# markdown table and each command's time as a ratio to ocirun's. Must run as root.
# docs/images.md records the results.
#
# Environment (all optional):
#   OCIRUN  the ocirun binary (default build/release/ocirun; use a release build, because
#           sanitizers slow extraction several times over)
#   CACHE   directory that keeps the image between runs (default build/image-bench)
#   RUNS    timed runs per command (default 5, after 1 warmup)
#   MIRROR  Debian mirror for debootstrap (default http://deb.debian.org/debian)
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
    tar --numeric-owner --xattrs -C "$CACHE/minbase-root" -c . |
        podman import --change 'CMD ["/bin/bash"]' - "$image" >&2
    podman save --format oci-archive -o "$archive.tmp" "$image" >&2
    mv "$archive.tmp" "$archive"
fi
if ! podman image exists "$image"; then
    podman load -i "$archive" >&2
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
out=$work/out
container=ocirun-bench-unpack
podman rm --force "$container" >/dev/null 2>&1 || true
log "layer $(du -h "$layer" | cut -f1), $RUNS runs each"

hyperfine --warmup 1 --runs "$RUNS" --prepare "rm -rf $out; sync" \
    --export-json "$work/results.json" --export-markdown "$work/results.md" \
    -n "ocirun (layout)" "$OCIRUN image unpack $layout $out" \
    -n "ocirun (oci-archive)" "$OCIRUN image unpack $archive $out" \
    -n "umoci" "umoci unpack --image $layout:$tag $out" \
    -n "podman create+mount+cp" "podman create --name $container $image >/dev/null && mkdir -p $out && cp -a \$(podman mount $container)/. $out/ && podman umount $container >/dev/null && podman rm $container >/dev/null" \
    -n "tar -x" "mkdir -p $out && tar --numeric-owner --xattrs --xattrs-include='*' -xpf $layer -C $out" \
    >&2
rm -rf "$out"

cat "$work/results.md"
echo
python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
ocirun = next(r["mean"] for r in results if r["command"] == "ocirun (layout)")
print("| command | mean (s) | time / ocirun (layout) |")
print("|---|---|---|")
for r in results:
    print(f"| {r['command']} | {r['mean']:.3f} | {r['mean'] / ocirun:.2f} |")
PY
