// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Hbm: sparse on-card memory backing.
#include "hbm.h"

#include "log.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

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

} // namespace seed::device
