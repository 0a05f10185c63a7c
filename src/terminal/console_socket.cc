// Connecting to a console socket and sending the pty master.
#include "terminal/console_socket.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::terminal {

void send_console(const std::string& console_socket_path, int master_fd) {
    const std::string context = "console socket " + quote(console_socket_path);

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (console_socket_path.empty() || console_socket_path.size() >= sizeof(address.sun_path)) {
        throw_error(context + ": path must have 1 to " +
                    std::to_string(sizeof(address.sun_path) - 1) + " bytes");
    }
    std::memcpy(address.sun_path, console_socket_path.c_str(), console_socket_path.size() + 1);

    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        throw_errno(context + ": socket");
    }
    int result = 0;
    do {
        result =
            ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        throw_errno(context + ": connect");
    }

    try {
        send_fd(socket.get(), master_fd, kConsolePayload);
    } catch (const Error& error) {
        throw error.with_context(context);
    }
}

}  // namespace ocirun::terminal
