// The state root: container directories, their locks, and loading and saving state.json.
#include "state/state_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/error.h"
#include "base/file.h"
#include "state/atomic_file.h"

namespace ocirun::state {

namespace {

constexpr size_t kMaxIdLength = 1024;
constexpr const char* kStateFile = "state.json";

bool is_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '.';
}

[[noreturn]] void throw_not_found(std::string_view id) {
    throw_error("container \"" + std::string(id) + "\" does not exist", ErrorKind::not_found);
}

int open_directory(const std::string& path) {
    return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void lock_exclusive(int fd, const std::string& path) {
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            throw_errno("lock " + quote(path));
        }
    }
}

// True when `path` still names the directory open at `fd`; false once delete removed it.
bool same_directory(int fd, const std::string& path) {
    struct stat opened {};
    struct stat current {};
    if (::fstat(fd, &opened) != 0 || ::stat(path.c_str(), &current) != 0) {
        return false;
    }
    return opened.st_nlink > 0 && opened.st_dev == current.st_dev &&
           opened.st_ino == current.st_ino;
}

// Some filesystems leave d_type unknown, so those entries are checked with fstatat.
bool is_directory_entry(int dir_fd, const dirent& entry) {
    if (entry.d_type != DT_UNKNOWN) {
        return entry.d_type == DT_DIR;
    }
    struct stat info {};
    return ::fstatat(dir_fd, entry.d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISDIR(info.st_mode);
}

// Creates `path` and any missing parent with mode 0700, as runc creates its root.
void make_directories(const std::string& path) {
    // The root exists on every call but the first, so one mkdir usually settles it.
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
        return;
    }
    for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        std::string prefix = path.substr(0, slash);
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
            throw_errno("create the state root " + quote(prefix));
        }
        if (slash == std::string::npos) {
            return;
        }
    }
}

}  // namespace

void validate_container_id(std::string_view id) {
    std::string quoted_id =
        "\"" + std::string(id.substr(0, 64)) + (id.size() > 64 ? "...\"" : "\"");
    if (id.empty()) {
        throw_error("invalid container id: the id is empty");
    }
    if (id == "." || id == "..") {
        throw_error("invalid container id " + quoted_id + ": `.` and `..` are not allowed");
    }
    if (id.size() > kMaxIdLength) {
        throw_error("invalid container id " + quoted_id + ": longer than " +
                    std::to_string(kMaxIdLength) + " characters");
    }
    if (!std::all_of(id.begin(), id.end(), is_id_char)) {
        throw_error("invalid container id " + quoted_id +
                    ": use only letters, digits, `_`, `+`, `-` and `.`");
    }
}

ContainerLock::ContainerLock(ContainerLock&& other) noexcept : dir_fd_(other.dir_fd_) {
    other.dir_fd_ = -1;
}

ContainerLock& ContainerLock::operator=(ContainerLock&& other) noexcept {
    if (this != &other) {
        if (dir_fd_ >= 0) {
            ::close(dir_fd_);
        }
        dir_fd_ = other.dir_fd_;
        other.dir_fd_ = -1;
    }
    return *this;
}

// Closing the last fd of the open file description releases the flock.
ContainerLock::~ContainerLock() {
    if (dir_fd_ >= 0) {
        ::close(dir_fd_);
    }
}

StateStore::StateStore(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') {
        root_.pop_back();
    }
    make_directories(root_);
}

std::string StateStore::container_dir(std::string_view id) const {
    return root_ + "/" + std::string(id);
}

ContainerLock StateStore::create_container(std::string_view id) {
    validate_container_id(id);
    std::string dir = container_dir(id);
    // 0711 as runc makes it, so that an unprivileged process can reach exec.fifo by its path.
    if (::mkdir(dir.c_str(), 0711) != 0) {
        if (errno == EEXIST) {
            throw_error("container with id exists: " + std::string(id), ErrorKind::already_exists);
        }
        throw_errno("create the container directory " + quote(dir));
    }
    int fd = open_directory(dir);
    if (fd < 0) {
        throw_errno("open " + quote(dir));
    }
    ContainerLock lock(fd);
    lock_exclusive(fd, dir);
    return lock;
}

ContainerLock StateStore::lock(std::string_view id) const {
    validate_container_id(id);
    std::string dir = container_dir(id);
    int fd = open_directory(dir);
    if (fd < 0) {
        if (errno == ENOENT) {
            throw_not_found(id);
        }
        throw_errno("open " + quote(dir));
    }
    ContainerLock lock(fd);
    lock_exclusive(fd, dir);
    if (!same_directory(fd, dir)) {
        throw_not_found(id);
    }
    return lock;
}

ContainerState StateStore::load(std::string_view id) const {
    validate_container_id(id);
    std::string path = container_dir(id) + "/" + kStateFile;
    std::optional<std::string> text = read_file(path);
    if (!text) {
        if (errno == ENOENT || errno == ENOTDIR) {
            throw_not_found(id);
        }
        throw_errno("read " + quote(path));
    }
    nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded()) {
        throw_error("invalid JSON in " + quote(path));
    }
    try {
        return from_json(json);
    } catch (const Error& e) {
        throw e.with_context(path);
    }
}

bool StateStore::exists(std::string_view id) const {
    validate_container_id(id);
    struct stat info {};
    return ::stat((container_dir(id) + "/" + kStateFile).c_str(), &info) == 0;
}

void StateStore::save(const ContainerState& state) const {
    validate_container_id(state.id);
    write_file_atomically(container_dir(state.id), kStateFile, to_json(state).dump());
}

void StateStore::remove(std::string_view id) const {
    validate_container_id(id);
    std::string dir = container_dir(id);
    // A stopped container's directory usually contains only state.json, so two calls remove it
    // and the directory is listed only when more is left. remove_all also retries what the
    // unlink failed to remove.
    std::string state_file = dir + "/" + kStateFile;
    (void)::unlink(state_file.c_str());
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
        return;
    }
    std::error_code error;
    std::filesystem::remove_all(dir, error);
    if (error) {
        throw_errno("remove " + quote(dir), error.value());
    }
}

std::vector<std::string> StateStore::list_ids() const {
    std::vector<std::string> ids;
    DIR* dir = ::opendir(root_.c_str());
    if (dir == nullptr) {
        if (errno == ENOENT) {
            return ids;
        }
        throw_errno("open the state root " + quote(root_));
    }
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == ".." || !is_directory_entry(::dirfd(dir), *entry)) {
            continue;
        }
        ids.push_back(name);
    }
    ::closedir(dir);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace ocirun::state
