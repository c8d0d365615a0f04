// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Chips and streams of the backend, the PrivateUse1 DeviceGuardImpl (current
// device, streams, events) and the op accounting behind op_stats().
#include "backend.hpp"

#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <unordered_set>

namespace seed::torch_backend {

namespace {

constexpr std::size_t kMaxChips = 64;
/// Packets a pending list collects before it is submitted on its own.
constexpr std::size_t kFlushPackets = 256;
/// Host pool buffers are 64 KiB or a power of two above; the pool keeps at
/// most this many idle ones.
constexpr std::uint64_t kPoolMinBuffer = 64 * 1024;
constexpr std::size_t kPoolMaxIdle = 32;

std::mutex g_chips_mutex;
// Chips are never destroyed: tensors may be freed during interpreter
// shutdown, after static destructors would have run.
std::array<Chip*, kMaxChips> g_chips{};

thread_local c10::DeviceIndex t_current_device = 0;
thread_local std::array<std::int64_t, kMaxChips> t_current_stream{};

} // namespace

// --- host buffers

Buffer HostPool::acquire(std::uint64_t size) {
    const std::uint64_t want = std::bit_ceil(std::max(size, kPoolMinBuffer));
    for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->buffer.size() != want)
            continue;
        if (!it->idle)
            it->idle = !it->fence.valid() || it->fence.status().has_value();
        if (!it->idle)
            continue;
        Buffer b = std::move(it->buffer);
        free_.erase(it);
        return b;
    }
    return Buffer(device_, want, Placement::host);
}

void HostPool::release(Buffer buffer, Fence fence) {
    if (free_.size() >= kPoolMaxIdle) {
        // Drop the oldest idle one; busy ones stay until their jobs end.
        auto it = std::find_if(free_.begin(), free_.end(), [](Entry& e) {
            return e.idle || !e.fence.valid() || e.fence.status().has_value();
        });
        if (it == free_.end())
            return; // all busy: let this one go (its job keeps it alive)
        free_.erase(it);
    }
    free_.push_back({std::move(buffer), std::move(fence), false});
}

// --- streams

Stream::Stream(const Device& device, HostPool& pool, std::int64_t id)
    : device_(device), pool_(pool), id_(id), queue_(device) {}

CommandList& Stream::list() {
    if (!pending_)
        pending_.emplace(device_);
    return *pending_;
}

void Stream::recorded() {
    if (pending_ && pending_->packet_count() >= kFlushPackets)
        flush();
}

void Stream::flush(std::span<const Fence> deps) {
    if (!deps.empty())
        waits_.insert(waits_.end(), deps.begin(), deps.end());
    if (!pending_ || pending_->packet_count() == 0)
        return;
    CommandList list = std::move(*pending_);
    pending_.reset();
    std::vector<Fence> waits = std::move(waits_);
    waits_.clear();
    std::vector<Buffer> retire = std::move(retire_);
    retire_.clear();
    Buffer storage = pool_.acquire(list.image_size());
    Fence done; // default: signalled, for buffers of a list that never ran
    try {
        list.finish(storage);
        done = queue_.submit(list, waits);
    } catch (...) {
        pool_.release(std::move(storage), done);
        for (Buffer& b : retire)
            pool_.release(std::move(b), done);
        throw;
    }
    pool_.release(std::move(storage), done);
    for (Buffer& b : retire)
        pool_.release(std::move(b), done);
}

void Stream::synchronize() {
    flush();
    queue_.finish();
}

Fence Stream::fence() {
    flush();
    return queue_.last_fence();
}

// --- chips

Chip::Chip(c10::DeviceIndex index)
    : index_(index), device_(Device::open(static_cast<unsigned>(index))), host_pool_(device_),
      allocator_(*this) {
    streams_.push_back(std::make_unique<Stream>(device_, host_pool_, 0));
}

Stream& Chip::current_stream() {
    return stream(t_current_stream[static_cast<std::size_t>(index_)]);
}

Stream& Chip::stream(std::int64_t id) {
    TORCH_CHECK(id >= 0 && id < stream_count(), "seedchip: no stream ", id, " on ", torch_device());
    return *streams_[static_cast<std::size_t>(id)];
}

std::int64_t Chip::new_stream() {
    std::lock_guard lock(mutex_);
    streams_.push_back(std::make_unique<Stream>(device_, host_pool_, stream_count()));
    return stream_count() - 1;
}

void Chip::set_current_stream(std::int64_t id) {
    (void)stream(id);
    t_current_stream[static_cast<std::size_t>(index_)] = id;
}

void Chip::synchronize() {
    std::lock_guard lock(mutex_);
    for (auto& s : streams_)
        s->synchronize();
}

c10::DeviceIndex device_count() noexcept {
    static const c10::DeviceIndex count = [] {
        try {
            return static_cast<c10::DeviceIndex>(
                std::min<std::size_t>(Device::list().size(), kMaxChips));
        } catch (const std::exception&) {
            return c10::DeviceIndex{0};
        }
    }();
    return count;
}

Chip& chip(c10::DeviceIndex index) {
    TORCH_CHECK(index >= 0 && index < device_count(), "seedchip: invalid device index ", index,
                " (", static_cast<int>(device_count()), " SeedChip devices visible)");
    std::lock_guard lock(g_chips_mutex);
    Chip*& c = g_chips[static_cast<std::size_t>(index)];
    if (!c)
        c = new Chip(index);
    return *c;
}

Chip& chip_of(const at::Tensor& t) {
    TORCH_INTERNAL_ASSERT(t.device().type() == kDeviceType);
    return chip(t.device().index());
}

c10::DeviceIndex current_device() {
    return t_current_device;
}

void set_current_device(c10::DeviceIndex index) {
    TORCH_CHECK(index >= 0 && index < device_count(), "seedchip: invalid device index ", index,
                " (", static_cast<int>(device_count()), " SeedChip devices visible)");
    t_current_device = index;
}

// --- tensors

namespace {

class ChipAllocator final : public c10::Allocator {
public:
    explicit ChipAllocator(std::optional<c10::DeviceIndex> index) : index_(index) {}
    c10::DataPtr allocate(std::size_t n) const override {
        Chip& c = chip(index_ ? *index_ : current_device());
        std::lock_guard lock(c.mutex());
        return c.allocator().allocate(n);
    }

private:
    std::optional<c10::DeviceIndex> index_;
};

c10::Allocator* allocator_for(c10::DeviceIndex index) {
    static std::array<ChipAllocator*, kMaxChips> per_chip = [] {
        std::array<ChipAllocator*, kMaxChips> a{};
        for (std::size_t i = 0; i < kMaxChips; ++i)
            a[i] = new ChipAllocator(static_cast<c10::DeviceIndex>(i));
        return a;
    }();
    return per_chip[static_cast<std::size_t>(index)];
}

} // namespace

c10::Allocator* torch_allocator() {
    static ChipAllocator current(std::nullopt);
    return &current;
}

at::Tensor empty_on(c10::Device device, at::IntArrayRef sizes, at::ScalarType dtype,
                    at::IntArrayRef strides) {
    TORCH_CHECK(device.type() == kDeviceType, "seedchip: not a SeedChip device: ", device);
    const c10::DeviceIndex index = device.has_index() ? device.index() : current_device();
    (void)chip(index);
    const c10::DispatchKeySet ks(c10::DispatchKey::PrivateUse1);
    if (strides.empty())
        return at::detail::empty_generic(sizes, allocator_for(index), ks, dtype, c10::nullopt);
    return at::detail::empty_strided_generic(sizes, strides, allocator_for(index), ks, dtype);
}

BufferView view_of(const at::Tensor& t) {
    Chip& c = chip_of(t);
    std::lock_guard lock(c.mutex());
    Located loc = c.allocator().locate(t.storage().data());
    return BufferView(loc.buffer, loc.offset + static_cast<std::uint64_t>(t.storage_offset()) *
                                                   static_cast<std::uint64_t>(t.itemsize()));
}

std::optional<DType> engine_dtype(at::ScalarType t) {
    switch (t) {
    case at::kFloat:
        return DType::f32;
    case at::kHalf:
        return DType::f16;
    case at::kBFloat16:
        return DType::bf16;
    default:
        return std::nullopt;
    }
}

// --- op accounting

namespace {

struct OpCounts {
    std::uint64_t chip = 0, cpu = 0;
};

std::mutex g_stats_mutex;
std::map<std::string, OpCounts> g_op_stats;
std::unordered_set<std::string> g_warned;

} // namespace

void count_chip(const char* op) {
    std::lock_guard lock(g_stats_mutex);
    ++g_op_stats[op].chip;
}

void count_cpu(const std::string& op, const char* why) {
    bool warn = false;
    {
        std::lock_guard lock(g_stats_mutex);
        ++g_op_stats[op].cpu;
        warn = g_warned.insert(op).second;
    }
    if (warn) {
        TORCH_WARN("seedchip: ", op, " runs on the CPU",
                   why ? std::string(" (") + why + ")" : std::string(" (no SeedChip kernel)"),
                   "; its tensors are copied to the host and back. Reported once per operator; "
                   "see seedchip.torch.op_stats().");
    }
}

std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> op_stats_snapshot() {
    std::lock_guard lock(g_stats_mutex);
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& [name, c] : g_op_stats)
        out[name] = {c.chip, c.cpu};
    return out;
}

void reset_op_stats() {
    std::lock_guard lock(g_stats_mutex);
    g_op_stats.clear();
}

namespace {

[[noreturn]] void device_mismatch(const char* op, c10::Device a, c10::Device b) {
    TORCH_CHECK(false,
                "Expected all tensors to be on the same device, but found at least two "
                "devices, ",
                a, " and ", b, "! (in ", op,
                "; seedchip copies nothing implicitly: move the "
                "tensors with .to() first)");
}

struct DeviceChecker {
    const char* op;
    bool allow_cpu_scalars;
    std::optional<c10::Device> seen;

    void add(const at::Tensor& t) {
        if (!t.defined())
            return;
        const c10::Device d = t.device();
        if (d.is_cpu() && allow_cpu_scalars && t.dim() == 0)
            return;
        if (!seen)
            seen = d;
        else if (*seen != d)
            device_mismatch(op, *seen, d);
    }
    void add(const c10::IValue& v) {
        if (v.isTensor()) {
            add(v.toTensor());
        } else if (v.isTensorList()) {
            for (const at::Tensor& t : v.toTensorList().vec())
                add(t);
        } else if (v.isList()) {
            for (const c10::IValue& e : v.toListRef())
                add(e);
        } else if (v.isOptionalTensorList()) {
            for (const auto& t : v.toOptionalTensorList().vec())
                if (t)
                    add(*t);
        }
    }
};

} // namespace

void check_devices(const char* op, std::initializer_list<const at::Tensor*> tensors,
                   bool allow_cpu_scalars) {
    DeviceChecker c{op, allow_cpu_scalars, std::nullopt};
    for (const at::Tensor* t : tensors)
        if (t)
            c.add(*t);
}

void check_devices(const char* op, const std::vector<c10::IValue>& args) {
    DeviceChecker c{op, true, std::nullopt};
    for (const auto& v : args)
        c.add(v);
}

// --- the device guard

namespace {

/// An event is the fence of the last job of the stream it was recorded on.
struct ChipEvent {
    Fence fence;
};

class GuardImpl final : public c10::impl::DeviceGuardImplInterface {
public:
    c10::DeviceType type() const override { return kDeviceType; }
    c10::Device exchangeDevice(c10::Device d) const override {
        const c10::Device old = getDevice();
        if (d.index() != old.index())
            setDevice(d);
        return old;
    }
    c10::Device getDevice() const override { return {kDeviceType, current_device()}; }
    void setDevice(c10::Device d) const override {
        TORCH_INTERNAL_ASSERT(d.type() == kDeviceType);
        if (d.has_index())
            set_current_device(d.index());
    }
    void uncheckedSetDevice(c10::Device d) const noexcept override {
        if (d.has_index() && d.index() >= 0 && d.index() < device_count())
            t_current_device = d.index();
    }
    c10::Stream getStream(c10::Device d) const noexcept override {
        const c10::DeviceIndex i = d.has_index() ? d.index() : current_device();
        return c10::Stream(c10::Stream::UNSAFE, {kDeviceType, i},
                           t_current_stream[static_cast<std::size_t>(i)]);
    }
    c10::Stream getDefaultStream(c10::Device d) const override {
        return c10::Stream(c10::Stream::DEFAULT, d);
    }
    c10::Stream exchangeStream(c10::Stream s) const noexcept override {
        const c10::Stream old = getStream(s.device());
        t_current_stream[static_cast<std::size_t>(s.device_index())] = s.id();
        return old;
    }
    c10::DeviceIndex deviceCount() const noexcept override { return device_count(); }

    void record(void** event, const c10::Stream& stream, const c10::DeviceIndex index,
                const c10::EventFlag) const override {
        Chip& c = chip(index);
        std::lock_guard lock(c.mutex());
        auto* e = static_cast<ChipEvent*>(*event);
        if (!e) {
            e = new ChipEvent;
            *event = e;
        }
        e->fence = c.stream(stream.id()).fence();
    }
    void block(void* event, const c10::Stream& stream) const override {
        auto* e = static_cast<ChipEvent*>(event);
        if (!e || !e->fence.valid())
            return;
        Chip& c = chip(stream.device_index());
        std::lock_guard lock(c.mutex());
        const Fence f = e->fence;
        c.stream(stream.id()).flush(std::span<const Fence>(&f, 1));
    }
    bool queryEvent(void* event) const override {
        auto* e = static_cast<ChipEvent*>(event);
        return !e || !e->fence.valid() || e->fence.ready();
    }
    void destroyEvent(void* event, const c10::DeviceIndex) const noexcept override {
        delete static_cast<ChipEvent*>(event);
    }
    bool queryStream(const c10::Stream& stream) const override {
        Chip& c = chip(stream.device_index());
        std::lock_guard lock(c.mutex());
        const Fence f = c.stream(stream.id()).fence();
        return !f.valid() || f.ready();
    }
    void synchronizeStream(const c10::Stream& stream) const override {
        Chip& c = chip(stream.device_index());
        std::lock_guard lock(c.mutex());
        c.stream(stream.id()).synchronize();
    }
};

C10_REGISTER_GUARD_IMPL(PrivateUse1, GuardImpl);

} // namespace

} // namespace seed::torch_backend
