// libFuzzer target for the config.json and process.json parsers (spec/parse.h).
//
// Every invalid document must end in ocirun::Error. Any other exception, such as a
// nlohmann::json exception or std::out_of_range escaping the parser, aborts the run as a
// finding, and AddressSanitizer reports memory errors.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "spec/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) {
        return 0;
    }
    try {
        ocirun::spec::Spec spec = ocirun::spec::parse_config(json);
        ocirun::spec::validate_for_create(spec);
    } catch (const ocirun::Error&) {
    }
    // The same document as exec's process.json, and its `process` member as one.
    try {
        ocirun::spec::parse_process(json);
    } catch (const ocirun::Error&) {
    }
    if (json.is_object() && json.contains("process")) {
        try {
            ocirun::spec::parse_process(json["process"]);
        } catch (const ocirun::Error&) {
        }
    }
    return 0;
}
