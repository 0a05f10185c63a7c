// The runtime-spec mount-option table: turns a mount's `options` into mount(2) flags,
// propagation changes, recursive mount_setattr attributes and the filesystem data string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocirun::rootfs {

// The effect of one option. Options missing from the table are filesystem data (`kind == data`).
enum class OptionKind {
    set_flag,         // ORs `flag` into the MS_* flags, e.g. "ro", "nosuid"
    clear_flag,       // removes `flag` from the MS_* flags, e.g. "rw", "suid"
    propagation,      // MS_PRIVATE, MS_SHARED, ... with MS_REC for the r* names
    recursive_set,    // MOUNT_ATTR_* set with AT_RECURSIVE, e.g. "rro", "rnosuid"
    recursive_clear,  // MOUNT_ATTR_* cleared with AT_RECURSIVE, e.g. "rrw", "rsuid"
    recursive_atime,  // one of the MOUNT_ATTR__ATIME values with AT_RECURSIVE
    idmap,            // "idmap": idmapped mount of the top mount only
    recursive_idmap,  // "ridmap": idmapped mount of every mount in the tree
    tmpcopyup,        // copy the destination's files into a new tmpfs
    data,             // passed to the filesystem in the data string
};

struct OptionInfo {
    OptionKind kind = OptionKind::data;
    uint64_t flag = 0;  // MS_* bits, MOUNT_ATTR_* bits or a propagation value, by kind
};

// Looks up one option; unknown names return kind `data`.
OptionInfo lookup_option(std::string_view name);

// Returns the name of every option in the table, in table order; filesystem data options such
// as "mode=755" are not among them.
std::vector<std::string_view> mount_option_names();

// A parsed `options` list. Later options override earlier ones, as in runc.
struct MountOptions {
    unsigned long flags = 0;        // MS_* flags to set
    unsigned long clear_flags = 0;  // MS_* flags explicitly cleared ("rw", "suid", ...)
    // Propagation changes in the order written, e.g. MS_PRIVATE | MS_REC for "rprivate".
    std::vector<unsigned long> propagation;
    uint64_t recursive_set = 0;               // MOUNT_ATTR_* applied with AT_RECURSIVE
    uint64_t recursive_clear = 0;             // MOUNT_ATTR_* cleared with AT_RECURSIVE
    std::optional<uint64_t> recursive_atime;  // MOUNT_ATTR_RELATIME, _NOATIME or _STRICTATIME
    bool idmap = false;
    bool recursive_idmap = false;
    bool tmpcopyup = false;
    std::string data;  // comma-separated options the table does not know, e.g. "mode=755"

    bool is_bind() const;
    bool is_recursive_bind() const;
    bool has_recursive_attributes() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// Converts the MS_* flags that a bind mount can change into MOUNT_ATTR_* bits for
// mount_setattr: read-only, nosuid, nodev, noexec, atime, nodiratime, nosymfollow.
struct MountAttributes {
    uint64_t set = 0;
    uint64_t clear = 0;
};
MountAttributes bind_attributes(const MountOptions& options);

// Maps linux.rootfsPropagation ("shared", "rslave", ...) to mount(2) flags; "" is 0.
// Throws Error (invalid_spec) for an unknown name.
unsigned long parse_propagation(const std::string& name);

}  // namespace ocirun::rootfs
