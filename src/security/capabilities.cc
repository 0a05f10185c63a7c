// The capability sets of the container process, applied with libcap.
#include "security/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "security/messages.h"

namespace ocirun::security {
namespace {

using CapList = std::vector<cap_value_t>;

// The requested sets as capability numbers, each name already checked against this kernel and
// the runtime's own bounding set.
struct CapSets {
    CapList bounding;
    CapList effective;
    CapList inheritable;
    CapList permitted;
    CapList ambient;
};

// Frees a cap_t when it goes out of scope.
class CapState {
  public:
    explicit CapState(cap_t caps) : caps_(caps) {}
    ~CapState() { cap_free(caps_); }
    CapState(const CapState&) = delete;
    CapState& operator=(const CapState&) = delete;
    cap_t get() const { return caps_; }

  private:
    cap_t caps_;
};

std::string cap_name(cap_value_t value) {
    char* text = cap_to_name(value);
    if (text == nullptr) {
        return std::to_string(value);
    }
    std::string name = text;
    cap_free(text);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return name;
}

// cap_max_bits() returns the kernel's count of capabilities (cap_last_cap + 1).
cap_value_t last_cap() {
    return static_cast<cap_value_t>(cap_max_bits()) - 1;
}

// The runtime's own bounding set, read with one PR_CAPBSET_READ per capability on first use,
// so that only the capabilities a config names are read.
class BoundingSet {
  public:
    BoundingSet() : states_(static_cast<size_t>(last_cap()) + 1, kUnread) {}

    bool contains(cap_value_t cap) {
        signed char& state = states_[static_cast<size_t>(cap)];
        if (state == kUnread) {
            state = cap_get_bound(cap) == 1 ? 1 : 0;
        }
        return state == 1;
    }

  private:
    static constexpr signed char kUnread = -1;
    std::vector<signed char> states_;
};

// Converts names to numbers. Unknown or unavailable names are collected in `unknown` and
// `unavailable` so that each is reported once, whichever sets list it.
CapList resolve_names(const std::optional<std::vector<std::string>>& names,
                      BoundingSet& own_bounding, std::set<std::string>& unknown,
                      std::set<std::string>& unavailable) {
    CapList caps;
    if (!names) {
        return caps;
    }
    for (const std::string& name : *names) {
        cap_value_t value = 0;
        // cap_from_name also takes numbers and lower case, which config.json names never use.
        if (name.rfind("CAP_", 0) != 0 || cap_from_name(name.c_str(), &value) != 0 || value < 0 ||
            value > last_cap()) {
            unknown.insert(name);
        } else if (!own_bounding.contains(value)) {
            unavailable.insert(name);
        } else if (std::find(caps.begin(), caps.end(), value) == caps.end()) {
            caps.push_back(value);
        }
    }
    return caps;
}

CapSets resolve_sets(const std::optional<spec::Capabilities>& capabilities,
                     BoundingSet& own_bounding) {
    CapSets sets;
    if (!capabilities) {
        return sets;
    }
    std::set<std::string> unknown;
    std::set<std::string> unavailable;
    sets.bounding = resolve_names(capabilities->bounding, own_bounding, unknown, unavailable);
    sets.effective = resolve_names(capabilities->effective, own_bounding, unknown, unavailable);
    sets.inheritable = resolve_names(capabilities->inheritable, own_bounding, unknown, unavailable);
    sets.permitted = resolve_names(capabilities->permitted, own_bounding, unknown, unavailable);
    sets.ambient = resolve_names(capabilities->ambient, own_bounding, unknown, unavailable);
    for (const std::string& name : unknown) {
        warn("capability " + quote(name) + " is unknown to this kernel; skipping it");
    }
    for (const std::string& name : unavailable) {
        warn("capability " + quote(name) +
             " is not in the runtime's bounding set and cannot be granted; skipping it");
    }
    return sets;
}

bool contains(const CapList& caps, cap_value_t value) {
    return std::find(caps.begin(), caps.end(), value) != caps.end();
}

// Makes the permitted set effective, so that CAP_SETPCAP is usable for the bounding set
// changes even after a setuid to a non-zero uid cleared the effective set.
void raise_permitted_to_effective() {
    CapState current(cap_get_proc());
    if (current.get() == nullptr) {
        throw_errno("read process capabilities");
    }
    for (cap_value_t cap = 0; cap <= last_cap(); ++cap) {
        cap_flag_value_t permitted = CAP_CLEAR;
        if (cap_get_flag(current.get(), cap, CAP_PERMITTED, &permitted) == 0) {
            cap_set_flag(current.get(), CAP_EFFECTIVE, 1, &cap, permitted);
        }
    }
    if (cap_set_proc(current.get()) != 0) {
        throw_errno("raise permitted capabilities to effective");
    }
}

// Drops without reading the bounding set first, because PR_CAPBSET_DROP of a capability that
// is already out of the set succeeds. Only without CAP_SETPCAP does such a drop fail, with
// EPERM, and then the set is read to tell that case from a real failure.
void drop_bounding(const CapList& keep, BoundingSet& own_bounding) {
    for (cap_value_t cap = 0; cap <= last_cap(); ++cap) {
        if (contains(keep, cap) || cap_drop_bound(cap) == 0) {
            continue;
        }
        int error = errno;
        if (error == EPERM && !own_bounding.contains(cap)) {
            continue;
        }
        throw_errno("drop capability " + quote(cap_name(cap)) + " from the bounding set", error);
    }
}

void set_flags(cap_t caps, cap_flag_t flag, const CapList& values) {
    if (values.empty()) {
        return;
    }
    if (cap_set_flag(caps, flag, static_cast<int>(values.size()), values.data(), CAP_SET) != 0) {
        throw_errno("build capability set");
    }
}

std::string describe(const CapList& values) {
    std::string text;
    for (cap_value_t value : values) {
        text += (text.empty() ? "" : ",") + cap_name(value);
    }
    return "[" + text + "]";
}

void set_process_caps(const CapSets& sets) {
    CapState caps(cap_init());
    if (caps.get() == nullptr) {
        throw_errno("allocate capability set");
    }
    set_flags(caps.get(), CAP_INHERITABLE, sets.inheritable);
    set_flags(caps.get(), CAP_PERMITTED, sets.permitted);
    set_flags(caps.get(), CAP_EFFECTIVE, sets.effective);
    if (cap_set_proc(caps.get()) != 0) {
        throw_errno("set capabilities (permitted " + describe(sets.permitted) + ", effective " +
                    describe(sets.effective) + ", inheritable " + describe(sets.inheritable) + ")");
    }
}

// The kernel accepts an ambient capability only when it is both permitted and inheritable.
void set_ambient(const CapSets& sets) {
    // One PR_CAP_AMBIENT_CLEAR_ALL, where libcap 2.66 cap_reset_ambient() first reads every
    // ambient bit with a prctl each. EINVAL means a kernel without ambient capabilities.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        throw_errno("clear ambient capabilities");
    }
    for (cap_value_t cap : sets.ambient) {
        if (!contains(sets.permitted, cap) || !contains(sets.inheritable, cap)) {
            debug("ambient capability " + quote(cap_name(cap)) +
                  " is not both permitted and inheritable; skipping it");
            continue;
        }
        if (cap_set_ambient(cap, CAP_SET) != 0) {
            throw_errno("raise ambient capability " + quote(cap_name(cap)));
        }
    }
}

}  // namespace

void keep_capabilities_across_setuid() {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
        throw_errno("prctl PR_SET_KEEPCAPS");
    }
}

void apply_capabilities(const std::optional<spec::Capabilities>& capabilities) {
    BoundingSet own_bounding;
    const CapSets sets = resolve_sets(capabilities, own_bounding);

    raise_permitted_to_effective();
    drop_bounding(sets.bounding, own_bounding);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
        throw_errno("prctl PR_SET_KEEPCAPS");
    }
    set_process_caps(sets);
    set_ambient(sets);
}

std::vector<std::string> known_capability_names() {
    // Capability masks are 64 bits wide. libcap names a value it does not know by its number.
    constexpr cap_value_t kMaxCapability = 63;
    std::vector<std::string> names;
    for (cap_value_t value = 0; value <= kMaxCapability; ++value) {
        std::string name = cap_name(value);
        if (name.rfind("CAP_", 0) == 0) {
            names.push_back(name);
        }
    }
    return names;
}

}  // namespace ocirun::security
