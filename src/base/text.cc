// Splitting and decoding the text of /proc files, cgroup files and mountinfo.
#include "base/text.h"

namespace ocirun {

namespace {

bool is_octal_digit(char c) {
    return c >= '0' && c <= '7';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n';
}

}  // namespace

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        parts.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    size_t start = 0;
    while (start < text.size()) {
        if (is_space(text[start])) {
            ++start;
            continue;
        }
        size_t end = start;
        while (end < text.size() && !is_space(text[end])) {
            ++end;
        }
        words.emplace_back(text.substr(start, end - start));
        start = end;
    }
    return words;
}

std::string unescape_octal(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        bool escape = text[i] == '\\' && i + 3 < text.size() && is_octal_digit(text[i + 1]) &&
                      is_octal_digit(text[i + 2]) && is_octal_digit(text[i + 3]);
        if (escape) {
            decoded += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                         (text[i + 3] - '0'));
            i += 3;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

bool is_user_namespace_map(std::string_view uid_map) {
    std::vector<std::string> fields = split_words(uid_map);
    if (fields.size() < 3) {
        return true;
    }
    return fields.size() > 3 || fields[0] != "0" || fields[1] != "0" || fields[2] != "4294967295";
}

}  // namespace ocirun
