// The container process's groups, gid, uid and umask (process.user).
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

// In a user namespace whose /proc/self/setgroups is "deny" (an unprivileged mapping), the kernel
// rejects every setgroups call.
bool setgroups_denied() {
    std::ifstream file("/proc/self/setgroups");
    std::string value;
    return file >> value && value == "deny";
}

std::string join_ids(const std::vector<uint32_t>& ids) {
    std::string text;
    for (uint32_t id : ids) {
        text += (text.empty() ? "" : ",") + std::to_string(id);
    }
    return text;
}

void set_groups(const std::vector<uint32_t>& gids) {
    if (setgroups_denied()) {
        if (!gids.empty()) {
            throw_error("setgroups [" + join_ids(gids) +
                            "]: cannot set additional groups because /proc/self/setgroups is "
                            "`deny` in this user namespace",
                        ErrorKind::invalid_spec);
        }
        return;
    }
    std::vector<gid_t> groups(gids.begin(), gids.end());
    if (setgroups(groups.size(), groups.data()) != 0) {
        throw_errno("setgroups [" + join_ids(gids) + "]");
    }
}

}  // namespace

void apply_user(const spec::User& user) {
    set_groups(user.additional_gids);
    if (setresgid(user.gid, user.gid, user.gid) != 0) {
        throw_errno("setresgid " + std::to_string(user.gid));
    }
    if (setresuid(user.uid, user.uid, user.uid) != 0) {
        throw_errno("setresuid " + std::to_string(user.uid));
    }
    if (user.umask) {
        umask(static_cast<mode_t>(*user.umask & 0777));
    }
}

}  // namespace ocirun::process
