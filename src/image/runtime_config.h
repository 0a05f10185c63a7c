// Converting an image config (config.md) into a runtime config.json by the image spec's
// conversion rules, starting from ocirun's default config.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "image/user.h"

namespace ocirun::image {

struct ConversionOptions {
    std::string hostname;   // the container id, or the bundle's name for `image unpack`
    bool terminal = false;  // process.terminal; images run without one unless asked
};

// Returns config.json for an image whose config is `image_config` and whose user resolved to
// `user`. Starts from spec::default_config(false) and sets: process.args to Entrypoint
// followed by Cmd, process.env to Config.Env plus a default PATH (and TERM with a terminal)
// when the image does not set them, process.cwd to WorkingDir, process.user, a writable root,
// the hostname, Docker's default capabilities, and the annotations conversion.md lists with
// Config.Labels taking precedence. Throws Error(invalid_spec) when the image gives no command.
nlohmann::ordered_json runtime_config(const nlohmann::json& image_config, const ResolvedUser& user,
                                      const ConversionOptions& options);

// Returns the annotations of the conversion rules alone; exposed for tests.
nlohmann::ordered_json image_annotations(const nlohmann::json& image_config);

// Returns the paths of Config.Volumes, cleaned, sorted (so a volume comes before the volumes
// below it) and without duplicates. Throws Error(invalid_spec) for a path that is not absolute
// or names the root.
std::vector<std::string> volume_paths(const nlohmann::json& image_config);

// Returns Config.User, or "" when unset.
std::string config_user(const nlohmann::json& image_config);

}  // namespace ocirun::image
