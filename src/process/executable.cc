// Lookup of the container's executable (process.args[0]) on PATH.
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Returns 0 when `path` can be executed, else the errno to report. As Go's exec.LookPath
// (which runc uses) does, any file but a directory with an execute bit counts.
int check_executable(const std::string& path) {
    struct stat status = {};
    if (stat(path.c_str(), &status) != 0) {
        return errno;
    }
    if (S_ISDIR(status.st_mode) || (status.st_mode & 0111) == 0) {
        return EACCES;
    }
    return 0;
}

// The last PATH entry wins, as it does when the variables are set in order.
std::string find_path_variable(const std::vector<std::string>& env) {
    std::string path = kDefaultPath;
    for (const std::string& variable : env) {
        if (variable.rfind("PATH=", 0) == 0) {
            path = variable.substr(5);
        }
    }
    return path;
}

// Messages match runc 1.1.5's, which podman and docker map to exit codes 126 and 127.
[[noreturn]] void throw_lookup_error(const std::string& name, const std::string& detail,
                                     int error) {
    throw Error("exec: \"" + name + "\": " + detail, error,
                error == ENOENT ? ErrorKind::not_found : ErrorKind::generic);
}

}  // namespace

std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
    if (name.find('/') != std::string::npos) {
        const int error = check_executable(name);
        if (error == EACCES) {
            throw_lookup_error(name, errno_text(error), error);
        }
        if (error != 0) {
            throw_lookup_error(name, "stat " + name + ": " + errno_text(error), error);
        }
        return name;
    }

    const std::string path = find_path_variable(env);
    size_t start = 0;
    while (true) {
        size_t colon = path.find(':', start);
        std::string directory =
            path.substr(start, colon == std::string::npos ? colon : colon - start);
        // An empty PATH entry means the current directory.
        std::string candidate = (directory.empty() ? "." : directory) + "/" + name;
        if (!name.empty() && check_executable(candidate) == 0) {
            return candidate;
        }
        if (colon == std::string::npos) {
            break;
        }
        start = colon + 1;
    }
    throw_lookup_error(name, "executable file not found in $PATH", ENOENT);
}

}  // namespace ocirun::process
