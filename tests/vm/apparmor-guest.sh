#!/bin/bash
# Guest half of run-apparmor-test.sh: loads a profile that denies writes below /denied, then
# runs one container with the profile and one without. Exits 0 when every check passes, else
# with the number of failed checks.
#
# Usage: apparmor-guest.sh [OCIRUN ROOTFS CONFIG_DIR]
# CONFIG_DIR holds config-with.json and config-without.json. The defaults are ocirun, rootfs
# and the working directory itself, the layout run-apparmor-test.sh shares.
set -u

readonly kProfile=ocirun-test-deny-write
ocirun=${1:-$PWD/ocirun}
rootfs=${2:-$PWD/rootfs}
config_dir=${3:-$PWD}
work=$(mktemp -d /tmp/ocirun-apparmor.XXXXXX)
failures=0

fail() {
    echo "FAIL  $*"
    failures=$((failures + 1))
}

pass() {
    echo "ok    $*"
}

cat >"$work/profile" <<PROFILE
#include <tunables/global>
profile $kProfile flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  deny /denied/** w,
}
PROFILE
if ! apparmor_parser -r "$work/profile"; then
    echo "FAIL  apparmor_parser could not load the profile"
    exit 1
fi

# Copies the rootfs and config-VARIANT.json into a bundle on the guest's disk.
# Usage: make_bundle DIR VARIANT
make_bundle() {
    local dir=$1 variant=$2
    mkdir -p "$dir/rootfs"
    cp -a "$rootfs/." "$dir/rootfs/"
    mkdir -p "$dir/rootfs/denied"
    cp "$config_dir/config-$variant.json" "$dir/config.json"
}

make_bundle "$work/with" with
make_bundle "$work/without" without

with=$(cd "$work/with" && "$ocirun" --root "$work/state" run apparmor-with 2>&1)
echo "with profile: $with"
without=$(cd "$work/without" && "$ocirun" --root "$work/state" run apparmor-without 2>&1)
echo "without profile: $without"

if [[ "$with" == *"$kProfile (enforce)"* ]]; then
    pass "the container runs confined by $kProfile"
else
    fail "the container's label is not $kProfile"
fi
if [[ "$with" == *WRITE-DENIED* ]]; then
    pass "the profile denies the write"
else
    fail "the write below /denied was not denied"
fi
if [[ "$without" == *WRITE-OK* ]]; then
    pass "without the profile the write succeeds"
else
    fail "the write failed without the profile"
fi
rm -rf "$work"
exit "$failures"
