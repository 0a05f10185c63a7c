// The entry points of the config parser: the top-level document, files and create checks.
#include "spec/parse.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "spec/parse_sections.h"

namespace ocirun::spec {
namespace {

using detail::Json;
using detail::JsonPath;
using detail::Object;

Spec parse_document(const Json& json) {
    JsonPath root_path;
    Object document(json, root_path);
    Spec spec;
    document.require("ociVersion", spec.oci_version);
    document.get("root", spec.root);
    document.get("mounts", spec.mounts);
    document.get("process", spec.process);
    document.get("hostname", spec.hostname);
    document.get("domainname", spec.domainname);
    document.get("hooks", spec.hooks);
    document.get("annotations", spec.annotations);
    document.get("linux", spec.linux_config);
    return spec;
}

// Reads the whole file, reserving its size first because config.json is read on every create.
std::string read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    std::string content;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && info.st_size > 0) {
        content.reserve(static_cast<std::size_t>(info.st_size) + 1);
    }
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw_errno("read " + quote(path), err);
        }
        if (n == 0) {
            break;
        }
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return content;
}

// Parses JSON text. A syntax error keeps nlohmann's position and reason but drops its tag.
Json parse_json(const std::string& text) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        std::string_view message = e.what();
        std::size_t tag_end = message.find("] ");
        if (message.starts_with("[json.exception.") && tag_end != std::string_view::npos) {
            message.remove_prefix(tag_end + 2);
        }
        throw_error("invalid JSON: " + std::string(message), ErrorKind::invalid_spec);
    }
}

template <typename Parse>
auto load_file(const std::string& path, Parse parse) {
    std::string text = read_file(path);
    try {
        return parse(parse_json(text));
    } catch (const Error& e) {
        throw e.with_context(path);
    }
}

}  // namespace

Spec parse_config(const nlohmann::json& json) {
    return parse_document(json);
}

Spec load_config(const std::string& path) {
    return load_file(path, [](const Json& json) { return parse_document(json); });
}

Process parse_process(const nlohmann::json& json) {
    Process process;
    detail::read(json, JsonPath(), process);
    return process;
}

Process load_process(const std::string& path) {
    return load_file(path, [](const Json& json) { return parse_process(json); });
}

void validate_for_create(const Spec& spec) {
    if (!spec.process) {
        throw_error("process: required field is missing", ErrorKind::invalid_spec);
    }
    if (!spec.root) {
        throw_error("root: required field is missing", ErrorKind::invalid_spec);
    }
    if (spec.process->args.empty()) {
        throw_error("process.args: must not be empty", ErrorKind::invalid_spec);
    }
}

}  // namespace ocirun::spec
