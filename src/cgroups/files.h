// Reading and writing the control files of one cgroup directory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocirun::cgroups {

// Returns the path `dir/name`.
std::string join_path(std::string_view dir, std::string_view name);

// Returns the contents of `dir/name` without its trailing newline; throws Error when unreadable.
std::string read_control(const std::string& dir, const std::string& name);

// Writes `value` to the existing file `dir/name` with one write(2), as cgroupfs needs; throws
// Error naming the value and the file.
void write_control(const std::string& dir, const std::string& name, const std::string& value);

// Writes each of `values` to `dir/name` with its own write(2) on one open file, for files that
// take one entry per write, such as devices.allow.
void write_control_entries(const std::string& dir, const std::string& name,
                           const std::vector<std::string>& values);

// Returns the contents of `dir/name` as a decimal integer; throws Error when it is not one.
int64_t read_control_integer(const std::string& dir, const std::string& name);

bool path_exists(const std::string& path);

}  // namespace ocirun::cgroups
