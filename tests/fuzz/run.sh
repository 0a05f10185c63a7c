#!/bin/sh
# Builds the libFuzzer targets with clang in build/fuzz and runs each for a bounded time.
# Exits non-zero when a target finds a crash, an escaped exception, a sanitizer report or a
# state.json round-trip change. The input that caused it is left in build/fuzz/findings.
# The last line counts the targets, "fuzz: N passed, M failed", for scripts/suite-counts.py.
#
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 30, so about 60 s for both)
# Environment: OCIRUN_FUZZ_CONFIG_SEEDS, a directory of config.json files that seeds the
# config corpus in addition to the ones under tests/fuzz/seeds.
set -eu

seconds=${1:-30}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$source_dir/build/fuzz
config_seeds=${OCIRUN_FUZZ_CONFIG_SEEDS:-$source_dir/../shared/fixtures/configs}

if ! command -v clang++ >/dev/null 2>&1; then
    echo "run.sh: clang++ not found; install clang and libclang-rt-dev" >&2
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

# clang does not know GCC's -Wno-restrict, which the top-level file adds.
if ! cmake -S "$source_dir" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS=-Wno-unknown-warning-option \
    -DCMAKE_PROJECT_INCLUDE="$source_dir/tests/fuzz/enable.cmake" \
    -DOCIRUN_FUZZ=ON -DOCIRUN_SANITIZE=OFF -DOCIRUN_TESTS=OFF -DOCIRUN_BENCH=OFF >/dev/null ||
    ! cmake --build "$build_dir" --target config_fuzz state_fuzz -j2; then
    echo "run.sh: building the fuzz targets failed" >&2
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
for target in config state; do
    corpus=$build_dir/corpus/$target
    findings=$build_dir/findings/$target
    mkdir -p "$corpus" "$findings"
    seeds=$source_dir/tests/fuzz/seeds/$target
    if [ -d "$seeds" ]; then
        cp "$seeds"/*.json "$corpus"/
    fi
    if [ "$target" = config ] && [ -d "$config_seeds" ]; then
        cp "$config_seeds"/*.json "$corpus"/
    fi
    echo "run.sh: fuzzing ${target}_fuzz for ${seconds}s"
    # One job per target, because the machine's cores are shared with other work.
    if ! "$build_dir/${target}_fuzz" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
        "$corpus" >"$build_dir/$target.log" 2>&1; then
        echo "run.sh: ${target}_fuzz found a failure; see $build_dir/$target.log and $findings" >&2
        tail -n 40 "$build_dir/$target.log" >&2
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
