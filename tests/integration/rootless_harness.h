// Test harness for rootless containers: a throwaway ordinary user with subordinate ids, and
// bundles that user owns, run through the ocirun binary under that user's uid.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace ocirun::testing {

// An ordinary user named ocirun-test-PID-N, made with useradd, with its
// /etc/subuid and /etc/subgid ranges and a private XDG_RUNTIME_DIR. userdel removes the user
// and its ranges when destroyed.
class TestUser {
  public:
    TestUser();
    ~TestUser();
    TestUser(const TestUser&) = delete;
    TestUser& operator=(const TestUser&) = delete;

    // False when useradd failed. `error()` then returns its message.
    bool valid() const { return uid_ != 0; }
    const std::string& error() const { return error_; }

    const std::string& name() const { return name_; }
    uid_t uid() const { return uid_; }
    gid_t gid() const { return gid_; }
    uint32_t subuid_start() const { return subuid_start_; }
    uint32_t subgid_start() const { return subgid_start_; }
    // A 0700 directory owned by the user, given as XDG_RUNTIME_DIR.
    const std::string& runtime_dir() const { return runtime_dir_; }

    // Returns the command line that runs `argv` as the user (setpriv, no supplementary groups,
    // no capabilities) with an environment of PATH, HOME, USER and `environment`.
    std::vector<std::string> command_line(
        const std::vector<std::string>& argv,
        const std::map<std::string, std::string>& environment) const;

    // Runs command_line(argv, environment) and captures its output.
    CommandResult run(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& environment,
                      const std::map<int, int>& extra_fds = {}, int timeout_ms = 15000) const;

  private:
    std::string name_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    uint32_t subuid_start_ = 0;
    uint32_t subgid_start_ = 0;
    std::string runtime_dir_;
    std::string error_;
};

// A bundle owned by `user` over the shared busybox rootfs with the config of `ocirun spec
// --rootless` (user namespace, no network namespace, sysfs bound from the host). ocirun runs as
// the user with XDG_RUNTIME_DIR set, so the state root is the default $XDG_RUNTIME_DIR/ocirun.
class RootlessContainer {
  public:
    RootlessContainer(const TestUser& user, std::vector<std::string> args);
    ~RootlessContainer();
    RootlessContainer(const RootlessContainer&) = delete;
    RootlessContainer& operator=(const RootlessContainer&) = delete;

    nlohmann::json config;

    const std::string& id() const { return id_; }
    const std::string& bundle() const { return bundle_; }
    std::string state_root() const { return user_.runtime_dir() + "/ocirun"; }

    // Maps container ids 0..65535 onto the user's subordinate range except 0, which stays the
    // user's own id, so that the map goes through newuidmap and newgidmap.
    void use_subordinate_ids();

    void write_config() const;
    // Returns the command line of `ocirun COMMAND_AND_FLAGS...` run as the user.
    std::vector<std::string> ocirun_command_line(
        const std::vector<std::string>& command_and_flags) const;
    CommandResult ocirun(const std::vector<std::string>& command_and_flags,
                         const std::map<int, int>& extra_fds = {}) const;
    CommandResult run(const std::vector<std::string>& flags = {}) const;
    CommandResult create(const std::vector<std::string>& flags = {}) const;
    nlohmann::json state() const;

  private:
    const TestUser& user_;
    std::string id_;
    std::string bundle_;
};

}  // namespace ocirun::testing
