#!/bin/sh
# Builds ocirun with AddressSanitizer and UBSan, builds the busybox test rootfs, and runs every
# test with CTest. Integration tests need root.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" asan
"$root/scripts/make-busybox-rootfs.sh" "$root/test-assets/busybox-rootfs" >/dev/null
cd "$root/build/asan"
ctest --output-on-failure --timeout 300 "$@"
