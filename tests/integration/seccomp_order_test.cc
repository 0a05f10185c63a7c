// Where the seccomp filter is loaded relative to the runtime's own last syscalls. Without
// noNewPrivileges it must be loaded while CAP_SYS_ADMIN is still held, so before the capability
// drop. With noNewPrivileges it is loaded last, so a profile may block what the runtime itself
// calls before execve (setresuid, capset, chdir, getcwd). Each case runs through run and exec.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace ocirun::testing {
namespace {

// An errno that no syscall of these programs returns by itself, so a message with its text
// ("No message of desired type") comes from the filter.
constexpr int kFilterErrno = 42;  // ENOMSG

nlohmann::json errno_rule(const std::vector<std::string>& names, int errno_ret = kFilterErrno) {
    return {{"names", names}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", errno_ret}};
}

// An allow-by-default profile with `rules`.
nlohmann::json allow_profile(const std::vector<nlohmann::json>& rules) {
    return {{"defaultAction", "SCMP_ACT_ALLOW"},
            {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
            {"syscalls", nlohmann::json(rules)}};
}

// Runs `command` in a detached container that sleeps, through exec. Returns exec's result.
CommandResult exec_in_sleeping(TestContainer& container, const std::vector<std::string>& command) {
    container.config["process"]["args"] = {"/bin/sleep", "300"};
    CommandResult started = container.run({"--detach"});
    if (started.status != 0) {
        return started;
    }
    std::vector<std::string> argv = {"exec", container.id()};
    argv.insert(argv.end(), command.begin(), command.end());
    return container.ocirun(argv);
}

// Returns the result of `command` run as the container's init (`run`) or through `exec`.
CommandResult run_or_exec(TestContainer& container, bool use_exec,
                          const std::vector<std::string>& command) {
    if (use_exec) {
        return exec_in_sleeping(container, command);
    }
    container.config["process"]["args"] = command;
    return container.run();
}

const char* mode_name(bool use_exec, bool no_new_privileges) {
    if (use_exec) {
        return no_new_privileges ? "exec with noNewPrivileges" : "exec without noNewPrivileges";
    }
    return no_new_privileges ? "run with noNewPrivileges" : "run without noNewPrivileges";
}

// The CVE-2024-21626 working directory check must not need getcwd, which a profile may block.
TEST(SeccompOrder, GetcwdBlockedStillStarts) {
    for (bool use_exec : {false, true}) {
        for (bool no_new_privileges : {false, true}) {
            SCOPED_TRACE(mode_name(use_exec, no_new_privileges));
            TestContainer container({"/bin/true"});
            container.config["process"]["noNewPrivileges"] = no_new_privileges;
            container.config["process"]["cwd"] = "/tmp";
            container.config["linux"]["seccomp"] = allow_profile({errno_rule({"getcwd"})});
            CommandResult result =
                run_or_exec(container, use_exec, {"/bin/sh", "-c", "echo started; /bin/pwd"});
            ASSERT_EQ(result.status, 1) << result.err;
            EXPECT_EQ(result.out, "started\n");
            // busybox pwd calls getcwd, so the filter is in force in the program.
            EXPECT_NE(result.err.find("No message of desired type"), std::string::npos)
                << result.err;
        }
    }
}

// With noNewPrivileges, the runtime switches user, sets capabilities and changes directory
// before the filter exists, so a profile blocking all of that still starts.
TEST(SeccompOrder, NoNewPrivilegesLoadsLast) {
    const std::vector<std::string> runtime_calls = {"setresuid", "setresgid", "setuid",   "setgid",
                                                    "setgroups", "capset",    "chdir",    "fchdir",
                                                    "getcwd",    "setrlimit", "prlimit64"};
    for (bool use_exec : {false, true}) {
        SCOPED_TRACE(use_exec ? "exec" : "run");
        TestContainer container({"/bin/true"});
        container.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
        container.config["process"]["cwd"] = "/tmp";
        container.config["linux"]["seccomp"] = allow_profile({errno_rule(runtime_calls)});
        CommandResult result =
            run_or_exec(container, use_exec, {"/bin/sh", "-c", "echo $(id -u):$(id -g)"});
        ASSERT_EQ(result.status, 0) << result.err;
        EXPECT_EQ(result.out, "1000:1000\n");
    }
}

// Without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN. The container user has no
// capability at all, so the filter must be loaded before setuid and the capability drop.
TEST(SeccompOrder, FilterBeforeCapabilityDrop) {
    for (bool use_exec : {false, true}) {
        SCOPED_TRACE(use_exec ? "exec" : "run");
        TestContainer container({"/bin/true"});
        container.config["process"]["noNewPrivileges"] = false;
        container.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
        container.config["process"]["capabilities"] = nlohmann::json::object();
        container.config["linux"]["seccomp"] = allow_profile({errno_rule({"mkdir", "mkdirat"})});
        CommandResult result =
            run_or_exec(container, use_exec,
                        {"/bin/sh", "-c",
                         "grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status; "
                         "mkdir /tmp/blocked"});
        EXPECT_EQ(result.status, 1) << result.err;
        EXPECT_NE(result.out.find("Seccomp:\t2"), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("NoNewPrivs:\t0"), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("CapEff:\t0000000000000000"), std::string::npos) << result.out;
        EXPECT_NE(result.err.find("No message of desired type"), std::string::npos) << result.err;
    }
}

// Returns linux.seccomp of a config.json that dockerd wrote: Docker's default profile, which
// denies every syscall it does not list.
nlohmann::json docker_profile() {
    const std::string path =
        OCIRUN_SOURCE_DIR "/../shared/fixtures/configs/docker-0-create-config.json";
    std::ifstream file(path);
    if (!file) {
        return nullptr;
    }
    nlohmann::json config = nlohmann::json::parse(file, nullptr, false);
    if (config.is_discarded() || !config.contains("linux") ||
        !config["linux"].contains("seccomp")) {
        return nullptr;
    }
    return config["linux"]["seccomp"];
}

// Every syscall the runtime makes after loading the filter must be one that Docker's default
// profile allows, with and without noNewPrivileges.
TEST(SeccompOrder, DockerDefaultProfileStarts) {
    nlohmann::json profile = docker_profile();
    if (profile.is_null()) {
        GTEST_SKIP() << "the dockerd config fixture is missing";
    }
    for (bool use_exec : {false, true}) {
        for (bool no_new_privileges : {false, true}) {
            SCOPED_TRACE(mode_name(use_exec, no_new_privileges));
            TestContainer container({"/bin/true"});
            container.config["process"]["noNewPrivileges"] = no_new_privileges;
            container.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
            container.config["process"]["cwd"] = "/tmp";
            container.config["linux"]["seccomp"] = profile;
            // Docker's profile denies unshare(CLONE_NEWUSER) without CAP_SYS_ADMIN.
            CommandResult result = run_or_exec(
                container, use_exec,
                {"/bin/sh", "-c", "grep '^Seccomp:' /proc/self/status; pwd; unshare -U true"});
            EXPECT_EQ(result.status, 1) << result.err;
            EXPECT_EQ(result.out, "Seccomp:\t2\n/tmp\n");
            EXPECT_NE(result.err.find("unshare"), std::string::npos) << result.err;
        }
    }
}

// A profile naming a syscall that libseccomp cannot resolve still loads, and the
// rest of its rule applies.
TEST(SeccompOrder, UnknownSyscallNameLoads) {
    TestContainer container({"/bin/mkdir", "/tmp/blocked"});
    container.config["linux"]["seccomp"] =
        allow_profile({errno_rule({"no_such_syscall_ocirun", "mkdir", "mkdirat"})});
    CommandResult result = container.run();
    EXPECT_EQ(result.status, 1) << result.err;
    EXPECT_NE(result.err.find("No message of desired type"), std::string::npos) << result.err;
}

// Two conditions on the same argument index become two rules, as runc makes them, so either
// value matches. The rule blocks kill(2) with SIGUSR1 (10) or SIGUSR2 (12) as its signal.
TEST(SeccompOrder, RepeatedArgumentIndexMatchesEither) {
    TestContainer container(
        {"/bin/sh", "-c",
         "trap '' USR1 USR2; kill -USR1 $$; echo usr1=$?; kill -USR2 $$; echo usr2=$?; "
         "kill -0 $$; echo zero=$?"});
    nlohmann::json rule = errno_rule({"kill"});
    rule["args"] = {{{"index", 1}, {"value", 10}, {"op", "SCMP_CMP_EQ"}},
                    {{"index", 1}, {"value", 12}, {"op", "SCMP_CMP_EQ"}}};
    container.config["linux"]["seccomp"] = allow_profile({rule});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "usr1=1\nusr2=1\nzero=0\n") << result.err;
}

// Returns the number of lines of `text` that contain `needle`.
size_t count_lines_containing(const std::string& text, const std::string& needle) {
    std::istringstream lines(text);
    size_t count = 0;
    for (std::string line; std::getline(lines, line);) {
        count += line.find(needle) != std::string::npos ? 1 : 0;
    }
    return count;
}

// The profile is compiled once per create, in the runtime, not again in the container process.
TEST(SeccompOrder, CompiledOncePerCreate) {
    TestContainer container({"/bin/true"});
    container.config["linux"]["seccomp"] = allow_profile({errno_rule({"mkdir", "mkdirat"})});
    container.write_config();
    std::string log_path = container.bundle() + "/log.json";
    CommandResult result =
        container.ocirun({"--debug", "--log", log_path, "--log-format", "json", "create",
                          "--bundle", container.bundle(), container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    std::ifstream file(log_path);
    std::stringstream log;
    log << file.rdbuf();
    EXPECT_EQ(count_lines_containing(log.str(), "seccomp: compiled"), 1u) << log.str();
}

}  // namespace
}  // namespace ocirun::testing
