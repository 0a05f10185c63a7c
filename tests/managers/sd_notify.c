// sd-notify: sends MESSAGE as one datagram to the unix socket that $NOTIFY_SOCKET names, as
// sd_notify(3) does. Built statically by podman.sh and bind-mounted into the busybox container,
// which has no such tool.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const char* path = getenv("NOTIFY_SOCKET");
    if (argc != 2 || path == NULL || *path == '\0') {
        fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
        return 2;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(address.sun_path)) {
        fprintf(stderr, "sd-notify: socket path %s is too long\n", path);
        return 2;
    }
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("sd-notify: socket");
        return 1;
    }
    size_t length = strlen(argv[1]);
    if (sendto(fd, argv[1], length, 0, (struct sockaddr*)&address, sizeof(address)) < 0) {
        fprintf(stderr, "sd-notify: send to %s: ", path);
        perror(NULL);
        return 1;
    }
    close(fd);
    return 0;
}
