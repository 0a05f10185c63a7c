// Column alignment as Go's text/tabwriter does it for runc's tables.
#pragma once

#include <string>
#include <vector>

namespace ocirun::cli {

// Formats rows as tabwriter.NewWriter(out, 12, 1, 3, ' ', 0) does in runc's `list`: every
// column but the last is padded to the widest cell plus 3 spaces, and to at least 12
// characters. Widths count UTF-8 characters. Each row ends with a newline.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace ocirun::cli
