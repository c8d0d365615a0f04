// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>
#include <seed/event.hpp>

#include "command_list_impl.hpp"
#include "context.hpp"

#include <atomic>
#include <cstring>

namespace seed {

namespace {

constexpr std::uint64_t page_bytes = 4096;
constexpr std::uint64_t slot_bytes = 8;

BufferView allocate_slot(const std::shared_ptr<detail::DeviceContext>& ctx) {
    const std::lock_guard lock(ctx->event_mutex);
    Buffer page(ctx->event_page.lock());
    if (!page.valid() || ctx->event_next + slot_bytes > page.size()) {
        page = detail::make_buffer(ctx, page_bytes, Placement::host, {});
        ctx->event_page = page.impl();
        ctx->event_next = 0;
    }
    BufferView slot(page, ctx->event_next);
    ctx->event_next += slot_bytes;
    return slot;
}

std::atomic_ref<std::uint64_t> slot_ref(const BufferView& slot) {
    auto* p = reinterpret_cast<std::uint64_t*>(slot.buffer.bytes().data() + slot.offset);
    return std::atomic_ref<std::uint64_t>(*p);
}

} // namespace

Event::Event(const Device& device) : slot_(allocate_slot(detail::context_of(device))) {}

void Event::record(CommandList& list) {
    slot_ref(slot_).store(0, std::memory_order_release);
    list.timestamp(slot_);
}

Fence Event::record(Queue& queue) {
    CommandList list(std::make_shared<detail::CommandListImpl>());
    list.impl()->ctx = slot_.buffer.impl()->ctx;
    record(list);
    return queue.submit(list);
}

std::optional<std::uint64_t> Event::device_time_ns() const {
    const std::uint64_t v = slot_ref(slot_).load(std::memory_order_acquire);
    if (v == 0)
        return std::nullopt;
    return v;
}

std::chrono::nanoseconds elapsed(const Event& start, const Event& end) {
    const auto a = start.device_time_ns();
    const auto b = end.device_time_ns();
    if (!a || !b)
        throw Error(Errc::invalid_state, "elapsed() of an event that has not been written");
    return std::chrono::nanoseconds(static_cast<std::int64_t>(*b - *a));
}

} // namespace seed
