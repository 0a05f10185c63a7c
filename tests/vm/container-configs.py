#!/usr/bin/env python3
"""Writes the container configs that containers-guest.sh, apparmor-guest.sh and
rootless-guest.sh run in the VM.

Usage: container-configs.py BASE_CONFIG OUT_DIR [ROOTLESS_BASE_CONFIG]

BASE_CONFIG is the output of `ocirun spec`, ROOTLESS_BASE_CONFIG that of `ocirun spec
--rootless`. Without ROOTLESS_BASE_CONFIG no rootless config is written. The guest image has
no python3 or jq, so every config the guest needs is written here, one file a case, with rootfs
"rootfs" relative to the bundle. The values that the guest scripts read back from the cgroup
files are fixed here. The guest's disk number is known only in the guest, so the blockIO
configs carry the strings DISK_MAJOR and DISK_MINOR in its place, and containers-guest.sh
replaces them. The rootless configs contain the tokens @UID@, @GID@ and @ROOTFS@, which
rootless-guest.sh replaces with the ids of the user it creates and the path of its rootfs.
"""
import json
import os
import sys

MIB = 1 << 20
# The cgroup of rootless-guest.sh's limits container: below user@UID.service, the subtree that
# systemd delegates to the user's manager.
ROOTLESS_CGROUP = "/user.slice/user-@UID@.slice/user@@UID@.service/ocirun-rootless/limits"


def base_config(path):
    with open(path) as source:
        config = json.load(source)
    config["process"]["terminal"] = False
    config["process"]["args"] = ["/bin/sleep", "600"]
    config["root"] = {"path": "rootfs", "readonly": False}
    config["linux"].pop("cgroupsPath", None)
    config["linux"].pop("resources", None)
    return config


def resources():
    """linux.resources whose cgroup v2 files containers-guest.sh checks."""
    return {
        "memory": {"limit": 64 * MIB, "reservation": 16 * MIB, "swap": 96 * MIB},
        # runc converts shares 2048 to cpu.weight 1 + (2048 - 2) * 9999 / 262142 = 79.
        "cpu": {"shares": 2048, "quota": 20000, "period": 50000},
        "pids": {"limit": 30},
        "unified": {"memory.high": str(48 * MIB)},
    }


# Quoted, because the guest replaces these JSON strings with the disk's numbers.
DISK = {"major": "DISK_MAJOR", "minor": "DISK_MINOR"}


def block_io():
    """linux.resources.blockIO with every cgroup v2 field, on the guest's disk."""
    return {
        "weight": 500,
        "weightDevice": [dict(DISK, weight=300)],
        "throttleReadBpsDevice": [dict(DISK, rate=MIB)],
        "throttleWriteBpsDevice": [dict(DISK, rate=2 * MIB)],
        "throttleReadIOPSDevice": [dict(DISK, rate=100)],
        "throttleWriteIOPSDevice": [dict(DISK, rate=200)],
    }


def systemd_resources():
    """resources() with unified keys that override fields (cpu.weight), have a unit property
    of their own (memory.min) or none (memory.oom.group)."""
    config = resources()
    config["unified"].update({
        "cpu.weight": "300",
        "memory.min": str(8 * MIB),
        "memory.oom.group": "1",
    })
    return config


def variants(base):
    configs = {}

    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/resources"
    config["linux"]["resources"] = resources()
    configs["resources"] = config

    # A device the default rules do not allow: the first virtio disk, created inside the
    # container with mknod (allowed for every device, given CAP_MKNOD) and then opened
    # (denied).
    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/devices"
    config["process"]["args"] = [
        "/bin/sh", "-c",
        "number=$(cat /sys/block/vda/dev); "
        "mknod /tmp/disk b ${number%:*} ${number#*:} && echo MKNOD-OK; "
        "head -c 1 /tmp/disk 2>&1 >/dev/null; "
        "if echo x >/dev/null; then echo NULL-OK; fi",
    ]
    for capability_set in ("bounding", "effective", "permitted"):
        config["process"]["capabilities"][capability_set].append("CAP_MKNOD")
    configs["devices"] = config

    config = json.loads(json.dumps(base))
    configs["default-path"] = config

    # blockIO with the BFQ scheduler, then without it: a weight alone, and a device weight,
    # which needs BFQ's io.bfq.weight or an io.cost controller on the device.
    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/blkio"
    config["linux"]["resources"] = {"blockIO": block_io()}
    configs["blkio"] = config
    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/blkio-weight"
    config["linux"]["resources"] = {"blockIO": {"weight": 500}}
    configs["blkio-weight"] = config
    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/blkio-device"
    config["linux"]["resources"] = {"blockIO": {"weightDevice": [dict(DISK, weight=300)]}}
    configs["blkio-device"] = config

    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "/ocirun-ci/missing"
    config["process"]["args"] = ["/no/such/program"]
    configs["missing-program"] = config

    # The systemd driver: slice:prefix:name makes the transient unit ocirun-ci-systemd.scope
    # in system.slice, with resources and an annotation as unit properties.
    config = json.loads(json.dumps(base))
    config["linux"]["cgroupsPath"] = "system.slice:ocirun-ci:systemd"
    config["linux"]["resources"] = systemd_resources()
    config["annotations"] = {"org.systemd.property.TimeoutStopUSec": "uint64 7000000"}
    configs["systemd"] = config

    # apparmor-guest.sh loads the profile ocirun-test-deny-write, which denies writes below
    # /denied, and runs one container under it and one without it.
    for variant in ("with", "without"):
        config = json.loads(json.dumps(base))
        config["process"]["args"] = [
            "/bin/sh", "-c",
            "cat /proc/self/attr/current; echo; if echo x > /denied/file; then echo WRITE-OK; "
            "else echo WRITE-DENIED; fi",
        ]
        if variant == "with":
            config["process"]["apparmorProfile"] = "ocirun-test-deny-write"
        configs[variant] = config
    return configs

def rootless_base_config(path):
    """The rootless config, mapping root in the container to the user of rootless-guest.sh."""
    config = base_config(path)
    # ocirun rejects a rootfs reached through a symlink, so rootless-guest.sh writes the path
    # of the one copy that all its bundles share.
    config["root"] = {"path": "@ROOTFS@", "readonly": True}
    config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": "@UID@", "size": 1}]
    config["linux"]["gidMappings"] = [{"containerID": 0, "hostID": "@GID@", "size": 1}]
    # A cgroup namespace lets the container mount its own cgroup at /sys/fs/cgroup, where
    # rootless-guest.sh reads the limits from inside.
    config["linux"]["namespaces"].append({"type": "cgroup"})
    return config


def rootless_variants(base):
    """The rootless configs: limits in a cgroup that systemd delegates to the user, and the
    cases where the user may not write the cgroup."""
    limits = {"memory": {"limit": 64 * MIB}, "pids": {"limit": 32}}

    def variant(cgroups_path, resources):
        config = json.loads(json.dumps(base))
        if cgroups_path is not None:
            config["linux"]["cgroupsPath"] = cgroups_path
        if resources is not None:
            config["linux"]["resources"] = resources
        return config

    return {
        "rootless-limits": variant(ROOTLESS_CGROUP, limits),
        # --systemd-cgroup as the user: a scope of the user's manager, in its user.slice.
        "rootless-systemd": variant("user.slice:ocirun-rootless:systemd", limits),
        "rootless-default-path": variant(None, None),
        # The root of the hierarchy belongs to root, so the user can create no cgroup there.
        "rootless-denied-path": variant("/ocirun-rootless-denied", limits),
        "rootless-limits-default-path": variant(None, limits),
    }


def write_configs(configs, out_dir):
    for name, config in configs.items():
        with open(os.path.join(out_dir, f"config-{name}.json"), "w") as target:
            json.dump(config, target, indent=2)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: container-configs.py BASE_CONFIG OUT_DIR [ROOTLESS_BASE_CONFIG]")
    out_dir = sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    write_configs(variants(base_config(sys.argv[1])), out_dir)
    if len(sys.argv) == 4:
        write_configs(rootless_variants(rootless_base_config(sys.argv[3])), out_dir)


if __name__ == "__main__":
    main()
