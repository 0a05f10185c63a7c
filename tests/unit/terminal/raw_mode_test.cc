// Tests for RawMode on a pty made by the test.
#include "terminal/raw_mode.h"

#include <gtest/gtest.h>
#include <termios.h>
#include <unistd.h>

#include <stdexcept>

#include "terminal/pty.h"

namespace ocirun::terminal {
namespace {

termios attributes_of(int fd) {
    termios attributes{};
    EXPECT_EQ(::tcgetattr(fd, &attributes), 0);
    return attributes;
}

TEST(RawMode, ClearsCanonicalAndEcho) {
    Pty pty = open_pty();

    RawMode raw(pty.peer.get());
    termios attributes = attributes_of(pty.peer.get());

    EXPECT_TRUE(raw.active());
    EXPECT_EQ(attributes.c_lflag & ICANON, 0u);
    EXPECT_EQ(attributes.c_lflag & ECHO, 0u);
    EXPECT_EQ(attributes.c_lflag & ISIG, 0u);
    EXPECT_EQ(attributes.c_oflag & OPOST, 0u);
}

TEST(RawMode, DestructorRestores) {
    Pty pty = open_pty();
    termios before = attributes_of(pty.peer.get());
    ASSERT_NE(before.c_lflag & ICANON, 0u);

    { RawMode raw(pty.peer.get()); }
    termios after = attributes_of(pty.peer.get());

    EXPECT_EQ(after.c_lflag, before.c_lflag);
    EXPECT_EQ(after.c_iflag, before.c_iflag);
    EXPECT_EQ(after.c_oflag, before.c_oflag);
}

TEST(RawMode, RestoresWhenExceptionUnwinds) {
    Pty pty = open_pty();
    termios before = attributes_of(pty.peer.get());

    try {
        RawMode raw(pty.peer.get());
        throw std::runtime_error("relay failed");
    } catch (const std::runtime_error&) {
    }
    termios after = attributes_of(pty.peer.get());

    EXPECT_EQ(after.c_lflag, before.c_lflag);
}

TEST(RawMode, ExplicitRestoreThenDestructor) {
    Pty pty = open_pty();
    termios before = attributes_of(pty.peer.get());

    RawMode raw(pty.peer.get());
    raw.restore();

    EXPECT_FALSE(raw.active());
    EXPECT_EQ(attributes_of(pty.peer.get()).c_lflag, before.c_lflag);
}

TEST(RawMode, MovedFromRestoresOnce) {
    Pty pty = open_pty();
    termios before = attributes_of(pty.peer.get());

    {
        RawMode first(pty.peer.get());
        RawMode second(std::move(first));
        EXPECT_FALSE(first.active());
        EXPECT_TRUE(second.active());
    }

    EXPECT_EQ(attributes_of(pty.peer.get()).c_lflag, before.c_lflag);
}

TEST(RawMode, PipeIsLeftAlone) {
    int fds[2] = {-1, -1};
    ASSERT_EQ(::pipe(fds), 0);
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);

    RawMode raw(read_end.get());

    EXPECT_FALSE(raw.active());
}

}  // namespace
}  // namespace ocirun::terminal
