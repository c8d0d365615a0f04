// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Channel: vfio-user message framing on a connected UNIX stream socket.
// Receives a header with its SCM_RIGHTS fds, then exactly the body; sends
// replies with one sendmsg where possible. Robust to short reads and writes.
#pragma once

#include "unique_fd.h"
#include "vfio_user/poll_source.h"
#include "vfio_user/protocol.h"

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace seed::device::vfio_user {

struct Message {
    Header header{};
    std::vector<uint8_t> payload; ///< header.size - 16 bytes
    std::vector<UniqueFd> fds;    ///< closed with the message unless moved out
    bool fds_truncated = false;   ///< the sender attached more fds than allowed
};

enum class RecvStatus {
    kOk,
    kEof,           ///< orderly close between messages
    kCancelled,     ///< the cancel fd became readable
    kProtocolError, ///< bad header size, truncated message, timeout mid-message
    kIoError,
};

class Channel {
public:
    /// Takes the connected @p socket (made non-blocking). Waits are cut short
    /// when @p cancel_fd (if >= 0) becomes readable; it is never read.
    /// @p extra (optional) is served while the channel waits.
    Channel(UniqueFd socket, int cancel_fd, PollSource* extra = nullptr);

    int fd() const { return socket_.get(); }

    /// Receives one whole message.
    RecvStatus receive(Message& msg);

    /// Sends header + payload, attaching @p fds to the first byte. Fills in
    /// header.size. Returns 0 or -errno.
    int send(Header header, std::span<const uint8_t> payload, std::span<const int> fds = {});

    /// A peer that stops in the middle of a message for this long is dropped.
    static constexpr std::chrono::milliseconds kMidMessageTimeout{10000};

private:
    enum class Wait { kReady, kCancelled, kTimeout, kError };
    Wait wait(short events, int timeout_ms);
    /// Reads exactly @p length bytes, collecting fds. @p first: no byte of the
    /// message has been read yet (EOF then is orderly).
    RecvStatus read_exact(uint8_t* buf, size_t length, bool first, Message& msg);

    UniqueFd socket_;
    int cancel_fd_;
    PollSource* extra_;
};

} // namespace seed::device::vfio_user
