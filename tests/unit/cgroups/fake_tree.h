// A temporary directory tree used in place of real cgroup hierarchies in tests.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace ocirun::cgroups::testing {

class FakeTree {
  public:
    FakeTree();
    ~FakeTree();
    FakeTree(const FakeTree&) = delete;
    FakeTree& operator=(const FakeTree&) = delete;

    // Makes directory `name` (below the root) holding `files` with their initial contents, and
    // returns its path.
    std::string add(const std::string& name,
                    std::initializer_list<std::pair<std::string, std::string>> files);

    // Makes a cgroup v2 directory `name` whose cgroup.controllers lists `controllers`, as add
    // does, and returns its path.
    std::string add_unified(const std::string& name, const std::string& controllers,
                            std::initializer_list<std::pair<std::string, std::string>> files);

    const std::string& root() const { return root_; }

  private:
    std::string root_;
};

}  // namespace ocirun::cgroups::testing
