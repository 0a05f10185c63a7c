// `ocirun list`: prints the containers under the state root as runc's table or JSON.
#include <pwd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "base/error.h"
#include "base/log.h"
#include "cli/command.h"
#include "cli/table.h"
#include "state/state_store.h"

namespace ocirun::cli {

namespace {

// Returns the user name, or `#UID` when the uid has none, as runc prints it.
std::string owner_name(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
        return found->pw_name;
    }
    return "#" + std::to_string(uid);
}

// Returns the OCI state of every container with its owner filled in, skipping directories
// whose state file is missing, such as a container whose create is still running. A container
// of another user in a shared state root is skipped with a warning, as runc 1.1.5 does.
std::vector<nlohmann::ordered_json> load_all(const state::StateStore& store) {
    std::vector<nlohmann::ordered_json> states;
    for (const std::string& id : store.list_ids()) {
        state::ContainerState container;
        try {
            container = store.load(id);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found) {
                continue;
            }
            if (e.error_number() == EACCES) {
                log::warning("skip container " + quote(id) + ": " + e.what());
                continue;
            }
            throw;
        }
        state::Status status = state::current_status(container, store.container_dir(id));
        nlohmann::ordered_json json = state::oci_state(container, status);
        json["owner"] = owner_name(container.owner);
        states.push_back(std::move(json));
    }
    return states;
}

std::string format_list_table(const std::vector<nlohmann::ordered_json>& states) {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& json : states) {
        rows.push_back({json["id"].get<std::string>(), std::to_string(json["pid"].get<int>()),
                        json["status"].get<std::string>(), json["bundle"].get<std::string>(),
                        json["created"].get<std::string>(), json["owner"].get<std::string>()});
    }
    return format_table(rows);
}

}  // namespace

void add_list(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("list", "list the containers under the state root (--root)");
    command->add_option("-f,--format", parsed.format, "output format: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    command->add_flag("-q,--quiet", parsed.quiet, "print only the container ids");
}

int run_list(const ParsedCommand& parsed) {
    state::StateStore store(parsed.global.root);
    std::vector<nlohmann::ordered_json> states = load_all(store);
    if (parsed.quiet) {
        for (const auto& json : states) {
            std::cout << json["id"].get<std::string>() << '\n';
        }
    } else if (parsed.format == "json") {
        // runc encodes a nil slice, so an empty list prints `null`.
        std::cout << (states.empty() ? nlohmann::ordered_json(nullptr)
                                     : nlohmann::ordered_json(states))
                         .dump()
                  << '\n';
    } else {
        std::cout << format_list_table(states);
    }
    return 0;
}

}  // namespace ocirun::cli
