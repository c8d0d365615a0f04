// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Dma: guest memory map table and checked copies.
#include "dma.h"

#include "log.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <mutex>

namespace seed::device {
namespace {

bool range_valid(uint64_t iova, uint64_t size) {
    return size != 0 && iova + (size - 1) >= iova;
}

uint64_t last_byte(uint64_t iova, uint64_t size) {
    return iova + (size - 1);
}

/// mmap()s [offset, offset + size) of @p fd; returns an empty Mapping and logs on failure.
Mapping map_fd(int fd, uint64_t offset, uint64_t size, uint32_t prot, uint8_t** host) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        log::warn("dma: fstat on map fd failed: {}", std::strerror(errno));
        return {};
    }
    if (S_ISREG(st.st_mode) && (offset > static_cast<uint64_t>(st.st_size) ||
                                size > static_cast<uint64_t>(st.st_size) - offset)) {
        // Touching pages past the end of the file would raise SIGBUS.
        log::warn("dma: map [{:#x}+{:#x}) lies beyond the end of its file ({:#x} bytes)", offset,
                  size, st.st_size);
        return {};
    }
    uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    uint64_t blk = static_cast<uint64_t>(st.st_blksize);
    if (blk > page && (blk & (blk - 1)) == 0)
        page = blk; // hugetlbfs: offsets must be huge-page aligned
    uint64_t aligned = offset & ~(page - 1);
    uint64_t delta = offset - aligned;
    if (size > UINT64_MAX - delta - page) {
        log::warn("dma: map size {:#x} too large", size);
        return {};
    }
    uint64_t length = (size + delta + page - 1) & ~(page - 1);
    int mprot = ((prot & kDmaProtRead) ? PROT_READ : 0) | ((prot & kDmaProtWrite) ? PROT_WRITE : 0);
    void* addr = ::mmap(nullptr, length, mprot, MAP_SHARED, fd, static_cast<off_t>(aligned));
    if (addr == MAP_FAILED) {
        log::warn("dma: mmap of {:#x} bytes at offset {:#x} failed: {}", length, aligned,
                  std::strerror(errno));
        return {};
    }
    *host = static_cast<uint8_t*>(addr) + delta;
    return Mapping(addr, length);
}

} // namespace

int Dma::map(uint64_t iova, uint64_t size, uint32_t prot, UniqueFd fd, uint64_t fd_offset) {
    if (!range_valid(iova, size) || (prot & ~(kDmaProtRead | kDmaProtWrite)) != 0)
        return -EINVAL;

    // Map outside the lock: mmap can be slow and device threads keep running.
    Entry entry;
    entry.size = size;
    entry.prot = prot;
    if (fd.valid() && prot != 0)
        entry.mapping = map_fd(fd.get(), fd_offset, size, prot, &entry.host);
    fd.reset();
    if (!entry.mapping.valid())
        log::debug("dma: map [{:#x}+{:#x}) recorded without direct access", iova, size);

    std::unique_lock guard(lock_);
    auto exact = maps_.find(iova);
    if (exact != maps_.end() && exact->second.size == size)
        return -EEXIST;

    // Every map overlapping the new one is replaced by it.
    auto first = maps_.upper_bound(iova);
    if (first != maps_.begin()) {
        auto prev = std::prev(first);
        if (last_byte(prev->first, prev->second.size) >= iova)
            first = prev;
    }
    auto last = first;
    size_t overlapping = 0;
    while (last != maps_.end() && last->first <= last_byte(iova, size)) {
        ++last;
        ++overlapping;
    }
    if (maps_.size() - overlapping >= kMaxMaps)
        return -ENOSPC;
    for (auto it = first; it != last; ++it)
        log::warn("dma: map [{:#x}+{:#x}) replaces overlapping map [{:#x}+{:#x})", iova, size,
                  it->first, it->second.size);
    maps_.erase(first, last);
    maps_.emplace(iova, std::move(entry));
    return 0;
}

size_t Dma::unmap(uint64_t iova, uint64_t size) {
    if (!range_valid(iova, size))
        return 0;
    std::unique_lock guard(lock_);
    size_t removed = 0;
    uint64_t end = last_byte(iova, size);
    auto it = maps_.lower_bound(iova);
    while (it != maps_.end() && it->first <= end) {
        if (last_byte(it->first, it->second.size) <= end) {
            it = maps_.erase(it);
            ++removed;
        } else {
            log::warn("dma: unmap [{:#x}+{:#x}) only partly covers map [{:#x}+{:#x}); kept", iova,
                      size, it->first, it->second.size);
            ++it;
        }
    }
    return removed;
}

void Dma::unmap_all() {
    std::unique_lock guard(lock_);
    maps_.clear();
}

size_t Dma::map_count() const {
    std::shared_lock guard(lock_);
    return maps_.size();
}

template <typename Fn>
int Dma::for_each_piece_locked(uint64_t iova, size_t length, uint32_t need, Fn&& fn) const {
    if (length == 0)
        return 0;
    if (!range_valid(iova, length))
        return -EFAULT;
    // First pass checks the whole range so that a failed copy has no effect.
    for (int pass = 0; pass < 2; ++pass) {
        uint64_t cur = iova;
        size_t left = length;
        while (left != 0) {
            auto it = maps_.upper_bound(cur);
            if (it == maps_.begin())
                return -EFAULT;
            --it;
            const Entry& e = it->second;
            uint64_t offset = cur - it->first;
            if (offset >= e.size)
                return -EFAULT;
            if ((e.prot & need) != need)
                return -EACCES;
            if (e.host == nullptr)
                return -ENXIO;
            size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, e.size - offset));
            if (pass == 1)
                fn(e.host + offset, chunk);
            cur += chunk;
            left -= chunk;
        }
    }
    return 0;
}

int Dma::read(uint64_t iova, void* dst, size_t length) const {
    std::shared_lock guard(lock_);
    auto* out = static_cast<uint8_t*>(dst);
    return for_each_piece_locked(iova, length, kDmaProtRead, [&](uint8_t* host, size_t n) {
        std::memcpy(out, host, n);
        out += n;
    });
}

int Dma::write(uint64_t iova, const void* src, size_t length) {
    std::shared_lock guard(lock_);
    auto* in = static_cast<const uint8_t*>(src);
    return for_each_piece_locked(iova, length, kDmaProtWrite, [&](uint8_t* host, size_t n) {
        std::memcpy(host, in, n);
        in += n;
    });
}

} // namespace seed::device
