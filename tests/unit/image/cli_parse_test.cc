// Tests of the command-line forms of `image unpack` and of --image on create and run.
#include <gtest/gtest.h>

#include "base/error.h"
#include "cli/parser.h"

namespace ocirun::cli {
namespace {

ParsedCommand parse(const std::vector<std::string>& args) {
    return parse_command_line(args, "/work");
}

TEST(ImageUnpackFlags, SourceBundleAndRef) {
    ParsedCommand parsed = parse({"image", "unpack", "--ref", "v1", "layout", "bundle"});
    EXPECT_EQ(parsed.command, "image");
    EXPECT_EQ(parsed.image_source, "layout");
    EXPECT_EQ(parsed.image_bundle, "bundle");
    EXPECT_EQ(parsed.image_reference, "v1");
    EXPECT_FALSE(parsed.image_tty);
}

TEST(ImageUnpackFlags, MissingBundleFails) {
    EXPECT_THROW(parse({"image", "unpack", "layout"}), Error);
}

TEST(ImageUnpackFlags, ActionRequired) {
    EXPECT_THROW(parse({"image"}), Error);
}

TEST(ImageFlag, RunTakesImageAndTty) {
    ParsedCommand parsed = parse({"run", "--image", "layout:v1", "-t", "box"});
    EXPECT_EQ(parsed.command, "run");
    EXPECT_EQ(parsed.image, "layout:v1");
    EXPECT_TRUE(parsed.image_tty);
    EXPECT_EQ(parsed.id, "box");
}

TEST(ImageFlag, CreateRejectsImageWithBundle) {
    EXPECT_THROW(parse({"create", "--image", "layout", "--bundle", "b", "box"}), Error);
}

}  // namespace
}  // namespace ocirun::cli
