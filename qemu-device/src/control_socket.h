// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ControlSocket: the --control UNIX stream socket (docs/hardware.md §16.2).
// Served from the main thread's event loop as a vfio_user::PollSource: never
// blocks, several clients at once, one reply line per request line, in order.
// Malformed and oversized lines get an error reply; a client that does not
// read its replies is dropped. The socket file is removed on destruction.
#pragma once

#include "fault_injector.h"
#include "unique_fd.h"
#include "vfio_user/listener.h"
#include "vfio_user/poll_source.h"

#include <memory>
#include <string>
#include <vector>

namespace seed::device {

class ControlSocket final : public vfio_user::PollSource {
public:
    static constexpr size_t kMaxClients = 16;
    static constexpr size_t kMaxPendingOutput = 64 * 1024;

    /// Listens on @p path (a stale socket is replaced). nullptr and a log
    /// line on failure.
    static std::unique_ptr<ControlSocket> create(const std::string& path, FaultInjector& injector);

    void add_fds(std::vector<pollfd>& fds) override;
    void handle(std::span<const pollfd> fds) override;

    size_t client_count() const { return clients_.size(); }

private:
    struct Client {
        UniqueFd fd;
        std::string in;
        std::string out;
        bool discarding = false; // the rest of an over-long line
        bool closed = false;
    };

    ControlSocket(std::unique_ptr<vfio_user::Listener> listener, FaultInjector& injector)
        : listener_(std::move(listener)), injector_(injector) {}

    void accept_clients();
    void read_client(Client& c);
    void write_client(Client& c);
    void reply(Client& c, const std::string& line);

    std::unique_ptr<vfio_user::Listener> listener_;
    FaultInjector& injector_;
    std::vector<Client> clients_;
};

} // namespace seed::device
