// Commands whose machinery has not landed yet. Each fails with an `unsupported` error naming
// what is missing; an implementation moves the function into its own file.
#include "base/error.h"
#include "container/operations.h"

namespace ocirun::container {

namespace {

[[noreturn]] void not_implemented(const char* command, const char* missing) {
    throw_error(std::string(command) + " is not implemented yet: ocirun lacks " + missing,
                ErrorKind::unsupported);
}

}  // namespace

void create(const GlobalOptions&, const CreateOptions&) {
    not_implemented("create", "the container process setup");
}

void start(const GlobalOptions&, const std::string&) {
    not_implemented("start", "the container process setup");
}

int run(const GlobalOptions&, const RunOptions&) {
    not_implemented("run", "the container process setup");
}

int exec(const GlobalOptions&, const ExecOptions&) {
    not_implemented("exec", "joining a container's namespaces");
}

void kill(const GlobalOptions&, const std::string&, int, bool) {
    not_implemented("kill", "the container process setup");
}

void remove(const GlobalOptions&, const std::string&, bool) {
    not_implemented("delete", "the container process setup");
}

std::vector<pid_t> pids(const GlobalOptions&, const std::string&) {
    not_implemented("ps", "cgroup support");
}

void pause(const GlobalOptions&, const std::string&) {
    not_implemented("pause", "the cgroup freezer");
}

void resume(const GlobalOptions&, const std::string&) {
    not_implemented("resume", "the cgroup freezer");
}

}  // namespace ocirun::container
