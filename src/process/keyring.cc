// The container's own session keyring (not inheriting the runtime caller's).
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/file.h"
#include "process/attributes.h"
#include "process/rootless.h"
#include "security/messages.h"

namespace ocirun::process {
namespace {

// Key permission bits of KEYCTL_SETPERM: "search" for the key's owner uid and for others.
constexpr uint32_t kUserSearch = 0x00080000;
constexpr uint32_t kOtherSearch = 0x00000008;

bool in_initial_user_namespace() {
    std::optional<std::string> uid_map = read_file("/proc/self/uid_map");
    return uid_map && !is_user_namespace_map(*uid_map);
}

// KEYCTL_DESCRIBE returns "type;uid;gid;perm;description" with perm in hex.
uint32_t read_key_permissions(long key, const std::string& name) {
    char buffer[512] = {};
    if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, buffer, sizeof(buffer) - 1) < 0) {
        throw_errno("describe session keyring " + quote(name));
    }
    std::string description = buffer;
    size_t field_start = 0;
    for (int field = 0; field < 3; ++field) {
        field_start = description.find(';', field_start);
        if (field_start == std::string::npos) {
            throw_error("describe session keyring " + quote(name) + ": malformed description " +
                        quote(description));
        }
        ++field_start;
    }
    return static_cast<uint32_t>(std::stoul(description.substr(field_start), nullptr, 16));
}

}  // namespace

void join_session_keyring(const std::string& name) {
    const long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str());
    if (key < 0) {
        // As runc 1.1.5 does, a kernel without keyrings (ENOSYS) leaves the inherited keyring in
        // place, because the separate keyring is a best-effort protection.
        if (errno == ENOSYS) {
            security::debug(
                "keyrings are not supported by this kernel; keeping the session keyring");
            return;
        }
        throw_errno("join session keyring " + quote(name));
    }
    // Processes of `exec` join this keyring by name, so it must be searchable. As runc 1.1.5
    // does, search is granted to the owner uid, or to everyone inside a user namespace.
    const uint32_t search = in_initial_user_namespace() ? kUserSearch : kOtherSearch;
    const uint32_t permissions = read_key_permissions(key, name) | search;
    if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, permissions) != 0) {
        throw_errno("set permissions of session keyring " + quote(name));
    }
}

}  // namespace ocirun::process
