// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Internal interface of seedchip.torch._backend, the PrivateUse1 device of
// PyTorch on SeedChip.
//
// Model: each chip is opened once (one seed::Device per process). A stream
// is a seed::Queue plus the packets recorded for it and not yet submitted:
// ops append packets to the current stream's pending CommandList, which is
// submitted when something needs its results (a copy to the CPU, a CPU
// fallback, synchronize(), an event) or when it grows long. Tensor data
// pointers are device virtual addresses; the caching allocator maps them
// back to (BO, offset). Every chip's state is guarded by its own recursive
// mutex (autograd runs backward ops on a thread of its own).
#pragma once

#include <ATen/ATen.h>
#include <c10/core/Allocator.h>
#include <seed/seed.hpp>
#include <torch/library.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace seed::torch_backend {

inline constexpr c10::DeviceType kDeviceType = c10::DeviceType::PrivateUse1;

class Chip;

/// Host buffer objects reused for command lists and staging copies: making
/// and mapping a buffer object for every op would cost more than most ops
/// (a device MMU update each way). A buffer comes back with the fence of the
/// job that uses it and is handed out again once that fence has signalled.
class HostPool {
public:
    explicit HostPool(const Device& device) : device_(device) {}
    /// A host buffer of at least @p size bytes no job uses.
    Buffer acquire(std::uint64_t size);
    /// Returns @p buffer, in use until @p fence signals.
    void release(Buffer buffer, Fence fence);

private:
    struct Entry {
        Buffer buffer;
        Fence fence;
        bool idle = false;
    };
    const Device& device_;
    std::vector<Entry> free_;
};

/// One device stream: a queue and its pending command list.
class Stream {
public:
    Stream(const Device& device, HostPool& pool, std::int64_t id);

    [[nodiscard]] std::int64_t id() const noexcept { return id_; }
    /// The pending list, created on first use.
    CommandList& list();
    /// Called after an op recorded its packets: submits when the list is long.
    void recorded();
    /// Submits the pending list, if any, after @p deps.
    void flush(std::span<const Fence> deps = {});
    /// Flushes and waits for every job of the stream.
    void synchronize();
    /// Flushes; the fence of the stream's latest job.
    Fence fence();
    [[nodiscard]] bool has_work() const noexcept { return pending_ || queue_.last_fence().valid(); }
    /// Hands @p staging (used by the pending list) back to the pool with the
    /// fence of the list's job once it is submitted.
    void retire(Buffer staging) { retire_.push_back(std::move(staging)); }

private:
    const Device& device_;
    HostPool& pool_;
    std::vector<Buffer> retire_;
    std::int64_t id_;
    Queue queue_;
    std::optional<CommandList> pending_;
    std::vector<Fence> waits_; ///< dependencies of the next submission (events)
};

/// Where a device pointer lives.
struct Located {
    Buffer buffer;
    std::uint64_t offset = 0;
};

/// Statistics of the caching allocator (bytes and counts).
struct AllocatorStats {
    std::uint64_t allocated = 0, allocated_peak = 0;
    std::uint64_t reserved = 0, reserved_peak = 0;
    std::uint64_t active_blocks = 0, segments = 0;
    std::uint64_t allocations = 0, frees = 0;
    std::uint64_t segment_allocations = 0, segment_frees = 0;
    std::uint64_t cache_hits = 0, retries = 0, ooms = 0;
};

/// Sub-allocates tensors out of large HBM buffer objects and keeps freed
/// blocks for reuse, like CUDA's caching allocator: small requests
/// (<= 1 MiB) share 2 MiB segments, larger ones get segments rounded to
/// 2 MiB; freed blocks merge with free neighbours. A block freed while
/// another stream may still use it is reused only once that stream's fence
/// has signalled.
class CachingAllocator {
public:
    explicit CachingAllocator(Chip& chip) : chip_(chip) {}
    ~CachingAllocator();

    c10::DataPtr allocate(std::size_t bytes);
    [[nodiscard]] Located locate(const void* ptr) const;
    void empty_cache();
    [[nodiscard]] AllocatorStats stats() const { return stats_; }
    void reset_peaks();

    /// One HBM buffer object the blocks are cut from.
    struct Segment {
        Buffer buffer;
        std::uint64_t va = 0, size = 0;
        bool small = false;
    };
    /// A piece of a segment, free or backing a tensor's storage.
    struct Block {
        CachingAllocator* owner = nullptr;
        Segment* segment = nullptr;
        std::uint64_t va = 0, size = 0, requested = 0;
        bool allocated = false;
        std::int64_t stream = 0;
        /// Fences of other streams that may still use the block (set on free).
        std::vector<Fence> uses;
        Block* prev = nullptr;
        Block* next = nullptr;
    };

private:
    static void free_block(void* ctx);
    void release(Block* block);
    Block* find_free(std::uint64_t size, std::int64_t stream);
    Segment* new_segment(std::uint64_t size);

    Chip& chip_;
    std::map<std::uint64_t, std::unique_ptr<Segment>> segments_; ///< by device VA
    std::set<std::pair<std::uint64_t, Block*>> free_small_, free_large_;
    AllocatorStats stats_;
};

/// Everything the backend knows about one chip.
class Chip {
public:
    explicit Chip(c10::DeviceIndex index);
    Chip(const Chip&) = delete;
    Chip& operator=(const Chip&) = delete;

    [[nodiscard]] c10::DeviceIndex index() const noexcept { return index_; }
    [[nodiscard]] const Device& device() const noexcept { return device_; }
    [[nodiscard]] c10::Device torch_device() const { return {kDeviceType, index_}; }
    CachingAllocator& allocator() noexcept { return allocator_; }
    HostPool& host_pool() noexcept { return host_pool_; }
    std::recursive_mutex& mutex() noexcept { return mutex_; }

    /// The calling thread's current stream of this chip (default: stream 0).
    Stream& current_stream();
    Stream& stream(std::int64_t id);
    std::int64_t new_stream();
    void set_current_stream(std::int64_t id);
    [[nodiscard]] std::int64_t stream_count() const noexcept {
        return static_cast<std::int64_t>(streams_.size());
    }
    /// Flushes every stream and waits for all of them.
    void synchronize();

private:
    c10::DeviceIndex index_;
    Device device_;
    std::recursive_mutex mutex_;
    HostPool host_pool_;
    std::vector<std::unique_ptr<Stream>> streams_;
    CachingAllocator allocator_;
};

/// The chip of @p index (opened on first use). TORCH_CHECKs the index.
Chip& chip(c10::DeviceIndex index);
Chip& chip_of(const at::Tensor& t);
/// Number of visible SeedChips (cached after the first call).
c10::DeviceIndex device_count() noexcept;
c10::DeviceIndex current_device();
void set_current_device(c10::DeviceIndex index);

/// The c10::Allocator registered for PrivateUse1 (allocates on the current
/// device).
c10::Allocator* torch_allocator();

/// A new uninitialised tensor on @p device.
at::Tensor empty_on(c10::Device device, at::IntArrayRef sizes, at::ScalarType dtype,
                    at::IntArrayRef strides = {});

/// Buffer and byte offset of the first element of @p t (a device tensor).
BufferView view_of(const at::Tensor& t);

/// The engine type of a torch dtype, if the compute engines take it.
std::optional<DType> engine_dtype(at::ScalarType t);

// --- op accounting (seedchip.torch.op_stats())

/// Counts one run of @p op on the chip.
void count_chip(const char* op);
/// Counts one run of @p op on the CPU; warns the first time.
void count_cpu(const std::string& op, const char* why = nullptr);

/// Throws the "Expected all tensors to be on the same device" error if the
/// tensors are not all on one chip. CPU tensors of 0 dimensions are allowed
/// (scalars, as for CUDA) when @p allow_cpu_scalars.
void check_devices(const char* op, std::initializer_list<const at::Tensor*> tensors,
                   bool allow_cpu_scalars = true);
void check_devices(const char* op, const std::vector<c10::IValue>& args);

// --- packets for tensors (engine.cpp)

/// One operand of an engine operation over a shape: where element 0 is and
/// the stride (in elements) of each dimension of the shape; 0 broadcasts.
struct Operand {
    BufferView base;
    std::vector<std::int64_t> strides;
};

/// @p t (broadcast to @p shape) as an operand.
Operand operand(const at::Tensor& t, at::IntArrayRef shape);
/// A device scalar of @p value in @p dtype, broadcast over @p shape; @p keep
/// receives the tensor holding it (alive until the packets are recorded).
Operand scalar_operand(c10::Device device, double value, at::ScalarType dtype,
                       at::IntArrayRef shape, at::Tensor& keep);

/// Records ELEMENTWISE packets for dst = op(s0[, s1]) over @p shape on the
/// current stream of dst's chip. Returns false, recording nothing, if the
/// layout cannot be expressed (dst has no unit-stride dimension, strides or
/// sizes beyond the engine's ranges, too many packets).
bool emit_elementwise(Chip& chip, ElementwiseOp op, at::IntArrayRef shape, DType src_dtype,
                      DType dst_dtype, const Operand& dst, const Operand& s0,
                      const Operand* s1 = nullptr);

// --- chip operations (ops_compute.cpp, copy.cpp)

/// dst = src with conversion and any strides (dst and src on one chip, same
/// shape). Returns false if the engines cannot (dst has no unit-stride dim,
/// or a dtype the ELEMENTWISE engine does not take with a layout COPY
/// packets cannot express).
bool chip_copy(const at::Tensor& dst, const at::Tensor& src);
/// A contiguous copy of @p t in @p dtype on its chip (t itself if already so).
at::Tensor chip_contiguous(const at::Tensor& t, at::ScalarType dtype);

void register_views(torch::Library& m);
void register_copy(torch::Library& m);
void register_compute(torch::Library& m);

} // namespace seed::torch_backend
