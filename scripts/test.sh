#!/bin/bash
# Builds ocirun with AddressSanitizer and UBSan, builds the busybox test rootfs, and runs every
# suite: the unit and integration tests (CTest), the parser fuzzers, the container managers
# (podman, containerd, Docker) and the cgroup v2 suite in a Debian VM. Needs root.
#
# OCIRUN_SUITES picks suites (default "ctest fuzz managers vm"); arguments go to ctest.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
suites=${OCIRUN_SUITES:-ctest fuzz managers vm}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

"$root/scripts/build.sh" asan || exit 1
"$root/scripts/make-busybox-rootfs.sh" "$root/test-assets/busybox-rootfs" >/dev/null || exit 1

passed=0
failed=0
failed_suites=""

# Runs one suite, echoing its output, and adds the counts of its closing line to the totals.
# A suite that fails without such a line counts as one failure.
run_suite() {
    local name=$1
    shift
    echo "=== $name"
    "$@" 2>&1 | tee "$logs/$name.log"
    local status=${PIPESTATUS[0]}
    local counts
    counts=$(python3 "$root/scripts/suite-counts.py" <"$logs/$name.log")
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
    if [ "$status" -ne 0 ]; then
        failed_suites="$failed_suites $name"
        [ "${counts#* }" -eq 0 ] && failed=$((failed + 1))
    fi
}

run_ctest() {
    cd "$root/build/asan" && ctest --output-on-failure --timeout 300 "$@"
}

run_managers() {
    "$root/scripts/build.sh" release >/dev/null &&
        OCIRUN_BINARY="$root/build/release/ocirun" "$root/tests/managers/run.sh"
}

for suite in $suites; do
    case $suite in
    ctest) run_suite ctest run_ctest "$@" ;;
    fuzz) [ -x "$root/tests/fuzz/run.sh" ] && run_suite fuzz "$root/tests/fuzz/run.sh" ;;
    managers) [ -x "$root/tests/managers/run.sh" ] && run_suite managers run_managers ;;
    vm) [ -x "$root/tests/vm/ci.sh" ] && run_suite vm "$root/tests/vm/ci.sh" ;;
    *) echo "unknown suite: $suite (expected ctest, fuzz, managers or vm)" >&2 && exit 2 ;;
    esac
done

[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$passed passed, $failed failed"
[ -z "$failed_suites" ]
