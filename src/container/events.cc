// `events`: a container's resource statistics and OOM kills as runc's JSON event records, from
// one poll loop over a timerfd, the OOM notification fd and a pidfd of init.
#include "container/events.h"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <memory>
#include <optional>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/oom_notifier.h"
#include "cgroups/stats.h"
#include "cgroups/stats_json.h"
#include "container/lifecycle.h"
#include "state/process_stat.h"
#include "state/state_store.h"

namespace ocirun::container {
namespace {

// Closes the fd when it goes out of scope.
class OwnedFd {
  public:
    explicit OwnedFd(int fd) : fd_(fd) {}
    ~OwnedFd() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Writes one record and its newline to stdout with as few write(2) calls as possible, so that a
// reader never sees half a record between two of ours.
void write_record(const nlohmann::ordered_json& record) {
    std::string line = record.dump() + "\n";
    size_t written = 0;
    while (written < line.size()) {
        ssize_t count = write(STDOUT_FILENO, line.data() + written, line.size() - written);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            throw_errno("write an event to stdout");
        }
        written += static_cast<size_t>(count);
    }
}

void write_stats(const std::string& id, const cgroups::CgroupPaths& paths) {
    write_record(
        cgroups::event_record("stats", id, cgroups::stats_to_json(cgroups::read_stats(paths))));
}

// Returns a pidfd of the container's init, or -1 when it is gone or its pid was reused.
int open_init_pidfd(const state::ContainerState& state) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, state.pid, 0));
    if (fd < 0) {
        return -1;
    }
    auto stat = state::read_process_stat(state.pid);
    if (!stat || stat->start_time != state.pid_start_time) {
        close(fd);
        return -1;
    }
    return fd;
}

int make_timer(std::chrono::nanoseconds interval) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (fd < 0) {
        throw_errno("create a timerfd for the stats interval");
    }
    itimerspec spec{};
    spec.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000000000);
    spec.it_interval.tv_nsec = static_cast<long>(interval.count() % 1000000000);
    spec.it_value = spec.it_interval;
    if (timerfd_settime(fd, 0, &spec, nullptr) != 0) {
        int err = errno;
        close(fd);
        throw_errno("start the stats timer", err);
    }
    return fd;
}

// Returns the OOM notifier, or nothing when the cgroup has no memory controller; events then
// reports statistics only, as runc does.
std::unique_ptr<cgroups::OomNotifier> open_oom_notifier(const state::ContainerState& state) {
    try {
        return std::make_unique<cgroups::OomNotifier>(state.cgroup_paths);
    } catch (const Error& error) {
        if (error.kind() != ErrorKind::unsupported) {
            throw;
        }
        log::debug(std::string("events: no OOM notifications: ") + error.what());
        return nullptr;
    }
}

void report_oom(const std::string& id, cgroups::OomNotifier* oom) {
    if (oom != nullptr && oom->consume()) {
        write_record(cgroups::event_record("oom", id));
    }
}

// Streams records until init exits. A failed read of the statistics is logged and the next tick
// tries again, as runc does, because the cgroup may be going away with the container.
void stream_events(const EventsOptions& options, const state::ContainerState& state) {
    OwnedFd pidfd(open_init_pidfd(state));
    if (pidfd.get() < 0) {
        return;  // init exited between the status check and now
    }
    OwnedFd timer(make_timer(options.interval));
    std::unique_ptr<cgroups::OomNotifier> oom = open_oom_notifier(state);
    pollfd fds[3] = {{pidfd.get(), POLLIN, 0}, {timer.get(), POLLIN, 0}, {-1, POLLIN, 0}};
    if (oom) {
        fds[2].fd = oom->fd();
    }
    for (;;) {
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("poll for container events");
        }
        if (fds[2].revents != 0) {
            report_oom(options.id, oom.get());
        }
        if (fds[1].revents != 0) {
            uint64_t expirations = 0;
            if (read(timer.get(), &expirations, sizeof expirations) > 0) {
                try {
                    write_stats(options.id, state.cgroup_paths);
                } catch (const Error& error) {
                    log::error(std::string("events: read statistics: ") + error.what());
                }
            }
        }
        if (fds[0].revents != 0) {
            // On cgroup v2 the OOM notification may arrive after init's exit, so the counter
            // is read once more.
            report_oom(options.id, oom.get());
            return;
        }
    }
}

int64_t unit_nanoseconds(std::string_view unit) {
    constexpr std::pair<std::string_view, int64_t> kUnits[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xC2\xB5s", 1000},  // U+00B5 micro sign
        {"\xCE\xBCs", 1000},  // U+03BC Greek small letter mu
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60LL * 1000000000},
        {"h", 3600LL * 1000000000},
    };
    for (const auto& [name, nanoseconds] : kUnits) {
        if (unit == name) {
            return nanoseconds;
        }
    }
    return 0;
}

}  // namespace

std::chrono::nanoseconds parse_go_duration(std::string_view flag, std::string_view text) {
    auto fail = [&](const std::string& why) -> std::chrono::nanoseconds {
        throw_error(std::string(flag) + ": invalid duration " + quote(text) + ": " + why,
                    ErrorKind::invalid_spec);
    };
    std::string_view rest = text;
    bool negative = false;
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
        negative = rest.front() == '-';
        rest.remove_prefix(1);
    }
    if (rest == "0") {
        return std::chrono::nanoseconds(0);
    }
    if (rest.empty()) {
        return fail("expected a number and a unit, such as 5s");
    }
    constexpr long double kMax = static_cast<long double>(std::numeric_limits<int64_t>::max());
    long double total = 0;
    while (!rest.empty()) {
        size_t digits = rest.find_first_not_of("0123456789.");
        std::string_view number = rest.substr(0, digits);
        if (number.empty() || number == "." || number.find('.') != number.rfind('.')) {
            return fail("expected a number before each unit, such as 1m30s");
        }
        rest.remove_prefix(number.size());
        size_t letters = rest.find_first_of("0123456789.");
        std::string_view unit = rest.substr(0, letters);
        if (unit.empty()) {
            return fail("a unit is missing: use ns, us, ms, s, m or h, such as 5s");
        }
        int64_t scale = unit_nanoseconds(unit);
        if (scale == 0) {
            return fail("unknown unit " + quote(unit) + ": use ns, us, ms, s, m or h");
        }
        rest.remove_prefix(unit.size());
        total += std::strtold(std::string(number).c_str(), nullptr) * scale;
        if (total > kMax) {
            return fail("the duration does not fit in 64-bit nanoseconds");
        }
    }
    auto nanoseconds = static_cast<int64_t>(total);
    return std::chrono::nanoseconds(negative ? -nanoseconds : nanoseconds);
}

void events(const GlobalOptions& global, const EventsOptions& options) {
    if (options.interval.count() <= 0) {
        throw_error("--interval must be greater than 0", ErrorKind::invalid_spec);
    }
    state::StateStore store = open_store(global.root);
    state::ContainerState state;
    {
        // The lock is released before streaming starts, because events may run for the
        // container's whole life and would block delete and the other commands meanwhile.
        state::ContainerLock lock = store.lock(options.id);
        state = store.load(options.id);
        if (state::current_status(state, store.container_dir(options.id)) ==
            state::Status::stopped) {
            throw_error("container " + quote(options.id) + " is not running",
                        ErrorKind::wrong_state);
        }
    }
    if (state.cgroup_paths.empty()) {
        throw_error("container " + quote(options.id) + " has no cgroup to read statistics from");
    }
    if (options.stats) {
        write_stats(options.id, state.cgroup_paths);
        return;
    }
    stream_events(options, state);
}

}  // namespace ocirun::container
