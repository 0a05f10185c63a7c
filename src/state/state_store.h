// The state root (`--root`, default /run/ocirun): one directory per container, a state file
// written atomically, and a per-container lock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/container_state.h"

namespace ocirun::state {

// Throws Error(invalid) unless `id` is non-empty, made of letters, digits, `_`, `+`, `-` and
// `.`, and not `.` or `..` (runc's rule).
void validate_container_id(std::string_view id);

// An exclusive flock on a container's directory, held until destroyed. Two commands on the
// same id are serialised by it; the directory itself is the lock, so nothing is left behind.
class ContainerLock {
  public:
    ContainerLock() = default;
    explicit ContainerLock(int dir_fd) : dir_fd_(dir_fd) {}
    ContainerLock(ContainerLock&& other) noexcept;
    ContainerLock& operator=(ContainerLock&& other) noexcept;
    ContainerLock(const ContainerLock&) = delete;
    ContainerLock& operator=(const ContainerLock&) = delete;
    ~ContainerLock();

    int dir_fd() const { return dir_fd_; }

  private:
    int dir_fd_ = -1;
};

class StateStore {
  public:
    // Creates `root` and its missing parents (mode 0700).
    explicit StateStore(std::string root);

    const std::string& root() const { return root_; }
    std::string container_dir(std::string_view id) const;

    // Makes the container's directory and returns it locked. Throws Error(already_exists)
    // `container with id exists: ID` when it exists.
    ContainerLock create_container(std::string_view id);

    // Locks an existing container. Throws Error(not_found) `container "ID" does not exist`.
    ContainerLock lock(std::string_view id) const;

    // Reads state.json. Throws Error(not_found) `container "ID" does not exist`.
    ContainerState load(std::string_view id) const;
    bool exists(std::string_view id) const;

    // Writes state.json through a temporary file renamed over it.
    void save(const ContainerState& state) const;

    // Removes the container's directory and everything in it; a missing one is not an error.
    void remove(std::string_view id) const;

    // Returns the ids of all containers under the root, sorted.
    std::vector<std::string> list_ids() const;

  private:
    std::string root_;
};

}  // namespace ocirun::state
