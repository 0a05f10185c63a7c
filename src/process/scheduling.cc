// CPU and I/O scheduling of the container process: process.scheduler, process.ioPriority and
// the cpu affinity of process.execCPUAffinity.
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "base/error.h"
#include "process/attributes.h"
#include "process/id_list.h"

namespace ocirun::process {
namespace {

// The sched_setattr argument as the kernel defines it (SCHED_ATTR_SIZE_VER1). glibc 2.36 does not
// declare it, and <linux/sched/types.h> clashes with glibc's struct sched_param.
struct SchedAttr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};
static_assert(sizeof(SchedAttr) == 56);

std::string describe_scheduler(const spec::Scheduler& scheduler) {
    std::string text = scheduler.policy + " (nice " + std::to_string(scheduler.nice.value_or(0)) +
                       ", priority " + std::to_string(scheduler.priority.value_or(0));
    if (scheduler.flags_value != 0) {
        text += ", flags " + std::to_string(scheduler.flags_value);
    }
    if (scheduler.runtime || scheduler.deadline || scheduler.period) {
        text += ", runtime " + std::to_string(scheduler.runtime.value_or(0)) + ", deadline " +
                std::to_string(scheduler.deadline.value_or(0)) + ", period " +
                std::to_string(scheduler.period.value_or(0));
    }
    return text + ")";
}

}  // namespace

// glibc 2.36 has no sched_setattr wrapper, so the syscall is called directly.
void apply_scheduler(const spec::Scheduler& scheduler) {
    SchedAttr attr = {};
    attr.size = sizeof(attr);
    attr.sched_policy = static_cast<uint32_t>(scheduler.policy_value);
    attr.sched_flags = scheduler.flags_value;
    attr.sched_nice = scheduler.nice.value_or(0);
    attr.sched_priority = static_cast<uint32_t>(scheduler.priority.value_or(0));
    attr.sched_runtime = scheduler.runtime.value_or(0);
    attr.sched_deadline = scheduler.deadline.value_or(0);
    attr.sched_period = scheduler.period.value_or(0);
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
        throw_errno("set scheduler " + describe_scheduler(scheduler));
    }
}

void apply_io_priority(const spec::IoPriority& io_priority) {
    const int value = IOPRIO_PRIO_VALUE(io_priority.class_value, io_priority.priority);
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) != 0) {
        throw_errno("set io priority " + io_priority.io_class + " (priority " +
                    std::to_string(io_priority.priority) + ")");
    }
}

void apply_cpu_affinity(const std::string& cpu_list) {
    const std::vector<unsigned> cpus = parse_id_list(cpu_list, "cpu list");
    if (cpus.empty()) {
        throw_error("invalid cpu list " + quote(cpu_list) + ": no cpus", ErrorKind::invalid_spec);
    }
    // A dynamically sized set, so that cpus above CPU_SETSIZE (1024) can be named.
    const int count = static_cast<int>(cpus.back()) + 1;
    cpu_set_t* set = CPU_ALLOC(count);
    if (set == nullptr) {
        throw_errno("allocate cpu set for " + quote(cpu_list));
    }
    const size_t size = CPU_ALLOC_SIZE(count);
    CPU_ZERO_S(size, set);
    for (unsigned cpu : cpus) {
        CPU_SET_S(cpu, size, set);
    }
    const int result = sched_setaffinity(0, size, set);
    const int error = errno;
    CPU_FREE(set);
    if (result != 0) {
        throw_errno("set cpu affinity " + quote(cpu_list), error);
    }
}

}  // namespace ocirun::process
