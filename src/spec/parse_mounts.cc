// Readers of root, mounts and hooks.
#include "spec/parse_sections.h"

namespace ocirun::spec::detail {

void read(const Json& value, const JsonPath& path, Root& out) {
    Object object(value, path);
    object.require("path", out.path);
    object.get("readonly", out.readonly);
}

// A relative destination is accepted: the spec allows it for old configs and reads it
// relative to "/".
void read(const Json& value, const JsonPath& path, Mount& out) {
    Object object(value, path);
    object.require("destination", out.destination);
    object.get("type", out.type);
    object.get("source", out.source);
    object.get("options", out.options);
    bool has_uid_mappings = object.get("uidMappings", out.uid_mappings);
    bool has_gid_mappings = object.get("gidMappings", out.gid_mappings);
    if (has_uid_mappings && !has_gid_mappings) {
        fail(path.field("gidMappings"), "required when uidMappings is set");
    }
    if (has_gid_mappings && !has_uid_mappings) {
        fail(path.field("uidMappings"), "required when gidMappings is set");
    }
}

void read(const Json& value, const JsonPath& path, Hook& out) {
    Object object(value, path);
    object.require("path", out.path);
    check_absolute(out.path, path.field("path"));
    object.get("args", out.args);
    object.get("env", out.env);
    if (object.get("timeout", out.timeout) && *out.timeout < 1) {
        fail(path.field("timeout"), "must be at least 1, got " + std::to_string(*out.timeout));
    }
}

void read(const Json& value, const JsonPath& path, Hooks& out) {
    Object object(value, path);
    object.get("prestart", out.prestart);
    object.get("createRuntime", out.create_runtime);
    object.get("createContainer", out.create_container);
    object.get("startContainer", out.start_container);
    object.get("poststart", out.poststart);
    object.get("poststop", out.poststop);
}

}  // namespace ocirun::spec::detail
