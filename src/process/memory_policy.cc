// The NUMA memory policy of the container process (linux.memoryPolicy).
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <string>
#include <vector>

#include "base/error.h"
#include "process/attributes.h"
#include "process/id_list.h"

namespace ocirun::process {

// glibc has no set_mempolicy wrapper (libnuma has one), so the syscall is called directly.
void apply_memory_policy(const spec::MemoryPolicy& policy) {
    constexpr unsigned kBitsPerWord = sizeof(unsigned long) * CHAR_BIT;
    const std::vector<unsigned> nodes = parse_id_list(policy.nodes, "memory node list");

    std::vector<unsigned long> mask;
    if (!nodes.empty()) {
        mask.resize(nodes.back() / kBitsPerWord + 1);
        for (unsigned node : nodes) {
            mask[node / kBitsPerWord] |= 1UL << (node % kBitsPerWord);
        }
    }
    // The kernel reads maxnode - 1 bits, hence the extra one.
    const unsigned long max_node = mask.empty() ? 0 : mask.size() * kBitsPerWord + 1;
    const int mode = policy.mode_value | static_cast<int>(policy.flags_value);
    if (syscall(SYS_set_mempolicy, mode, mask.empty() ? nullptr : mask.data(), max_node) != 0) {
        throw_errno("set memory policy " + policy.mode + " (nodes " + quote(policy.nodes) + ")");
    }
}

}  // namespace ocirun::process
