// Tests for parsing and naming signals.
#include "base/signal_names.h"

#include <signal.h>

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun {
namespace {

TEST(SignalNames, ParsesNamesAndNumbers) {
    struct Case {
        const char* text;
        int signal;
    };
    const Case cases[] = {
        {"KILL", SIGKILL},
        {"SIGKILL", SIGKILL},
        {"kill", SIGKILL},
        {"SigKill", SIGKILL},
        {"9", SIGKILL},
        {"TERM", SIGTERM},
        {"15", SIGTERM},
        {"0", 0},
        {"HUP", SIGHUP},
        {"USR1", SIGUSR1},
        {"SIGUSR2", SIGUSR2},
        {"WINCH", SIGWINCH},
        {"IOT", SIGABRT},
        {"CLD", SIGCHLD},
        {"POLL", SIGIO},
        {"PWR", SIGPWR},
        {"RTMIN", SIGRTMIN},
        {"SIGRTMIN+3", SIGRTMIN + 3},
        {"RTMAX-1", SIGRTMAX - 1},
        {"RTMAX", SIGRTMAX},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(parse_signal(c.text), c.signal) << c.text;
    }
}

TEST(SignalNames, RejectsUnknown) {
    for (const char* text :
         {"", "bogus", "SIG", "-1", "65", "9x", "RTMIN+40", "RTMIN-1", "RTMAX+1", "SIGSIGKILL"}) {
        EXPECT_THROW(parse_signal(text), Error) << text;
    }
    try {
        parse_signal("foo");
        FAIL() << "foo parsed";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "unknown signal \"foo\"");
    }
}

TEST(SignalNames, NamesSignals) {
    EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
    EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
    EXPECT_EQ(signal_name(SIGCHLD), "SIGCHLD");
    EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
    EXPECT_EQ(signal_name(200), "200");
}

}  // namespace
}  // namespace ocirun
