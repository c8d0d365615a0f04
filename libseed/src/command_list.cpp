// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/command_list.hpp>
#include <seed/error.hpp>

#include "command_list_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace seed {

namespace {

detail::CommandListImpl& open_list(const std::shared_ptr<detail::CommandListImpl>& impl) {
    if (!impl)
        throw Error(Errc::invalid_state, "moved-from seed::CommandList");
    if (impl->bo.valid())
        throw Error(Errc::invalid_state, "recording into a finished seed::CommandList");
    if (impl->packets.size() >= DRM_SEED_MAX_CMD_PACKETS)
        throw Error(Errc::invalid_argument, "command list is full");
    return *impl;
}

/// How a packet uses a buffer.
enum class Access { read, write, sync };

/// Checks that [view.offset, view.offset + extent) lies in the buffer and
/// belongs to the list's device; records the reference and, for data
/// accesses, the BO list entry; returns the VA.
std::uint64_t use(detail::CommandListImpl& list, const BufferView& view, std::uint64_t extent,
                  const char* what, Access access = Access::read) {
    const bool written = access != Access::read;
    const auto& b = view.buffer.impl();
    if (!b)
        throw Error(Errc::invalid_argument, fmt::format("{}: empty buffer", what));
    if (b->ctx != list.ctx)
        throw Error(Errc::invalid_argument,
                    fmt::format("{}: buffer belongs to another Device", what));
    if (view.offset > b->size || extent > b->size - view.offset) {
        throw Error(Errc::invalid_argument,
                    fmt::format("{}: {} bytes at offset {} exceed the buffer's {} bytes", what,
                                extent, view.offset, b->size));
    }
    if (written && b->read_only)
        throw Error(Errc::invalid_argument, fmt::format("{}: buffer is device read-only", what));
    if (std::find(list.refs.begin(), list.refs.end(), b) == list.refs.end())
        list.refs.push_back(b);
    if (access != Access::sync) {
        auto it = std::find_if(list.bos.begin(), list.bos.end(),
                               [&](const drm_seed_submit_bo& e) { return e.handle == b->handle; });
        if (it == list.bos.end())
            it = list.bos.insert(list.bos.end(), drm_seed_submit_bo{b->handle, 0, 0});
        if (access == Access::write)
            it->flags |= DRM_SEED_SUBMIT_BO_WRITE;
    }
    return b->device_va + view.offset;
}

template <typename Desc>
void push_compute(detail::CommandListImpl& list, std::uint8_t opcode, const Desc& desc) {
    const std::uint64_t off = detail::append_descriptor(list.descs, &desc, sizeof(desc));
    list.fixups.push_back({list.packets.size(), off});
    list.packets.push_back(detail::encode_compute(opcode, 0));
}

} // namespace

std::uint32_t element_size(DType type) {
    return SEED_DT_SIZE(detail::dt_index(type));
}

CommandList::CommandList(const Device& device)
    : impl_(std::make_shared<detail::CommandListImpl>()) {
    impl_->ctx = detail::context_of(device);
}

CommandList::~CommandList() = default;

CommandList& CommandList::nop() {
    open_list(impl_).packets.push_back(detail::encode_nop());
    return *this;
}

CommandList& CommandList::copy(const BufferView& dst, const BufferView& src, std::uint64_t size) {
    auto& l = open_list(impl_);
    const seed_pkt_raw p = detail::encode_copy(use(l, dst, size, "copy dst", Access::write),
                                               use(l, src, size, "copy src"), size, 1, 0, 0);
    l.packets.push_back(p);
    return *this;
}

CommandList& CommandList::copy_2d(const BufferView& dst, std::uint64_t dst_pitch,
                                  const BufferView& src, std::uint64_t src_pitch,
                                  std::uint64_t width, std::uint32_t height) {
    auto& l = open_list(impl_);
    const std::uint64_t rows = height == 0 ? 0 : height - 1u;
    const seed_pkt_raw p = detail::encode_copy(
        use(l, dst, width == 0 ? 0 : rows * dst_pitch + width, "copy dst", Access::write),
        use(l, src, width == 0 ? 0 : rows * src_pitch + width, "copy src"), width, height,
        dst_pitch, src_pitch);
    l.packets.push_back(p);
    return *this;
}

CommandList& CommandList::fill(const BufferView& dst, std::uint64_t size, std::uint64_t pattern,
                               std::uint32_t pattern_bytes) {
    auto& l = open_list(impl_);
    l.packets.push_back(detail::encode_fill(use(l, dst, size, "fill dst", Access::write), size,
                                            pattern, pattern_bytes));
    return *this;
}

CommandList& CommandList::signal(const BufferView& addr, std::uint64_t value) {
    auto& l = open_list(impl_);
    l.packets.push_back(
        detail::encode_signal(use(l, addr, 8, "signal address", Access::sync), value));
    return *this;
}

CommandList& CommandList::wait(const BufferView& addr, std::uint64_t value,
                               std::chrono::microseconds timeout) {
    auto& l = open_list(impl_);
    if (timeout.count() < 0 || timeout.count() > 0xffffffffll)
        throw Error(Errc::invalid_argument, "wait timeout out of range");
    l.packets.push_back(detail::encode_wait(use(l, addr, 8, "wait address", Access::sync), value,
                                            static_cast<std::uint32_t>(timeout.count())));
    return *this;
}

CommandList& CommandList::timestamp(const BufferView& addr) {
    auto& l = open_list(impl_);
    l.packets.push_back(
        // Not a data access for implicit sync: Events share a page of
        // timestamp slots, and every job recording one would otherwise wait
        // for every other job that did. Reading an Event waits for its job.
        detail::encode_timestamp(use(l, addr, 8, "timestamp address", Access::sync)));
    return *this;
}

CommandList& CommandList::gemm(const GemmParams& params, const BufferView& a, const BufferView& b,
                               const BufferView& c, const std::optional<BufferView>& bias) {
    auto& l = open_list(impl_);
    detail::GemmOperands ops{a.device_va(), b.device_va(), c.device_va(), std::nullopt};
    if (bias)
        ops.bias = bias->device_va();
    const seed_gemm_desc d = detail::encode_gemm(params, ops);
    const detail::GemmExtents x = detail::gemm_extents(d);
    (void)use(l, a, x.a, "gemm A");
    (void)use(l, b, x.b, "gemm B");
    (void)use(l, c, x.c, "gemm C", Access::write);
    if (bias)
        (void)use(l, *bias, x.bias, "gemm bias");
    push_compute(l, SEED_OP_GEMM, d);
    return *this;
}

CommandList& CommandList::elementwise(const ElementwiseParams& params, const BufferView& dst,
                                      const BufferView& src0,
                                      const std::optional<BufferView>& src1) {
    auto& l = open_list(impl_);
    std::optional<std::uint64_t> s1;
    if (src1)
        s1 = src1->device_va();
    const seed_ew_desc d =
        detail::encode_elementwise(params, dst.device_va(), src0.device_va(), s1);
    const detail::EwExtents x = detail::elementwise_extents(d);
    (void)use(l, dst, x.dst, "elementwise dst", Access::write);
    (void)use(l, src0, x.src0, "elementwise src0");
    if (src1)
        (void)use(l, *src1, x.src1, "elementwise src1");
    push_compute(l, SEED_OP_ELEMENTWISE, d);
    return *this;
}

CommandList& CommandList::reduce(const ReduceParams& params, const BufferView& dst,
                                 const BufferView& src) {
    auto& l = open_list(impl_);
    const seed_reduce_desc d = detail::encode_reduce(params, dst.device_va(), src.device_va());
    const detail::ReduceExtents x = detail::reduce_extents(d);
    (void)use(l, dst, x.dst, "reduce dst", Access::write);
    (void)use(l, src, x.src, "reduce src");
    push_compute(l, SEED_OP_REDUCE, d);
    return *this;
}

CommandList& CommandList::copy_va(std::uint64_t dst_va, std::uint64_t src_va, std::uint64_t size) {
    auto& l = open_list(impl_);
    l.packets.push_back(detail::encode_copy(dst_va, src_va, size, 1, 0, 0));
    return *this;
}

CommandList& CommandList::raw_packet(const std::array<std::byte, 64>& packet) {
    auto& l = open_list(impl_);
    seed_pkt_raw p{};
    std::memcpy(&p, packet.data(), sizeof(p));
    l.packets.push_back(p);
    return *this;
}

std::size_t CommandList::packet_count() const noexcept {
    return impl_ ? impl_->packets.size() : 0;
}

bool CommandList::finished() const noexcept {
    return impl_ && impl_->bo.valid();
}

void CommandList::finish() {
    if (!impl_)
        throw Error(Errc::invalid_state, "moved-from seed::CommandList");
    auto& l = *impl_;
    if (l.bo.valid())
        return;
    if (l.packets.empty())
        throw Error(Errc::invalid_argument, "finishing an empty command list");
    const detail::CommandLayout layout = detail::layout_for(l.packets.size(), l.descs.size());
    // A Device is only needed for the context; build the buffer directly.
    Buffer bo = detail::make_buffer(l.ctx, layout.total, Placement::host, {});
    const std::vector<std::byte> image =
        detail::build_image(l.packets, l.fixups, l.descs, bo.device_va());
    std::memcpy(bo.bytes().data(), image.data(), image.size());
    l.bo = std::move(bo);
}

std::uint64_t CommandList::image_size() const {
    if (!impl_)
        throw Error(Errc::invalid_state, "moved-from seed::CommandList");
    return detail::layout_for(impl_->packets.size(), impl_->descs.size()).total;
}

void CommandList::finish(const Buffer& storage) {
    if (!impl_)
        throw Error(Errc::invalid_state, "moved-from seed::CommandList");
    auto& l = *impl_;
    if (l.bo.valid())
        throw Error(Errc::invalid_state, "finishing a finished seed::CommandList into a buffer");
    if (l.packets.empty())
        throw Error(Errc::invalid_argument, "finishing an empty command list");
    const auto& b = storage.impl();
    if (!b || b->ctx != l.ctx)
        throw Error(Errc::invalid_argument,
                    "command list storage: not a buffer of the list's Device");
    if (b->placement != Placement::host)
        throw Error(Errc::invalid_argument, "command list storage: must be a host buffer");
    const detail::CommandLayout layout = detail::layout_for(l.packets.size(), l.descs.size());
    if (layout.total > b->size) {
        throw Error(Errc::invalid_argument,
                    fmt::format("command list storage: {} bytes needed, the buffer has {}",
                                layout.total, b->size));
    }
    const std::vector<std::byte> image =
        detail::build_image(l.packets, l.fixups, l.descs, storage.device_va());
    std::memcpy(storage.bytes().data(), image.data(), image.size());
    l.bo = storage;
}

const Buffer& CommandList::buffer() const {
    if (!finished())
        throw Error(Errc::invalid_state, "command list not finished");
    return impl_->bo;
}

} // namespace seed
