// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Fake vfio-user client and server fixture for the device model tests.
#include "fake_client.h"

#include "log.h"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hw/seed_hw.h>

#include <cerrno>

namespace seed::device::test {

using namespace vfio_user;

const char kQemuVersionJson[] =
    R"({"capabilities":{"max_msg_fds":16,"max_data_xfer_size":1048576,"pgsizes":4096,)"
    R"("max_dma_maps":65535,"write_multiple":true,)"
    R"("migration":{"pgsize":4096,"max_bitmap_size":268435456}}})";

uint16_t FakeClient::send(uint16_t command, std::span<const uint8_t> payload,
                          std::span<const int> fds, uint32_t flags) {
    Header hdr{};
    hdr.msg_id = next_id_++;
    hdr.command = command;
    hdr.size = static_cast<uint32_t>(sizeof(Header) + payload.size());
    hdr.flags = kFlagTypeCommand | flags;
    std::vector<uint8_t> bytes = bytes_of(hdr);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    send_raw(bytes, fds);
    return hdr.msg_id;
}

void FakeClient::send_raw(std::span<const uint8_t> bytes, std::span<const int> fds) {
    size_t sent = 0;
    bool with_fds = !fds.empty();
    while (sent < bytes.size()) {
        iovec iov{const_cast<uint8_t*>(bytes.data()) + sent, bytes.size() - sent};
        alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(int) * 32)] = {};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        if (with_fds) {
            mh.msg_control = control;
            mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
            cmsghdr* c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
            std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
        }
        ssize_t n = ::sendmsg(fd_.get(), &mh, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        ASSERT_GT(n, 0) << "sendmsg: " << std::strerror(errno);
        sent += static_cast<size_t>(n);
        with_fds = false;
    }
}

bool FakeClient::read_exact(uint8_t* buf, size_t length, std::vector<UniqueFd>* fds,
                            int timeout_ms) {
    size_t got = 0;
    while (got < length) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0)
            return false;
        iovec iov{buf + got, length - got};
        alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(int) * 32)];
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control;
        mh.msg_controllen = sizeof(control);
        ssize_t n = ::recvmsg(fd_.get(), &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; ++i) {
                int fd;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                fds->emplace_back(fd);
            }
        }
        got += static_cast<size_t>(n);
    }
    return true;
}

std::optional<Received> FakeClient::receive(int timeout_ms) {
    Received msg;
    if (!read_exact(reinterpret_cast<uint8_t*>(&msg.header), sizeof(Header), &msg.fds, timeout_ms))
        return std::nullopt;
    if (msg.header.size < sizeof(Header) || msg.header.size > kMaxMessageSize)
        return std::nullopt;
    msg.payload.resize(msg.header.size - sizeof(Header));
    if (!msg.payload.empty() &&
        !read_exact(msg.payload.data(), msg.payload.size(), &msg.fds, timeout_ms))
        return std::nullopt;
    return msg;
}

bool FakeClient::quiet(int wait_ms) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, wait_ms) == 0)
        return true;
    uint8_t byte;
    return ::recv(fd_.get(), &byte, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
}

bool FakeClient::closed_by_peer(int timeout_ms) {
    for (;;) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0)
            return false;
        uint8_t buf[256];
        ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
    }
}

Received FakeClient::call(uint16_t command, std::span<const uint8_t> payload,
                          std::span<const int> fds) {
    uint16_t id = send(command, payload, fds);
    auto reply = receive();
    EXPECT_TRUE(reply.has_value()) << "no reply to command " << command;
    if (!reply)
        return {};
    EXPECT_EQ(reply->header.msg_id, id);
    EXPECT_EQ(reply->header.command, command);
    EXPECT_EQ(reply->header.flags & kFlagTypeMask, kFlagTypeReply);
    EXPECT_EQ(reply->header.size, sizeof(Header) + reply->payload.size());
    if (reply->is_error()) {
        EXPECT_EQ(reply->header.flags, kFlagTypeReply | kFlagError);
        EXPECT_NE(reply->header.error, 0u);
        EXPECT_TRUE(reply->payload.empty()) << "error replies are header only";
    }
    return std::move(*reply);
}

Received FakeClient::handshake() {
    std::vector<uint8_t> payload = bytes_of(VersionPayload{0, 0});
    payload.insert(payload.end(), kQemuVersionJson, kQemuVersionJson + sizeof(kQemuVersionJson));
    Received reply = call(kCmdVersion, payload);
    EXPECT_FALSE(reply.is_error());
    EXPECT_LE(reply.header.size, sizeof(Header) + payload.size());
    return reply;
}

Received FakeClient::region_read(uint32_t region, uint64_t offset, uint32_t count) {
    return call(kCmdRegionRead, bytes_of(RegionAccessPayload{offset, region, count}));
}

Received FakeClient::region_write(uint32_t region, uint64_t offset, std::span<const uint8_t> data) {
    std::vector<uint8_t> payload =
        bytes_of(RegionAccessPayload{offset, region, static_cast<uint32_t>(data.size())});
    payload.insert(payload.end(), data.begin(), data.end());
    return call(kCmdRegionWrite, payload);
}

void FakeClient::region_write_posted(uint32_t region, uint64_t offset,
                                     std::span<const uint8_t> data) {
    std::vector<uint8_t> payload =
        bytes_of(RegionAccessPayload{offset, region, static_cast<uint32_t>(data.size())});
    payload.insert(payload.end(), data.begin(), data.end());
    send(kCmdRegionWrite, payload, {}, kFlagNoReply);
}

uint32_t FakeClient::read32(uint32_t region, uint64_t offset) {
    Received r = region_read(region, offset, 4);
    EXPECT_FALSE(r.is_error());
    EXPECT_EQ(r.payload.size(), sizeof(RegionAccessPayload) + 4);
    return struct_at<uint32_t>(r.payload, sizeof(RegionAccessPayload));
}

void FakeClient::write32(uint32_t region, uint64_t offset, uint32_t value) {
    Received r = region_write(region, offset, bytes_of(value));
    EXPECT_FALSE(r.is_error());
    EXPECT_EQ(r.payload.size(), sizeof(RegionAccessPayload));
}

Received FakeClient::set_irqs(uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
                              std::span<const int> fds) {
    SetIrqsPayload req{sizeof(SetIrqsPayload), flags, index, start, count};
    return call(kCmdDeviceSetIrqs, bytes_of(req), fds);
}

Received FakeClient::dma_map(uint64_t iova, uint64_t size, uint32_t flags, uint64_t offset,
                             std::span<const int> fds) {
    DmaMapPayload req{sizeof(DmaMapPayload), flags, offset, iova, size};
    return call(kCmdDmaMap, bytes_of(req), fds);
}

Received FakeClient::dma_unmap(uint64_t iova, uint64_t size, uint32_t flags) {
    DmaUnmapPayload req{sizeof(DmaUnmapPayload), flags, iova, size};
    return call(kCmdDmaUnmap, bytes_of(req));
}

size_t open_fd_count() {
    size_t count = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr)
        return 0;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.')
            ++count;
    }
    ::closedir(dir);
    return count;
}

UniqueFd make_eventfd() {
    return UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

uint64_t eventfd_value(int fd) {
    uint64_t value = 0;
    if (::read(fd, &value, sizeof(value)) != sizeof(value))
        return 0;
    return value;
}

SeedChipConfig test_chip_config() {
    SeedChipConfig config;
    config.hbm_size = 64ull << 20;
    config.queues = 8;
    config.engines = 2;
    config.uuid = *Uuid::parse("00112233-4455-6677-8899-aabbccddeeff");
    config.serial = "TEST0";
    return config;
}

void ServerTest::SetUp() {
    log::set_level(LogLevel::kError);
    chip_ = SeedChip::create(test_chip_config());
    ASSERT_NE(chip_, nullptr);
    server_ = std::make_unique<Server>(*chip_);
    stop_fd_ = make_eventfd();
    ASSERT_TRUE(stop_fd_.valid());
}

void ServerTest::TearDown() {
    stop_server();
}

FakeClient ServerTest::connect() {
    if (thread_.joinable())
        wait_session_end();
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    UniqueFd server_end(sv[1]);
    thread_ = std::thread([this, fd = std::move(server_end)]() mutable {
        result_ = server_->serve(std::move(fd), stop_fd_.get());
    });
    return FakeClient(UniqueFd(sv[0]));
}

FakeClient ServerTest::connect_negotiated() {
    FakeClient client = connect();
    client.handshake();
    return client;
}

ServeResult ServerTest::wait_session_end() {
    if (thread_.joinable())
        thread_.join();
    return result_;
}

void ServerTest::stop_server() {
    if (thread_.joinable()) {
        uint64_t one = 1;
        EXPECT_EQ(::write(stop_fd_.get(), &one, sizeof(one)), 8);
        thread_.join();
        eventfd_value(stop_fd_.get());
    }
}

} // namespace seed::device::test
