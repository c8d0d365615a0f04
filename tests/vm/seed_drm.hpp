// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Raw access to seed.ko for the driver tests: open a SeedChip accel node and
// issue ioctls with errno as the result, so each test can check the exact
// error of every failure path. libseed is deliberately not used here: these
// tests pin the kernel ABI itself.
#pragma once

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <uapi/drm/seed_accel.h>

#include "sysfs_files.hpp"

namespace seed::vm {

/// An owned file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

/// /dev/accel/accel* nodes driven by seed.ko, sorted by name.
inline std::vector<std::string> seed_nodes() {
    namespace fs = std::filesystem;
    std::vector<std::string> nodes;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/accel", ec)) {
        const std::string path = e.path().string();
        const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (drmVersionPtr v = drmGetVersion(fd)) {
            if (std::string(v->name, static_cast<size_t>(v->name_len)) == "seed")
                nodes.push_back(path);
            drmFreeVersion(v);
        }
        ::close(fd);
    }
    std::sort(nodes.begin(), nodes.end());
    return nodes;
}

/// The node of the SeedChip whose sysfs serial is @p serial, or "" if no
/// bound chip has it (unbound, removed).
inline std::string node_of(const std::string& serial) {
    namespace fs = std::filesystem;
    for (const auto& node : seed_nodes()) {
        const fs::path dev = fs::path("/sys/class/accel") / fs::path(node).filename() / "device";
        if (read_line(dev / "serial") == serial)
            return node;
    }
    return {};
}

/// Opens the n-th SeedChip node; an invalid Fd if there is none.
inline Fd open_seed(size_t n = 0) {
    const auto nodes = seed_nodes();
    if (n >= nodes.size())
        return Fd{};
    return Fd{::open(nodes[n].c_str(), O_RDWR | O_CLOEXEC)};
}

/// ioctl() returning 0 or the errno value, retrying on EINTR/EAGAIN.
template <typename T>
int seed_ioctl(int fd, unsigned long request, T* arg) {
    int ret;
    do {
        ret = ::ioctl(fd, request, arg);
    } while (ret == -1 && (errno == EINTR || errno == EAGAIN));
    return ret == 0 ? 0 : errno;
}

} // namespace seed::vm
