// Tests for turning runc-style command lines into a ParsedCommand.
#include "cli/parser.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <cstdlib>

#include "base/error.h"

namespace ocirun::cli {
namespace {

const std::string kCwd = "/home/user/work";

ParsedCommand parse(const std::vector<std::string>& args) {
    return parse_command_line(args, kCwd);
}

TEST(Parser, BundleFlagForms) {
    const std::vector<std::vector<std::string>> forms = {
        {"create", "--bundle", "b", "c1"}, {"create", "--bundle=b", "c1"},
        {"create", "-bundle", "b", "c1"},  {"create", "-bundle=b", "c1"},
        {"create", "-b", "b", "c1"},       {"create", "c1", "--bundle", "b"},
    };
    for (const auto& args : forms) {
        ParsedCommand parsed = parse(args);
        EXPECT_EQ(parsed.command, "create") << args[1];
        EXPECT_EQ(parsed.id, "c1") << args[1];
        EXPECT_EQ(parsed.run.create.id, "c1") << args[1];
        EXPECT_EQ(parsed.run.create.bundle, kCwd + "/b") << args[1];
    }
}

TEST(Parser, BundleDefaultsToCwd) {
    ParsedCommand parsed = parse({"create", "c1"});
    EXPECT_EQ(parsed.run.create.bundle, kCwd);
}

TEST(Parser, AbsolutePathsKept) {
    ParsedCommand parsed =
        parse({"create", "--bundle", "/b/", "--pid-file=/run/p", "--console-socket", "/s", "c1"});
    EXPECT_EQ(parsed.run.create.bundle, "/b");
    EXPECT_EQ(parsed.run.create.pid_file, "/run/p");
    EXPECT_EQ(parsed.run.create.console_socket, "/s");
}

TEST(Parser, RelativePathsResolved) {
    ParsedCommand parsed = parse({"create", "-pid-file", "p.pid", "--console-socket=../s.sock",
                                  "--pidfd-socket", "./fd.sock", "c1"});
    EXPECT_EQ(parsed.run.create.pid_file, kCwd + "/p.pid");
    EXPECT_EQ(parsed.run.create.console_socket, "/home/user/s.sock");
    EXPECT_EQ(parsed.run.create.pidfd_socket, kCwd + "/fd.sock");
}

TEST(Parser, CreateFlags) {
    ParsedCommand parsed =
        parse({"create", "--no-pivot", "-no-new-keyring", "--preserve-fds=3", "c1"});
    EXPECT_TRUE(parsed.run.create.no_pivot);
    EXPECT_TRUE(parsed.run.create.no_new_keyring);
    EXPECT_EQ(parsed.run.create.preserve_fds, 3);
    EXPECT_EQ(parse({"create", "--preserve-fds", "2", "c1"}).run.create.preserve_fds, 2);
    EXPECT_THROW(parse({"create", "--preserve-fds=-1", "c1"}), Error);
}

TEST(Parser, BoolFlagForms) {
    struct Case {
        std::vector<std::string> args;
        bool detach;
    };
    const Case cases[] = {
        {{"run", "c1"}, false},
        {{"run", "-d", "c1"}, true},
        {{"run", "--detach", "c1"}, true},
        {{"run", "-detach", "c1"}, true},
        {{"run", "--detach=true", "c1"}, true},
        {{"run", "--detach=false", "c1"}, false},
        {{"run", "-detach=false", "c1"}, false},
        {{"run", "c1", "--detach"}, true},
    };
    for (const Case& c : cases) {
        ParsedCommand parsed = parse(c.args);
        EXPECT_EQ(parsed.run.detach, c.detach) << c.args[1];
        EXPECT_EQ(parsed.id, "c1") << c.args[1];
    }
}

TEST(Parser, RunFlags) {
    ParsedCommand parsed = parse({"run", "--keep", "-no-subreaper", "-b", "/b", "c1"});
    EXPECT_TRUE(parsed.run.keep);
    EXPECT_TRUE(parsed.run.no_subreaper);
    EXPECT_EQ(parsed.run.create.bundle, "/b");
}

TEST(Parser, FlagsAfterPositional) {
    EXPECT_TRUE(parse({"delete", "c1", "--force"}).force);
    EXPECT_TRUE(parse({"delete", "c1", "-force"}).force);
    EXPECT_TRUE(parse({"delete", "-f", "c1"}).force);
    EXPECT_FALSE(parse({"delete", "c1"}).force);
    EXPECT_TRUE(parse({"kill", "c1", "KILL", "--all"}).all);
}

TEST(Parser, ExecCommandPassThrough) {
    ParsedCommand parsed = parse({"exec", "c1", "ls", "-la"});
    EXPECT_EQ(parsed.command, "exec");
    EXPECT_EQ(parsed.exec.id, "c1");
    std::vector<std::string> expected = {"ls", "-la"};
    EXPECT_EQ(parsed.exec.args, expected);
}

TEST(Parser, ExecFlagsAfterIdBelongToCommand) {
    ParsedCommand parsed = parse({"exec", "--tty", "c1", "sh", "--tty", "-c", "echo -d"});
    EXPECT_TRUE(parsed.exec.tty);
    EXPECT_FALSE(parsed.exec.detach);
    std::vector<std::string> expected = {"sh", "--tty", "-c", "echo -d"};
    EXPECT_EQ(parsed.exec.args, expected);
}

TEST(Parser, ExecDoubleDash) {
    std::vector<std::string> expected = {"ls", "-la"};
    EXPECT_EQ(parse({"exec", "c1", "--", "ls", "-la"}).exec.args, expected);
    ParsedCommand parsed = parse({"exec", "-d", "--", "c1", "ls", "-la"});
    EXPECT_EQ(parsed.id, "c1");
    EXPECT_TRUE(parsed.exec.detach);
    EXPECT_EQ(parsed.exec.args, expected);
}

TEST(Parser, ExecFlags) {
    ParsedCommand parsed = parse({"exec",
                                  "-e",
                                  "A=1",
                                  "--env=B=2",
                                  "-env",
                                  "C=3",
                                  "--cwd",
                                  "/w",
                                  "-u",
                                  "1000:1000",
                                  "-g",
                                  "10",
                                  "--additional-gids=11",
                                  "--cap",
                                  "CAP_KILL",
                                  "-c",
                                  "CAP_CHOWN",
                                  "--no-new-privs",
                                  "--apparmor",
                                  "prof",
                                  "--process-label",
                                  "lbl",
                                  "--cgroup",
                                  "memory:sub",
                                  "--cgroup=sub2",
                                  "--ignore-paused",
                                  "--preserve-fds=2",
                                  "-pid-file",
                                  "p",
                                  "-d",
                                  "c1",
                                  "env"});
    const container::ExecOptions& exec = parsed.exec;
    std::vector<std::string> env = {"A=1", "B=2", "C=3"};
    EXPECT_EQ(exec.env, env);
    EXPECT_EQ(exec.cwd, "/w");
    EXPECT_EQ(exec.user, "1000:1000");
    std::vector<uint32_t> gids = {10, 11};
    EXPECT_EQ(exec.additional_gids, gids);
    std::vector<std::string> caps = {"CAP_KILL", "CAP_CHOWN"};
    EXPECT_EQ(exec.caps, caps);
    EXPECT_TRUE(exec.no_new_privs);
    EXPECT_EQ(exec.apparmor, "prof");
    EXPECT_EQ(exec.process_label, "lbl");
    std::vector<std::string> cgroups = {"memory:sub", "sub2"};
    EXPECT_EQ(exec.cgroup, cgroups);
    EXPECT_TRUE(exec.ignore_paused);
    EXPECT_EQ(exec.preserve_fds, 2);
    EXPECT_EQ(exec.pid_file, kCwd + "/p");
    EXPECT_TRUE(exec.detach);
    std::vector<std::string> args = {"env"};
    EXPECT_EQ(exec.args, args);
}

TEST(Parser, ExecProcessFile) {
    ParsedCommand parsed = parse({"exec", "--process", "proc.json", "-d", "c1"});
    EXPECT_EQ(parsed.exec.process_file, kCwd + "/proc.json");
    EXPECT_TRUE(parsed.exec.args.empty());
    EXPECT_EQ(parse({"exec", "-p", "/p.json", "c1"}).exec.process_file, "/p.json");
}

TEST(Parser, ExecNeedsCommand) {
    EXPECT_THROW(parse({"exec", "c1"}), Error);
    EXPECT_THROW(parse({"exec"}), Error);
}

TEST(Parser, PsArgsPassThrough) {
    ParsedCommand parsed = parse({"ps", "c1", "-ef", "--forest"});
    std::vector<std::string> expected = {"-ef", "--forest"};
    EXPECT_EQ(parsed.ps_args, expected);
    EXPECT_EQ(parsed.format, "table");
    parsed = parse({"ps", "--format", "json", "c1"});
    EXPECT_EQ(parsed.format, "json");
    EXPECT_TRUE(parsed.ps_args.empty());
    EXPECT_THROW(parse({"ps", "--format=yaml", "c1"}), Error);
}

TEST(Parser, GlobalOptions) {
    ParsedCommand parsed = parse({"--root", "/r", "--log=/l.log", "-log-format", "json", "--debug",
                                  "-systemd-cgroup", "list"});
    EXPECT_EQ(parsed.global.root, "/r");
    EXPECT_EQ(parsed.global.log, "/l.log");
    EXPECT_EQ(parsed.global.log_format, "json");
    EXPECT_TRUE(parsed.global.debug);
    EXPECT_TRUE(parsed.global.systemd_cgroup);
    EXPECT_EQ(parsed.global.rootless, "auto");
}

TEST(Parser, RelativeRootResolved) {
    EXPECT_EQ(parse({"--root", "state", "list"}).global.root, kCwd + "/state");
    EXPECT_EQ(parse({"--root=/run/x/", "list"}).global.root, "/run/x");
}

TEST(Parser, DefaultRoot) {
    EXPECT_EQ(default_root(0, nullptr), "/run/ocirun");
    EXPECT_EQ(default_root(0, "/run/user/0"), "/run/ocirun");
    EXPECT_EQ(default_root(1000, "/run/user/1000"), "/run/user/1000/ocirun");
    EXPECT_EQ(default_root(1000, ""), "/run/ocirun");
    EXPECT_EQ(default_root(1000, nullptr), "/run/ocirun");
}

TEST(Parser, GlobalDefaults) {
    ParsedCommand parsed = parse({"list"});
    EXPECT_EQ(parsed.global.root, default_root(geteuid(), std::getenv("XDG_RUNTIME_DIR")));
    EXPECT_EQ(parsed.global.log, "");
    EXPECT_EQ(parsed.global.log_format, "text");
    EXPECT_FALSE(parsed.global.debug);
    EXPECT_FALSE(parsed.global.systemd_cgroup);
}

TEST(Parser, RootlessValues) {
    EXPECT_EQ(parse({"--rootless", "true", "list"}).global.rootless, "true");
    EXPECT_EQ(parse({"--rootless=false", "list"}).global.rootless, "false");
    EXPECT_EQ(parse({"-rootless", "auto", "list"}).global.rootless, "auto");
    EXPECT_THROW(parse({"--rootless", "maybe", "list"}), Error);
    EXPECT_THROW(parse({"--rootless=1", "list"}), Error);
}

TEST(Parser, LogFormatRejectsUnknown) {
    EXPECT_THROW(parse({"--log-format", "xml", "list"}), Error);
}

TEST(Parser, UnknownFlagRejected) {
    EXPECT_THROW(parse({"create", "--foo", "c1"}), Error);
    EXPECT_THROW(parse({"create", "-foo", "c1"}), Error);
    EXPECT_THROW(parse({"--foo", "list"}), Error);
    EXPECT_THROW(parse({"list", "--all"}), Error);
}

TEST(Parser, UnknownCommandRejected) {
    EXPECT_THROW(parse({"checkpoint", "--help"}), Error);
    EXPECT_THROW(parse({"restore", "c1"}), Error);
    EXPECT_THROW(parse({"bogus"}), Error);
}

TEST(Parser, ArgumentCounts) {
    EXPECT_THROW(parse({"state"}), Error);
    EXPECT_THROW(parse({"state", "a", "b"}), Error);
    EXPECT_THROW(parse({"list", "extra"}), Error);
    EXPECT_THROW(parse({"kill", "c1", "TERM", "extra"}), Error);
}

TEST(Parser, KillSignals) {
    struct Case {
        std::vector<std::string> args;
        int signal;
    };
    const Case cases[] = {
        {{"kill", "c1"}, 15},
        {{"kill", "c1", "KILL"}, 9},
        {{"kill", "c1", "SIGKILL"}, 9},
        {{"kill", "c1", "kill"}, 9},
        {{"kill", "c1", "9"}, 9},
        {{"kill", "c1", "sigusr1"}, 10},
        {{"kill", "-a", "c1", "HUP"}, 1},
    };
    for (const Case& c : cases) {
        ParsedCommand parsed = parse(c.args);
        EXPECT_EQ(parsed.signal_number, c.signal) << c.args.back();
        EXPECT_EQ(parsed.id, "c1");
    }
    EXPECT_TRUE(parse({"kill", "--all", "c1"}).all);
    EXPECT_TRUE(parse({"kill", "-all", "c1"}).all);
    EXPECT_FALSE(parse({"kill", "c1"}).all);
    EXPECT_THROW(parse({"kill", "c1", "bogus"}), Error);
}

TEST(Parser, ListFlags) {
    EXPECT_EQ(parse({"list", "-f", "json"}).format, "json");
    EXPECT_EQ(parse({"list", "--format=json"}).format, "json");
    EXPECT_EQ(parse({"list", "-format", "table"}).format, "table");
    EXPECT_TRUE(parse({"list", "-q"}).quiet);
    EXPECT_TRUE(parse({"list", "--quiet"}).quiet);
    EXPECT_THROW(parse({"list", "--format", "yaml"}), Error);
}

TEST(Parser, SpecFlags) {
    ParsedCommand parsed = parse({"spec", "-b", "bundle", "--rootless"});
    EXPECT_EQ(parsed.bundle, kCwd + "/bundle");
    EXPECT_TRUE(parsed.rootless_spec);
    EXPECT_EQ(parse({"spec"}).bundle, kCwd);
    EXPECT_FALSE(parse({"spec"}).rootless_spec);
}

TEST(Parser, OtherCommandsTakeId) {
    for (const char* command : {"start", "state", "pause", "resume", "update", "events"}) {
        ParsedCommand parsed = parse({command, "c1"});
        EXPECT_EQ(parsed.command, command);
        EXPECT_EQ(parsed.id, "c1") << command;
    }
    EXPECT_EQ(parse({"features"}).command, "features");
    EXPECT_EQ(parse({"update", "-r", "-", "c1"}).command, "update");
    EXPECT_EQ(parse({"events", "--interval=5s", "--stats", "c1"}).command, "events");
}

TEST(Parser, CommandAfterGlobalOptions) {
    // The command name is found past global options and their values, whatever their form.
    ParsedCommand parsed = parse({"--root", "run", "-log-format", "json", "--debug", "--rootless",
                                  "false", "--log=/l", "state", "c1"});
    EXPECT_EQ(parsed.command, "state");
    EXPECT_EQ(parsed.global.root, kCwd + "/run");
    EXPECT_EQ(parse({"-root=/r", "delete", "c1"}).command, "delete");
}

TEST(Parser, GlobalHelpListsAllCommands) {
    ParsedCommand help = parse({"--root", "/r", "--help"});
    for (const char* command :
         {"create", "start", "run", "exec", "state", "list", "kill", "delete", "ps", "pause",
          "resume", "update", "events", "features", "spec", "image"}) {
        EXPECT_NE(help.output.find(command), std::string::npos) << command;
    }
}

TEST(Parser, HelpAndVersion) {
    ParsedCommand help = parse({"create", "--help"});
    EXPECT_TRUE(help.command.empty());
    EXPECT_NE(help.output.find("--bundle"), std::string::npos) << help.output;
    EXPECT_NE(help.output.find("--pid-file"), std::string::npos) << help.output;

    ParsedCommand global = parse({"-h"});
    EXPECT_TRUE(global.command.empty());
    EXPECT_NE(global.output.find("--root"), std::string::npos) << global.output;

    ParsedCommand none = parse({});
    EXPECT_TRUE(none.command.empty());
    EXPECT_FALSE(none.output.empty());

    ParsedCommand version = parse({"--version"});
    EXPECT_TRUE(version.command.empty());
    EXPECT_EQ(version.output, version_text());
    EXPECT_EQ(parse({"-v"}).output, version_text());
}

}  // namespace
}  // namespace ocirun::cli
