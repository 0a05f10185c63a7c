#!/bin/bash
# Runs runc's own integration suite (bats, tests/integration of a runc source tree) against a
# reference runc and against ocirun, and lists the tests that pass with runc but fail with
# ocirun. It is not part of scripts/test.sh or CI: it needs a runc source tree, and one run of
# both runtimes takes several minutes.
#
# Usage: tests/conformance/runc-bats.sh RUNC_SRC [OUT_DIR]
#
# RUNC_SRC is a runc source tree at the tag the reference runc was built from, including
# vendor/ (the suite's helpers recvtty, sd-helper and seccompagent are built from it offline).
# This script never downloads it. For Debian 12's runc 1.1.5, for example:
#   git clone --depth 1 --branch v1.1.5 https://github.com/opencontainers/runc /work/scratch-runc
#
# Environment:
#   OCIRUN     the ocirun binary under test (default: build/release/ocirun)
#   REF_RUNC   the reference runc (default: /usr/sbin/runc, Debian's package)
#   BATS_ARGS  extra arguments for bats, e.g. "--filter exec" (default: none)
#   TESTS      the .bats files to run, relative to tests/integration (default: all of them)
#
# The suite downloads busybox and Debian images. This script puts a busybox tar built by
# scripts/make-busybox-rootfs.sh in their place, so the tests that need Debian binaries fail
# for both runtimes. Installs bats, jq, gawk, golang-go, libseccomp-dev and
# busybox-static with apt-get when missing. Needs root.
set -euo pipefail

runc_src=$(readlink -f "${1:?usage: $0 RUNC_SRC [OUT_DIR]}")
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(readlink -f "${2:-$root/build/runc-bats}")
ocirun=$(readlink -f "${OCIRUN:-$root/build/release/ocirun}")
ref_runc=${REF_RUNC:-/usr/sbin/runc}
suite="$runc_src/tests/integration"

if [ ! -f "$suite/helpers.bash" ] || [ ! -d "$runc_src/vendor" ]; then
    echo "runc-bats: $runc_src is not a runc source tree with tests/integration and vendor/" >&2
    exit 2
fi
if [ ! -x "$ocirun" ]; then
    echo "runc-bats: ocirun binary $ocirun not found; run scripts/build.sh release" >&2
    exit 2
fi

install_packages() {
    local missing=()
    command -v bats >/dev/null || missing+=(bats)
    command -v jq >/dev/null || missing+=(jq)
    command -v gawk >/dev/null || missing+=(gawk)
    command -v go >/dev/null || missing+=(golang-go)
    [ -f /usr/include/seccomp.h ] || missing+=(libseccomp-dev)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    [ -x "$ref_runc" ] || missing+=(runc)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt-get install -y "${missing[@]}"
    fi
}

# Builds the helper programs the suite runs from runc's vendor/ without network access.
# recvtty receives the console of every container with a terminal. seccompagent needs the
# seccomp build tag, because without it the agent never replies to a notification and the notify tests hang.
build_helpers() {
    local helper
    for helper in recvtty sd-helper seccompagent; do
        (cd "$runc_src" && GOFLAGS=-mod=vendor GOPROXY=off \
            GOCACHE="$out/gocache" nice go build -tags seccomp \
            -o "contrib/cmd/$helper/$helper" "./contrib/cmd/$helper")
    done
}

# Puts busybox tars where get-images.sh looks first, so it downloads nothing.
make_images() {
    local arch rootfs
    arch=$(go env GOARCH)
    rootfs=$("$root/scripts/make-busybox-rootfs.sh" "$out/busybox-rootfs")
    tar -C "$rootfs" -cJf "$suite/testdata/busybox-$arch.tar.xz" .
    ln -sf "busybox-$arch.tar.xz" "$suite/testdata/debian-$arch.tar.xz"
}

# Runs the suite against runtime $2 and writes TAP output to $out/$1.tap. The two runtimes run
# one after the other, because both name their containers and cgroups alike. script(1) gives
# the suite a terminal, as runc's CI does, because "runc run" with "terminal": true opens
# /dev/tty.
run_suite() {
    local name=$1 runtime=$2
    echo "runc-bats: running the suite against $runtime"
    (cd "$suite" && RUNC=$runtime nice script -qec "bats --tap ${BATS_ARGS:-} ${TESTS:-.}" \
        /dev/null </dev/null 2>&1 | tr -d '\r' >"$out/$name.tap") || true
}

# Prints "NAME: N passed, N failed, N skipped" from a TAP file.
count_results() {
    local name=$1 tap="$out/$1.tap" passed failed skipped
    skipped=$(grep -c '^ok .* # skip' "$tap" || true)
    passed=$(($(grep -c '^ok ' "$tap" || true) - skipped))
    failed=$(grep -c '^not ok ' "$tap" || true)
    echo "$name: $passed passed, $failed failed, $skipped skipped"
}

# Prints the names of the tests in a TAP file that passed, without skips.
passed_tests() {
    grep '^ok ' "$1" | grep -v ' # skip' | sed -E 's/^ok [0-9]+ //' | sort
}

failed_tests() {
    grep '^not ok ' "$1" | sed -E 's/^not ok [0-9]+ //' | sort
}

mkdir -p "$out"
install_packages
build_helpers
make_images
run_suite runc "$ref_runc"
run_suite ocirun "$ocirun"

comm -12 <(passed_tests "$out/runc.tap") <(failed_tests "$out/ocirun.tap") >"$out/regressions.txt"
echo "runc-bats: tests that pass with runc and fail with ocirun ($out/regressions.txt):"
sed 's/^/  /' "$out/regressions.txt"
count_results runc
count_results ocirun
