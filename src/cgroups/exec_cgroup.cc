// The sub-cgroups an exec'd process joins with `exec --cgroup [controller:]path`.
#include <sstream>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/paths.h"

namespace ocirun::cgroups {

CgroupPaths exec_cgroup_paths(const CgroupPaths& paths, const std::vector<std::string>& values) {
    CgroupPaths result = paths;
    for (const std::string& value : values) {
        size_t colon = value.find(':');
        // Rooted before cleaning, so that ".." cannot climb out of the container's cgroup.
        std::string sub =
            clean_path("/" + (colon == std::string::npos ? value : value.substr(colon + 1)));
        if (sub == "/") {
            throw_error("--cgroup " + quote(value) + " names no sub-cgroup",
                        ErrorKind::invalid_spec);
        }
        if (colon == std::string::npos) {
            for (auto& [key, directory] : result) {
                directory = paths.at(key) + sub;
            }
            continue;
        }
        std::istringstream controllers(value.substr(0, colon));
        for (std::string controller; std::getline(controllers, controller, ',');) {
            // On cgroup v2 every controller shares the one hierarchy, keyed "".
            std::string key = paths.count(controller) != 0 ? controller : "";
            if (paths.count(key) == 0 || (key.empty() && paths.size() != 1)) {
                throw_error("--cgroup " + quote(value) +
                                ": the container has no cgroup for "
                                "controller " +
                                quote(controller),
                            ErrorKind::invalid_spec);
            }
            result[key] = paths.at(key) + sub;
        }
    }
    return result;
}

}  // namespace ocirun::cgroups
