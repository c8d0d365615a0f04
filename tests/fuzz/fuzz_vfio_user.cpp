// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Fuzz target: the vfio-user server (framing, validation, dispatch) and the
// device behind it. The input, after one byte of options, is written as the
// client's byte stream to the real Server over a socketpair(); the peer
// drains the replies. The server must answer or drop the client, never
// crash, hang or leak, whatever the bytes.
#include "fuzz_common.h"
#include "guest_memory.h"
#include "log.h"
#include "unique_fd.h"
#include "vfio_user/protocol.h"
#include "vfio_user/server.h"

#include <linux/pci_regs.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using namespace seed::device;
using namespace seed::device::vfio_user;

template <typename T>
void append(std::vector<uint8_t>& out, const T& value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

void append_message(std::vector<uint8_t>& out, uint16_t id, uint16_t command,
                    const std::vector<uint8_t>& payload) {
    Header h{};
    h.msg_id = id;
    h.command = command;
    h.size = static_cast<uint32_t>(sizeof(Header) + payload.size());
    append(out, h);
    out.insert(out.end(), payload.begin(), payload.end());
}

/// The client side: writes @p stream, then half-closes, reading replies
/// until the server closes the connection.
void run_peer(int fd, const std::vector<uint8_t>& stream) {
    size_t sent = 0;
    bool writing = true;
    if (stream.empty()) {
        ::shutdown(fd, SHUT_WR);
        writing = false;
    }
    uint8_t buf[64 * 1024];
    for (;;) {
        pollfd p{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
        if (::poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (writing && (p.revents & POLLOUT) != 0) {
            const ssize_t n =
                ::send(fd, stream.data() + sent, stream.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += static_cast<size_t>(n);
            if (sent == stream.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                ::shutdown(fd, SHUT_WR);
                writing = false;
            }
        }
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                return;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    seed::device::log::set_level(seed::device::LogLevel::kError);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    const uint8_t options = data[0];
    std::vector<uint8_t> stream;
    uint16_t id = 0xf000;
    if ((options & fuzz::kOptHandshake) != 0)
        append_message(stream, id++, kCmdVersion, {0, 0, 0, 0}); // 0.0, default capabilities
    if ((options & fuzz::kOptBusMaster) != 0) {
        std::vector<uint8_t> payload;
        append(payload, RegionAccessPayload{PCI_COMMAND, kPciConfigRegionIndex, 2});
        payload.push_back(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
        payload.push_back(0);
        append_message(stream, id++, kCmdRegionWrite, payload);
    }
    stream.insert(stream.end(), data + 1, data + size);

    auto chip = SeedChip::create(fuzz::small_chip_config());
    if (!chip)
        __builtin_trap();
    {
        // Guest memory behind IOVA 4 GiB, as if mapped with an fd: rings,
        // records and the event log the stream sets up there are reachable.
        test::GuestMemory memory(chip->dma(), 1ull << 20);
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            __builtin_trap();
        UniqueFd client(sv[0]);
        Server server(*chip);
        std::thread peer([&] { run_peer(client.get(), stream); });
        server.serve(UniqueFd(sv[1]), -1);
        peer.join();
    }
    chip.reset(); // joins the device's threads
    return 0;
}
