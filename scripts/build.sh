#!/bin/sh
# Builds ocirun. Usage: scripts/build.sh [release|asan]  (default release)
# release goes to build/release, asan (AddressSanitizer + UBSan, for tests) to build/asan.
set -eu

kind=${1:-release}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$kind" in
    release) flags="-DCMAKE_BUILD_TYPE=Release" ;;
    asan) flags="-DCMAKE_BUILD_TYPE=Debug -DOCIRUN_SANITIZE=ON" ;;
    *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$root/build/$kind" -G Ninja $flags >/dev/null
cmake --build "$root/build/$kind"
