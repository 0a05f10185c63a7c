// Device rules on cgroup v2: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the
// container's cgroup, since cgroup v2 has no devices.allow file.
#include "cgroups/devices_v2.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "cgroups/conversions.h"

namespace ocirun::cgroups::v2 {
namespace {

// Registers of the program: the context pointer arrives in r1, the verdict leaves in r0.
constexpr uint8_t kContext = 1;
constexpr uint8_t kType = 2;
constexpr uint8_t kAccess = 3;
constexpr uint8_t kMajor = 4;
constexpr uint8_t kMinor = 5;
constexpr uint8_t kScratch = 6;

bpf_insn instruction(uint8_t code, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) {
    bpf_insn insn{};
    insn.code = code;
    insn.dst_reg = dst & 0xf;
    insn.src_reg = src & 0xf;
    insn.off = offset;
    insn.imm = imm;
    return insn;
}

bpf_insn load_u32(uint8_t dst, int16_t offset) {
    return instruction(BPF_LDX | BPF_MEM | BPF_W, dst, kContext, offset, 0);
}

bpf_insn move_register(uint8_t dst, uint8_t src) {
    return instruction(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

bpf_insn alu_immediate(uint8_t operation, uint8_t dst, int32_t imm) {
    return instruction(BPF_ALU64 | operation | BPF_K, dst, 0, 0, imm);
}

// A conditional jump whose offset is filled in once the rule's block length is known.
bpf_insn jump_immediate(uint8_t condition, uint8_t dst, int32_t imm) {
    return instruction(BPF_JMP | condition | BPF_K, dst, 0, 0, imm);
}

void append_exit(int32_t verdict, std::vector<bpf_insn>& program) {
    program.push_back(alu_immediate(BPF_MOV, 0, verdict));
    program.push_back(instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

int32_t access_bits(const std::string& access) {
    int32_t bits = 0;
    for (char letter : access.empty() ? std::string("rwm") : access) {
        bits |= letter == 'r'   ? BPF_DEVCG_ACC_READ
                : letter == 'w' ? BPF_DEVCG_ACC_WRITE
                                : BPF_DEVCG_ACC_MKNOD;
    }
    return bits;
}

// Appends the test of one rule: the jumps skip to the next rule unless the access matches. An
// allow rule matches when it grants every requested access bit, a deny rule when it names any.
void append_rule(const spec::DeviceCgroupRule& rule, std::vector<bpf_insn>& program) {
    device_rule_v1(rule);  // rejects an invalid type or access letter
    std::vector<bpf_insn> block;
    if (rule.type == "b" || rule.type == "c") {
        block.push_back(jump_immediate(
            BPF_JNE, kType, rule.type == "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    }
    int32_t bits = access_bits(rule.access);
    block.push_back(move_register(kScratch, kAccess));
    block.push_back(alu_immediate(BPF_AND, kScratch, rule.allow ? ~bits : bits));
    block.push_back(jump_immediate(rule.allow ? BPF_JNE : BPF_JEQ, kScratch, 0));
    if (rule.major && *rule.major >= 0) {
        block.push_back(jump_immediate(BPF_JNE, kMajor, static_cast<int32_t>(*rule.major)));
    }
    if (rule.minor && *rule.minor >= 0) {
        block.push_back(jump_immediate(BPF_JNE, kMinor, static_cast<int32_t>(*rule.minor)));
    }
    append_exit(rule.allow ? 1 : 0, block);
    // Every conditional jump leaves the block: its offset counts the instructions after it.
    for (size_t i = 0; i < block.size(); ++i) {
        if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) != BPF_EXIT) {
            block[i].off = static_cast<int16_t>(block.size() - i - 1);
        }
    }
    program.insert(program.end(), block.begin(), block.end());
}

std::vector<bpf_insn> build_program(const std::vector<spec::DeviceCgroupRule>& rules) {
    // struct bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor, all u32.
    std::vector<bpf_insn> program = {
        load_u32(kType, 0),
        move_register(kAccess, kType),
        alu_immediate(BPF_AND, kType, 0xffff),
        alu_immediate(BPF_RSH, kAccess, 16),
        load_u32(kMajor, 4),
        load_u32(kMinor, 8),
    };
    // Later rules take precedence, so they are tested first.
    for (auto rule = rules.rbegin(); rule != rules.rend(); ++rule) {
        append_rule(*rule, program);
    }
    append_exit(0, program);
    return program;
}

int bpf(int command, bpf_attr& attributes) {
    return static_cast<int>(syscall(SYS_bpf, command, &attributes, sizeof attributes));
}

// Loads the program with a verifier log of `log_size` bytes (none when 0).
int load_program_with_log(const std::vector<bpf_insn>& program, char* log, uint32_t log_size) {
    static const char kLicense[] = "Apache-2.0";
    bpf_attr attributes{};
    attributes.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attributes.insns = reinterpret_cast<uint64_t>(program.data());
    attributes.insn_cnt = static_cast<uint32_t>(program.size());
    attributes.license = reinterpret_cast<uint64_t>(kLicense);
    if (log_size != 0) {
        attributes.log_buf = reinterpret_cast<uint64_t>(log);
        attributes.log_size = log_size;
        attributes.log_level = 1;
    }
    return bpf(BPF_PROG_LOAD, attributes);
}

// The first load has no verifier log, because the kernel rejects a valid program with ENOSPC
// when its log does not fit the buffer (seen on Debian 12's 6.1 kernel with runc's default
// device rules). Only a rejected program is loaded again, to put the log in the error.
int load_program(const std::vector<bpf_insn>& program) {
    int fd = load_program_with_log(program, nullptr, 0);
    if (fd >= 0) {
        return fd;
    }
    int err = errno;
    char log[4096] = {};
    std::string context = "load the eBPF device program";
    if (load_program_with_log(program, log, sizeof log) < 0 && log[0] != '\0') {
        context += " (verifier: " + std::string(log, strnlen(log, sizeof log)) + ")";
    }
    throw_errno(context, err);
}

std::vector<uint32_t> attached_programs(int cgroup_fd) {
    std::vector<uint32_t> ids(64);
    bpf_attr attributes{};
    attributes.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attributes.query.attach_type = BPF_CGROUP_DEVICE;
    attributes.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
    attributes.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, attributes) != 0) {
        throw_errno("query the eBPF device programs of the cgroup");
    }
    ids.resize(std::min<size_t>(attributes.query.prog_cnt, ids.size()));
    return ids;
}

void detach_program(int cgroup_fd, uint32_t id) {
    bpf_attr by_id{};
    by_id.prog_id = id;
    int program_fd = bpf(BPF_PROG_GET_FD_BY_ID, by_id);
    if (program_fd < 0) {
        if (errno == ENOENT) {
            return;  // already gone
        }
        throw_errno("open eBPF program " + std::to_string(id));
    }
    bpf_attr detach{};
    detach.target_fd = static_cast<uint32_t>(cgroup_fd);
    detach.attach_bpf_fd = static_cast<uint32_t>(program_fd);
    detach.attach_type = BPF_CGROUP_DEVICE;
    int result = bpf(BPF_PROG_DETACH, detach);
    int err = errno;
    close(program_fd);
    if (result != 0 && err != ENOENT) {
        throw_errno("detach eBPF program " + std::to_string(id), err);
    }
}

}  // namespace

void set_devices(const std::string& directory, const std::vector<spec::DeviceCgroupRule>& rules) {
    std::vector<bpf_insn> program = build_program(rules);
    int cgroup_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd < 0) {
        throw_errno("open cgroup " + quote(directory));
    }
    int program_fd = -1;
    try {
        std::vector<uint32_t> previous = attached_programs(cgroup_fd);
        program_fd = load_program(program);
        bpf_attr attach{};
        attach.target_fd = static_cast<uint32_t>(cgroup_fd);
        attach.attach_bpf_fd = static_cast<uint32_t>(program_fd);
        attach.attach_type = BPF_CGROUP_DEVICE;
        attach.attach_flags = BPF_F_ALLOW_MULTI;
        if (bpf(BPF_PROG_ATTACH, attach) != 0) {
            throw_errno("attach the eBPF device program to cgroup " + quote(directory));
        }
        // The new program is in force before the old ones go, so no access slips through.
        for (uint32_t id : previous) {
            detach_program(cgroup_fd, id);
        }
    } catch (const Error&) {
        if (program_fd >= 0) {
            close(program_fd);
        }
        close(cgroup_fd);
        throw;
    }
    close(program_fd);
    close(cgroup_fd);
}

}  // namespace ocirun::cgroups::v2
