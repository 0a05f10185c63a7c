// Starting and stopping transient units through systemd's D-Bus API (sd-bus), and loading
// libsystemd only when a command uses that API.
//
// ocirun does not link libsystemd. Linked, the dynamic loader would map it and its dependencies
// (libgcrypt, liblzma, libzstd, liblz4, libgpg-error on Debian 12) at every start, although
// only --systemd-cgroup uses it. This file defines instead the sd-bus functions that ocirun
// calls, with the signatures of <systemd/sd-bus.h>. Each definition loads libsystemd.so.0 with
// dlopen on first use and forwards to the library's function. When the library cannot be loaded,
// the functions return -ELIBACC, and connect() below reports dlerror(). A new sd-bus function
// used anywhere in ocirun must be added here, or the link fails with an undefined reference.
#include "cgroups/systemd_bus.h"

#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <memory>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/files.h"
#include "process/rootless.h"

namespace ocirun::cgroups {
namespace {

constexpr char kLibsystemd[] = "libsystemd.so.0";

struct Library {
    void* handle = nullptr;
    // dlerror() of the failed dlopen, which a later dlerror() call no longer returns.
    std::string load_error;
};

// Returns libsystemd, loading it on the first call. Its handle is nullptr when it cannot be
// loaded.
const Library& libsystemd() {
    static const Library library = [] {
        Library loaded;
        loaded.handle = dlopen(kLibsystemd, RTLD_NOW | RTLD_LOCAL);
        if (loaded.handle == nullptr) {
            const char* reason = dlerror();
            loaded.load_error = reason != nullptr ? reason : "unknown error";
        }
        return loaded;
    }();
    return library;
}

// Returns libsystemd's definition of `name` as a pointer of the type of `Function`, or nullptr.
template <typename Function>
Function* libsystemd_function(const char* name) {
    void* handle = libsystemd().handle;
    return handle == nullptr ? nullptr : reinterpret_cast<Function*>(dlsym(handle, name));
}

// Loads libsystemd or throws an Error that names the library and the loader's reason.
void load_libsystemd() {
    const Library& library = libsystemd();
    if (library.handle == nullptr) {
        throw_error(std::string("load ") + quote(kLibsystemd) +
                        " for the systemd cgroup driver: " + library.load_error +
                        "; install libsystemd0 or run without --systemd-cgroup",
                    ErrorKind::unsupported);
    }
}

}  // namespace
}  // namespace ocirun::cgroups

// The forwarding definitions. They are hidden so that libsystemd, once loaded, still binds its
// internal calls to its own functions and never to these.
#define OCIRUN_SD_BUS_FORWARD extern "C" __attribute__((visibility("hidden")))

using ocirun::cgroups::libsystemd_function;

OCIRUN_SD_BUS_FORWARD int sd_bus_new(sd_bus** bus) {
    static auto* real = libsystemd_function<decltype(sd_bus_new)>("sd_bus_new");
    return real != nullptr ? real(bus) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_set_address(sd_bus* bus, const char* address) {
    static auto* real = libsystemd_function<decltype(sd_bus_set_address)>("sd_bus_set_address");
    return real != nullptr ? real(bus, address) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_start(sd_bus* bus) {
    static auto* real = libsystemd_function<decltype(sd_bus_start)>("sd_bus_start");
    return real != nullptr ? real(bus) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_open_system(sd_bus** bus) {
    static auto* real = libsystemd_function<decltype(sd_bus_open_system)>("sd_bus_open_system");
    return real != nullptr ? real(bus) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_open_user(sd_bus** bus) {
    static auto* real = libsystemd_function<decltype(sd_bus_open_user)>("sd_bus_open_user");
    return real != nullptr ? real(bus) : -ELIBACC;
}

// A bus or message exists only when libsystemd was loaded, so without the library there is
// nothing to release.
OCIRUN_SD_BUS_FORWARD sd_bus* sd_bus_flush_close_unref(sd_bus* bus) {
    static auto* real =
        libsystemd_function<decltype(sd_bus_flush_close_unref)>("sd_bus_flush_close_unref");
    return real != nullptr ? real(bus) : nullptr;
}

OCIRUN_SD_BUS_FORWARD sd_bus_message* sd_bus_message_unref(sd_bus_message* message) {
    static auto* real = libsystemd_function<decltype(sd_bus_message_unref)>("sd_bus_message_unref");
    return real != nullptr ? real(message) : nullptr;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_message_new_method_call(sd_bus* bus, sd_bus_message** message,
                                                         const char* destination, const char* path,
                                                         const char* interface,
                                                         const char* member) {
    static auto* real = libsystemd_function<decltype(sd_bus_message_new_method_call)>(
        "sd_bus_message_new_method_call");
    return real != nullptr ? real(bus, message, destination, path, interface, member) : -ELIBACC;
}

// The variadic functions forward to their va_list forms, which libsystemd exports too.
OCIRUN_SD_BUS_FORWARD int sd_bus_message_append(sd_bus_message* message, const char* types, ...) {
    static auto* real =
        libsystemd_function<decltype(sd_bus_message_appendv)>("sd_bus_message_appendv");
    if (real == nullptr) {
        return -ELIBACC;
    }
    va_list arguments;
    va_start(arguments, types);
    int result = real(message, types, arguments);
    va_end(arguments);
    return result;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_message_read(sd_bus_message* message, const char* types, ...) {
    static auto* real = libsystemd_function<decltype(sd_bus_message_readv)>("sd_bus_message_readv");
    if (real == nullptr) {
        return -ELIBACC;
    }
    va_list arguments;
    va_start(arguments, types);
    int result = real(message, types, arguments);
    va_end(arguments);
    return result;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_call_method(sd_bus* bus, const char* destination, const char* path,
                                             const char* interface, const char* member,
                                             sd_bus_error* error, sd_bus_message** reply,
                                             const char* types, ...) {
    static auto* real = libsystemd_function<decltype(sd_bus_call_methodv)>("sd_bus_call_methodv");
    if (real == nullptr) {
        return -ELIBACC;
    }
    va_list arguments;
    va_start(arguments, types);
    int result = real(bus, destination, path, interface, member, error, reply, types, arguments);
    va_end(arguments);
    return result;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_message_append_array(sd_bus_message* message, char type,
                                                      const void* data, size_t size) {
    static auto* real =
        libsystemd_function<decltype(sd_bus_message_append_array)>("sd_bus_message_append_array");
    return real != nullptr ? real(message, type, data, size) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_message_open_container(sd_bus_message* message, char type,
                                                        const char* contents) {
    static auto* real = libsystemd_function<decltype(sd_bus_message_open_container)>(
        "sd_bus_message_open_container");
    return real != nullptr ? real(message, type, contents) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_message_close_container(sd_bus_message* message) {
    static auto* real = libsystemd_function<decltype(sd_bus_message_close_container)>(
        "sd_bus_message_close_container");
    return real != nullptr ? real(message) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_call(sd_bus* bus, sd_bus_message* message, uint64_t timeout,
                                      sd_bus_error* error, sd_bus_message** reply) {
    static auto* real = libsystemd_function<decltype(sd_bus_call)>("sd_bus_call");
    return real != nullptr ? real(bus, message, timeout, error, reply) : -ELIBACC;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_get_property(sd_bus* bus, const char* destination,
                                              const char* path, const char* interface,
                                              const char* member, sd_bus_error* error,
                                              sd_bus_message** reply, const char* type) {
    static auto* real = libsystemd_function<decltype(sd_bus_get_property)>("sd_bus_get_property");
    return real != nullptr ? real(bus, destination, path, interface, member, error, reply, type)
                           : -ELIBACC;
}

// An error is set only by a loaded libsystemd, so without the library it is empty: freeing it
// is a no-op and it has no name.
OCIRUN_SD_BUS_FORWARD void sd_bus_error_free(sd_bus_error* error) {
    static auto* real = libsystemd_function<decltype(sd_bus_error_free)>("sd_bus_error_free");
    if (real != nullptr) {
        real(error);
    }
}

OCIRUN_SD_BUS_FORWARD int sd_bus_error_is_set(const sd_bus_error* error) {
    static auto* real = libsystemd_function<decltype(sd_bus_error_is_set)>("sd_bus_error_is_set");
    return real != nullptr ? real(error) : 0;
}

OCIRUN_SD_BUS_FORWARD int sd_bus_error_has_name(const sd_bus_error* error, const char* name) {
    static auto* real =
        libsystemd_function<decltype(sd_bus_error_has_name)>("sd_bus_error_has_name");
    return real != nullptr ? real(error, name) : 0;
}

#undef OCIRUN_SD_BUS_FORWARD

namespace ocirun::cgroups {
namespace {

constexpr char kService[] = "org.freedesktop.systemd1";
constexpr char kManagerPath[] = "/org/freedesktop/systemd1";
constexpr char kManager[] = "org.freedesktop.systemd1.Manager";
// systemd's own socket for root clients. systemctl uses it too, and it works without
// dbus-daemon.
constexpr char kPrivateAddress[] = "unix:path=/run/systemd/private";
// How long a start or stop job may take. runc 1.1.5 also waits 30 s.
constexpr std::chrono::seconds kJobTimeout{30};

using Bus = SystemdBus;

struct MessageUnref {
    void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

// An sd_bus_error that frees itself.
struct BusError {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    BusError() = default;
    BusError(const BusError&) = delete;
    BusError& operator=(const BusError&) = delete;
    ~BusError() { sd_bus_error_free(&error); }
    bool has_name(const char* name) const { return sd_bus_error_has_name(&error, name) != 0; }
    std::string text(int result) const {
        return sd_bus_error_is_set(&error) ? std::string(error.name) + ": " + error.message
                                           : errno_text(-result);
    }
};

void check(int result, const std::string& context) {
    if (result < 0) {
        throw_errno(context, -result);
    }
}

// Returns a connection to the manager's own socket at `address`, or nullptr when it fails.
Bus connect_private(const std::string& address) {
    sd_bus* bus = nullptr;
    if (sd_bus_new(&bus) < 0) {
        return nullptr;
    }
    Bus owned(bus);
    if (sd_bus_set_address(bus, address.c_str()) < 0 || sd_bus_start(bus) < 0) {
        return nullptr;
    }
    return owned;
}

// Returns a connection to the caller's user manager, where user@UID.service delegates a cgroup
// subtree: first its private socket, as systemctl --user does, then the session bus
// ($DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus), which runc's rootless driver uses. Returns
// nullptr and sets `error` (a negative errno) when neither works.
Bus try_connect_user_manager(const std::string& runtime_dir, int& error) {
    if (Bus bus = connect_private("unix:path=" + runtime_dir + "/systemd/private")) {
        return bus;
    }
    sd_bus* bus = nullptr;
    error = sd_bus_open_user(&bus);
    return error < 0 ? nullptr : Bus(bus);
}

const char* xdg_runtime_dir() {
    const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    return runtime_dir == nullptr || *runtime_dir == '\0' ? nullptr : runtime_dir;
}

Bus connect_user_manager() {
    const char* runtime_dir = xdg_runtime_dir();
    if (runtime_dir == nullptr) {
        throw_error(
            "the systemd cgroup driver (--systemd-cgroup) of a rootless container needs the "
            "user's systemd manager, but XDG_RUNTIME_DIR is not set; run ocirun in the user's "
            "login session or without --systemd-cgroup",
            ErrorKind::unsupported);
    }
    int error = 0;
    Bus bus = try_connect_user_manager(runtime_dir, error);
    if (!bus) {
        throw_errno("connect to the user's systemd manager at " +
                        quote(std::string(runtime_dir) + "/systemd/private") +
                        " or over the session bus (is user@" + std::to_string(geteuid()) +
                        ".service running?)",
                    -error);
    }
    return bus;
}

Bus connect() {
    if (!systemd_running()) {
        throw_error(
            "the systemd cgroup driver (--systemd-cgroup) needs systemd, but systemd is not "
            "running on this host; run without --systemd-cgroup",
            ErrorKind::unsupported);
    }
    load_libsystemd();
    if (uses_user_manager()) {
        return connect_user_manager();
    }
    if (Bus bus = connect_private(kPrivateAddress)) {
        return bus;
    }
    sd_bus* bus = nullptr;
    int result = sd_bus_open_system(&bus);
    if (result < 0) {
        throw_errno("connect to systemd over D-Bus", -result);
    }
    return Bus(bus);
}

void append_value(sd_bus_message* message, const PropertyValue& value) {
    struct Appender {
        sd_bus_message* message;
        int operator()(bool v) const {
            return sd_bus_message_append(message, "v", "b", static_cast<int>(v));
        }
        int operator()(uint64_t v) const { return sd_bus_message_append(message, "v", "t", v); }
        int operator()(int64_t v) const { return sd_bus_message_append(message, "v", "x", v); }
        int operator()(uint32_t v) const { return sd_bus_message_append(message, "v", "u", v); }
        int operator()(int32_t v) const { return sd_bus_message_append(message, "v", "i", v); }
        int operator()(double v) const { return sd_bus_message_append(message, "v", "d", v); }
        int operator()(const std::string& v) const {
            return sd_bus_message_append(message, "v", "s", v.c_str());
        }
        int operator()(const std::vector<uint32_t>& v) const {
            return append_array("au", 'u', v.data(), v.size() * sizeof(uint32_t));
        }
        int operator()(const ByteMask& v) const {
            return append_array("ay", 'y', v.bytes.data(), v.bytes.size());
        }
        int append_array(const char* signature, char type, const void* data, size_t size) const {
            int result = sd_bus_message_open_container(message, SD_BUS_TYPE_VARIANT, signature);
            if (result >= 0) {
                result = sd_bus_message_append_array(message, type, data, size);
            }
            if (result >= 0) {
                result = sd_bus_message_close_container(message);
            }
            return result;
        }
    };
    check(std::visit(Appender{message}, value), "build the D-Bus message");
}

void append_properties(sd_bus_message* message, const std::vector<UnitProperty>& properties) {
    check(sd_bus_message_open_container(message, SD_BUS_TYPE_ARRAY, "(sv)"),
          "build the D-Bus message");
    for (const UnitProperty& property : properties) {
        check(sd_bus_message_open_container(message, SD_BUS_TYPE_STRUCT, "sv"),
              "build the D-Bus message");
        check(sd_bus_message_append(message, "s", property.name.c_str()),
              "build the D-Bus message");
        append_value(message, property.value);
        check(sd_bus_message_close_container(message), "build the D-Bus message");
    }
    check(sd_bus_message_close_container(message), "build the D-Bus message");
}

// Reads the string property `name` into `value` and returns 0, or returns the negative errno
// of the failed call. The string is copied out of the reply, which libsystemd frees. ocirun
// never frees libsystemd's memory itself, because a static ocirun has a malloc of its own,
// apart from that of the libc.so.6 that dlopen loads for libsystemd.
int get_string_property(sd_bus* bus, const std::string& object, const char* interface,
                        const char* name, sd_bus_error* error, std::string& value) {
    sd_bus_message* reply = nullptr;
    int result =
        sd_bus_get_property(bus, kService, object.c_str(), interface, name, error, &reply, "s");
    Message owned(reply);
    if (result < 0) {
        return result;
    }
    const char* text = nullptr;
    result = sd_bus_message_read(reply, "s", &text);
    if (result < 0) {
        return result;
    }
    value = text;
    return 0;
}

void sleep_microseconds(long microseconds) {
    struct timespec delay {};
    delay.tv_nsec = microseconds * 1000;
    nanosleep(&delay, nullptr);
}

// Polls the job object until systemd removes it, which it does when the job has finished.
void wait_for_job(sd_bus* bus, const std::string& job, const std::string& unit) {
    auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
    long delay_us = 1000;
    for (;;) {
        BusError error;
        std::string state;
        int result = get_string_property(bus, job, "org.freedesktop.systemd1.Job", "State",
                                         &error.error, state);
        if (result < 0) {
            return;  // the job object is gone
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw_error("systemd job " + quote(job) + " for unit " + quote(unit) +
                        " did not finish within " + std::to_string(kJobTimeout.count()) + " s");
        }
        sleep_microseconds(delay_us);
        delay_us = std::min(delay_us * 2, 50000L);
    }
}

// Returns the unit's object path, or "" when systemd has no such unit loaded.
std::string unit_object(sd_bus* bus, const std::string& unit) {
    BusError error;
    sd_bus_message* reply = nullptr;
    int result = sd_bus_call_method(bus, kService, kManagerPath, kManager, "GetUnit", &error.error,
                                    &reply, "s", unit.c_str());
    Message owned(reply);
    if (result < 0) {
        if (error.has_name("org.freedesktop.systemd1.NoSuchUnit")) {
            return "";
        }
        throw_error("systemd GetUnit " + quote(unit) + ": " + error.text(result));
    }
    const char* path = nullptr;
    check(sd_bus_message_read(reply, "o", &path), "read systemd's reply to GetUnit");
    return path;
}

std::string unit_property(sd_bus* bus, const std::string& object, const char* interface,
                          const char* name) {
    BusError error;
    std::string value;
    int result = get_string_property(bus, object, interface, name, &error.error, value);
    if (result < 0) {
        throw_error("read systemd property " + std::string(name) + " of " + quote(object) + ": " +
                    error.text(result));
    }
    return value;
}

// Returns ", result R" with the scope's Result, for example "resources" when systemd could not
// move the process into the scope, or "" when the unit is gone or the property unreadable.
std::string scope_result(sd_bus* bus, const std::string& object) {
    BusError error;
    std::string result;
    if (object.empty() || get_string_property(bus, object, "org.freedesktop.systemd1.Scope",
                                              "Result", &error.error, result) < 0) {
        return "";
    }
    return ", result " + result;
}

// Returns the job's object path from a StartTransientUnit or StopUnit reply.
std::string read_job(sd_bus_message* reply, const std::string& method) {
    const char* job = nullptr;
    check(sd_bus_message_read(reply, "o", &job), "read systemd's reply to " + method);
    return job;
}

// Returns true for root in a user namespace (as rootless podman runs the runtime) when
// $XDG_RUNTIME_DIR leads to a manager that an ordinary user owns. runc 1.1.5 reads the bus owner
// from `busctl --user status`, and the manager's own cgroup names the same uid.
bool user_manager_owned_by_unprivileged_user() {
    const char* runtime_dir = xdg_runtime_dir();
    if (runtime_dir == nullptr || !systemd_running()) {
        return false;
    }
    try {
        load_libsystemd();
        int error = 0;
        Bus bus = try_connect_user_manager(runtime_dir, error);
        if (!bus) {
            return false;
        }
        std::optional<uid_t> owner =
            manager_owner_uid(unit_property(bus.get(), kManagerPath, kManager, "ControlGroup"));
        return owner && *owner != 0;
    } catch (const Error& error) {
        log::debug("no user systemd manager for root in a user namespace: " +
                   std::string(error.what()));
        return false;
    }
}

}  // namespace

void SystemdBusCloser::operator()(sd_bus* bus) const {
    sd_bus_flush_close_unref(bus);
}

bool systemd_running() {
    return path_exists("/run/systemd/system");
}

std::optional<uid_t> manager_owner_uid(std::string_view control_group) {
    constexpr std::string_view kPrefix = "user@";
    constexpr std::string_view kSuffix = ".service";
    std::string_view name = control_group.substr(control_group.rfind('/') + 1);
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    std::string_view digits =
        name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    uid_t uid = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), uid);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return uid;
}

bool uses_user_manager() {
    if (geteuid() != 0) {
        return true;
    }
    static const bool in_user_session =
        process::running_in_user_namespace() && user_manager_owned_by_unprivileged_user();
    return in_user_session;
}

SystemdBus connect_systemd() {
    return connect();
}

std::string manager_cgroup() {
    if (!uses_user_manager()) {
        return "";
    }
    Bus bus = connect();
    return unit_property(bus.get(), kManagerPath, kManager, "ControlGroup");
}

bool start_transient_unit(const std::string& name, const std::vector<UnitProperty>& properties) {
    Bus bus = connect();
    sd_bus_message* call = nullptr;
    check(sd_bus_message_new_method_call(bus.get(), &call, kService, kManagerPath, kManager,
                                         "StartTransientUnit"),
          "build the D-Bus message");
    Message owned_call(call);
    check(sd_bus_message_append(call, "ss", name.c_str(), "replace"), "build the D-Bus message");
    append_properties(call, properties);
    check(sd_bus_message_append(call, "a(sa(sv))", 0), "build the D-Bus message");

    BusError error;
    sd_bus_message* reply = nullptr;
    int result = sd_bus_call(bus.get(), call, 0, &error.error, &reply);
    Message owned_reply(reply);
    if (result < 0) {
        if (error.has_name("org.freedesktop.systemd1.UnitExists")) {
            return false;
        }
        throw_error("systemd StartTransientUnit " + quote(name) + ": " + error.text(result));
    }
    wait_for_job(bus.get(), read_job(reply, "StartTransientUnit"), name);
    std::string object = unit_object(bus.get(), name);
    std::string state =
        object.empty()
            ? "gone"
            : unit_property(bus.get(), object, "org.freedesktop.systemd1.Unit", "ActiveState");
    if (state != "active") {
        state += scope_result(bus.get(), object);
        throw_error("systemd unit " + quote(name) + " did not start: its state is " + state +
                    " (see journalctl " + (uses_user_manager() ? "--user-unit " : "-u ") + name +
                    ")");
    }
    return true;
}

void stop_unit_owning(const std::string& name, const std::string& cgroup) {
    Bus bus = connect();
    std::string object = unit_object(bus.get(), name);
    if (object.empty()) {
        return;
    }
    std::string owner =
        unit_property(bus.get(), object, "org.freedesktop.systemd1.Scope", "ControlGroup");
    if (owner != cgroup) {
        log::debug("systemd unit " + quote(name) + " has cgroup " + quote(owner) + ", not " +
                   quote(cgroup) + "; it is not stopped");
        return;
    }
    BusError error;
    sd_bus_message* reply = nullptr;
    int result = sd_bus_call_method(bus.get(), kService, kManagerPath, kManager, "StopUnit",
                                    &error.error, &reply, "ss", name.c_str(), "replace");
    Message owned_reply(reply);
    if (result < 0) {
        if (error.has_name("org.freedesktop.systemd1.NoSuchUnit")) {
            return;
        }
        throw_error("systemd StopUnit " + quote(name) + ": " + error.text(result));
    }
    wait_for_job(bus.get(), read_job(reply, "StopUnit"), name);
}

}  // namespace ocirun::cgroups
