// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Msix: per-vector eventfds and pending bits.
#include "msix.h"

#include "log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seed::device {

Msix::Msix(uint32_t vectors)
    : vector_count_(vectors), fds_(vectors), pending_((vectors + 63) / 64, 0) {}

int Msix::assign(uint32_t start, std::span<UniqueFd> fds) {
    if (start > vector_count_ || fds.size() > vector_count_ - start)
        return -EINVAL;
    std::lock_guard guard(lock_);
    for (size_t i = 0; i < fds.size(); ++i) {
        uint32_t v = start + static_cast<uint32_t>(i);
        fds_[v] = std::move(fds[i]);
        uint64_t bit = 1ull << (v % 64);
        if (!held_ && fds_[v].valid() && (pending_[v / 64] & bit) != 0) {
            pending_[v / 64] &= ~bit;
            signal(fds_[v].get(), v);
        }
    }
    return 0;
}

int Msix::deassign(uint32_t start, uint32_t count) {
    if (start > vector_count_ || count > vector_count_ - start)
        return -EINVAL;
    std::lock_guard guard(lock_);
    for (uint32_t v = start; v < start + count; ++v)
        fds_[v].reset();
    return 0;
}

void Msix::deassign_all() {
    std::lock_guard guard(lock_);
    for (auto& fd : fds_)
        fd.reset();
}

bool Msix::raise(uint32_t vector) {
    if (vector >= vector_count_)
        return false;
    std::lock_guard guard(lock_);
    if (held_ || !fds_[vector].valid()) {
        pending_[vector / 64] |= 1ull << (vector % 64);
        return false;
    }
    signal(fds_[vector].get(), vector);
    return true;
}

void Msix::set_held(bool held) {
    std::lock_guard guard(lock_);
    held_ = held;
    if (held)
        return;
    for (uint32_t v = 0; v < vector_count_; ++v) {
        const uint64_t bit = 1ull << (v % 64);
        if (fds_[v].valid() && (pending_[v / 64] & bit) != 0) {
            pending_[v / 64] &= ~bit;
            signal(fds_[v].get(), v);
        }
    }
}

bool Msix::pending(uint32_t vector) const {
    if (vector >= vector_count_)
        return false;
    std::lock_guard guard(lock_);
    return (pending_[vector / 64] >> (vector % 64)) & 1;
}

void Msix::clear_pending() {
    std::lock_guard guard(lock_);
    for (auto& q : pending_)
        q = 0;
}

bool Msix::assigned(uint32_t vector) const {
    if (vector >= vector_count_)
        return false;
    std::lock_guard guard(lock_);
    return fds_[vector].valid();
}

void Msix::read_pba(uint64_t offset, std::span<uint8_t> out) const {
    std::lock_guard guard(lock_);
    uint64_t size = pba_size();
    for (size_t i = 0; i < out.size(); ++i) {
        uint64_t at = offset + i;
        out[i] = static_cast<uint8_t>(at < size ? pending_[at / 8] >> (8 * (at % 8)) : 0);
    }
}

void Msix::signal(int fd, uint32_t vector) {
    uint64_t one = 1;
    ssize_t n;
    do {
        n = ::write(fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    // EAGAIN means the counter is saturated: the interrupt is already pending.
    if (n < 0 && errno != EAGAIN)
        log::warn("msix: signalling vector {} failed: {}", vector, std::strerror(errno));
}

} // namespace seed::device
