// The default config of `spec`, built field by field in runc's key order, and its writer.
#include "spec/default_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/version.h"

namespace ocirun::spec {
namespace {

using Json = nlohmann::ordered_json;

// runc 1.1.5 keeps only these three capabilities in every set of the default process.
Json default_capability_set() {
    return Json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
}

Json default_process() {
    Json capabilities = Json::object();
    capabilities["bounding"] = default_capability_set();
    capabilities["effective"] = default_capability_set();
    capabilities["permitted"] = default_capability_set();
    capabilities["ambient"] = default_capability_set();

    Json rlimit = Json::object();
    rlimit["type"] = "RLIMIT_NOFILE";
    rlimit["hard"] = 1024;
    rlimit["soft"] = 1024;

    Json user = Json::object();
    user["uid"] = 0;
    user["gid"] = 0;

    Json process = Json::object();
    process["terminal"] = true;
    process["user"] = std::move(user);
    process["args"] = Json::array({"sh"});
    process["env"] = Json::array(
        {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
    process["cwd"] = "/";
    process["capabilities"] = std::move(capabilities);
    process["rlimits"] = Json::array({std::move(rlimit)});
    process["noNewPrivileges"] = true;
    return process;
}

Json mount(const char* destination, const char* type, const char* source, Json options) {
    Json entry = Json::object();
    entry["destination"] = destination;
    entry["type"] = type;
    entry["source"] = source;
    if (!options.empty()) {
        entry["options"] = std::move(options);
    }
    return entry;
}

// A rootless container cannot mount a new sysfs outside a network namespace it owns, and its
// devpts cannot use gid=5 unless that group is mapped, hence the two differences.
Json default_mounts(bool rootless) {
    Json devpts_options =
        Json::array({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"});
    if (!rootless) {
        devpts_options.push_back("gid=5");
    }
    Json sys = rootless ? mount("/sys", "none", "/sys",
                                Json::array({"rbind", "nosuid", "noexec", "nodev", "ro"}))
                        : mount("/sys", "sysfs", "sysfs",
                                Json::array({"nosuid", "noexec", "nodev", "ro"}));
    return Json::array({
        mount("/proc", "proc", "proc", Json::array()),
        mount("/dev", "tmpfs", "tmpfs",
              Json::array({"nosuid", "strictatime", "mode=755", "size=65536k"})),
        mount("/dev/pts", "devpts", "devpts", std::move(devpts_options)),
        mount("/dev/shm", "tmpfs", "shm",
              Json::array({"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"})),
        mount("/dev/mqueue", "mqueue", "mqueue", Json::array({"nosuid", "noexec", "nodev"})),
        std::move(sys),
        mount("/sys/fs/cgroup", "cgroup", "cgroup",
              Json::array({"nosuid", "noexec", "nodev", "relatime", "ro"})),
    });
}

Json id_mappings(uint32_t host_id) {
    Json mapping = Json::object();
    mapping["containerID"] = 0;
    mapping["hostID"] = host_id;
    mapping["size"] = 1;
    return Json::array({std::move(mapping)});
}

Json namespaces(bool rootless) {
    std::vector<const char*> types = {"pid", "network", "ipc", "uts", "mount"};
    if (rootless) {
        types = {"pid", "ipc", "uts", "mount", "user"};
    }
    Json list = Json::array();
    for (const char* type : types) {
        Json entry = Json::object();
        entry["type"] = type;
        list.push_back(std::move(entry));
    }
    return list;
}

Json default_linux(bool rootless) {
    Json linux_config = Json::object();
    if (rootless) {
        linux_config["uidMappings"] = id_mappings(::geteuid());
        linux_config["gidMappings"] = id_mappings(::getegid());
    } else {
        Json deny_all = Json::object();
        deny_all["allow"] = false;
        deny_all["access"] = "rwm";
        Json resources = Json::object();
        resources["devices"] = Json::array({std::move(deny_all)});
        linux_config["resources"] = std::move(resources);
    }
    linux_config["namespaces"] = namespaces(rootless);
    linux_config["maskedPaths"] =
        Json::array({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                     "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                     "/proc/sched_debug", "/sys/firmware", "/proc/scsi"});
    linux_config["readonlyPaths"] =
        Json::array({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
    return linux_config;
}

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw_errno("write " + quote(path));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

nlohmann::ordered_json default_config(bool rootless) {
    Json root = Json::object();
    root["path"] = "rootfs";
    root["readonly"] = true;

    Json config = Json::object();
    config["ociVersion"] = kSpecVersion;
    config["process"] = default_process();
    config["root"] = std::move(root);
    config["hostname"] = "runc";
    config["mounts"] = default_mounts(rootless);
    config["linux"] = default_linux(rootless);
    return config;
}

void write_default_config(const std::string& bundle_dir, bool rootless) {
    std::string dir = bundle_dir.empty() ? "." : bundle_dir;
    std::string path = dir + "/config.json";
    // runc writes the JSON with tab indents and no final newline.
    std::string text = default_config(rootless).dump(1, '\t');

    // O_EXCL makes the existence check and the creation one step, so a config.json that
    // appears in between is not overwritten.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        throw Error("config.json already exists in " + quote(dir) + ": remove it first", EEXIST,
                    ErrorKind::already_exists);
    }
    if (fd < 0) {
        throw_errno("create " + quote(path));
    }
    try {
        write_all(fd, text, path);
    } catch (const Error&) {
        ::close(fd);
        ::unlink(path.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        throw_errno("close " + quote(path));
    }
}

}  // namespace ocirun::spec
