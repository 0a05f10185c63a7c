// libFuzzer target for the state.json parser (state::from_json).
//
// A malformed file must end in ocirun::Error; any other exception aborts the run as a finding.
// A file that parses must survive a round trip: writing the state and reading it back gives
// the same JSON, because StateStore rewrites state.json from what it read.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "state/container_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) {
        return 0;
    }
    ocirun::state::ContainerState state;
    try {
        state = ocirun::state::from_json(json);
    } catch (const ocirun::Error&) {
        return 0;
    }
    const nlohmann::json written = ocirun::state::to_json(state);
    const nlohmann::json rewritten = ocirun::state::to_json(ocirun::state::from_json(written));
    if (written != rewritten) {
        std::fprintf(stderr, "state.json round trip changed\n%s\nto\n%s\n", written.dump().c_str(),
                     rewritten.dump().c_str());
        std::abort();
    }
    return 0;
}
