// sd-notify MESSAGE: sends MESSAGE as one datagram to $NOTIFY_SOCKET, as sd_notify(3) does.
// Linked statically, because it runs inside test containers whose busybox rootfs has no libc.
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const char* path = getenv("NOTIFY_SOCKET");
    if (argc != 2 || path == nullptr || path[0] == '\0') {
        fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
        return 2;
    }

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length >= sizeof(address.sun_path)) {
        fprintf(stderr, "sd-notify: NOTIFY_SOCKET is too long: %s\n", path);
        return 1;
    }
    memcpy(address.sun_path, path, length);
    // A leading "@" names a socket in the abstract namespace.
    if (path[0] == '@') {
        address.sun_path[0] = '\0';
    }
    socklen_t address_length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("sd-notify: socket");
        return 1;
    }
    ssize_t sent = sendto(fd, argv[1], strlen(argv[1]), 0,
                          reinterpret_cast<const sockaddr*>(&address), address_length);
    if (sent < 0) {
        fprintf(stderr, "sd-notify: send to %s: %s\n", path, strerror(errno));
        return 1;
    }
    close(fd);
    return 0;
}
