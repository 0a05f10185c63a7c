// Applying a layer (a tar, optionally gzip- or zstd-compressed) to a root filesystem, with the
// image spec's whiteouts and opaque directories, every path resolved inside the rootfs.
#pragma once

#include <string>

#include "image/stream.h"

namespace ocirun::image {

// Extracts the layer read from `layer` onto the directory `root_fd` (opened O_RDONLY |
// O_DIRECTORY). Paths are confined to the root: leading `/` and `..` stop at it, and every
// parent directory is opened with openat2 RESOLVE_IN_ROOT, so symlinks from this or an earlier
// layer cannot lead outside. The final component is never followed. Keeps file types,
// ownership, modes, mtimes and xattrs. `.wh.NAME` removes NAME; `.wh..wh..opq` empties its
// directory of what earlier layers put there. Stops reading at the tar's end-of-archive
// marker, so the caller drains the stream to finish its digest. Throws Error naming
// `layer_name` and the entry.
void apply_layer(int root_fd, ByteStream& layer, const std::string& layer_name);

}  // namespace ocirun::image
