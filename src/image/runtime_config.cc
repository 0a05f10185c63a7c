// The image-config-to-config.json conversion.
#include "image/runtime_config.h"

#include <algorithm>

#include "base/error.h"
#include "rootfs/safe_path.h"
#include "spec/default_config.h"

namespace ocirun::image {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Docker's and podman's default capability set, which images are built to run with; runc's
// three-capability default would break package managers and daemons that switch users.
const char* const kImageCapabilities[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",
};

const Json& container_config(const Json& image_config) {
    static const Json kEmpty = Json::object();
    auto found = image_config.find("config");
    return found != image_config.end() && found->is_object() ? *found : kEmpty;
}

std::vector<std::string> string_list(const Json& object, const char* key) {
    std::vector<std::string> values;
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return values;
    }
    if (!found->is_array()) {
        throw_error(std::string("image config: config.") + key + ": not an array of strings",
                    ErrorKind::invalid_spec);
    }
    for (const Json& value : *found) {
        if (!value.is_string()) {
            throw_error(std::string("image config: config.") + key + ": not an array of strings",
                        ErrorKind::invalid_spec);
        }
        values.push_back(value.get<std::string>());
    }
    return values;
}

std::string string_field(const Json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

bool has_variable(const std::vector<std::string>& env, const std::string& name) {
    for (const std::string& entry : env) {
        if (entry.compare(0, entry.find('='), name) == 0) {
            return true;
        }
    }
    return false;
}

OrderedJson process_env(const Json& config, bool terminal) {
    std::vector<std::string> env = string_list(config, "Env");
    if (!has_variable(env, "PATH")) {
        env.insert(env.begin(), kDefaultPath);
    }
    if (terminal && !has_variable(env, "TERM")) {
        env.push_back("TERM=xterm");
    }
    return OrderedJson(env);
}

OrderedJson process_args(const Json& config) {
    std::vector<std::string> args = string_list(config, "Entrypoint");
    for (std::string& arg : string_list(config, "Cmd")) {
        args.push_back(std::move(arg));
    }
    if (args.empty()) {
        throw_error("image config: neither config.Entrypoint nor config.Cmd gives a command",
                    ErrorKind::invalid_spec);
    }
    return OrderedJson(args);
}

OrderedJson process_user(const ResolvedUser& user) {
    OrderedJson result = OrderedJson::object();
    result["uid"] = user.uid;
    result["gid"] = user.gid;
    if (user.additional_gids && !user.additional_gids->empty()) {
        result["additionalGids"] = *user.additional_gids;
    }
    return result;
}

OrderedJson capability_sets() {
    OrderedJson list = OrderedJson::array();
    for (const char* capability : kImageCapabilities) {
        list.push_back(capability);
    }
    OrderedJson sets = OrderedJson::object();
    for (const char* set : {"bounding", "effective", "permitted"}) {
        sets[set] = list;
    }
    return sets;
}

std::string joined_keys(const Json& object) {
    std::string result;
    for (auto it = object.begin(); it != object.end(); ++it) {
        result += (result.empty() ? "" : ",") + it.key();
    }
    return result;
}

std::string joined_strings(const Json& array) {
    std::string result;
    for (const Json& value : array) {
        if (value.is_string()) {
            result += (result.empty() ? "" : ",") + value.get<std::string>();
        }
    }
    return result;
}

}  // namespace

std::string config_user(const Json& image_config) {
    return string_field(container_config(image_config), "User");
}

OrderedJson image_annotations(const Json& image_config) {
    OrderedJson annotations = OrderedJson::object();
    const struct {
        const char* field;
        const char* key;
    } kImplicit[] = {
        {"os", "org.opencontainers.image.os"},
        {"architecture", "org.opencontainers.image.architecture"},
        {"variant", "org.opencontainers.image.variant"},
        {"os.version", "org.opencontainers.image.os.version"},
        {"author", "org.opencontainers.image.author"},
        {"created", "org.opencontainers.image.created"},
    };
    for (const auto& implicit : kImplicit) {
        std::string value = string_field(image_config, implicit.field);
        if (!value.empty()) {
            annotations[implicit.key] = value;
        }
    }
    auto features = image_config.find("os.features");
    if (features != image_config.end() && features->is_array() && !features->empty()) {
        annotations["org.opencontainers.image.os.features"] = joined_strings(*features);
    }
    const Json& config = container_config(image_config);
    std::string stop_signal = string_field(config, "StopSignal");
    if (!stop_signal.empty()) {
        annotations["org.opencontainers.image.stopSignal"] = stop_signal;
    }
    auto ports = config.find("ExposedPorts");
    if (ports != config.end() && ports->is_object() && !ports->empty()) {
        annotations["org.opencontainers.image.exposedPorts"] = joined_keys(*ports);
    }
    // Labels take precedence over every implicit annotation.
    auto labels = config.find("Labels");
    if (labels != config.end() && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it) {
            if (it->is_string()) {
                annotations[it.key()] = it->get<std::string>();
            }
        }
    }
    return annotations;
}

OrderedJson runtime_config(const Json& image_config, const ResolvedUser& user,
                           const ConversionOptions& options) {
    const Json& config = container_config(image_config);
    OrderedJson result = spec::default_config(false);
    OrderedJson& process = result["process"];
    process["terminal"] = options.terminal;
    process["user"] = process_user(user);
    process["args"] = process_args(config);
    process["env"] = process_env(config, options.terminal);
    std::string cwd = string_field(config, "WorkingDir");
    process["cwd"] = cwd.empty() ? "/" : cwd;
    process["capabilities"] = capability_sets();
    result["root"]["readonly"] = false;
    result["hostname"] = options.hostname;
    OrderedJson annotations = image_annotations(image_config);
    if (!annotations.empty()) {
        result["annotations"] = std::move(annotations);
    }
    return result;
}

std::vector<std::string> volume_paths(const Json& image_config) {
    std::vector<std::string> paths;
    const Json& config = container_config(image_config);
    auto volumes = config.find("Volumes");
    if (volumes == config.end() || !volumes->is_object()) {
        return paths;
    }
    for (auto it = volumes->begin(); it != volumes->end(); ++it) {
        const std::string& path = it.key();
        if (path.empty() || path[0] != '/') {
            throw_error("image config: Config.Volumes: " + quote(path) + " is not an absolute path",
                        ErrorKind::invalid_spec);
        }
        std::string cleaned = rootfs::clean_path(path);
        if (cleaned == "/") {
            throw_error("image config: Config.Volumes: " + quote(path) +
                            " names the root, which cannot be a volume",
                        ErrorKind::invalid_spec);
        }
        paths.push_back(cleaned);
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    return paths;
}

}  // namespace ocirun::image
