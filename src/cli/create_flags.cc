// The flags `create` and `run` share, and the image bundle of --image.
#include "cli/create_flags.h"

#include "base/error.h"
#include "base/log.h"
#include "image/container_bundle.h"
#include "state/state_store.h"

namespace ocirun::cli {

void add_create_flags(CLI::App& command, ParsedCommand& parsed) {
    container::CreateOptions& create = parsed.run.create;
    CLI::Option* bundle = command.add_option(
        "-b,--bundle", create.bundle,
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
    command
        .add_option("--image", parsed.image,
                    "run an image instead of a bundle: SOURCE[:TAG] or SOURCE@DIGEST, where "
                    "SOURCE is an OCI layout, an OCI archive or a docker save archive; the "
                    "bundle is unpacked into the state root and removed by delete")
        ->excludes(bundle);
    command.add_flag("-t,--tty", parsed.image_tty,
                     "with --image: give the container a terminal (process.terminal)");
    command.add_option("container-id", parsed.id, "the name of the container instance")->required();
}

}  // namespace ocirun::cli

namespace ocirun::cli {

container::RunOptions options_with_image(const ParsedCommand& parsed) {
    container::RunOptions options = parsed.run;
    if (!parsed.image.empty()) {
        // Creates the state root with the store's own mode before the bundle goes into it.
        state::StateStore store(parsed.global.root);
        options.create.bundle = image::unpack_for_container(parsed.global.root, parsed.id,
                                                            parsed.image, parsed.image_tty);
    }
    return options;
}

void remove_unused_image_bundle(const ParsedCommand& parsed) {
    if (parsed.image.empty() || state::StateStore(parsed.global.root).exists(parsed.id)) {
        return;
    }
    if (std::error_code error = image::remove_container_bundle(parsed.global.root, parsed.id)) {
        log::warning("remove the image bundle of container " + parsed.id + ": " +
                     error.message());
    }
}

}  // namespace ocirun::cli
