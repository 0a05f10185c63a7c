// A throwaway user and bundles it owns, for running ocirun rootless in integration tests.
#include "rootless_harness.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocirun::testing {

namespace {

std::atomic<int> user_counter{0};
std::atomic<int> container_counter{0};

// Returns the start of NAME's range in /etc/subuid or /etc/subgid; 0 when there is none.
uint32_t subordinate_start(const std::string& file_path, const std::string& name) {
    std::ifstream file(file_path);
    std::string line;
    while (std::getline(file, line)) {
        std::istringstream fields(line);
        std::string owner;
        std::string start;
        if (std::getline(fields, owner, ':') && std::getline(fields, start, ':') && owner == name) {
            return static_cast<uint32_t>(std::stoul(start));
        }
    }
    return 0;
}

void chown_tree(const std::string& path, uid_t uid, gid_t gid) {
    if (lchown(path.c_str(), uid, gid) != 0) {
        throw std::runtime_error("chown " + path + " failed");
    }
    if (!std::filesystem::is_directory(std::filesystem::symlink_status(path))) {
        return;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (lchown(entry.path().c_str(), uid, gid) != 0) {
            throw std::runtime_error("chown " + entry.path().string() + " failed");
        }
    }
}

nlohmann::json id_map(uint32_t container_id, uint32_t host_id, uint32_t size) {
    return {{"containerID", container_id}, {"hostID", host_id}, {"size", size}};
}

// The config of `ocirun spec --rootless` over the shared rootfs, plus a /tmp tmpfs because the
// rootfs is read-only.
nlohmann::json rootless_config(const std::vector<std::string>& args, uid_t uid, gid_t gid) {
    nlohmann::json capabilities = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    return {
        {"ociVersion", "1.0.2"},
        {"process",
         {{"terminal", false},
          {"user", {{"uid", 0}, {"gid", 0}}},
          {"args", args},
          {"env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
          {"cwd", "/"},
          {"capabilities",
           {{"bounding", capabilities}, {"effective", capabilities}, {"permitted", capabilities}}},
          {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
          {"noNewPrivileges", true}}},
        {"root", {{"path", OCIRUN_ROOTFS}, {"readonly", true}}},
        {"hostname", "rootless"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
          {{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
          {{"destination", "/dev/shm"},
           {"type", "tmpfs"},
           {"source", "shm"},
           {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
          {{"destination", "/dev/mqueue"},
           {"type", "mqueue"},
           {"source", "mqueue"},
           {"options", {"nosuid", "noexec", "nodev"}}},
          {{"destination", "/sys"},
           {"type", "none"},
           {"source", "/sys"},
           {"options", {"rbind", "nosuid", "noexec", "nodev", "ro"}}},
          {{"destination", "/tmp"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "nodev"}}}}},
        {"linux",
         {{"uidMappings", {id_map(0, uid, 1)}},
          {"gidMappings", {id_map(0, gid, 1)}},
          {"namespaces",
           {{{"type", "pid"}},
            {{"type", "ipc"}},
            {{"type", "uts"}},
            {{"type", "mount"}},
            {{"type", "user"}}}},
          {"maskedPaths", {"/proc/kcore", "/proc/keys"}},
          {"readonlyPaths", {"/proc/sys", "/proc/sysrq-trigger"}}}},
    };
}

}  // namespace

TestUser::TestUser()
    : name_("ocirun-test-" + std::to_string(getpid()) + "-" + std::to_string(user_counter++)) {
    CommandResult added = run_command({"/usr/sbin/useradd", "--no-create-home", "--shell",
                                       "/usr/sbin/nologin", "--home-dir", "/nonexistent", name_});
    if (added.status != 0) {
        error_ = "useradd " + name_ + ": " + added.err;
        return;
    }
    passwd* entry = getpwnam(name_.c_str());
    if (entry == nullptr) {
        error_ = "getpwnam " + name_ + " failed after useradd";
        return;
    }
    uid_ = entry->pw_uid;
    gid_ = entry->pw_gid;
    subuid_start_ = subordinate_start("/etc/subuid", name_);
    subgid_start_ = subordinate_start("/etc/subgid", name_);
    runtime_dir_ = make_temp_dir("ocirun-xdg");
    chown_tree(runtime_dir_, uid_, gid_);
}

TestUser::~TestUser() {
    if (!runtime_dir_.empty()) {
        std::filesystem::remove_all(runtime_dir_);
    }
    if (uid_ != 0) {
        // userdel also removes the user's /etc/subuid and /etc/subgid ranges.
        run_command({"/usr/sbin/userdel", name_});
    }
}

std::vector<std::string> TestUser::command_line(
    const std::vector<std::string>& argv,
    const std::map<std::string, std::string>& environment) const {
    std::vector<std::string> command = {"/usr/bin/setpriv",
                                        "--reuid=" + std::to_string(uid_),
                                        "--regid=" + std::to_string(gid_),
                                        "--clear-groups",
                                        "--",
                                        "/usr/bin/env",
                                        "-i",
                                        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                        "HOME=/",
                                        "USER=" + name_};
    for (const auto& [key, value] : environment) {
        command.push_back(key + "=" + value);
    }
    command.insert(command.end(), argv.begin(), argv.end());
    return command;
}

CommandResult TestUser::run(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& environment,
                            const std::map<int, int>& extra_fds, int timeout_ms) const {
    return run_command(command_line(argv, environment), timeout_ms, extra_fds);
}

RootlessContainer::RootlessContainer(const TestUser& user, std::vector<std::string> args)
    : config(rootless_config(args, user.uid(), user.gid())),
      user_(user),
      id_("rootless-" + std::to_string(getpid()) + "-" + std::to_string(container_counter++)),
      bundle_(make_temp_dir("ocirun-rootless-bundle")) {
    chown_tree(bundle_, user.uid(), user.gid());
}

RootlessContainer::~RootlessContainer() {
    ocirun({"delete", "--force", id_});
    std::filesystem::remove_all(bundle_);
}

void RootlessContainer::use_subordinate_ids() {
    config["linux"]["uidMappings"] = {id_map(0, user_.uid(), 1),
                                      id_map(1, user_.subuid_start(), 65535)};
    config["linux"]["gidMappings"] = {id_map(0, user_.gid(), 1),
                                      id_map(1, user_.subgid_start(), 65535)};
}

void RootlessContainer::write_config() const {
    std::string path = bundle_ + "/config.json";
    {
        std::ofstream file(path);
        file << config.dump(2);
    }
    chown_tree(path, user_.uid(), user_.gid());
}

std::vector<std::string> RootlessContainer::ocirun_command_line(
    const std::vector<std::string>& command_and_flags) const {
    std::vector<std::string> argv = {runtime_binary()};
    argv.insert(argv.end(), command_and_flags.begin(), command_and_flags.end());
    return user_.command_line(argv, {{"XDG_RUNTIME_DIR", user_.runtime_dir()}});
}

CommandResult RootlessContainer::ocirun(const std::vector<std::string>& command_and_flags,
                                        const std::map<int, int>& extra_fds) const {
    return run_command(ocirun_command_line(command_and_flags), 15000, extra_fds);
}

CommandResult RootlessContainer::run(const std::vector<std::string>& flags) const {
    write_config();
    std::vector<std::string> command = {"run", "--bundle", bundle_};
    command.insert(command.end(), flags.begin(), flags.end());
    command.push_back(id_);
    return ocirun(command);
}

CommandResult RootlessContainer::create(const std::vector<std::string>& flags) const {
    write_config();
    std::vector<std::string> command = {"create", "--bundle", bundle_};
    command.insert(command.end(), flags.begin(), flags.end());
    command.push_back(id_);
    return ocirun(command);
}

nlohmann::json RootlessContainer::state() const {
    CommandResult result = ocirun({"state", id_});
    if (result.status != 0) {
        throw std::runtime_error("state failed: " + result.err);
    }
    return nlohmann::json::parse(result.out);
}

}  // namespace ocirun::testing
