// Column alignment as Go's text/tabwriter does it for runc's tables.
#include "cli/table.h"

#include <algorithm>

namespace ocirun::cli {

namespace {

constexpr size_t kMinWidth = 12;
constexpr size_t kPadding = 3;

size_t display_width(const std::string& text) {
    // Counts every byte that does not continue a UTF-8 sequence.
    return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

}  // namespace

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        for (size_t column = 0; column + 1 < row.size(); ++column) {
            if (widths.size() <= column) {
                widths.push_back(kMinWidth);
            }
            widths[column] = std::max(widths[column], display_width(row[column]) + kPadding);
        }
    }
    std::string out;
    for (const auto& row : rows) {
        for (size_t column = 0; column < row.size(); ++column) {
            out += row[column];
            if (column + 1 < row.size()) {
                out.append(widths[column] - display_width(row[column]), ' ');
            }
        }
        out += '\n';
    }
    return out;
}

}  // namespace ocirun::cli
