// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Channel: vfio-user message framing over a UNIX stream socket.
#include "vfio_user/channel.h"

#include "log.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace seed::device::vfio_user {
namespace {

constexpr size_t kControlSize = CMSG_SPACE(sizeof(int) * kMaxMsgFds);

void collect_fds(msghdr& mh, Message& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char* data = CMSG_DATA(c);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, data + i * sizeof(int), sizeof(int));
            msg.fds.emplace_back(fd);
        }
    }
    if ((mh.msg_flags & MSG_CTRUNC) != 0)
        msg.fds_truncated = true;
}

} // namespace

Channel::Channel(UniqueFd socket, int cancel_fd, PollSource* extra)
    : socket_(std::move(socket)), cancel_fd_(cancel_fd), extra_(extra) {
    int flags = ::fcntl(socket_.get(), F_GETFL);
    if (flags >= 0)
        ::fcntl(socket_.get(), F_SETFL, flags | O_NONBLOCK);
}

Channel::Wait Channel::wait(short events, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<pollfd> fds;
    for (;;) {
        fds.assign({{socket_.get(), events, 0}, {cancel_fd_, POLLIN, 0}});
        const size_t own = cancel_fd_ >= 0 ? 2 : 1;
        fds.resize(own);
        if (extra_ != nullptr)
            extra_->add_fds(fds);
        int timeout = timeout_ms;
        if (timeout_ms >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        int n = ::poll(fds.data(), fds.size(), timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Wait::kError;
        }
        if (n == 0)
            return Wait::kTimeout;
        if (own == 2 && fds[1].revents != 0)
            return Wait::kCancelled;
        if (fds.size() > own)
            extra_->handle(std::span<const pollfd>(fds).subspan(own));
        // POLLHUP/POLLERR included: the next recv or send reports them.
        if (fds[0].revents != 0)
            return Wait::kReady;
    }
}

RecvStatus Channel::read_exact(uint8_t* buf, size_t length, bool first, Message& msg) {
    size_t got = 0;
    while (got < length) {
        iovec iov{buf + got, length - got};
        alignas(cmsghdr) unsigned char control[kControlSize];
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control;
        mh.msg_controllen = sizeof(control);
        ssize_t n = ::recvmsg(socket_.get(), &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n > 0) {
            collect_fds(mh, msg);
            got += static_cast<size_t>(n);
            continue;
        }
        bool idle = first && got == 0;
        if (n == 0)
            return idle ? RecvStatus::kEof : RecvStatus::kProtocolError;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int timeout = idle ? -1 : static_cast<int>(kMidMessageTimeout.count());
            switch (wait(POLLIN, timeout)) {
            case Wait::kReady:
                continue;
            case Wait::kCancelled:
                return RecvStatus::kCancelled;
            case Wait::kTimeout:
                log::warn("vfio-user: peer stalled in the middle of a message");
                return RecvStatus::kProtocolError;
            case Wait::kError:
                return RecvStatus::kIoError;
            }
        }
        if (errno == ECONNRESET)
            return idle ? RecvStatus::kEof : RecvStatus::kProtocolError;
        log::warn("vfio-user: recvmsg failed: {}", std::strerror(errno));
        return RecvStatus::kIoError;
    }
    return RecvStatus::kOk;
}

RecvStatus Channel::receive(Message& msg) {
    msg = Message{};
    RecvStatus status =
        read_exact(reinterpret_cast<uint8_t*>(&msg.header), sizeof(Header), true, msg);
    if (status != RecvStatus::kOk)
        return status;
    if (msg.header.size < sizeof(Header) || msg.header.size > kMaxMessageSize) {
        log::warn("vfio-user: message {} command {} has bad size {}; dropping the client",
                  msg.header.msg_id, msg.header.command, msg.header.size);
        return RecvStatus::kProtocolError;
    }
    msg.payload.resize(msg.header.size - sizeof(Header));
    if (msg.payload.empty())
        return RecvStatus::kOk;
    status = read_exact(msg.payload.data(), msg.payload.size(), false, msg);
    if (status == RecvStatus::kEof)
        status = RecvStatus::kProtocolError;
    return status;
}

int Channel::send(Header header, std::span<const uint8_t> payload, std::span<const int> fds) {
    if (fds.size() > kMaxMsgFds)
        return -EINVAL;
    header.size = static_cast<uint32_t>(sizeof(Header) + payload.size());
    const size_t total = header.size;
    size_t sent = 0;
    bool fds_pending = !fds.empty();
    while (sent < total) {
        iovec iov[2];
        int iovcnt = 0;
        if (sent < sizeof(Header)) {
            iov[iovcnt++] = {reinterpret_cast<uint8_t*>(&header) + sent, sizeof(Header) - sent};
            if (!payload.empty())
                iov[iovcnt++] = {const_cast<uint8_t*>(payload.data()), payload.size()};
        } else {
            size_t done = sent - sizeof(Header);
            iov[iovcnt++] = {const_cast<uint8_t*>(payload.data()) + done, payload.size() - done};
        }
        alignas(cmsghdr) unsigned char control[kControlSize];
        msghdr mh{};
        mh.msg_iov = iov;
        mh.msg_iovlen = static_cast<size_t>(iovcnt);
        if (fds_pending) {
            std::memset(control, 0, sizeof(control));
            mh.msg_control = control;
            mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
            cmsghdr* c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
            std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
        }
        ssize_t n = ::sendmsg(socket_.get(), &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            sent += static_cast<size_t>(n);
            fds_pending = false;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            switch (wait(POLLOUT, static_cast<int>(kMidMessageTimeout.count()))) {
            case Wait::kReady:
                continue;
            case Wait::kCancelled:
                return -ECANCELED;
            case Wait::kTimeout:
                return -ETIMEDOUT;
            case Wait::kError:
                return -EIO;
            }
        }
        return -errno;
    }
    return 0;
}

} // namespace seed::device::vfio_user
