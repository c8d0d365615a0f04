// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed::Event: a device timestamp for profiling. Recording an event appends
// a TIMESTAMP packet that writes the device clock (ns since power-on) into a
// slot of a host buffer when the queue reaches it, after every earlier
// packet of the queue has retired. Slots are 8 bytes, shared out of
// page-sized host buffers of the Device.
#pragma once

#include <seed/export.h>

#include <seed/command_list.hpp>
#include <seed/queue.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace seed {

class SEED_API Event {
public:
    /// A fresh, unrecorded event of @p device.
    explicit Event(const Device& device);

    /// Clears the slot and appends a TIMESTAMP packet to @p list. (Clearing
    /// happens now, so re-record only once earlier runs have finished.)
    void record(CommandList& list);

    /// Records the event on @p queue as its own job; returns its fence.
    Fence record(Queue& queue);

    /// Device time in ns, or std::nullopt if not written yet.
    [[nodiscard]] std::optional<std::uint64_t> device_time_ns() const;

    /// Device address of the 8-byte slot.
    [[nodiscard]] std::uint64_t device_va() const { return slot_.device_va(); }

private:
    BufferView slot_;
};

/// end - start in device time. @throws seed::Error Errc::invalid_state if
/// either event has not been written yet.
[[nodiscard]] SEED_API std::chrono::nanoseconds elapsed(const Event& start, const Event& end);

} // namespace seed
