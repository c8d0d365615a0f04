// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Hbm: sparse on-card memory backing.
#include "hbm.h"

#include "log.h"

#include <sys/mman.h>

#include <hw/seed_hw.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace seed::device {

std::unique_ptr<Hbm> Hbm::create(uint64_t size) {
    if (size == 0) {
        log::error("HBM size must not be zero");
        return nullptr;
    }
    void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (addr == MAP_FAILED) {
        log::error("cannot reserve {} bytes of HBM backing: {}", size, std::strerror(errno));
        return nullptr;
    }
    // Never put device memory in core dumps: it can be huge and holds guest data.
    ::madvise(addr, size, MADV_DONTDUMP);
    return std::unique_ptr<Hbm>(new Hbm(Mapping(addr, size), size));
}

int Hbm::read(uint64_t offset, std::span<uint8_t> out) const {
    if (!contains(offset, out.size()))
        return -EFAULT;
    if (out.empty())
        return 0;
    std::memcpy(out.data(), static_cast<const uint8_t*>(mapping_.get()) + offset, out.size());
    return 0;
}

int Hbm::write(uint64_t offset, std::span<const uint8_t> in) {
    if (!contains(offset, in.size()))
        return -EFAULT;
    if (in.empty())
        return 0;
    std::memcpy(data() + offset, in.data(), in.size());
    return 0;
}

void Hbm::zero() {
    // Private anonymous memory reads as zero again once given back.
    if (::madvise(mapping_.get(), size_, MADV_DONTNEED) != 0) {
        log::warn("HBM: madvise(MADV_DONTNEED) failed: {}; clearing by hand", std::strerror(errno));
        std::memset(data(), 0, size_);
    }
}

namespace {
constexpr uint64_t kPageMask = ~uint64_t{SEED_PAGE_SIZE - 1};
}

void Hbm::poison(uint64_t offset) {
    std::unique_lock guard(poison_lock_);
    poisoned_.insert(offset & kPageMask);
    poison_count_.store(poisoned_.size());
}

void Hbm::clear_poison() {
    std::unique_lock guard(poison_lock_);
    poisoned_.clear();
    poison_count_.store(0);
}

size_t Hbm::poisoned_pages() const {
    return poison_count_.load();
}

std::optional<uint64_t> Hbm::first_poisoned(uint64_t offset, uint64_t length) const {
    if (length == 0 || poison_count_.load(std::memory_order_relaxed) == 0)
        return std::nullopt;
    std::shared_lock guard(poison_lock_);
    auto it = poisoned_.lower_bound(offset & kPageMask);
    if (it == poisoned_.end())
        return std::nullopt;
    const uint64_t page = *it;
    if (page <= offset)
        return offset; // the page holding offset itself
    if (page - offset < length)
        return page;
    return std::nullopt;
}

} // namespace seed::device
