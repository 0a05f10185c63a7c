// Tests for the OCI state document, its runc layout and its schema, and the created timestamp.
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <cstdlib>
#include <fstream>

#include "base/version.h"
#include "state/container_state.h"
#include "temp_dir.h"

namespace ocirun::state {
namespace {

using testing::TempDir;

ContainerState sample_state() {
    ContainerState state;
    state.id = "c1";
    state.bundle = "/bundles/c1";
    state.rootfs = "/bundles/c1/rootfs";
    state.pid = 4321;
    state.created = "2026-12-04T17:03:12.198246774Z";
    return state;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& json) {
    std::vector<std::string> keys;
    for (const auto& item : json.items()) {
        keys.push_back(item.key());
    }
    return keys;
}

TEST(OciState, RuncKeyOrder) {
    nlohmann::ordered_json json = oci_state(sample_state(), Status::running);
    std::vector<std::string> expected = {"ociVersion", "id",     "pid",     "status",
                                         "bundle",     "rootfs", "created", "owner"};
    EXPECT_EQ(keys_of(json), expected);
    EXPECT_EQ(json["ociVersion"], kSpecVersion);
    EXPECT_EQ(json["pid"], 4321);
    EXPECT_EQ(json["status"], "running");
    EXPECT_EQ(json["owner"], "");
}

TEST(OciState, AnnotationsBeforeOwner) {
    ContainerState state = sample_state();
    state.annotations = {{"a.b", "c"}};
    nlohmann::ordered_json json = oci_state(state, Status::created);
    std::vector<std::string> expected = {"ociVersion", "id",      "pid",         "status", "bundle",
                                         "rootfs",     "created", "annotations", "owner"};
    EXPECT_EQ(keys_of(json), expected);
    EXPECT_EQ(json["annotations"]["a.b"], "c");
}

TEST(OciState, StoppedPidZero) {
    nlohmann::ordered_json json = oci_state(sample_state(), Status::stopped);
    EXPECT_EQ(json["pid"], 0);
    EXPECT_EQ(json["status"], "stopped");
}

TEST(OciState, ValidatesAgainstSchema) {
    std::string script = std::string(OCIRUN_SOURCE_DIR) + "/tests/tools/validate-json-schema.py";
    std::string schema =
        OCIRUN_SOURCE_DIR "/../shared/reference/runtime-spec/schema/state-schema.json";
    struct stat info {};
    if (stat(script.c_str(), &info) != 0 || stat(schema.c_str(), &info) != 0) {
        GTEST_SKIP() << "the schema validator or the schema is missing";
    }
    TempDir temp;
    ContainerState state = sample_state();
    state.annotations = {{"org.example", "value"}};
    for (Status status : {Status::created, Status::running, Status::stopped}) {
        std::string file = temp.path() + "/state.json";
        std::ofstream(file) << oci_state(state, status).dump(2);
        std::string command = "/usr/bin/python3 " + script + " " + schema + " " + file;
        int result = std::system(command.c_str());
        ASSERT_TRUE(WIFEXITED(result)) << "the validator did not exit";
        EXPECT_EQ(WEXITSTATUS(result), 0)
            << "status " << status_name(status) << " fails the schema";
    }
}

TEST(CreatedTime, TrimsTrailingZeros) {
    EXPECT_EQ(format_created({1796403792, 198246774}), "2026-12-04T17:03:12.198246774Z");
    EXPECT_EQ(format_created({1796403792, 198246000}), "2026-12-04T17:03:12.198246Z");
    EXPECT_EQ(format_created({1796403792, 100000000}), "2026-12-04T17:03:12.1Z");
    EXPECT_EQ(format_created({1796403792, 0}), "2026-12-04T17:03:12Z");
}

TEST(CreatedTime, NowHasUtcSuffix) {
    std::string now = created_now();
    ASSERT_GE(now.size(), 20u);
    EXPECT_EQ(now.back(), 'Z');
    EXPECT_EQ(now[10], 'T');
}

}  // namespace
}  // namespace ocirun::state
