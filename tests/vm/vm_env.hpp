// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The contract between tools/seed-vm and the tests it runs: the runner sets
// SEED_VM_CHIPS and SEED_VM_HBM, and starts chip k with serial SEEDVM-<kkkk>
// and UUID 5eed0000-0000-4000-8000-<k as 12 hex digits>. One definition here,
// so a change to the runner's scheme changes every test that relies on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace seed::vm {

inline std::optional<std::uint64_t> env_number(const char* name) {
    const char* s = std::getenv(name);
    if (s == nullptr || *s == '\0')
        return std::nullopt;
    return std::strtoull(s, nullptr, 10);
}

/// Chips seed-vm attached (SEED_VM_CHIPS), if running under it.
inline std::optional<unsigned> chips() {
    const auto n = env_number("SEED_VM_CHIPS");
    return n ? std::optional<unsigned>(static_cast<unsigned>(*n)) : std::nullopt;
}

/// Whether seed-vm booted its debug kernel (SEED_VM_DEBUG_KERNEL=1): KASAN,
/// lockdep and the other checkers make the guest about three times slower.
inline bool debug_kernel() {
    const char* v = std::getenv("SEED_VM_DEBUG_KERNEL");
    return v != nullptr && std::string(v) == "1";
}

/// HBM bytes per chip (SEED_VM_HBM), if running under seed-vm.
inline std::optional<std::uint64_t> hbm_bytes() {
    return env_number("SEED_VM_HBM");
}

inline std::string serial(unsigned k) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "SEEDVM-%04u", k);
    return buf;
}

/// Canonical 8-4-4-4-12 text of a 16-byte UUID as GET_INFO returns it.
inline std::string format_uuid(const unsigned char (&bytes)[16]) {
    std::string s;
    char byte[3];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s += '-';
        std::snprintf(byte, sizeof(byte), "%02x", unsigned{bytes[i]});
        s += byte;
    }
    return s;
}

inline std::string uuid(unsigned k) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "5eed0000-0000-4000-8000-%012x", k);
    return buf;
}

/// Path of chip k's fault-injection channel in the guest (see tools/seed-vm).
inline std::string control_path(unsigned k) {
    return "/run/seed-control/chip" + std::to_string(k);
}

/// Line-oriented client of a chip's fault-injection control socket
/// (docs/hardware.md §16), reached through seed-vm's side channel.
class Control {
public:
    explicit Control(unsigned chip) {
        fd_ = ::open(control_path(chip).c_str(), O_RDWR | O_CLOEXEC);
        if (fd_ < 0)
            throw std::runtime_error("no control channel for chip " + std::to_string(chip));
    }
    Control(const Control&) = delete;
    Control& operator=(const Control&) = delete;
    ~Control() {
        if (fd_ >= 0)
            ::close(fd_);
    }

    static bool available(unsigned chip) { return ::access(control_path(chip).c_str(), F_OK) == 0; }

    /// Sends one command and returns its reply line ("ok ..." or "error ...").
    std::string command(const std::string& line) {
        const std::string out = line + "\n";
        if (::write(fd_, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
            throw std::runtime_error("control write failed");
        std::string reply;
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0)
                throw std::runtime_error("no reply to '" + line + "'");
            char c;
            const ssize_t n = ::read(fd_, &c, 1);
            if (n < 0)
                throw std::runtime_error("control read failed");
            if (n == 0 || c == '\n')
                return reply;
            reply += c;
        }
    }

private:
    int fd_ = -1;
};

} // namespace seed::vm
