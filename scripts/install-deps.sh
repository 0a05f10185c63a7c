#!/bin/sh
# Installs every package ocirun needs to build and test on Debian 12, as root.
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential cmake ninja-build pkg-config git ca-certificates \
    nlohmann-json3-dev libcli11-dev libseccomp-dev libcap-dev libsystemd-dev \
    googletest libgtest-dev libgmock-dev \
    busybox-static python3 python3-jsonschema \
    runc crun iproute2 procps util-linux hyperfine >/dev/null
