// Reader of the process object: user, rlimits, capabilities, scheduler and I/O priority.
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sys/resource.h>

#include <array>
#include <bitset>

#include "spec/parse_sections.h"

namespace ocirun::spec::detail {
namespace {

constexpr std::array<EnumName<int>, 16> kRlimits{{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

// The spec lists SCHED_ISO, which <linux/sched.h> reserves as 4 but the kernel does not implement.
constexpr int kSchedIso = 4;

constexpr std::array<EnumName<int>, 7> kSchedulerPolicies{{
    {"SCHED_OTHER", SCHED_NORMAL},
    {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_ISO", kSchedIso},
    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
}};

constexpr std::array<EnumName<uint64_t>, 7> kSchedulerFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
}};

constexpr std::array<EnumName<int>, 3> kIoPriorityClasses{{
    {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
}};

// The kernel's I/O priority levels within a class run from 0 (highest) to 7 (lowest).
constexpr int32_t kMaxIoPriority = 7;

// Checks a cpu list such as "0-3,7" against the spec's pattern ^[0-9, -]*$.
void check_cpu_list(std::string_view list, const JsonPath& path) {
    for (char c : list) {
        if (!((c >= '0' && c <= '9') || c == ',' || c == ' ' || c == '-')) {
            fail(path, "invalid cpu list " + describe(Json(list)));
        }
    }
}

}  // namespace

void read(const Json& value, const JsonPath& path, ConsoleSize& out) {
    Object object(value, path);
    object.require("height", out.height);
    object.require("width", out.width);
}

// uid and gid default to 0 when absent, as in runc.
void read(const Json& value, const JsonPath& path, User& out) {
    Object object(value, path);
    object.get("uid", out.uid);
    object.get("gid", out.gid);
    object.get("umask", out.umask);
    object.get("additionalGids", out.additional_gids);
    object.get("username", out.username);
}

void read(const Json& value, const JsonPath& path, Capabilities& out) {
    Object object(value, path);
    object.get("bounding", out.bounding);
    object.get("effective", out.effective);
    object.get("inheritable", out.inheritable);
    object.get("permitted", out.permitted);
    object.get("ambient", out.ambient);
}

void read(const Json& value, const JsonPath& path, Rlimit& out) {
    Object object(value, path);
    const Json* type = object.find("type");
    if (type == nullptr) {
        fail(path.field("type"), "required field is missing");
    }
    out.resource = read_enum<int>(*type, path.field("type"), kRlimits, "rlimit", out.type);
    object.require("soft", out.soft);
    object.require("hard", out.hard);
}

void read(const Json& value, const JsonPath& path, Scheduler& out) {
    Object object(value, path);
    const Json* policy = object.find("policy");
    if (policy == nullptr) {
        fail(path.field("policy"), "required field is missing");
    }
    out.policy_value = read_enum<int>(*policy, path.field("policy"), kSchedulerPolicies,
                                      "scheduler policy", out.policy);
    object.get("nice", out.nice);
    object.get("priority", out.priority);
    if (object.get("flags", out.flags)) {
        JsonPath flags_path = path.field("flags");
        for (std::size_t i = 0; i < out.flags.size(); ++i) {
            out.flags_value |= lookup_enum<uint64_t>(out.flags[i], kSchedulerFlags,
                                                     "scheduler flag", flags_path.item(i));
        }
    }
    object.get("runtime", out.runtime);
    object.get("deadline", out.deadline);
    object.get("period", out.period);
}

void read(const Json& value, const JsonPath& path, IoPriority& out) {
    Object object(value, path);
    const Json* io_class = object.find("class");
    if (io_class == nullptr) {
        fail(path.field("class"), "required field is missing");
    }
    out.class_value = read_enum<int>(*io_class, path.field("class"), kIoPriorityClasses,
                                     "I/O priority class", out.io_class);
    if (object.get("priority", out.priority) &&
        (out.priority < 0 || out.priority > kMaxIoPriority)) {
        fail(path.field("priority"),
             "must be between 0 and 7, got " + std::to_string(out.priority));
    }
}

void read(const Json& value, const JsonPath& path, ExecCpuAffinity& out) {
    Object object(value, path);
    if (object.get("initial", out.initial)) {
        check_cpu_list(out.initial, path.field("initial"));
    }
    if (object.get("final", out.final)) {
        check_cpu_list(out.final, path.field("final"));
    }
}

namespace {

void check_unique_rlimits(const std::vector<Rlimit>& rlimits, const JsonPath& path) {
    std::bitset<RLIM_NLIMITS> seen;
    for (std::size_t i = 0; i < rlimits.size(); ++i) {
        auto resource = static_cast<std::size_t>(rlimits[i].resource);
        if (seen.test(resource)) {
            fail(path.item(i).field("type"), "duplicate rlimit " + describe(Json(rlimits[i].type)));
        }
        seen.set(resource);
    }
}

}  // namespace

void read(const Json& value, const JsonPath& path, Process& out) {
    Object object(value, path);
    object.get("terminal", out.terminal);
    object.get("consoleSize", out.console_size);
    object.get("user", out.user);
    object.get("args", out.args);
    object.get("commandLine", out.command_line);
    object.get("env", out.env);
    object.require("cwd", out.cwd);
    check_absolute(out.cwd, path.field("cwd"));
    object.get("capabilities", out.capabilities);
    if (object.get("rlimits", out.rlimits)) {
        check_unique_rlimits(out.rlimits, path.field("rlimits"));
    }
    object.get("noNewPrivileges", out.no_new_privileges);
    object.get("apparmorProfile", out.apparmor_profile);
    object.get("oomScoreAdj", out.oom_score_adj);
    object.get("selinuxLabel", out.selinux_label);
    object.get("scheduler", out.scheduler);
    object.get("ioPriority", out.io_priority);
    object.get("execCPUAffinity", out.exec_cpu_affinity);
}

}  // namespace ocirun::spec::detail
