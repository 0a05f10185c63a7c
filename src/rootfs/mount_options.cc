// The runtime-spec mount-option table and the parsing of a mount's `options` list.
#include "rootfs/mount_options.h"

#include <sys/mount.h>

#include <array>

#include "base/error.h"

namespace ocirun::rootfs {
namespace {

struct OptionEntry {
    std::string_view name;
    OptionInfo info;
};

constexpr OptionInfo set(uint64_t flag) {
    return {OptionKind::set_flag, flag};
}
constexpr OptionInfo clear(uint64_t flag) {
    return {OptionKind::clear_flag, flag};
}
constexpr OptionInfo propagate(uint64_t flag) {
    return {OptionKind::propagation, flag};
}
constexpr OptionInfo rset(uint64_t attr) {
    return {OptionKind::recursive_set, attr};
}
constexpr OptionInfo rclear(uint64_t attr) {
    return {OptionKind::recursive_clear, attr};
}
constexpr OptionInfo ratime(uint64_t atime) {
    return {OptionKind::recursive_atime, atime};
}

// The option names of runtime-spec config.md "Mounts" and of runc. "defaults" sets nothing.
constexpr std::array kOptionTable = {
    OptionEntry{"defaults", set(0)},
    OptionEntry{"ro", set(MS_RDONLY)},
    OptionEntry{"rw", clear(MS_RDONLY)},
    OptionEntry{"nosuid", set(MS_NOSUID)},
    OptionEntry{"suid", clear(MS_NOSUID)},
    OptionEntry{"nodev", set(MS_NODEV)},
    OptionEntry{"dev", clear(MS_NODEV)},
    OptionEntry{"noexec", set(MS_NOEXEC)},
    OptionEntry{"exec", clear(MS_NOEXEC)},
    OptionEntry{"sync", set(MS_SYNCHRONOUS)},
    OptionEntry{"async", clear(MS_SYNCHRONOUS)},
    OptionEntry{"dirsync", set(MS_DIRSYNC)},
    OptionEntry{"remount", set(MS_REMOUNT)},
    OptionEntry{"mand", set(MS_MANDLOCK)},
    OptionEntry{"nomand", clear(MS_MANDLOCK)},
    OptionEntry{"atime", clear(MS_NOATIME)},
    OptionEntry{"noatime", set(MS_NOATIME)},
    OptionEntry{"diratime", clear(MS_NODIRATIME)},
    OptionEntry{"nodiratime", set(MS_NODIRATIME)},
    OptionEntry{"relatime", set(MS_RELATIME)},
    OptionEntry{"norelatime", clear(MS_RELATIME)},
    OptionEntry{"strictatime", set(MS_STRICTATIME)},
    OptionEntry{"nostrictatime", clear(MS_STRICTATIME)},
    OptionEntry{"lazytime", set(MS_LAZYTIME)},
    OptionEntry{"nolazytime", clear(MS_LAZYTIME)},
    OptionEntry{"nosymfollow", set(MS_NOSYMFOLLOW)},
    OptionEntry{"symfollow", clear(MS_NOSYMFOLLOW)},
    OptionEntry{"silent", set(MS_SILENT)},
    OptionEntry{"loud", clear(MS_SILENT)},
    OptionEntry{"iversion", set(MS_I_VERSION)},
    OptionEntry{"noiversion", clear(MS_I_VERSION)},
    OptionEntry{"bind", set(MS_BIND)},
    OptionEntry{"rbind", set(MS_BIND | MS_REC)},
    OptionEntry{"private", propagate(MS_PRIVATE)},
    OptionEntry{"rprivate", propagate(MS_PRIVATE | MS_REC)},
    OptionEntry{"shared", propagate(MS_SHARED)},
    OptionEntry{"rshared", propagate(MS_SHARED | MS_REC)},
    OptionEntry{"slave", propagate(MS_SLAVE)},
    OptionEntry{"rslave", propagate(MS_SLAVE | MS_REC)},
    OptionEntry{"unbindable", propagate(MS_UNBINDABLE)},
    OptionEntry{"runbindable", propagate(MS_UNBINDABLE | MS_REC)},
    OptionEntry{"rro", rset(MOUNT_ATTR_RDONLY)},
    OptionEntry{"rrw", rclear(MOUNT_ATTR_RDONLY)},
    OptionEntry{"rnosuid", rset(MOUNT_ATTR_NOSUID)},
    OptionEntry{"rsuid", rclear(MOUNT_ATTR_NOSUID)},
    OptionEntry{"rnodev", rset(MOUNT_ATTR_NODEV)},
    OptionEntry{"rdev", rclear(MOUNT_ATTR_NODEV)},
    OptionEntry{"rnoexec", rset(MOUNT_ATTR_NOEXEC)},
    OptionEntry{"rexec", rclear(MOUNT_ATTR_NOEXEC)},
    OptionEntry{"rnodiratime", rset(MOUNT_ATTR_NODIRATIME)},
    OptionEntry{"rdiratime", rclear(MOUNT_ATTR_NODIRATIME)},
    OptionEntry{"rnosymfollow", rset(MOUNT_ATTR_NOSYMFOLLOW)},
    OptionEntry{"rsymfollow", rclear(MOUNT_ATTR_NOSYMFOLLOW)},
    // The kernel changes atime only as a whole field, so each of these picks one value.
    // Clearing noatime, relatime or strictatime falls back to the kernel default, relatime.
    OptionEntry{"rnoatime", ratime(MOUNT_ATTR_NOATIME)},
    OptionEntry{"ratime", ratime(MOUNT_ATTR_RELATIME)},
    OptionEntry{"rrelatime", ratime(MOUNT_ATTR_RELATIME)},
    OptionEntry{"rnorelatime", ratime(MOUNT_ATTR_RELATIME)},
    OptionEntry{"rstrictatime", ratime(MOUNT_ATTR_STRICTATIME)},
    OptionEntry{"rnostrictatime", ratime(MOUNT_ATTR_RELATIME)},
    OptionEntry{"idmap", {OptionKind::idmap, 0}},
    OptionEntry{"ridmap", {OptionKind::recursive_idmap, 0}},
    OptionEntry{"tmpcopyup", {OptionKind::tmpcopyup, 0}},
};

// The MS_* flags a bind mount can change and their MOUNT_ATTR_* equivalents.
struct AttributePair {
    unsigned long ms_flag;
    uint64_t attribute;
};

constexpr std::array kBindAttributes = {
    AttributePair{MS_RDONLY, MOUNT_ATTR_RDONLY},
    AttributePair{MS_NOSUID, MOUNT_ATTR_NOSUID},
    AttributePair{MS_NODEV, MOUNT_ATTR_NODEV},
    AttributePair{MS_NOEXEC, MOUNT_ATTR_NOEXEC},
    AttributePair{MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
    AttributePair{MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
};

void append_data(std::string& data, const std::string& option) {
    if (!data.empty()) {
        data += ',';
    }
    data += option;
}

void apply_option(MountOptions& parsed, const std::string& option) {
    OptionInfo info = lookup_option(option);
    switch (info.kind) {
        case OptionKind::set_flag:
            parsed.flags |= info.flag;
            parsed.clear_flags &= ~info.flag;
            break;
        case OptionKind::clear_flag:
            parsed.flags &= ~info.flag;
            parsed.clear_flags |= info.flag;
            break;
        case OptionKind::propagation:
            parsed.propagation.push_back(info.flag);
            break;
        case OptionKind::recursive_set:
            parsed.recursive_set |= info.flag;
            parsed.recursive_clear &= ~info.flag;
            break;
        case OptionKind::recursive_clear:
            parsed.recursive_clear |= info.flag;
            parsed.recursive_set &= ~info.flag;
            break;
        case OptionKind::recursive_atime:
            parsed.recursive_atime = info.flag;
            break;
        case OptionKind::idmap:
            parsed.idmap = true;
            break;
        case OptionKind::recursive_idmap:
            parsed.recursive_idmap = true;
            break;
        case OptionKind::tmpcopyup:
            parsed.tmpcopyup = true;
            break;
        case OptionKind::data:
            append_data(parsed.data, option);
            break;
    }
}

// Picks the atime mode that the options request for a bind mount. The kernel lets strictatime
// win over noatime, and relatime is its default.
std::optional<uint64_t> bind_atime(const MountOptions& options) {
    if ((options.flags & MS_STRICTATIME) != 0) {
        return MOUNT_ATTR_STRICTATIME;
    }
    if ((options.flags & MS_NOATIME) != 0) {
        return MOUNT_ATTR_NOATIME;
    }
    if ((options.flags & MS_RELATIME) != 0) {
        return MOUNT_ATTR_RELATIME;
    }
    if ((options.clear_flags & (MS_NOATIME | MS_STRICTATIME)) != 0) {
        return MOUNT_ATTR_RELATIME;
    }
    return std::nullopt;
}

}  // namespace

OptionInfo lookup_option(std::string_view name) {
    for (const OptionEntry& entry : kOptionTable) {
        if (entry.name == name) {
            return entry.info;
        }
    }
    return {};
}

std::vector<std::string_view> mount_option_names() {
    std::vector<std::string_view> names;
    for (const OptionEntry& entry : kOptionTable) {
        names.push_back(entry.name);
    }
    return names;
}

bool MountOptions::is_bind() const {
    return (flags & MS_BIND) != 0;
}

bool MountOptions::is_recursive_bind() const {
    return is_bind() && (flags & MS_REC) != 0;
}

bool MountOptions::has_recursive_attributes() const {
    return recursive_set != 0 || recursive_clear != 0 || recursive_atime.has_value();
}

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions parsed;
    for (const std::string& option : options) {
        apply_option(parsed, option);
    }
    return parsed;
}

MountAttributes bind_attributes(const MountOptions& options) {
    MountAttributes attributes;
    for (const AttributePair& pair : kBindAttributes) {
        if ((options.flags & pair.ms_flag) != 0) {
            attributes.set |= pair.attribute;
        } else if ((options.clear_flags & pair.ms_flag) != 0) {
            attributes.clear |= pair.attribute;
        }
    }
    if (std::optional<uint64_t> atime = bind_atime(options)) {
        attributes.clear |= MOUNT_ATTR__ATIME;
        attributes.set |= *atime;
    }
    return attributes;
}

unsigned long parse_propagation(const std::string& name) {
    if (name.empty()) {
        return 0;
    }
    OptionInfo info = lookup_option(name);
    if (info.kind != OptionKind::propagation) {
        throw_error("invalid linux.rootfsPropagation " + quote(name) +
                        ": expected shared, slave, private or unbindable, optionally with an "
                        "r prefix",
                    ErrorKind::invalid_spec);
    }
    return info.flag;
}

}  // namespace ocirun::rootfs
