// The default config of `spec`: schema validity, equality with `runc spec`, and the writer.
#include "spec/default_config.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"
#include "base/version.h"
#include "spec/parse.h"

namespace ocirun::spec {
namespace {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

const fs::path kSchema = fs::path(OCIRUN_SOURCE_DIR) / ".." / "shared" / "reference" /
                         "runtime-spec" / "schema" / "config-schema.json";
const fs::path kValidator =
    fs::path(OCIRUN_SOURCE_DIR) / "tests" / "tools" / "validate-json-schema.py";

class TempDir {
  public:
    TempDir() {
        char pattern[] = "/tmp/ocirun-spec-test-XXXXXX";
        if (mkdtemp(pattern) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~TempDir() { fs::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string read_text(const fs::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Runs a shell command and returns its exit status, or -1 when it did not exit normally.
int run(const std::string& command) {
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int validate_against_schema(const OrderedJson& config, const TempDir& dir) {
    fs::path file = dir.path() / "candidate.json";
    std::ofstream(file) << config.dump();
    return run("/usr/bin/python3 '" + kValidator.string() + "' '" + kSchema.string() + "' '" +
               file.string() + "'");
}

TEST(DefaultConfig, ValidAgainstSchema) {
    TempDir dir;
    EXPECT_EQ(validate_against_schema(default_config(false), dir), 0);
}

TEST(DefaultConfig, RootlessValidAgainstSchema) {
    TempDir dir;
    EXPECT_EQ(validate_against_schema(default_config(true), dir), 0);
}

// Guards the two tests above: the validator must reject a config without ociVersion.
TEST(DefaultConfig, SchemaCheckRejectsInvalid) {
    TempDir dir;
    OrderedJson config = default_config(false);
    config.erase("ociVersion");
    EXPECT_EQ(validate_against_schema(config, dir), 1);
}

TEST(DefaultConfig, UsesSpecVersion) {
    EXPECT_EQ(default_config(false)["ociVersion"], kSpecVersion);
    EXPECT_EQ(default_config(true)["ociVersion"], kSpecVersion);
}

TEST(DefaultConfig, RootlessMapsCallerIds) {
    OrderedJson linux_config = default_config(true)["linux"];
    EXPECT_EQ(linux_config["uidMappings"][0]["hostID"], ::geteuid());
    EXPECT_EQ(linux_config["gidMappings"][0]["hostID"], ::getegid());
    EXPECT_FALSE(linux_config.contains("resources"));
}

TEST(DefaultConfig, ParsesAndIsValidForCreate) {
    for (bool rootless : {false, true}) {
        SCOPED_TRACE(rootless ? "rootless" : "root");
        Spec spec = parse_config(nlohmann::json::parse(default_config(rootless).dump()));
        EXPECT_NO_THROW(validate_for_create(spec));
        ASSERT_TRUE(spec.linux_config.has_value());
        EXPECT_EQ(spec.linux_config->has_namespace(NamespaceType::user), rootless);
        EXPECT_EQ(spec.linux_config->has_namespace(NamespaceType::network), !rootless);
    }
}

// Compares with what the installed runc writes. It fails rather than skips without runc,
// because equality with runc is the point of `spec`.
void expect_same_as_runc(bool rootless) {
    TempDir dir;
    std::string flags = rootless ? " --rootless" : "";
    ASSERT_EQ(run("cd '" + dir.path().string() + "' && runc spec" + flags), 0)
        << "runc spec" << flags << " failed; is runc installed?";
    std::string runc_text = read_text(dir.path() / "config.json");
    OrderedJson runc_config = OrderedJson::parse(runc_text);
    OrderedJson ours = default_config(rootless);

    ASSERT_TRUE(runc_config.contains("ociVersion"));
    runc_config["ociVersion"] = ours["ociVersion"];
    for (const auto& [key, value] : runc_config.items()) {
        EXPECT_EQ(ours[key], value) << "field " << key;
    }
    // ordered_json compares key order too, so this also checks runc's order.
    EXPECT_EQ(ours, runc_config);
    // The text differs only in the version line, so the tab layout matches as well.
    EXPECT_EQ(ours.dump(1, '\t'), runc_config.dump(1, '\t'));
    std::string runc_version = OrderedJson::parse(runc_text)["ociVersion"];
    std::string expected_text = runc_text;
    expected_text.replace(expected_text.find(runc_version), runc_version.size(), kSpecVersion);
    EXPECT_EQ(ours.dump(1, '\t'), expected_text);
}

TEST(DefaultConfig, SameAsRuncSpec) {
    expect_same_as_runc(false);
}

TEST(DefaultConfig, SameAsRuncSpecRootless) {
    expect_same_as_runc(true);
}

// runc maps the caller's effective ids, so both writers run as uid 1000 and gid 1001 here.
TEST(DefaultConfig, RootlessSameAsRuncForOtherUser) {
    constexpr uid_t kUid = 1000;
    constexpr gid_t kGid = 1001;
    if (::geteuid() != 0) {
        GTEST_SKIP() << "switching to uid 1000 needs root";
    }
    TempDir runc_dir;
    TempDir our_dir;
    fs::permissions(runc_dir.path(), fs::perms::all);
    fs::permissions(our_dir.path(), fs::perms::all);
    ASSERT_EQ(
        run("cd '" + runc_dir.path().string() + "' && setpriv --reuid=" + std::to_string(kUid) +
            " --regid=" + std::to_string(kGid) + " --clear-groups runc spec --rootless"),
        0);

    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 0;
        if (::setgroups(0, nullptr) != 0 || ::setresgid(kGid, kGid, kGid) != 0 ||
            ::setresuid(kUid, kUid, kUid) != 0) {
            code = 2;
        } else {
            try {
                write_default_config(our_dir.path().string(), true);
            } catch (const Error&) {
                code = 3;
            }
        }
        ::_exit(code);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);

    OrderedJson runc_config = OrderedJson::parse(read_text(runc_dir.path() / "config.json"));
    OrderedJson ours = OrderedJson::parse(read_text(our_dir.path() / "config.json"));
    EXPECT_EQ(ours["linux"]["uidMappings"][0]["hostID"], kUid);
    EXPECT_EQ(ours["linux"]["gidMappings"][0]["hostID"], kGid);
    runc_config["ociVersion"] = ours["ociVersion"];
    EXPECT_EQ(ours, runc_config);
}

TEST(WriteDefaultConfig, WritesRuncLayout) {
    TempDir dir;
    write_default_config(dir.path().string(), false);
    std::string text = read_text(dir.path() / "config.json");
    EXPECT_EQ(text, default_config(false).dump(1, '\t'));
    EXPECT_TRUE(text.starts_with("{\n\t\"ociVersion\": ")) << text.substr(0, 40);
    EXPECT_FALSE(text.ends_with("\n"));
}

TEST(WriteDefaultConfig, ModeFollowsUmask) {
    TempDir dir;
    mode_t previous = ::umask(027);
    write_default_config(dir.path().string(), true);
    ::umask(previous);
    struct stat info {};
    ASSERT_EQ(::stat((dir.path() / "config.json").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0640U);
}

TEST(WriteDefaultConfig, RefusesToOverwrite) {
    TempDir dir;
    fs::path file = dir.path() / "config.json";
    std::ofstream(file) << "{}";
    try {
        write_default_config(dir.path().string(), false);
        FAIL() << "write_default_config overwrote config.json";
    } catch (const Error& e) {
        EXPECT_EQ(e.what(),
                  "config.json already exists in `" + dir.path().string() + "`: remove it first");
        EXPECT_EQ(e.kind(), ErrorKind::already_exists);
    }
    EXPECT_EQ(read_text(file), "{}");
}

TEST(WriteDefaultConfig, EmptyBundleDirIsCurrentDir) {
    TempDir dir;
    fs::path previous = fs::current_path();
    fs::current_path(dir.path());
    try {
        write_default_config("", false);
    } catch (const Error& e) {
        ADD_FAILURE() << e.what();
    }
    fs::current_path(previous);
    EXPECT_TRUE(fs::exists(dir.path() / "config.json"));
}

TEST(WriteDefaultConfig, MissingBundleDirFails) {
    TempDir dir;
    std::string bundle = (dir.path() / "absent").string();
    try {
        write_default_config(bundle, false);
        FAIL() << "write_default_config wrote into a missing directory";
    } catch (const Error& e) {
        EXPECT_EQ(e.what(), "create `" + bundle + "/config.json`: no such file or directory");
    }
}

}  // namespace
}  // namespace ocirun::spec
