// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#pragma once

#include "command_list_impl.hpp"
#include "context.hpp"

#include <seed/queue.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace seed::detail {

struct QueueImpl {
    std::shared_ptr<DeviceContext> ctx;
    std::uint32_t id = 0;
    std::uint32_t syncobj = 0;
    Priority priority = Priority::normal;

    std::mutex mutex;
    std::uint64_t last_seq = 0;
    /// Jobs not known to be finished, with what they keep alive.
    std::vector<std::pair<std::uint64_t, std::shared_ptr<CommandListImpl>>> inflight;

    QueueImpl() = default;
    QueueImpl(const QueueImpl&) = delete;
    QueueImpl& operator=(const QueueImpl&) = delete;
    ~QueueImpl();

    /// Drops references of finished jobs. Call with mutex held.
    void retire_locked() noexcept;
};

struct FenceState {
    std::shared_ptr<DeviceContext> ctx;
    std::shared_ptr<QueueImpl> queue; ///< null for an imported sync file
    std::uint32_t syncobj = 0;
    std::uint64_t point = 0;
    bool owns_syncobj = false;

    FenceState() = default;
    FenceState(const FenceState&) = delete;
    FenceState& operator=(const FenceState&) = delete;
    ~FenceState();
};

/// Submits @p list to @p queue (Queue::submit without dependencies).
Fence submit_list(const std::shared_ptr<QueueImpl>& queue, const CommandList& list);

} // namespace seed::detail
