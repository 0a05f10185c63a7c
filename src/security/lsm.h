// AppArmor profiles and SELinux labels of the container process and its mounts.
#pragma once

#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::security {

// Host files that list the active LSMs; tests replace them with fake files.
struct LsmSources {
    std::string lsm_list = "/sys/kernel/security/lsm";
    std::string apparmor_enabled = "/sys/module/apparmor/parameters/enabled";
    std::string selinux_mount = "/sys/fs/selinux";
};

bool apparmor_enabled(const LsmSources& sources = {});
bool selinux_enabled(const LsmSources& sources = {});

// Throws an unsupported Error naming the LSM when the spec requests an AppArmor profile,
// SELinux process label or SELinux mount label that this host cannot apply. Call in the
// runtime before clone, because /sys of the host is not visible from the container's rootfs.
void check_lsm_support(const spec::Spec& spec, const LsmSources& sources = {});

// Makes the next execve enter `profile` by writing "exec PROFILE" to
// /proc/self/attr/apparmor/exec, or to /proc/self/attr/exec on kernels before 5.8, through
// open_procfs_file. Does nothing for an empty profile. Call just before execve.
void apply_apparmor_profile(const std::string& profile);

// Makes the next execve run with SELinux `label` by writing it to /proc/self/attr/exec through
// open_procfs_file. Does nothing for an empty label. Call just before execve.
void apply_selinux_label(const std::string& label);

// Returns mount `options` (comma-separated data, possibly empty) with the SELinux context
// option for `mount_label` appended, as context="LABEL" because MCS labels contain commas.
// Returns `options` unchanged for an empty label.
std::string add_mount_label(const std::string& options, const std::string& mount_label);

// Returns true when `mount` makes a filesystem that takes linux.mountLabel as its context=
// option. Bind mounts, proc, sysfs, cgroup and cgroup2 do not. runc 1.1 also mounts proc and
// sysfs without the label.
bool mount_takes_label(const spec::Mount& mount);

// Returns `mounts` with the option context="LABEL" added to each one that mount_takes_label
// accepts, when `mount_label` is set and `selinux_enabled` is true. Returns `mounts` unchanged
// otherwise, because only SELinux accepts the option. check_lsm_support has already rejected a
// label on a host without SELinux.
std::vector<spec::Mount> label_mounts(const std::vector<spec::Mount>& mounts,
                                      const std::string& mount_label, bool selinux_enabled);

}  // namespace ocirun::security
