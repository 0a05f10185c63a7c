// The NOTIFY_SOCKET relay: the container's socket, its bind mount, and forwarding READY=.
#include "container/notify_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "base/error.h"

namespace ocirun::container {

namespace {

constexpr const char* kSocketName = "notify.sock";

// The maximum size of a message read. runc 1.1.5 also reads at most 4096 bytes of each.
constexpr size_t kMaxMessage = 4096;

// A sockaddr_un for a path or, with a leading "@", an abstract name. A path too long for
// sun_path is reached through /proc/self/fd/N/NAME, N being an O_PATH fd of its directory.
struct UnixAddress {
    sockaddr_un address{};
    socklen_t length = 0;
    terminal::UniqueFd directory;
};

UnixAddress unix_address(const std::string& path) {
    UnixAddress result;
    result.address.sun_family = AF_UNIX;
    std::string name = path;
    if (!path.empty() && path[0] == '@') {
        name[0] = '\0';
    } else if (path.size() >= sizeof(result.address.sun_path)) {
        size_t slash = path.rfind('/');
        std::string dir = slash == 0 ? "/" : path.substr(0, slash);
        result.directory.reset(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!result.directory.valid()) {
            throw_errno("open socket directory " + quote(dir));
        }
        name = "/proc/self/fd/" + std::to_string(result.directory.get()) + path.substr(slash);
    }
    if (name.size() >= sizeof(result.address.sun_path)) {
        throw_error("socket path " + quote(path) + " is too long");
    }
    name.copy(result.address.sun_path, name.size());
    // An abstract name is exactly as long as given, but a path ends at its terminating NUL.
    result.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                                           (name[0] == '\0' ? 0 : 1));
    return result;
}

terminal::UniqueFd datagram_socket() {
    terminal::UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        throw_errno("create unix datagram socket");
    }
    return fd;
}

terminal::UniqueFd connect_caller(const std::string& caller_socket) {
    terminal::UniqueFd fd = datagram_socket();
    UnixAddress address = unix_address(caller_socket);
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) !=
        0) {
        throw_errno("connect to NOTIFY_SOCKET " + quote(caller_socket));
    }
    return fd;
}

void send_message(int fd, const std::string& message, const std::string& caller_socket) {
    if (send(fd, message.data(), message.size(), MSG_NOSIGNAL) < 0) {
        throw_errno("send " + quote(message.substr(0, message.size() - 1)) + " to NOTIFY_SOCKET " +
                    quote(caller_socket));
    }
}

// Returns the next queued datagram, or nothing when none is queued.
std::optional<std::string> receive_message(int fd) {
    char buffer[kMaxMessage];
    for (;;) {
        ssize_t count = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (count >= 0) {
            return std::string(buffer, static_cast<size_t>(count));
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return std::nullopt;
        }
        if (errno != EINTR) {
            throw_errno("receive from the container's notify socket");
        }
    }
}

// Returns the first READY= line of the container's messages, or nothing when `pidfd`'s
// process exits first.
std::optional<std::string> wait_for_ready(int socket_fd, int pidfd) {
    for (;;) {
        // Everything queued is read before init's exit is looked at, so that a READY=1 sent
        // right before exiting is still forwarded.
        while (std::optional<std::string> message = receive_message(socket_fd)) {
            if (std::optional<std::string> line = find_ready_line(*message)) {
                return line;
            }
        }
        pollfd fds[2] = {{socket_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("wait for the container's READY message");
        }
        if ((fds[0].revents & POLLIN) == 0 && (fds[1].revents & POLLIN) != 0) {
            return std::nullopt;
        }
    }
}

}  // namespace

std::string caller_notify_socket() {
    const char* value = getenv("NOTIFY_SOCKET");
    return value != nullptr ? value : "";
}

std::string notify_dir(const std::string& container_dir) {
    return container_dir + "/notify";
}

std::optional<std::string> find_ready_line(std::string_view message) {
    size_t start = 0;
    while (start <= message.size()) {
        size_t end = message.find('\n', start);
        if (end == std::string_view::npos) {
            end = message.size();
        }
        std::string_view line = message.substr(start, end - start);
        if (line.rfind("READY=", 0) == 0) {
            return std::string(line);
        }
        start = end + 1;
    }
    return std::nullopt;
}

void add_notify_mount(spec::Spec& spec, const std::string& container_dir) {
    std::string dir = notify_dir(container_dir);
    if (mkdir(dir.c_str(), 0755) != 0) {
        throw_errno("create notify socket directory " + quote(dir));
    }
    spec::Mount mount;
    mount.destination = kNotifyDirInContainer;
    mount.source = dir;
    mount.options = {"bind", "nosuid", "noexec", "nodev", "ro"};
    spec.mounts.push_back(mount);

    // Replaced rather than appended, because getenv in the container returns the first entry.
    const std::string entry = std::string("NOTIFY_SOCKET=") + kNotifySocketInContainer;
    for (std::string& variable : spec.process->env) {
        if (variable.rfind("NOTIFY_SOCKET=", 0) == 0) {
            variable = entry;
            return;
        }
    }
    spec.process->env.push_back(entry);
}

NotifySocket::NotifySocket(const std::string& container_dir, const std::string& caller_socket)
    : socket_(datagram_socket()),
      caller_(connect_caller(caller_socket)),
      caller_socket_(caller_socket) {
    std::string path = notify_dir(container_dir) + "/" + kSocketName;
    // A socket file left by an earlier failed start would make bind fail with EADDRINUSE.
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw_errno("remove old notify socket " + quote(path));
    }
    UnixAddress address = unix_address(path);
    if (bind(socket_.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) !=
        0) {
        throw_errno("bind notify socket " + quote(path));
    }
    if (chmod(path.c_str(), 0777) != 0) {
        throw_errno("chmod notify socket " + quote(path));
    }
}

bool NotifySocket::forward_ready(int pidfd, pid_t main_pid) {
    std::optional<std::string> ready = wait_for_ready(socket_.get(), pidfd);
    if (!ready) {
        return false;
    }
    send_message(caller_.get(), *ready + "\n", caller_socket_);
    send_message(caller_.get(), "MAINPID=" + std::to_string(main_pid) + "\n", caller_socket_);
    return true;
}

}  // namespace ocirun::container
