// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// PollSource: extra file descriptors the vfio-user server polls along with
// its own sockets, so that other main-thread work (the control socket) is
// served from the same event loop without blocking the vfio-user socket.
#pragma once

#include <poll.h>

#include <span>
#include <vector>

namespace seed::device::vfio_user {

class PollSource {
public:
    virtual ~PollSource() = default;
    /// Appends the descriptors to poll now.
    virtual void add_fds(std::vector<pollfd>& fds) = 0;
    /// Handles the descriptors added by the last add_fds(), with revents set.
    /// Must not block.
    virtual void handle(std::span<const pollfd> fds) = 0;
};

} // namespace seed::device::vfio_user
