// The sd-bus functions of cgroups/systemd_bus.cc that load libsystemd on first use: they reach
// the real library, and the ocirun binary does not name libsystemd as a needed library.
#include <elf.h>
#include <systemd/sd-bus.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

bool libsystemd_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
    return text.find("/libsystemd.so") != std::string::npos;
}

// Returns the .dynstr section of the ELF file at `path`, which holds the names of its needed
// libraries; empty when the file is not a 64-bit ELF file with that section.
std::string dynamic_strings(const std::string& path) {
    // The file is read in bulk, because reading the 200 MB sanitizer build of ocirun a byte at a
    // time took 38 s on a loaded 2-core host and over 5 minutes in the emulated test VM.
    std::ifstream file(path, std::ios::binary);
    std::ostringstream contents;
    contents << file.rdbuf();
    std::string image = contents.str();
    if (image.size() < sizeof(Elf64_Ehdr) || image.compare(0, SELFMAG, ELFMAG) != 0) {
        return "";
    }
    const auto* header = reinterpret_cast<const Elf64_Ehdr*>(image.data());
    size_t table_end = header->e_shoff + size_t{header->e_shnum} * sizeof(Elf64_Shdr);
    if (header->e_shstrndx >= header->e_shnum || table_end > image.size()) {
        return "";
    }
    const auto* sections = reinterpret_cast<const Elf64_Shdr*>(image.data() + header->e_shoff);
    const Elf64_Shdr& names = sections[header->e_shstrndx];
    for (int i = 0; i < header->e_shnum; ++i) {
        const Elf64_Shdr& section = sections[i];
        std::string name(image.c_str() + names.sh_offset + section.sh_name);
        if (name == ".dynstr" && section.sh_offset + section.sh_size <= image.size()) {
            return image.substr(section.sh_offset, section.sh_size);
        }
    }
    return "";
}

TEST(SystemdLibrary, BusNewLoadsLibsystemd) {
    sd_bus* bus = nullptr;
    ASSERT_GE(sd_bus_new(&bus), 0);
    ASSERT_NE(bus, nullptr);
    EXPECT_TRUE(libsystemd_mapped());
    // sd_bus_set_address returns 1 when the address changed.
    EXPECT_GE(sd_bus_set_address(bus, "unix:path=/nonexistent/ocirun-test-bus"), 0);
    EXPECT_LT(sd_bus_start(bus), 0);
    EXPECT_EQ(sd_bus_flush_close_unref(bus), nullptr);
}

TEST(SystemdLibrary, ErrorFunctionsForward) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    EXPECT_EQ(sd_bus_error_is_set(&error), 0);
    EXPECT_EQ(sd_bus_error_has_name(&error, SD_BUS_ERROR_FAILED), 0);
    sd_bus_error_free(&error);
}

TEST(SystemdLibrary, BinaryDoesNotNeedIt) {
    std::string strings = dynamic_strings(OCIRUN_BINARY);
    ASSERT_FALSE(strings.empty()) << "no .dynstr section in " << OCIRUN_BINARY;
    // A static PIE, the default release link, names no needed library, and a dynamic link
    // (OCIRUN_STATIC_PIE=OFF) names libc. Neither may name libsystemd.
    EXPECT_EQ(strings.find("libsystemd"), std::string::npos);
}

}  // namespace
