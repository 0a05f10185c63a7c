// Typed reading of JSON values for the config parser, with errors that name the JSON path.
//
// Every reader is an overload of read(value, path, out), so that containers of any readable
// type (vectors, optionals, string maps) are read by the same templates.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ocirun::spec::detail {

using Json = nlohmann::json;

// A location in the document such as `process.rlimits[1].type`. Each step points to its
// parent, which must outlive it (paths live on the stack of the readers), so the text is only
// built when an error is thrown.
class JsonPath {
  public:
    JsonPath() = default;

    JsonPath field(std::string_view key) const { return JsonPath(this, key, 0, Kind::field); }
    JsonPath item(std::size_t index) const { return JsonPath(this, {}, index, Kind::item); }

    std::string str() const;

  private:
    enum class Kind { root, field, item };

    JsonPath(const JsonPath* parent, std::string_view key, std::size_t index, Kind kind)
        : parent_(parent), key_(key), index_(index), kind_(kind) {}

    void append_to(std::string& out) const;

    const JsonPath* parent_ = nullptr;
    std::string_view key_;
    std::size_t index_ = 0;
    Kind kind_ = Kind::root;
};

// Throws Error("<path>: <message>") with ErrorKind::invalid_spec.
[[noreturn]] void fail(const JsonPath& path, std::string_view message);

// Returns a short text of a value for "got ..." messages: scalars as JSON, containers by kind.
std::string describe(const Json& value);

// Throws the "expected <what>, got <value>" error.
[[noreturn]] void fail_type(const JsonPath& path, std::string_view what, const Json& value);

// A JSON object of the document. A member whose value is null counts as absent, as Go's
// encoding/json (and so runc) treats it.
class Object {
  public:
    // Throws unless `value` is an object.
    Object(const Json& value, const JsonPath& path);

    const JsonPath& path() const { return path_; }

    // Returns the member, or nullptr when it is absent or null.
    // NOTE: keys match exactly, while runc's Go decoder also matches them case-insensitively.
    const Json* find(std::string_view key) const;

    // Reads member `key` into `out` when present, and returns whether it was.
    template <typename T>
    bool get(std::string_view key, T& out) const;

    // Reads member `key` into `out`, and throws when it is absent.
    template <typename T>
    void require(std::string_view key, T& out) const;

  private:
    const Json& value_;
    JsonPath path_;
};

void read(const Json& value, const JsonPath& path, std::string& out);
void read(const Json& value, const JsonPath& path, bool& out);

// Names the integer type in messages, e.g. "an unsigned 32-bit integer".
std::string integer_type_name(bool is_signed, int bits);

template <std::integral T>
requires(!std::same_as<T, bool>) void read(const Json& value, const JsonPath& path, T& out) {
    if (value.is_number_unsigned()) {
        uint64_t number = value.get<uint64_t>();
        if (number <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
            out = static_cast<T>(number);
            return;
        }
    } else if (value.is_number_integer()) {
        int64_t number = value.get<int64_t>();
        bool fits = number >= 0 ? static_cast<uint64_t>(number) <=
                                      static_cast<uint64_t>(std::numeric_limits<T>::max())
                                : std::is_signed_v<T> &&
                                      number >= static_cast<int64_t>(std::numeric_limits<T>::min());
        if (fits) {
            out = static_cast<T>(number);
            return;
        }
    }
    fail_type(path, integer_type_name(std::is_signed_v<T>, static_cast<int>(sizeof(T) * 8)), value);
}

template <typename T>
void read(const Json& value, const JsonPath& path, std::optional<T>& out) {
    read(value, path, out.emplace());
}

template <typename T>
void read(const Json& value, const JsonPath& path, std::vector<T>& out) {
    if (!value.is_array()) {
        fail_type(path, "an array", value);
    }
    out.clear();
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        read(value[i], path.item(i), out.emplace_back());
    }
}

// Reads a map keyed by name. An empty key is rejected because no spec map allows one.
template <typename T>
void read(const Json& value, const JsonPath& path, std::map<std::string, T>& out) {
    if (!value.is_object()) {
        fail_type(path, "an object", value);
    }
    out.clear();
    for (const auto& [key, member] : value.items()) {
        if (key.empty()) {
            fail(path, "empty key");
        }
        read(member, path.field(key), out[key]);
    }
}

template <typename T>
bool Object::get(std::string_view key, T& out) const {
    const Json* member = find(key);
    if (member == nullptr) {
        return false;
    }
    read(*member, path_.field(key), out);
    return true;
}

template <typename T>
void Object::require(std::string_view key, T& out) const {
    if (!get(key, out)) {
        fail(path_.field(key), "required field is missing");
    }
}

// One name of a string enumeration and the value it stands for.
template <typename T>
struct EnumName {
    std::string_view name;
    T value;
};

// Looks `name` up in `names`, and throws `<path>: unknown <what> "<name>"` when absent.
template <typename T>
T lookup_enum(std::string_view name, std::span<const EnumName<T>> names, std::string_view what,
              const JsonPath& path) {
    for (const EnumName<T>& entry : names) {
        if (entry.name == name) {
            return entry.value;
        }
    }
    fail(path, std::string("unknown ") + std::string(what) + " " + describe(Json(name)));
}

// Reads a string, checks it against an enumeration and returns the enumerated value.
template <typename T>
T read_enum(const Json& value, const JsonPath& path, std::span<const EnumName<T>> names,
            std::string_view what, std::string& name) {
    read(value, path, name);
    return lookup_enum(name, names, what, path);
}

// Throws `<path>: must be an absolute path, got "<value>"` unless `value` starts with '/'.
void check_absolute(std::string_view value, const JsonPath& path);

}  // namespace ocirun::spec::detail
