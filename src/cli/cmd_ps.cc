// `ocirun ps`: lists a container's processes as pids (json) or through the host's `ps` (table).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "cli/command.h"

namespace ocirun::cli {

namespace {

std::string read_all(int fd) {
    std::string out;
    char buffer[4096];
    while (true) {
        ssize_t count = ::read(fd, buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            return out;
        }
        out.append(buffer, static_cast<size_t>(count));
    }
}

// Runs the host's `ps` with `args` and returns its standard output.
std::string run_host_ps(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw_errno("create a pipe for ps");
    }
    pid_t child = ::fork();
    if (child < 0) {
        throw_errno("fork ps");
    }
    if (child == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>("ps"));
        for (const std::string& arg : args) {
            argv.push_back(const_cast<char*>(arg.c_str()));
        }
        argv.push_back(nullptr);
        ::execvp("ps", argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    std::string output = read_all(pipe_fds[0]);
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw_error("ps failed with exit status " + std::to_string(WEXITSTATUS(status)));
    }
    return output;
}

std::vector<std::string> split_fields(const std::string& line) {
    std::istringstream stream(line);
    std::vector<std::string> fields;
    std::string field;
    while (stream >> field) {
        fields.push_back(field);
    }
    return fields;
}

// Keeps the header and the lines whose PID column is one of `pids`, as runc's `ps` does.
std::string filter_ps_output(const std::string& output, const std::vector<pid_t>& pids) {
    std::istringstream lines(output);
    std::string header;
    std::getline(lines, header);
    std::vector<std::string> titles = split_fields(header);
    auto pid_column = std::find(titles.begin(), titles.end(), "PID");
    if (pid_column == titles.end()) {
        throw_error("no PID column in the output of ps");
    }
    size_t index = static_cast<size_t>(pid_column - titles.begin());
    std::string out = header + "\n";
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> fields = split_fields(line);
        if (fields.size() <= index) {
            continue;
        }
        pid_t pid = 0;
        try {
            pid = static_cast<pid_t>(std::stol(fields[index]));
        } catch (const std::exception&) {
            throw_error("invalid pid " + quote(fields[index]) + " in the output of ps");
        }
        if (std::find(pids.begin(), pids.end(), pid) != pids.end()) {
            out += line + "\n";
        }
    }
    return out;
}

}  // namespace

void add_ps(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand(
        "ps", "list a container's processes: ps [options] ID [PS-ARGS...] (default: -ef)");
    command
        ->add_option("-f,--format", parsed.format,
                     "output format: table (the host's ps output) or json (an array of pids)")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
    command->add_option("ps-args", parsed.ps_args, "arguments passed to ps in table format");
}

int run_ps(const ParsedCommand& parsed) {
    std::vector<pid_t> pids = container::pids(parsed.global, parsed.id);
    if (parsed.format == "json") {
        std::cout << nlohmann::json(pids).dump() << '\n';
        return 0;
    }
    std::vector<std::string> args = parsed.ps_args;
    if (args.empty()) {
        args = {"-ef"};
    }
    std::cout << filter_ps_output(run_host_ps(args), pids);
    return 0;
}

}  // namespace ocirun::cli
