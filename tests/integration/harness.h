// Test harness for running real containers through the ocirun binary: per-test bundles and
// state roots, running the binary with captured output, and host-side checks.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ocirun::testing {

struct CommandResult {
    int status = -1;  // exit code, or 128+N when killed by signal N
    std::string out;
    std::string err;
};

// Returns the runtime under test: $OCIRUN_TEST_BINARY when set (to check the tests against
// runc), else the ocirun built with the tests.
std::string runtime_binary();

// Returns $OCIRUN_TEST_TIMEOUT_SCALE, a whole number (default 1) that multiplies the timeouts
// of run_command, for slow hosts such as the emulated test VM.
int timeout_scale();

// Runs `argv` with stdin from /dev/null, capturing stdout and stderr; kills it after
// `timeout_ms` times timeout_scale(). `extra_fds` maps a child fd number (3 and up) to an fd of the test process.
CommandResult run_command(const std::vector<std::string>& argv, int timeout_ms = 10000,
                          const std::map<int, int>& extra_fds = {});

// Returns a fresh temporary directory under /tmp, removed by the caller.
std::string make_temp_dir(const std::string& prefix);

// A bundle (temp dir with config.json over the shared busybox rootfs, read-only) and its own
// state root. Removes both, and deletes the container, when destroyed.
class TestContainer {
  public:
    explicit TestContainer(std::vector<std::string> args);
    ~TestContainer();
    TestContainer(const TestContainer&) = delete;
    TestContainer& operator=(const TestContainer&) = delete;

    // The config written by write_config(); edit before create/run.
    nlohmann::json config;

    const std::string& id() const { return id_; }
    const std::string& bundle() const { return bundle_; }
    const std::string& root() const { return root_; }
    std::string state_dir() const { return root_ + "/" + id_; }

    void write_config() const;

    // Runs `ocirun --root R <command> <args...>`; create and run get --bundle and the id.
    CommandResult ocirun(const std::vector<std::string>& command_and_flags,
                         const std::map<int, int>& extra_fds = {}) const;
    CommandResult run(const std::vector<std::string>& flags = {}) const;
    CommandResult create(const std::vector<std::string>& flags = {}) const;

    // Returns `state ID` as JSON; throws when the command fails.
    nlohmann::json state() const;
    std::string status() const;
    // Returns state.json's cgroup directories.
    std::vector<std::string> cgroup_dirs() const;
    // Returns state.json's cgroup directory of `controller` ("" for cgroup v2), or "" when the
    // container has none.
    std::string cgroup_dir(const std::string& controller) const;

  private:
    std::string id_;
    std::string bundle_;
    std::string root_;
};

// Returns the target of /proc/self/ns/NAME of the test process, e.g. "net:[4026531840]".
std::string host_namespace(const std::string& name);

// Returns the contents of `path` without trailing newlines, or "" when it cannot be read.
std::string read_trimmed(const std::string& path);

// Returns the build directory of the programs in tests/helpers (sd-notify, proc-access-probe),
// or "" when the test binary's path cannot be read.
std::string helpers_dir();

bool path_exists(const std::string& path);
bool process_exists(pid_t pid);

}  // namespace ocirun::testing
