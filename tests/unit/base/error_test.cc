#include "base/error.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace ocirun {
namespace {

TEST(Error, ErrnoTextIsLowercase) { EXPECT_EQ(errno_text(ENOENT), "no such file or directory"); }

TEST(Error, ThrowErrnoKeepsErrnoAndContext) {
    try {
        throw_errno("open " + quote("/proc/self/fd/5"), ENOENT);
        FAIL() << "throw_errno returned";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "open `/proc/self/fd/5`: no such file or directory");
        EXPECT_EQ(e.error_number(), ENOENT);
        EXPECT_EQ(e.kind(), ErrorKind::not_found);
    }
}

TEST(Error, WithContextPrependsAndKeepsKind) {
    Error inner("bad value", EINVAL, ErrorKind::invalid_spec);
    Error outer = inner.with_context("config.json");
    EXPECT_STREQ(outer.what(), "config.json: bad value");
    EXPECT_EQ(outer.error_number(), EINVAL);
    EXPECT_EQ(outer.kind(), ErrorKind::invalid_spec);
}

}  // namespace
}  // namespace ocirun
