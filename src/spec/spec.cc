// Lookups on the typed config model: namespaces by type and their spec names.
#include "spec/spec.h"

namespace ocirun::spec {

const Namespace* Linux::find_namespace(NamespaceType type) const {
    for (const Namespace& ns : namespaces) {
        if (ns.type == type) {
            return &ns;
        }
    }
    return nullptr;
}

bool Linux::has_namespace(NamespaceType type) const {
    return find_namespace(type) != nullptr;
}

const char* namespace_type_name(NamespaceType type) {
    switch (type) {
        case NamespaceType::pid:
            return "pid";
        case NamespaceType::network:
            return "network";
        case NamespaceType::mount:
            return "mount";
        case NamespaceType::ipc:
            return "ipc";
        case NamespaceType::uts:
            return "uts";
        case NamespaceType::user:
            return "user";
        case NamespaceType::cgroup:
            return "cgroup";
        case NamespaceType::time:
            return "time";
    }
    return "unknown";
}

}  // namespace ocirun::spec
