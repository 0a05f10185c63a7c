// Test helpers that build a directory tree with every file type and metadata kind, and
// compare two trees entry by entry.
#pragma once

#include <string>
#include <vector>

namespace ocirun::image::testing {

// Creates `dir` with files (setuid, sparse, empty), directories, symlinks, a hard link pair,
// a fifo, user xattrs where the filesystem has them, and fixed mtimes; as root also other
// owners and device nodes.
void make_sample_tree(const std::string& dir);

// Returns one line per difference between the trees: a missing or extra path, or a
// different type, mode, owner, size, mtime, content, symlink target, device number, xattr
// set or hard-link grouping. The roots themselves are not compared.
std::vector<std::string> compare_trees(const std::string& expected, const std::string& actual);

std::string join_lines(const std::vector<std::string>& lines);

}  // namespace ocirun::image::testing
