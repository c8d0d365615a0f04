// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Server: the vfio-user command loop. Accepts one client at a time, checks
// and dispatches its commands to a Backend strictly in order, and replies
// following the rules QEMU's client depends on (no reply to NO_REPLY
// messages, header-only error replies, replies no larger than QEMU's
// receive buffer).
#pragma once

#include "unique_fd.h"
#include "vfio_user/backend.h"
#include "vfio_user/channel.h"
#include "vfio_user/poll_source.h"

#include <cstdint>
#include <vector>

namespace seed::device::vfio_user {

class Listener;

enum class ServeResult {
    kDisconnected,  ///< the client closed the connection
    kProtocolError, ///< the client broke framing; it was dropped
    kStopped,       ///< the stop fd became readable
};

class Server {
public:
    explicit Server(Backend& backend) : backend_(backend) {}

    /// Also serves @p extra (e.g. the control socket) from the event loop.
    void set_poll_source(PollSource* extra) { extra_ = extra; }

    /// Serves clients of @p listener one after the other until @p stop_fd is
    /// readable. Returns 0, or -errno if the listening socket fails.
    int run(Listener& listener, int stop_fd);

    /// Serves one connected client until it leaves or @p stop_fd (if >= 0) is
    /// readable. Afterwards every DMA map and interrupt fd of the client is
    /// dropped; device state is kept.
    ServeResult serve(UniqueFd client, int stop_fd);

private:
    struct Reply {
        int error = 0; ///< positive errno: header-only error reply
        std::vector<uint8_t> payload;
    };

    /// Returns false if the reply could not be sent (the client is gone).
    bool handle(Channel& channel, Message& msg);
    Reply dispatch(Message& msg);

    Reply handle_version(const Message& msg);
    Reply handle_dma_map(Message& msg);
    Reply handle_dma_unmap(const Message& msg);
    Reply handle_device_get_info(const Message& msg);
    Reply handle_get_region_info(const Message& msg);
    Reply handle_get_irq_info(const Message& msg);
    Reply handle_set_irqs(Message& msg);
    Reply handle_region_read(const Message& msg);
    Reply handle_region_write(const Message& msg);
    Reply handle_device_reset(const Message& msg);

    Backend& backend_;
    PollSource* extra_ = nullptr;
    bool negotiated_ = false;
};

} // namespace seed::device::vfio_user
