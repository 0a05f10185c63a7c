// Translation of the seccomp names of config.json (actions, operators, architectures, flags)
// into libseccomp and kernel values.
#pragma once

#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocirun::security {

// Returns the libseccomp action for a name such as "SCMP_ACT_ERRNO". ERRNO and TRACE carry
// `errno_ret`, or EPERM when it is absent. Throws an invalid_spec Error for an unknown name.
uint32_t parse_seccomp_action(const std::string& name, std::optional<uint32_t> errno_ret);

// Returns the comparison for a name such as "SCMP_CMP_MASKED_EQ".
scmp_compare parse_seccomp_operator(const std::string& name);

// Returns the libseccomp token for a name such as "SCMP_ARCH_X86_64".
uint32_t parse_seccomp_arch(const std::string& name);

// Returns the SECCOMP_FILTER_FLAG_* bit for a name such as "SECCOMP_FILTER_FLAG_LOG".
unsigned parse_seccomp_flag(const std::string& name);

// The names each parser above accepts, in table order, for the `features` document.
std::vector<std::string_view> seccomp_action_names();
std::vector<std::string_view> seccomp_operator_names();
// The runtime-spec architecture names that the linked libseccomp resolves.
std::vector<std::string_view> seccomp_arch_names();
std::vector<std::string_view> seccomp_flag_names();

}  // namespace ocirun::security
