// The runtime-spec features document that `ocirun features` prints.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "security/seccomp_flags.h"

namespace ocirun::container {

// Returns the features document of runtime-spec 1.3 (features.md, features-linux.md). The
// lists come from the tables the config parsers use, so the document names what this build
// recognizes. Only linux.seccomp.supportedFlags depends on the host. It lists the known flags
// for which `accepts` returns true, by default those that the running kernel accepts.
nlohmann::ordered_json features_document(
    const security::SeccompFlagProbe& accepts = security::kernel_accepts_seccomp_flag);

// The hook names of config.json that ocirun runs, in lifecycle order.
std::vector<std::string_view> hook_names();

// The linux.memoryPolicy modes and flags that ocirun applies with set_mempolicy(2).
std::vector<std::string_view> memory_policy_modes();
std::vector<std::string_view> memory_policy_flags();

// The config.json annotations and annotation prefixes (ending in ".") that change what ocirun
// does: org.systemd.property.NAME sets a property of the systemd driver's scope.
std::vector<std::string_view> behavior_changing_annotations();

// Returns the seccomp flag names of `known` for which `accepts` returns true.
std::vector<std::string_view> supported_seccomp_flags(const std::vector<std::string_view>& known,
                                                      const security::SeccompFlagProbe& accepts);

}  // namespace ocirun::container
