// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// UniqueFd: sole owner of a file descriptor.
#pragma once

#include <utility>

namespace seed {

/// Owns one file descriptor and closes it on destruction. Move-only; no
/// implicit conversion to or from int.
class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    /// The descriptor, still owned by this object (-1 if none).
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool is_valid() const noexcept { return fd_ >= 0; }

    /// Gives up ownership and returns the descriptor; the caller closes it.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

    /// Closes the owned descriptor (if any) and takes ownership of @p fd.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

} // namespace seed
