// Replacing a file atomically, so that a reader sees either the old or the new contents.
#pragma once

#include <string>
#include <string_view>

namespace ocirun::state {

// Writes `contents` to a temporary file in `dir` and renames it over `dir/name`. The temporary
// file is removed when any step fails. Nothing is synced, because the state root is a tmpfs.
void write_file_atomically(const std::string& dir, const std::string& name,
                           std::string_view contents);

}  // namespace ocirun::state
