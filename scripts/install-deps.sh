#!/bin/sh
# Installs every package ocirun needs to build and test on Debian 12, as root.
# The manager suite (podman, containerd, docker.io), the VM harness (qemu, debootstrap), the
# image benchmark (umoci, debootstrap) and the fuzzer (clang) are installed here too, so a fresh machine runs scripts/test.sh without asking
# apt again; each suite still installs what it misses when run on its own.
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential cmake ninja-build pkg-config git ca-certificates \
    nlohmann-json3-dev libcli11-dev libseccomp-dev libcap-dev libsystemd-dev \
    libarchive-dev libzstd-dev nettle-dev \
    googletest libgtest-dev libgmock-dev \
    busybox-static python3 python3-jsonschema \
    runc crun iproute2 procps util-linux hyperfine uidmap \
    clang libclang-rt-14-dev \
    podman fuse-overlayfs containerd docker.io \
    qemu-system-x86 qemu-utils debootstrap umoci >/dev/null
