// `events`: a container's resource statistics and OOM kills as runc's JSON event records.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "container/operations.h"

namespace ocirun::container {

struct EventsOptions {
    std::string id;
    std::chrono::nanoseconds interval = std::chrono::seconds(5);  // between stats records
    bool stats = false;  // print one stats record and return
};

// Parses a Go duration (time.ParseDuration), as runc's --interval takes it. That is an optional
// sign, then one or more decimal numbers, each with an optional fraction and a unit ns, us, µs,
// ms, s, m or h, such as "5s", "1m30s", "1.5h" or "500ms". "0" alone needs no unit. Throws Error
// (invalid_spec) naming `flag` and the value for anything else or a duration beyond int64
// nanoseconds.
std::chrono::nanoseconds parse_go_duration(std::string_view flag, std::string_view text);

// Writes {"type":"stats","id":ID,"data":{...}} records to stdout, one JSON object a line: once
// with options.stats, else one every interval and {"type":"oom","id":ID} after each OOM kill in
// the container's cgroup, until the container's init exits. Throws Error (wrong_state) when the
// container has stopped, and Error (invalid_spec) for an interval that is not positive.
// NOTE: runc 1.1.5 on cgroup v1 keeps streaming after init exits, until the cgroup is removed
// by delete; ocirun returns as soon as the container stops.
void events(const GlobalOptions& global, const EventsOptions& options);

}  // namespace ocirun::container
