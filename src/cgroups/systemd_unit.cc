// Names of the systemd driver's transient scope, derived from a "slice:prefix:name" cgroupsPath
// as runc 1.1.5 derives them.
#include "cgroups/systemd_unit.h"

#include <vector>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/systemd_bus.h"

namespace ocirun::cgroups {
namespace {

constexpr char kSliceSuffix[] = ".slice";
constexpr size_t kMaxUnitNameLength = 255;  // systemd's UNIT_NAME_MAX

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// systemd accepts ASCII letters, digits and ":-_.\" in unit names, and "@" for templates.
void check_unit_name(const std::string& name, const std::string& cgroups_path) {
    bool valid = !name.empty() && name.size() <= kMaxUnitNameLength;
    for (char c : name) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
        valid = valid && allowed;
    }
    if (!valid) {
        throw_error("cgroupsPath " + quote(cgroups_path) + ": " + quote(name) +
                        " is not a valid systemd unit name",
                    ErrorKind::invalid_spec);
    }
}

std::vector<std::string> split_fields(const std::string& text) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        size_t colon = text.find(':', start);
        fields.push_back(text.substr(start, colon - start));
        if (colon == std::string::npos) {
            return fields;
        }
        start = colon + 1;
    }
}

}  // namespace

std::string expand_slice(const std::string& slice) {
    auto invalid = [&slice]() {
        throw_error(quote(slice) + " is not a valid systemd slice name", ErrorKind::invalid_spec);
    };
    if (!ends_with(slice, kSliceSuffix) || slice.find('/') != std::string::npos) {
        invalid();
    }
    std::string stem = slice.substr(0, slice.size() - (sizeof kSliceSuffix - 1));
    if (stem == "-") {
        return "/";
    }
    // Each dash starts a nested slice, so "a-b.slice" is in "a.slice". Empty parts
    // ("a--b", "-a", "a-") are invalid.
    std::string path;
    std::string prefix;
    size_t start = 0;
    for (;;) {
        size_t dash = stem.find('-', start);
        std::string part = stem.substr(start, dash - start);
        if (part.empty()) {
            invalid();
        }
        prefix += part;
        path += "/" + prefix + kSliceSuffix;
        if (dash == std::string::npos) {
            return path;
        }
        prefix += "-";
        start = dash + 1;
    }
}

SystemdUnit systemd_unit(const CgroupRequest& request) {
    // As in runc, a user's manager puts units in its own user.slice by default.
    const std::string default_slice = uses_user_manager() ? "user.slice" : "system.slice";
    std::string cgroups_path = request.cgroups_path;
    if (cgroups_path.empty()) {
        cgroups_path = default_slice + ":ocirun:" + request.id;
    }
    std::vector<std::string> fields = split_fields(cgroups_path);
    if (fields.size() != 3) {
        throw_error("cgroupsPath " + quote(cgroups_path) +
                        " must have the form \"slice:prefix:name\" with --systemd-cgroup",
                    ErrorKind::invalid_spec);
    }
    SystemdUnit unit;
    unit.slice = fields[0].empty() ? default_slice : fields[0];
    if (ends_with(fields[2], kSliceSuffix)) {
        // TODO: runc creates a slice unit, not a scope, for a name ending in ".slice".
        throw_error("cgroupsPath " + quote(cgroups_path) +
                        ": a container name ending in \".slice\" is not supported",
                    ErrorKind::unsupported);
    }
    // runc 1.1.5 joins prefix and name with a dash even when the prefix is empty.
    unit.name = fields[1] + "-" + fields[2] + ".scope";
    check_unit_name(unit.name, cgroups_path);
    std::string parent = expand_slice(unit.slice);
    unit.cgroup = (parent == "/" ? "" : parent) + "/" + unit.name;
    return unit;
}

}  // namespace ocirun::cgroups
