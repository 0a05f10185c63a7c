// The sd-bus functions of cgroups/systemd_bus.cc that load libsystemd on first use: they reach
// the real library, and the ocirun binary does not name libsystemd as a needed library.
#include <elf.h>
#include <systemd/sd-bus.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

bool libsystemd_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
    return text.find("/libsystemd.so") != std::string::npos;
}

// Returns `size` bytes at `offset` of `file`, or "" when the file ends before them.
std::string read_at(std::ifstream& file, uint64_t offset, uint64_t size) {
    std::string bytes(size, '\0');
    file.clear();
    file.seekg(static_cast<std::streamoff>(offset));
    file.read(bytes.data(), static_cast<std::streamsize>(size));
    return file.gcount() == static_cast<std::streamsize>(size) ? bytes : "";
}

// Returns the .dynstr section of the ELF file at `path`, which contains the names of its needed
// libraries; empty when the file is not a 64-bit ELF file with that section. Only the headers
// and two sections are read, because the sanitizer build of ocirun is about 200 MB.
std::string dynamic_strings(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::string header_bytes = read_at(file, 0, sizeof(Elf64_Ehdr));
    if (header_bytes.empty() || header_bytes.compare(0, SELFMAG, ELFMAG) != 0) {
        return "";
    }
    Elf64_Ehdr header;
    std::memcpy(&header, header_bytes.data(), sizeof header);
    if (header.e_shstrndx >= header.e_shnum) {
        return "";
    }
    std::string table = read_at(file, header.e_shoff, size_t{header.e_shnum} * sizeof(Elf64_Shdr));
    if (table.empty()) {
        return "";
    }
    std::vector<Elf64_Shdr> sections(header.e_shnum);
    std::memcpy(sections.data(), table.data(), table.size());
    const Elf64_Shdr& names_section = sections[header.e_shstrndx];
    std::string names = read_at(file, names_section.sh_offset, names_section.sh_size);
    for (const Elf64_Shdr& section : sections) {
        if (section.sh_name < names.size() &&
            std::string(names.c_str() + section.sh_name) == ".dynstr") {
            return read_at(file, section.sh_offset, section.sh_size);
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
