// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The caching HBM allocator of the backend (see CachingAllocator in
// backend.hpp). Tensor data pointers are device virtual addresses.
#include "backend.hpp"

#include <c10/util/Exception.h>

#include <system_error>

namespace seed::torch_backend {

namespace {

constexpr std::uint64_t kAlign = 512;                ///< every block starts 512-byte aligned
constexpr std::uint64_t kSmallLimit = 1ull << 20;    ///< requests up to this share segments
constexpr std::uint64_t kSmallSegment = 2ull << 20;  ///< segment size for small requests
constexpr std::uint64_t kLargeRound = 2ull << 20;    ///< large segments round to this
constexpr std::uint64_t kLargeSplitMin = 1ull << 20; ///< split a large block if this remains

std::uint64_t round_up(std::uint64_t v, std::uint64_t to) {
    return (v + to - 1) / to * to;
}

std::string mib(std::uint64_t bytes) {
    return c10::str(static_cast<double>(bytes) / (1024.0 * 1024.0), " MiB");
}

} // namespace

CachingAllocator::~CachingAllocator() = default;

CachingAllocator::Segment* CachingAllocator::new_segment(std::uint64_t size) {
    Buffer buf;
    for (int attempt = 0;; ++attempt) {
        try {
            buf = Buffer(chip_.device(), size, Placement::device);
            break;
        } catch (const Error& e) {
            const bool no_memory = e.code() == std::errc::not_enough_memory ||
                                   e.code() == std::errc::no_space_on_device;
            if (!no_memory)
                throw;
            if (attempt == 0) {
                // Give cached segments back to the driver and try once more.
                ++stats_.retries;
                empty_cache();
                continue;
            }
            ++stats_.ooms;
            MemoryUsage usage{};
            try {
                usage = chip_.device().memory_usage();
            } catch (const Error&) {
            }
            TORCH_CHECK_WITH(OutOfMemoryError, false, "SeedChip out of memory. Tried to allocate ",
                             mib(size), " (device ", static_cast<int>(chip_.index()), "; ",
                             mib(usage.hbm_total), " total HBM; ", mib(usage.hbm_used),
                             " in use by all processes; ", mib(stats_.allocated),
                             " allocated by tensors of this process; ", mib(stats_.reserved),
                             " reserved by its allocator). Driver: ", e.what());
        }
    }
    auto seg = std::make_unique<Segment>();
    seg->va = buf.device_va();
    seg->size = buf.size();
    seg->buffer = std::move(buf);
    Segment* raw = seg.get();
    segments_.emplace(raw->va, std::move(seg));
    stats_.reserved += raw->size;
    stats_.reserved_peak = std::max(stats_.reserved_peak, stats_.reserved);
    ++stats_.segments;
    ++stats_.segment_allocations;
    return raw;
}

CachingAllocator::Block* CachingAllocator::find_free(std::uint64_t size, std::int64_t stream) {
    auto& pool = size <= kSmallLimit ? free_small_ : free_large_;
    for (auto it = pool.lower_bound({size, nullptr}); it != pool.end(); ++it) {
        Block* b = it->second;
        if (b->stream != stream && !b->uses.empty()) {
            // Freed while another stream may still read it: reuse only once done.
            bool done = true;
            for (const Fence& f : b->uses)
                done = done && f.status().has_value();
            if (!done)
                continue;
        }
        b->uses.clear();
        pool.erase(it);
        return b;
    }
    return nullptr;
}

c10::DataPtr CachingAllocator::allocate(std::size_t bytes) {
    const c10::Device dev = chip_.torch_device();
    if (bytes == 0)
        return {nullptr, nullptr, nullptr, dev};
    const std::uint64_t size = round_up(bytes, kAlign);
    const std::int64_t stream = chip_.current_stream().id();
    const bool small = size <= kSmallLimit;

    Block* b = find_free(size, stream);
    if (b) {
        ++stats_.cache_hits;
    } else {
        Segment* seg = new_segment(small ? kSmallSegment : round_up(size, kLargeRound));
        seg->small = small;
        b = new Block;
        b->owner = this;
        b->segment = seg;
        b->va = seg->va;
        b->size = seg->size;
    }
    // Split off the remainder as a free block.
    const std::uint64_t rest = b->size - size;
    if (rest >= (small ? kAlign : kLargeSplitMin)) {
        auto* r = new Block;
        r->owner = this;
        r->segment = b->segment;
        r->va = b->va + size;
        r->size = rest;
        r->stream = stream;
        r->prev = b;
        r->next = b->next;
        if (b->next)
            b->next->prev = r;
        b->next = r;
        b->size = size;
        (small ? free_small_ : free_large_).insert({r->size, r});
    }
    b->allocated = true;
    b->requested = bytes;
    b->stream = stream;
    stats_.allocated += b->size;
    stats_.allocated_peak = std::max(stats_.allocated_peak, stats_.allocated);
    ++stats_.active_blocks;
    ++stats_.allocations;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the data pointer is a device VA
    return {reinterpret_cast<void*>(b->va), b, &CachingAllocator::free_block, dev};
}

void CachingAllocator::free_block(void* ctx) {
    auto* b = static_cast<Block*>(ctx);
    CachingAllocator& self = *b->owner;
    std::lock_guard lock(self.chip_.mutex());
    // Other streams may have work using the block: remember their fences.
    for (std::int64_t s = 0; s < self.chip_.stream_count(); ++s) {
        if (s == b->stream)
            continue;
        Stream& st = self.chip_.stream(s);
        try {
            if (st.has_work())
                b->uses.push_back(st.fence());
        } catch (const std::exception&) {
            // The stream's submission failed, so nothing of it runs.
        }
    }
    self.release(b);
}

void CachingAllocator::release(Block* b) {
    const bool small = b->segment->small;
    auto& pool = small ? free_small_ : free_large_;
    b->allocated = false;
    stats_.allocated -= b->size;
    --stats_.active_blocks;
    ++stats_.frees;
    // Merge with free neighbours of the same segment.
    auto merge = [&](Block* into, Block* gone) {
        pool.erase({gone->size, gone});
        into->size += gone->size;
        into->next = gone->next;
        if (gone->next)
            gone->next->prev = into;
        into->uses.insert(into->uses.end(), gone->uses.begin(), gone->uses.end());
        delete gone;
    };
    if (b->next && !b->next->allocated)
        merge(b, b->next);
    if (b->prev && !b->prev->allocated) {
        Block* p = b->prev;
        pool.erase({p->size, p});
        merge(p, b);
        b = p;
    }
    pool.insert({b->size, b});
}

void CachingAllocator::empty_cache() {
    for (auto it = segments_.begin(); it != segments_.end();) {
        Segment* seg = it->second.get();
        auto& pool = seg->small ? free_small_ : free_large_;
        // A segment is unused when one free block covers it whole.
        Block* whole = nullptr;
        for (const auto& [size, blk] : pool)
            if (blk->segment == seg && blk->size == seg->size)
                whole = blk;
        if (!whole) {
            ++it;
            continue;
        }
        pool.erase({whole->size, whole});
        delete whole;
        stats_.reserved -= seg->size;
        --stats_.segments;
        ++stats_.segment_frees;
        // The Buffer handle is shared with pending command lists and jobs,
        // which keep the memory until they are done.
        it = segments_.erase(it);
    }
}

void CachingAllocator::reset_peaks() {
    stats_.allocated_peak = stats_.allocated;
    stats_.reserved_peak = stats_.reserved;
}

Located CachingAllocator::locate(const void* ptr) const {
    const auto va = reinterpret_cast<std::uintptr_t>(ptr);
    auto it = segments_.upper_bound(va);
    TORCH_CHECK(it != segments_.begin(), "seedchip: 0x", std::hex, va,
                " is not a SeedChip tensor address of ", chip_.torch_device());
    --it;
    const Segment& seg = *it->second;
    TORCH_CHECK(va < seg.va + seg.size, "seedchip: 0x", std::hex, va,
                " is not a SeedChip tensor address of ", chip_.torch_device());
    return {seg.buffer, va - seg.va};
}

} // namespace seed::torch_backend
