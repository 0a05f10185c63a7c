// The default config.json that `spec` writes, equal to what `runc spec` writes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ocirun::spec {

// Returns the config of `runc spec` (or `runc spec --rootless`) in runc's key order, with
// ociVersion set to kSpecVersion. The rootless form maps container id 0 to the caller's
// effective uid and gid, adds a user namespace, drops the network namespace and the
// resources, bind-mounts /sys and removes uid=/gid= mount options.
nlohmann::ordered_json default_config(bool rootless);

// Writes default_config(rootless) to `bundle_dir`/config.json (the current directory when
// empty), tab-indented like runc, with mode 0666 less the umask. Throws an Error of kind
// already_exists when config.json exists, since a hand-edited config must not be lost.
void write_default_config(const std::string& bundle_dir, bool rootless);

}  // namespace ocirun::spec
