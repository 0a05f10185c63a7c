// Splitting and decoding the text of /proc files, cgroup files and mountinfo.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocirun {

// Returns the parts of `text` between separators, as repeated std::getline calls read them: an
// empty text gives no part, and a separator at the end adds no empty part.
std::vector<std::string> split(std::string_view text, char separator);

// Returns the words of `text`, separated by runs of spaces, tabs and newlines.
std::vector<std::string> split_words(std::string_view text);

// Decodes the \ooo octal escapes that mountinfo writes for a space, tab, newline or backslash
// in a path.
std::string unescape_octal(std::string_view text);

// Returns true when `uid_map` (the text of /proc/self/uid_map) is not the identity map of the
// whole 32-bit range, that is, when the process runs in a user namespace other than the initial
// one. An empty map, not written yet, counts as a user namespace.
bool is_user_namespace_map(std::string_view uid_map);

}  // namespace ocirun
