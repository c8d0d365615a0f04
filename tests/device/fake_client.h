// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Test harness for the vfio-user server: a fake client that speaks the wire
// protocol over a socketpair(), and a fixture running the real server on a
// SeedChip in a thread.
#pragma once

#include "seedchip.h"
#include "unique_fd.h"
#include "vfio_user/protocol.h"
#include "vfio_user/server.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace seed::device::test {

using vfio_user::Header;

template <typename T>
std::vector<uint8_t> bytes_of(const T& value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    return std::vector<uint8_t>(p, p + sizeof(T));
}

/// The T stored at @p offset of @p bytes (zero if @p bytes is too short).
template <typename T>
T struct_at(std::span<const uint8_t> bytes, size_t offset = 0) {
    T value{};
    if (bytes.size() >= offset + sizeof(T))
        std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

struct Received {
    Header header{};
    std::vector<uint8_t> payload;
    std::vector<UniqueFd> fds;

    bool is_error() const { return (header.flags & vfio_user::kFlagError) != 0; }
};

/// The client end of a vfio-user connection.
class FakeClient {
public:
    explicit FakeClient(UniqueFd fd) : fd_(std::move(fd)) {}

    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

    /// Sends one message; returns its id.
    uint16_t send(uint16_t command, std::span<const uint8_t> payload, std::span<const int> fds = {},
                  uint32_t flags = 0);
    /// Sends raw bytes (with fds on the first byte).
    void send_raw(std::span<const uint8_t> bytes, std::span<const int> fds = {});
    /// Receives one whole message, or nullopt on timeout, EOF or error.
    std::optional<Received> receive(int timeout_ms = 2000);
    /// True if no byte arrives within @p wait_ms.
    bool quiet(int wait_ms = 50);
    /// True if the server closes the connection within @p timeout_ms.
    bool closed_by_peer(int timeout_ms = 2000);

    /// send() then receive(); checks that the reply matches the request.
    Received call(uint16_t command, std::span<const uint8_t> payload,
                  std::span<const int> fds = {});

    /// QEMU-shaped VERSION; checks the reply and returns it.
    Received handshake();

    Received region_read(uint32_t region, uint64_t offset, uint32_t count);
    Received region_write(uint32_t region, uint64_t offset, std::span<const uint8_t> data);
    void region_write_posted(uint32_t region, uint64_t offset, std::span<const uint8_t> data);
    uint32_t read32(uint32_t region, uint64_t offset);
    void write32(uint32_t region, uint64_t offset, uint32_t value);
    Received set_irqs(uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
                      std::span<const int> fds = {});
    Received dma_map(uint64_t iova, uint64_t size, uint32_t flags, uint64_t offset,
                     std::span<const int> fds = {});
    Received dma_unmap(uint64_t iova, uint64_t size, uint32_t flags = 0);

private:
    bool read_exact(uint8_t* buf, size_t length, std::vector<UniqueFd>* fds, int timeout_ms);

    UniqueFd fd_;
    uint16_t next_id_ = 1;
};

/// The QEMU 11.1 VERSION request JSON.
extern const char kQemuVersionJson[];

/// Counts this process's open file descriptors.
size_t open_fd_count();
UniqueFd make_eventfd();
/// Drains @p fd; returns the eventfd counter, 0 if it was not signalled.
uint64_t eventfd_value(int fd);

SeedChipConfig test_chip_config();

/// Runs the real server on a fresh SeedChip, one client connection at a time.
class ServerTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Connects a new client; any previous connection must have ended.
    FakeClient connect();
    /// Connects and completes VERSION.
    FakeClient connect_negotiated();
    /// Waits for the current connection to end and returns how it ended.
    vfio_user::ServeResult wait_session_end();
    void stop_server();

    SeedChip& chip() { return *chip_; }

    std::unique_ptr<SeedChip> chip_;
    std::unique_ptr<vfio_user::Server> server_;
    UniqueFd stop_fd_;
    std::thread thread_;
    vfio_user::ServeResult result_ = vfio_user::ServeResult::kDisconnected;
};

} // namespace seed::device::test
