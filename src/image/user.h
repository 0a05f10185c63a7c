// Resolving an image's Config.User ("user[:group]", names or numbers) through the rootfs's own
// /etc/passwd and /etc/group, as the image spec's conversion rules describe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ocirun::image {

struct ResolvedUser {
    uid_t uid = 0;
    gid_t gid = 0;
    // The user's supplementary groups from /etc/group; set only when the user is a name and no
    // group is given, as the conversion rules ask.
    std::optional<std::vector<gid_t>> additional_gids;
};

// Resolves `user` against the passwd and group files of the rootfs `root_fd`. An empty user is
// root (uid 0, gid 0). A numeric uid without a passwd entry gets gid 0. Throws Error naming
// the user or group when a name is not found, as the conversion rules require.
ResolvedUser resolve_user(int root_fd, const std::string& user);

// The same rules on the files' contents; exposed for tests.
ResolvedUser resolve_user_from(const std::string& user, const std::string& passwd,
                               const std::string& group);

}  // namespace ocirun::image
