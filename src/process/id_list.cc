// Parsing of cpu and memory node lists such as "0-3,7".
#include "process/id_list.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "base/error.h"

namespace ocirun::process {
namespace {

// An upper bound above the kernel limits on x86_64 (NR_CPUS at most 8192, MAX_NUMNODES at most
// 1024), so that a typo such as "0-4000000000" cannot build a huge mask.
constexpr unsigned kMaxId = 1u << 16;

bool parse_id(std::string_view text, unsigned& id) {
    if (text.empty()) {
        return false;
    }
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    return error == std::errc() && end == text.data() + text.size() && id < kMaxId;
}

}  // namespace

std::vector<unsigned> parse_id_list(const std::string& list, const std::string& what) {
    std::vector<unsigned> ids;
    if (list.empty()) {
        return ids;
    }
    const std::string_view text = list;
    size_t start = 0;
    while (true) {
        size_t comma = text.find(',', start);
        std::string_view entry = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t dash = entry.find('-');
        unsigned first = 0;
        unsigned last = 0;
        bool valid = dash == std::string_view::npos
                         ? parse_id(entry, first) && parse_id(entry, last)
                         : parse_id(entry.substr(0, dash), first) &&
                               parse_id(entry.substr(dash + 1), last) && first <= last;
        if (!valid) {
            throw_error("invalid " + what + " " + quote(list) + ": bad entry " + quote(entry),
                        ErrorKind::invalid_spec);
        }
        for (unsigned id = first; id <= last; ++id) {
            ids.push_back(id);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace ocirun::process
