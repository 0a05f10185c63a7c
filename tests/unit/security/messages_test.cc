// Tests of the replaceable message handler of the security code.
#include "security/messages.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ocirun::security {
namespace {

TEST(Messages, HandlerReceivesLevels) {
    std::vector<std::pair<log::Level, std::string>> received;
    set_message_handler([&](log::Level level, std::string_view message) {
        received.emplace_back(level, std::string(message));
    });
    warn("first");
    debug("second");
    set_message_handler(nullptr);
    warn("after reset");

    ASSERT_EQ(received.size(), 2u);
    EXPECT_EQ(received[0].first, log::Level::warning);
    EXPECT_EQ(received[0].second, "first");
    EXPECT_EQ(received[1].first, log::Level::debug);
    EXPECT_EQ(received[1].second, "second");
}

}  // namespace
}  // namespace ocirun::security
