// Parsing of the kernel's list format for cpus and memory nodes, such as "0-3,7".
#pragma once

#include <string>
#include <vector>

namespace ocirun::process {

// Returns the ids of a list such as "0-3,7" in ascending order without duplicates. Throws an
// invalid_spec Error naming `what` and the list when an entry is not a number or a range
// runs backwards. An empty list yields no ids.
std::vector<unsigned> parse_id_list(const std::string& list, const std::string& what);

}  // namespace ocirun::process
