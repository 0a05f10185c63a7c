// AppArmor and SELinux through the kernel's /proc/self/attr interface.
#include "security/lsm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

#include "base/error.h"
#include "security/procfs.h"

namespace ocirun::security {
namespace {

std::string read_first_line(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

bool lsm_listed(const LsmSources& sources, const std::string& name) {
    std::stringstream list(read_first_line(sources.lsm_list));
    std::string entry;
    while (std::getline(list, entry, ',')) {
        if (entry == name) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool apparmor_enabled(const LsmSources& sources) {
    std::string enabled = read_first_line(sources.apparmor_enabled);
    if (!enabled.empty()) {
        return enabled == "Y";
    }
    return lsm_listed(sources, "apparmor");
}

bool selinux_enabled(const LsmSources& sources) {
    struct stat status {};
    return lsm_listed(sources, "selinux") || stat(sources.selinux_mount.c_str(), &status) == 0;
}

void check_lsm_support(const spec::Spec& spec, const LsmSources& sources) {
    if (spec.process && !spec.process->apparmor_profile.empty() && !apparmor_enabled(sources)) {
        throw_error("process.apparmorProfile " + quote(spec.process->apparmor_profile) +
                        " is set but AppArmor is not enabled on this host; remove the profile "
                        "or enable AppArmor",
                    ErrorKind::unsupported);
    }
    if (spec.process && !spec.process->selinux_label.empty() && !selinux_enabled(sources)) {
        throw_error("process.selinuxLabel " + quote(spec.process->selinux_label) +
                        " is set but SELinux is not enabled on this host; remove the label or "
                        "enable SELinux",
                    ErrorKind::unsupported);
    }
    if (spec.linux_config && !spec.linux_config->mount_label.empty() && !selinux_enabled(sources)) {
        throw_error("linux.mountLabel " + quote(spec.linux_config->mount_label) +
                        " is set but SELinux is not enabled on this host; remove the label or "
                        "enable SELinux",
                    ErrorKind::unsupported);
    }
}

void apply_apparmor_profile(const std::string& profile) {
    if (profile.empty()) {
        return;
    }
    std::string what = "apply AppArmor profile " + quote(profile);
    std::string value = "exec " + profile;
    try {
        write_procfs_file("/proc/self/attr/apparmor/exec", value);
        return;
    } catch (const Error& error) {
        if (error.error_number() != ENOENT) {
            throw error.with_context(what);
        }
    }
    try {
        write_procfs_file("/proc/self/attr/exec", value);
    } catch (const Error& error) {
        throw error.with_context(what);
    }
}

void apply_selinux_label(const std::string& label) {
    if (label.empty()) {
        return;
    }
    std::string what = "apply SELinux label " + quote(label);
    try {
        write_procfs_file("/proc/self/attr/exec", label);
    } catch (const Error& error) {
        throw error.with_context(what);
    }
}

std::string add_mount_label(const std::string& options, const std::string& mount_label) {
    if (mount_label.empty()) {
        return options;
    }
    std::string context = "context=\"" + mount_label + "\"";
    return options.empty() ? context : options + "," + context;
}

bool mount_takes_label(const spec::Mount& mount) {
    static const std::set<std::string> kUnlabelledTypes = {"bind", "proc", "sysfs", "cgroup",
                                                           "cgroup2"};
    if (kUnlabelledTypes.contains(mount.type)) {
        return false;
    }
    // A bind mount shares the labels of its source, and the kernel ignores its data string.
    for (const std::string& option : mount.options) {
        if (option == "bind" || option == "rbind") {
            return false;
        }
    }
    return true;
}

std::vector<spec::Mount> label_mounts(const std::vector<spec::Mount>& mounts,
                                      const std::string& mount_label, bool selinux_enabled) {
    std::vector<spec::Mount> labelled = mounts;
    if (mount_label.empty() || !selinux_enabled) {
        return labelled;
    }
    for (spec::Mount& mount : labelled) {
        if (mount_takes_label(mount)) {
            mount.options.push_back(add_mount_label("", mount_label));
        }
    }
    return labelled;
}

}  // namespace ocirun::security
