// A temporary directory for state tests, removed with everything in it at the end of a test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ocirun::state::testing {

class TempDir {
  public:
    TempDir() {
        std::string pattern = "/tmp/ocirun-state-test.XXXXXX";
        path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
    }
    ~TempDir() {
        if (!path_.empty()) {
            std::filesystem::remove_all(path_);
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace ocirun::state::testing
