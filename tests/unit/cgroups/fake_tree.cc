// A temporary directory tree used in place of real cgroup hierarchies in tests.
#include "fake_tree.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace ocirun::cgroups::testing {

FakeTree::FakeTree() {
    std::string pattern = std::filesystem::temp_directory_path() / "ocirun-cgroups-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        throw_errno("mkdtemp " + quote(pattern));
    }
    root_ = pattern;
}

FakeTree::~FakeTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

std::string FakeTree::add(const std::string& name,
                          std::initializer_list<std::pair<std::string, std::string>> files) {
    std::filesystem::path directory = std::filesystem::path(root_) / name;
    std::filesystem::create_directories(directory);
    for (const auto& [file, contents] : files) {
        std::ofstream(directory / file) << contents;
    }
    return directory;
}

std::string FakeTree::add_unified(
    const std::string& name, const std::string& controllers,
    std::initializer_list<std::pair<std::string, std::string>> files) {
    std::string directory = add(name, files);
    std::ofstream(std::filesystem::path(directory) / "cgroup.controllers") << controllers;
    return directory;
}

}  // namespace ocirun::cgroups::testing
