// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// ControlSocket: line protocol over non-blocking UNIX stream sockets.
#include "control_socket.h"

#include "log.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace seed::device {

std::unique_ptr<ControlSocket> ControlSocket::create(const std::string& path,
                                                     FaultInjector& injector) {
    auto listener = vfio_user::Listener::create(path);
    if (!listener)
        return nullptr;
    int flags = ::fcntl(listener->fd(), F_GETFL);
    if (flags < 0 || ::fcntl(listener->fd(), F_SETFL, flags | O_NONBLOCK) < 0) {
        log::error("--control {}: fcntl: {}", path, std::strerror(errno));
        return nullptr;
    }
    return std::unique_ptr<ControlSocket>(new ControlSocket(std::move(listener), injector));
}

void ControlSocket::add_fds(std::vector<pollfd>& fds) {
    fds.push_back({listener_->fd(), POLLIN, 0});
    for (const Client& c : clients_)
        fds.push_back({c.fd.get(), static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
}

void ControlSocket::handle(std::span<const pollfd> fds) {
    // fds mirror add_fds(): the listener, then clients_ in order.
    for (size_t i = 0; i < clients_.size() && i + 1 < fds.size(); ++i) {
        Client& c = clients_[i];
        const short ev = fds[i + 1].revents;
        if ((ev & (POLLIN | POLLHUP | POLLERR)) != 0)
            read_client(c);
        if (!c.closed && !c.out.empty() && (ev & POLLOUT) != 0)
            write_client(c);
        if ((ev & POLLNVAL) != 0)
            c.closed = true;
    }
    std::erase_if(clients_, [](const Client& c) { return c.closed; });
    if (!fds.empty() && (fds[0].revents & POLLIN) != 0)
        accept_clients();
}

void ControlSocket::accept_clients() {
    for (;;) {
        UniqueFd fd = listener_->accept();
        if (!fd.valid())
            return;
        if (clients_.size() >= kMaxClients) {
            static constexpr char kBusy[] = "error too many control clients\n";
            (void)::send(fd.get(), kBusy, sizeof(kBusy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            log::warn("control: refused a client: {} connected", clients_.size());
            continue;
        }
        int flags = ::fcntl(fd.get(), F_GETFL);
        if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
            continue;
        log::info("control: client connected");
        clients_.push_back(Client{std::move(fd), {}, {}, false, false});
    }
}

void ControlSocket::read_client(Client& c) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(c.fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            c.closed = true; // EOF or error: unanswered requests are dropped
            return;
        }
        for (ssize_t i = 0; i < n && !c.closed; ++i) {
            const char ch = buf[i];
            if (ch == '\n') {
                if (c.discarding) {
                    c.discarding = false;
                } else {
                    if (auto r = injector_.execute(c.in))
                        reply(c, *r);
                }
                c.in.clear();
                continue;
            }
            if (c.discarding)
                continue;
            c.in.push_back(ch);
            // Room for a CR before the LF.
            if (c.in.size() > FaultInjector::kMaxLine + 1) {
                reply(c, "error line too long");
                c.in.clear();
                c.discarding = true;
            }
        }
        if (c.closed)
            return;
    }
    if (!c.out.empty())
        write_client(c);
}

void ControlSocket::reply(Client& c, const std::string& line) {
    c.out += line;
    c.out += '\n';
    if (c.out.size() > kMaxPendingOutput) {
        log::warn("control: client does not read its replies; dropped");
        c.closed = true;
    }
}

void ControlSocket::write_client(Client& c) {
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c.closed = true;
            return;
        }
        c.out.erase(0, static_cast<size_t>(n));
    }
}

} // namespace seed::device
