// `update`'s flag values and `events --interval`, converted as runc 1.1.5 converts them.
#include <gtest/gtest.h>

#include "base/error.h"
#include "container/events.h"
#include "container/update.h"

namespace ocirun::container {
namespace {

TEST(RamSize, UnitsAccepted) {
    const std::pair<const char*, int64_t> cases[] = {
        {"0", 0},          {"100", 100},        {"512m", 512LL << 20},  {"512M", 512LL << 20},
        {"1g", 1LL << 30}, {"1.5G", 3LL << 29}, {"64 MiB", 64LL << 20}, {"64mb", 64LL << 20},
        {"2k", 2048},      {"1t", 1LL << 40},   {"1p", 1LL << 50},      {"10b", 10},
    };
    for (const auto& [text, bytes] : cases) {
        EXPECT_EQ(parse_ram_size("memory", text), bytes) << text;
    }
}

TEST(RamSize, InvalidRejected) {
    for (const char* text :
         {"", "12x", "m", "-5", "1..5m", "1.5.2m", ".5m", "5  m", "1e3", "9999999p"}) {
        EXPECT_THROW(parse_ram_size("memory", text), Error) << text;
    }
}

TEST(RamSize, ErrorNamesFlagAndValue) {
    try {
        parse_ram_size("memory-swap", "12x");
        FAIL() << "12x was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()).rfind("--memory-swap: invalid value `12x`", 0), 0u)
            << error.what();
        EXPECT_EQ(error.kind(), ErrorKind::invalid_spec);
    }
}

TEST(UpdateFlags, ValuesConverted) {
    UpdateFlags flags;
    flags.memory = "256m";
    flags.memory_swap = "-1";
    flags.memory_reservation = "128m";
    flags.cpu_quota = "-1";
    flags.cpu_period = "100000";
    flags.cpu_share = "512";
    flags.cpuset_cpus = "0-1";
    flags.pids_limit = "20";
    flags.blkio_weight = "300";
    spec::Resources resources = resources_from_flags(flags);
    ASSERT_TRUE(resources.memory.has_value());
    EXPECT_EQ(resources.memory->limit, 256LL << 20);
    EXPECT_EQ(resources.memory->swap, -1);
    EXPECT_EQ(resources.memory->reservation, 128LL << 20);
    ASSERT_TRUE(resources.cpu.has_value());
    EXPECT_EQ(resources.cpu->quota, -1);
    EXPECT_EQ(resources.cpu->period, 100000u);
    EXPECT_EQ(resources.cpu->shares, 512u);
    EXPECT_EQ(resources.cpu->cpus, "0-1");
    ASSERT_TRUE(resources.pids.has_value());
    EXPECT_EQ(resources.pids->limit, 20);
    ASSERT_TRUE(resources.block_io.has_value());
    EXPECT_EQ(resources.block_io->weight, 300);
}

TEST(UpdateFlags, AbsentAndZeroLeftUnset) {
    UpdateFlags flags;
    flags.pids_limit = "0";
    flags.blkio_weight = "0";
    spec::Resources resources = resources_from_flags(flags);
    EXPECT_FALSE(resources.memory.has_value());
    EXPECT_FALSE(resources.cpu.has_value());
    EXPECT_FALSE(resources.pids.has_value());
    EXPECT_FALSE(resources.block_io.has_value());
}

TEST(UpdateFlags, KernelMemoryIgnored) {
    UpdateFlags flags;
    flags.kernel_memory = "10m";
    spec::Resources resources = resources_from_flags(flags);
    EXPECT_FALSE(resources.memory.has_value());
    flags.kernel_memory = "ten";
    EXPECT_THROW(resources_from_flags(flags), Error);
}

TEST(UpdateFlags, InvalidIntegersRejected) {
    const std::pair<std::string UpdateFlags::*, const char*> cases[] = {
        {&UpdateFlags::cpu_period, "-1"},      {&UpdateFlags::cpu_share, "1k"},
        {&UpdateFlags::cpu_quota, "1.5"},      {&UpdateFlags::pids_limit, "many"},
        {&UpdateFlags::blkio_weight, "70000"},
    };
    for (const auto& [field, text] : cases) {
        UpdateFlags flags;
        flags.*field = text;
        EXPECT_THROW(resources_from_flags(flags), Error) << text;
    }
}

TEST(GoDuration, FormsAccepted) {
    using std::chrono::nanoseconds;
    const std::pair<const char*, int64_t> cases[] = {
        {"5s", 5000000000},
        {"1m30s", 90000000000},
        {"500ms", 500000000},
        {"1h", 3600000000000},
        {"1.5s", 1500000000},
        {".5s", 500000000},
        {"300us", 300000},
        {"300\xC2\xB5s", 300000},
        {"10ns", 10},
        {"0", 0},
        {"+2s", 2000000000},
        {"-1s", -1000000000},
        {"1h2m3s4ms", 3723004000000},
    };
    for (const auto& [text, count] : cases) {
        EXPECT_EQ(parse_go_duration("--interval", text), nanoseconds(count)) << text;
    }
}

TEST(GoDuration, InvalidRejected) {
    for (const char* text : {"", "5", "s", "5x", "1.2.3s", "5 s", "-", "1m30", "99999999999h"}) {
        EXPECT_THROW(parse_go_duration("--interval", text), Error) << text;
    }
}

}  // namespace
}  // namespace ocirun::container
