// Sample trees and tree comparison for the image tests.
#include "tree_compare.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "layout_writer.h"

namespace ocirun::image::testing {
namespace {

void check(bool ok, const std::string& what) {
    if (!ok) {
        throw std::runtime_error("make sample tree: " + what);
    }
}

void set_mtime(const std::string& path, time_t seconds, long nanoseconds) {
    timespec times[2] = {{seconds, nanoseconds}, {seconds, nanoseconds}};
    check(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0, "utimensat " + path);
}

std::map<std::string, std::string> xattrs_of(const std::string& path) {
    std::map<std::string, std::string> result;
    char names[4096];
    ssize_t size = llistxattr(path.c_str(), names, sizeof(names));
    for (ssize_t offset = 0; size > 0 && offset < size;) {
        std::string name = names + offset;
        offset += static_cast<ssize_t>(name.size()) + 1;
        char value[4096];
        ssize_t length = lgetxattr(path.c_str(), name.c_str(), value, sizeof(value));
        result[name] = std::string(value, length > 0 ? static_cast<std::size_t>(length) : 0);
    }
    return result;
}

std::vector<std::string> relative_paths(const std::string& root) {
    std::vector<std::string> paths;
    for (auto it = std::filesystem::recursive_directory_iterator(root);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
        paths.push_back(it->path().lexically_relative(root).string());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

void compare_entry(const std::string& path, const std::string& expected_root,
                   const std::string& actual_root, std::vector<std::string>& differences) {
    std::string expected_path = expected_root + "/" + path;
    std::string actual_path = actual_root + "/" + path;
    struct stat want {};
    struct stat got {};
    lstat(expected_path.c_str(), &want);
    if (lstat(actual_path.c_str(), &got) != 0) {
        differences.push_back(path + ": missing");
        return;
    }
    auto differ = [&](const char* what, auto a, auto b) {
        if (a != b) {
            differences.push_back(path + ": " + what + " " + std::to_string(a) +
                                  " != " + std::to_string(b));
        }
    };
    differ("mode", want.st_mode, got.st_mode);
    differ("uid", want.st_uid, got.st_uid);
    differ("gid", want.st_gid, got.st_gid);
    differ("mtime", want.st_mtim.tv_sec, got.st_mtim.tv_sec);
    differ("mtime nsec", want.st_mtim.tv_nsec, got.st_mtim.tv_nsec);
    if (S_ISREG(want.st_mode)) {
        differ("size", want.st_size, got.st_size);
        differ("nlink", want.st_nlink, got.st_nlink);
        if (read_text(expected_path) != read_text(actual_path)) {
            differences.push_back(path + ": content differs");
        }
    }
    if (S_ISCHR(want.st_mode) || S_ISBLK(want.st_mode)) {
        differ("rdev", want.st_rdev, got.st_rdev);
    }
    if (S_ISLNK(want.st_mode) && std::filesystem::read_symlink(expected_path) !=
                                     std::filesystem::read_symlink(actual_path)) {
        differences.push_back(path + ": symlink target differs");
    }
    if (xattrs_of(expected_path) != xattrs_of(actual_path)) {
        differences.push_back(path + ": xattrs differ");
    }
}

// Paths that share an inode in `root`, grouped by inode.
std::set<std::set<std::string>> link_groups(const std::string& root,
                                            const std::vector<std::string>& paths) {
    std::map<ino_t, std::set<std::string>> groups;
    for (const std::string& path : paths) {
        struct stat info {};
        if (lstat((root + "/" + path).c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
            info.st_nlink > 1) {
            groups[info.st_ino].insert(path);
        }
    }
    std::set<std::set<std::string>> result;
    for (auto& [inode, group] : groups) {
        result.insert(group);
    }
    return result;
}

}  // namespace

void make_sample_tree(const std::string& dir) {
    bool root = geteuid() == 0;
    std::filesystem::create_directories(dir + "/usr/bin");
    std::filesystem::create_directories(dir + "/etc/empty");
    std::filesystem::create_directories(dir + "/var/lib");
    write_text(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    write_text(dir + "/usr/bin/tool", std::string(70000, 't'));
    check(chmod((dir + "/usr/bin/tool").c_str(), 04755) == 0, "chmod tool");
    write_text(dir + "/etc/empty-file", "");
    check(chmod((dir + "/etc/empty").c_str(), 0700) == 0, "chmod empty");
    check(chmod((dir + "/var/lib").c_str(), 01777) == 0, "chmod lib");
    check(link((dir + "/usr/bin/tool").c_str(), (dir + "/usr/bin/tool-link").c_str()) == 0, "link");
    check(symlink("../etc/passwd", (dir + "/usr/passwd-link").c_str()) == 0, "symlink");
    check(symlink("/nonexistent/absolute", (dir + "/var/dangling").c_str()) == 0, "symlink");
    check(mkfifo((dir + "/var/fifo").c_str(), 0620) == 0, "mkfifo");
    // A sparse file whose end is a hole.
    int fd = open((dir + "/var/sparse").c_str(), O_WRONLY | O_CREAT, 0644);
    check(fd >= 0 && pwrite(fd, "s", 1, 4096) == 1 && ftruncate(fd, 1 << 20) == 0, "sparse");
    close(fd);
    if (setxattr((dir + "/etc/passwd").c_str(), "user.note", "kept", 4, 0) == 0) {
        setxattr((dir + "/usr/bin").c_str(), "user.dir", "d", 1, 0);
    }
    if (root) {
        check(mknod((dir + "/var/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0, "mknod");
        check(mknod((dir + "/var/loop").c_str(), S_IFBLK | 0640, makedev(7, 1)) == 0, "mknod");
        check(lchown((dir + "/var/lib").c_str(), 1000, 1001) == 0, "chown");
        check(lchown((dir + "/usr/passwd-link").c_str(), 7, 8) == 0, "lchown");
        check(chown((dir + "/etc/empty-file").c_str(), 65534, 65534) == 0, "chown");
        // chown cleared nothing here, but set the setuid file's owner and mode again anyway.
        check(chown((dir + "/usr/bin/tool").c_str(), 0, 0) == 0, "chown");
        check(chmod((dir + "/usr/bin/tool").c_str(), 04755) == 0, "chmod");
    }
    // Deepest first, so a directory's mtime is not changed again by its entries.
    std::vector<std::string> paths = relative_paths(dir);
    long nanoseconds = 1000;
    for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
        set_mtime(dir + "/" + *it, 1650000000 + (nanoseconds % 97), nanoseconds);
        nanoseconds += 123457;
    }
}

std::vector<std::string> compare_trees(const std::string& expected, const std::string& actual) {
    std::vector<std::string> differences;
    std::vector<std::string> want = relative_paths(expected);
    std::vector<std::string> got = relative_paths(actual);
    for (const std::string& path : want) {
        compare_entry(path, expected, actual, differences);
    }
    for (const std::string& path : got) {
        if (!std::binary_search(want.begin(), want.end(), path)) {
            differences.push_back(path + ": not in the source tree");
        }
    }
    if (link_groups(expected, want) != link_groups(actual, got)) {
        differences.push_back("hard-link groups differ");
    }
    return differences;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) {
        text += line + "\n";
    }
    return text;
}

}  // namespace ocirun::image::testing
