// The parts of exec's process that come from command-line flags: --user and --env.
#include <charconv>
#include <string>
#include <string_view>

#include "base/error.h"
#include "process/exec_process.h"

namespace ocirun::process {

namespace {

uint32_t parse_id(std::string_view text, const std::string& value) {
    uint32_t id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        throw_error("invalid user " + quote(value) + ": expected UID[:GID] as numbers",
                    ErrorKind::invalid_spec);
    }
    return id;
}

std::string_view env_key(std::string_view entry) {
    return entry.substr(0, entry.find('='));
}

}  // namespace

void parse_exec_user(const std::string& value, spec::User& user) {
    std::string_view text = value;
    size_t colon = text.find(':');
    user.uid = parse_id(text.substr(0, colon), value);
    if (colon != std::string_view::npos) {
        user.gid = parse_id(text.substr(colon + 1), value);
    }
}

void merge_env(std::vector<std::string>& env, const std::vector<std::string>& overrides) {
    for (const std::string& entry : overrides) {
        bool replaced = false;
        for (std::string& existing : env) {
            if (env_key(existing) == env_key(entry)) {
                existing = entry;
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            env.push_back(entry);
        }
    }
}

}  // namespace ocirun::process
