// Moving the image's content at each volume path into the bundle's volume directories.
#include "image/volumes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "rootfs/fd.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

rootfs::Fd make_volumes_dir(int bundle_fd) {
    if (mkdirat(bundle_fd, kVolumesDir, 0755) != 0 && errno != EEXIST) {
        throw_errno("create the bundle's " + quote(kVolumesDir) + " directory");
    }
    int fd = openat(bundle_fd, kVolumesDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open the bundle's " + quote(kVolumesDir) + " directory");
    }
    return rootfs::Fd(fd);
}

// Creates the empty directory `dir_fd`/`name` with mode 0755 whatever the umask.
void make_directory(int dir_fd, const std::string& name, const std::string& path) {
    if (mkdirat(dir_fd, name.c_str(), 0755) != 0 || fchmodat(dir_fd, name.c_str(), 0755, 0) != 0) {
        throw_errno("create a directory for volume " + quote(path));
    }
}

// Leaves an empty directory like `status` at `parent_fd`/`name`, where the content was.
void make_mount_point(int parent_fd, const std::string& name, const struct stat& status,
                      const std::string& path) {
    if (mkdirat(parent_fd, name.c_str(), 0700) != 0) {
        throw_errno("create the mount point of volume " + quote(path));
    }
    if (fchownat(parent_fd, name.c_str(), status.st_uid, status.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        fchmodat(parent_fd, name.c_str(), status.st_mode & 07777, 0) != 0) {
        throw_errno("set the owner and mode of volume " + quote(path));
    }
}

// Moves the image's content at `path` into `volumes_fd`/`volume`. When the image has nothing at
// `path`, makes `volume` and the mount point empty directories.
void fill_volume(int root_fd, int volumes_fd, const std::string& path, const std::string& volume) {
    std::string resolved = rootfs::resolve_in_root(root_fd, path);
    std::string name;
    rootfs::Fd parent = rootfs::make_parent_in_root(root_fd, resolved, name);
    struct stat status {};
    if (fstatat(parent.get(), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) {
            throw_errno("stat volume " + quote(path) + " in the image");
        }
        make_directory(volumes_fd, volume, path);
        make_directory(parent.get(), name, path);
        return;
    }
    if (!S_ISDIR(status.st_mode)) {
        throw_error(
            "image config: Config.Volumes: " + quote(path) + " is not a directory in the image",
            ErrorKind::invalid_spec);
    }
    if (renameat(parent.get(), name.c_str(), volumes_fd, volume.c_str()) != 0) {
        throw_errno("move the content of volume " + quote(path) + " into the bundle");
    }
    make_mount_point(parent.get(), name, status, path);
}

}  // namespace

nlohmann::ordered_json make_volumes(int bundle_fd, int root_fd,
                                    const std::vector<std::string>& paths) {
    nlohmann::ordered_json mounts = nlohmann::ordered_json::array();
    if (paths.empty()) {
        return mounts;
    }
    rootfs::Fd volumes = make_volumes_dir(bundle_fd);
    // The deepest paths go first: a volume below another one must leave its content before the
    // outer volume's content moves with everything below it.
    for (std::size_t i = paths.size(); i-- > 0;) {
        fill_volume(root_fd, volumes.get(), paths[i], std::to_string(i));
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
        mounts.push_back({{"destination", paths[i]},
                          {"type", "bind"},
                          {"source", std::string(kVolumesDir) + "/" + std::to_string(i)},
                          {"options", {"rbind"}}});
    }
    return mounts;
}

}  // namespace ocirun::image
