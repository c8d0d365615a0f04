// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user framing robustness: unknown commands, stray fds, bad header
// sizes, truncated messages, split writes and random bytes. The server must
// never crash, never desync, and drop clients that break framing.
#include "fake_client.h"

#include <hw/seed_hw.h>

#include <chrono>
#include <random>
#include <thread>

namespace seed::device::test {
namespace {

using namespace vfio_user;

class Robustness : public ServerTest {};

TEST_F(Robustness, UnknownCommandWithBodyThenNextCommandWorks) {
    FakeClient client = connect_negotiated();
    Received reply = client.call(99, std::vector<uint8_t>(300, 0xa5));
    EXPECT_TRUE(reply.is_error());
    EXPECT_EQ(reply.header.error, static_cast<uint32_t>(ENOSYS));
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
    // Commands QEMU does not use.
    for (uint16_t cmd : {kCmdDeviceGetRegionIoFds, kCmdDmaRead, kCmdDmaWrite, kCmdDirtyPages,
                         kCmdRegionWriteMulti, kCmdMigDataRead, kCmdMigDataWrite})
        EXPECT_EQ(client.call(cmd, std::vector<uint8_t>(24, 0)).header.error,
                  static_cast<uint32_t>(ENOSYS))
            << cmd;
    EXPECT_EQ(client.call(kCmdDeviceFeature, std::vector<uint8_t>(16, 0)).header.error,
              static_cast<uint32_t>(ENOTSUP));
}

TEST_F(Robustness, FailingNoReplyCommandsAreSilent) {
    FakeClient client = connect_negotiated();
    client.send(99, std::vector<uint8_t>(40, 1), {}, kFlagNoReply);
    client.send(kCmdDmaUnmap, std::vector<uint8_t>(3, 0), {}, kFlagNoReply);
    EXPECT_TRUE(client.quiet());
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
}

TEST_F(Robustness, RepliesFromTheClientAreIgnored) {
    FakeClient client = connect_negotiated();
    client.send(kCmdRegionRead, std::vector<uint8_t>(16, 0), {}, kFlagTypeReply);
    EXPECT_TRUE(client.quiet());
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
}

TEST_F(Robustness, StrayFdsAreClosed) {
    const size_t fds_before = open_fd_count();
    {
        FakeClient client = connect_negotiated();
        UniqueFd efd = make_eventfd();
        const int fds[] = {efd.get(), efd.get(), efd.get()};
        uint16_t id = client.send(
            kCmdRegionRead, bytes_of(RegionAccessPayload{SEED_REG_MAGIC, SEED_BAR_REGS, 4}), fds);
        auto reply = client.receive();
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->header.msg_id, id);
        EXPECT_FALSE(reply->is_error());
        EXPECT_TRUE(reply->fds.empty());
    }
    wait_session_end();
    EXPECT_EQ(open_fd_count(), fds_before);
}

TEST_F(Robustness, TooManyFdsOnOneMessage) {
    const size_t fds_before = open_fd_count();
    {
        FakeClient client = connect_negotiated();
        UniqueFd efd = make_eventfd();
        std::vector<int> fds(24, efd.get());
        SetIrqsPayload req{sizeof(SetIrqsPayload), kIrqSetDataEventfd | kIrqSetActionTrigger,
                           kPciMsixIrqIndex, 0, 24};
        uint16_t id = client.send(kCmdDeviceSetIrqs, bytes_of(req), fds);
        auto reply = client.receive();
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->header.msg_id, id);
        EXPECT_TRUE(reply->is_error());
        EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
    }
    wait_session_end();
    EXPECT_EQ(open_fd_count(), fds_before);
}

TEST_F(Robustness, UndersizedHeaderDropsTheClient) {
    FakeClient client = connect_negotiated();
    Header hdr{1, kCmdRegionRead, 8, 0, 0};
    client.send_raw(bytes_of(hdr));
    EXPECT_TRUE(client.closed_by_peer());
    EXPECT_EQ(wait_session_end(), ServeResult::kProtocolError);
}

TEST_F(Robustness, OversizedHeaderDropsTheClient) {
    FakeClient client = connect_negotiated();
    Header hdr{1, kCmdRegionWrite, 0xffffffff, 0, 0};
    client.send_raw(bytes_of(hdr));
    EXPECT_TRUE(client.closed_by_peer());
    EXPECT_EQ(wait_session_end(), ServeResult::kProtocolError);
}

TEST_F(Robustness, TruncatedBodyThenCloseIsClean) {
    {
        FakeClient client = connect_negotiated();
        Header hdr{1, kCmdRegionWrite, 16 + 16 + 4, 0, 0};
        std::vector<uint8_t> bytes = bytes_of(hdr);
        bytes.resize(bytes.size() + 10, 0);
        client.send_raw(bytes);
    }
    EXPECT_EQ(wait_session_end(), ServeResult::kProtocolError);
    // The device is still fine for the next client.
    FakeClient next = connect_negotiated();
    EXPECT_EQ(next.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
}

TEST_F(Robustness, MessageSplitIntoSingleBytes) {
    FakeClient client = connect_negotiated();
    std::vector<uint8_t> payload =
        bytes_of(RegionAccessPayload{SEED_REG_SCRATCH, SEED_BAR_REGS, 4});
    uint32_t value = 0x12345678;
    auto v = bytes_of(value);
    payload.insert(payload.end(), v.begin(), v.end());
    Header hdr{77, kCmdRegionWrite, static_cast<uint32_t>(16 + payload.size()), 0, 0};
    std::vector<uint8_t> bytes = bytes_of(hdr);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    for (uint8_t b : bytes) {
        client.send_raw(std::span(&b, 1));
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    auto reply = client.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->header.msg_id, 77);
    EXPECT_FALSE(reply->is_error());
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_SCRATCH), value);
}

TEST_F(Robustness, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    for (int round = 0; round < 20; ++round) {
        {
            FakeClient client = connect();
            if (round % 2 == 1)
                client.handshake();
            std::vector<uint8_t> junk(1 + rng() % 512);
            for (auto& b : junk)
                b = static_cast<uint8_t>(rng());
            // Keep sizes plausible half of the time so bodies get parsed.
            if (round % 4 < 2 && junk.size() >= 16) {
                uint32_t size = static_cast<uint32_t>(junk.size());
                std::memcpy(junk.data() + 4, &size, 4);
                uint32_t flags = 0;
                std::memcpy(junk.data() + 8, &flags, 4);
                uint16_t cmd = static_cast<uint16_t>(1 + rng() % 18);
                std::memcpy(junk.data() + 2, &cmd, 2);
            }
            client.send_raw(junk);
            while (client.receive(20)) {
            }
        }
        wait_session_end();
    }
    FakeClient client = connect_negotiated();
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_MAGIC), SEED_MAGIC);
}

TEST_F(Robustness, StopWhileIdleAndMidMessage) {
    {
        FakeClient client = connect_negotiated();
        stop_server();
        EXPECT_EQ(result_, ServeResult::kStopped);
    }
    eventfd_value(stop_fd_.get());
    {
        FakeClient client = connect_negotiated();
        Header hdr{1, kCmdRegionWrite, 64, 0, 0};
        client.send_raw(bytes_of(hdr)); // the body never comes
        stop_server();
        EXPECT_EQ(result_, ServeResult::kStopped);
    }
}

} // namespace
} // namespace seed::device::test
