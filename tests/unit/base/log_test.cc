#include "base/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ocirun::log {
namespace {

TEST(Log, JsonRecordHasLevelMsgTime) {
    std::string line = format_record(Level::error, "container \"x\" does not exist", Format::json,
                                     "2026-01-02T03:04:05Z");
    EXPECT_EQ(line,
              R"({"level":"error","msg":"container \"x\" does not exist",)"
              R"("time":"2026-01-02T03:04:05Z"})");
    auto parsed = nlohmann::json::parse(line);
    EXPECT_EQ(parsed.size(), 3u);
}

TEST(Log, TextRecordMatchesLogrus) {
    std::string line =
        format_record(Level::warning, "say \"hi\"", Format::text, "2026-01-02T03:04:05Z");
    EXPECT_EQ(line, R"(time="2026-01-02T03:04:05Z" level=warning msg="say \"hi\"")");
}

TEST(Log, CurrentTimeIsRfc3339Utc) {
    std::string now = current_time();
    ASSERT_EQ(now.size(), 20u);
    EXPECT_EQ(now[4], '-');
    EXPECT_EQ(now[10], 'T');
    EXPECT_EQ(now.back(), 'Z');
}

}  // namespace
}  // namespace ocirun::log
