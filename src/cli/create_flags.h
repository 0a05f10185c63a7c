// The flags `create` and `run` share.
#pragma once

#include "cli/command.h"

namespace ocirun::cli {

// Registers --bundle, --console-socket, --pidfd-socket, --pid-file, --no-pivot,
// --no-new-keyring, --preserve-fds, --image, --tty and the container id on `command`.
void add_create_flags(CLI::App& command, ParsedCommand& parsed);

// For --image, unpacks the image into the container's image bundle and returns options whose
// bundle is that directory; otherwise returns `parsed.run`. Throws Error when --image and
// --bundle are both given.
container::RunOptions options_with_image(const ParsedCommand& parsed);

// Removes the image bundle of a container that --image unpacked, unless the container exists
// in the state root, whose `delete` removes it. Logs a failure as a warning.
void remove_unused_image_bundle(const ParsedCommand& parsed);

}  // namespace ocirun::cli
