// The replaceable sink for warnings and debug messages of the security and attribute code.
#pragma once

#include <functional>
#include <string_view>

#include "base/log.h"

namespace ocirun::security {

// Receives one warning or debug message. Between clone and execve the init stage installs a
// handler that forwards messages over the sync socket, because the child must not write the
// log itself.
using MessageHandler = std::function<void(log::Level level, std::string_view message)>;

// Replaces the handler; an empty function restores the default, which calls log::write.
void set_message_handler(MessageHandler handler);

void warn(std::string_view message);
void debug(std::string_view message);

}  // namespace ocirun::security
