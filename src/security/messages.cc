// The replaceable sink for warnings and debug messages of the security and attribute code.
#include "security/messages.h"

#include <utility>

namespace ocirun::security {
namespace {

MessageHandler& current_handler() {
    static MessageHandler handler;
    return handler;
}

void send(log::Level level, std::string_view message) {
    const MessageHandler& handler = current_handler();
    if (handler) {
        handler(level, message);
    } else {
        log::write(level, message);
    }
}

}  // namespace

void set_message_handler(MessageHandler handler) {
    current_handler() = std::move(handler);
}

void warn(std::string_view message) {
    send(log::Level::warning, message);
}

void debug(std::string_view message) {
    send(log::Level::debug, message);
}

}  // namespace ocirun::security
