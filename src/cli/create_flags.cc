// The flags `create` and `run` share.
#include "cli/create_flags.h"

namespace ocirun::cli {

void add_create_flags(CLI::App& command, ParsedCommand& parsed) {
    container::CreateOptions& create = parsed.run.create;
    command.add_option("-b,--bundle", create.bundle,
                       "path to the root of the bundle directory (default: the current directory)");
    command.add_option("--console-socket", create.console_socket,
                       "path to an AF_UNIX socket that receives the master end of the "
                       "container's pseudoterminal");
    command.add_option("--pidfd-socket", create.pidfd_socket,
                       "path to an AF_UNIX socket that receives a pidfd of the init process");
    command.add_option("--pid-file", create.pid_file,
                       "file to write the container's init process id to");
    command.add_flag("--no-pivot", create.no_pivot,
                     "do not use pivot_root to jail the process inside the rootfs; needed when "
                     "the rootfs is on a ramdisk");
    command.add_flag("--no-new-keyring", create.no_new_keyring,
                     "do not create a new session keyring; the container inherits the caller's");
    command
        .add_option("--preserve-fds", create.preserve_fds,
                    "number of file descriptors after stdio and $LISTEN_FDS to pass to the "
                    "container")
        ->check(CLI::NonNegativeNumber);
    command.add_option("container-id", parsed.id, "the name of the container instance")->required();
}

}  // namespace ocirun::cli
