// ocirun_seccomp_bench: the cost of compiling a manager's default seccomp profile, which
// `create` and `exec` pay once each before clone.
// Usage: ocirun_seccomp_bench [CONFIG.json] [benchmark flags]
//   CONFIG.json defaults to kDefaultConfig, a docker create config with 357 syscall names.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "security/seccomp.h"
#include "spec/parse.h"

namespace ocirun::bench {
namespace {

constexpr const char* kDefaultConfig =
    OCIRUN_SOURCE_DIR "/../shared/fixtures/configs/docker-0-create-config.json";

spec::Seccomp load_profile(const std::string& path) {
    spec::Spec spec = spec::load_config(path);
    if (!spec.linux_config || !spec.linux_config->seccomp) {
        throw_error(quote(path) + " has no linux.seccomp section");
    }
    return *spec.linux_config->seccomp;
}

// Compiles the profile with libseccomp and the ENOSYS prologue, as create does once.
void compile_profile(benchmark::State& state, const spec::Seccomp& profile) {
    size_t instructions = 0;
    for (auto _ : state) {
        security::CompiledSeccomp compiled = security::compile_seccomp(profile);
        instructions = compiled.program.size();
        benchmark::DoNotOptimize(compiled.program.data());
    }
    state.counters["bpf_instructions"] = static_cast<double>(instructions);
    state.counters["syscall_rules"] = static_cast<double>(profile.syscalls.size());
}

}  // namespace
}  // namespace ocirun::bench

int main(int argc, char** argv) {
    // A first argument that is not a benchmark flag names the config to read.
    std::string path = ocirun::bench::kDefaultConfig;
    std::vector<char*> arguments(argv, argv + argc);
    if (argc > 1 && std::strncmp(argv[1], "--", 2) != 0) {
        path = argv[1];
        arguments.erase(arguments.begin() + 1);
    }
    ocirun::spec::Seccomp profile;
    try {
        profile = ocirun::bench::load_profile(path);
    } catch (const ocirun::Error& error) {
        std::fprintf(stderr, "ocirun_seccomp_bench: %s\n", error.what());
        return 1;
    }
    int count = static_cast<int>(arguments.size());
    benchmark::Initialize(&count, arguments.data());
    if (benchmark::ReportUnrecognizedArguments(count, arguments.data())) {
        return 1;
    }
    benchmark::RegisterBenchmark("compile_seccomp", ocirun::bench::compile_profile, profile);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
