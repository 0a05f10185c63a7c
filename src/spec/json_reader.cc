// Path rendering, error messages and scalar readers shared by the config parser.
#include "spec/json_reader.h"

#include "base/error.h"

namespace ocirun::spec::detail {
namespace {

// Keys made of these characters print bare (`linux.sysctl`); others are quoted
// (`linux.sysctl["net.ipv4.ip_forward"]`) so that the path stays unambiguous.
bool is_plain_key(std::string_view key) {
    if (key.empty()) {
        return false;
    }
    for (char c : key) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '-';
        if (!plain) {
            return false;
        }
    }
    return true;
}

constexpr std::size_t kMaxDescribedLength = 80;

}  // namespace

void JsonPath::append_to(std::string& out) const {
    if (parent_ != nullptr) {
        parent_->append_to(out);
    }
    switch (kind_) {
        case Kind::root:
            break;
        case Kind::field:
            if (!is_plain_key(key_)) {
                out += '[';
                out += Json(key_).dump(-1, ' ', false, Json::error_handler_t::replace);
                out += ']';
            } else {
                if (!out.empty()) {
                    out += '.';
                }
                out += key_;
            }
            break;
        case Kind::item:
            out += '[';
            out += std::to_string(index_);
            out += ']';
            break;
    }
}

std::string JsonPath::str() const {
    std::string out;
    append_to(out);
    return out;
}

void fail(const JsonPath& path, std::string_view message) {
    std::string text = path.str();
    if (text.empty()) {
        throw_error(message, ErrorKind::invalid_spec);
    }
    text += ": ";
    text += message;
    throw_error(text, ErrorKind::invalid_spec);
}

std::string describe(const Json& value) {
    if (value.is_object()) {
        return "an object";
    }
    if (value.is_array()) {
        return "an array";
    }
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > kMaxDescribedLength) {
        text.resize(kMaxDescribedLength);
        text += "...";
    }
    return text;
}

void fail_type(const JsonPath& path, std::string_view what, const Json& value) {
    fail(path, "expected " + std::string(what) + ", got " + describe(value));
}

Object::Object(const Json& value, const JsonPath& path) : value_(value), path_(path) {
    if (!value.is_object()) {
        fail_type(path, "an object", value);
    }
}

const Json* Object::find(std::string_view key) const {
    auto it = value_.find(key);
    if (it == value_.end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

void read(const Json& value, const JsonPath& path, std::string& out) {
    const std::string* text = value.get_ptr<const std::string*>();
    if (text == nullptr) {
        fail_type(path, "a string", value);
    }
    out = *text;
}

void read(const Json& value, const JsonPath& path, bool& out) {
    if (!value.is_boolean()) {
        fail_type(path, "a boolean", value);
    }
    out = value.get<bool>();
}

std::string integer_type_name(bool is_signed, int bits) {
    return (is_signed ? "a signed " : "an unsigned ") + std::to_string(bits) + "-bit integer";
}

void check_absolute(std::string_view value, const JsonPath& path) {
    if (value.empty() || value.front() != '/') {
        fail(path, "must be an absolute path, got " + describe(Json(value)));
    }
}

}  // namespace ocirun::spec::detail
