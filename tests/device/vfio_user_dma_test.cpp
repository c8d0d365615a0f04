// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user DMA_MAP/DMA_UNMAP: pipelined maps with memfds, device access to
// the mapped memory, unmap rules and rejects.
#include "fake_client.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace seed::device::test {
namespace {

using namespace vfio_user;

constexpr uint64_t kPage = 4096;
constexpr uint32_t kRw = kDmaMapFlagRead | kDmaMapFlagWrite;

class DmaMaps : public ServerTest {
protected:
    /// A memfd of @p pages pages and the test's own view of it.
    struct GuestRam {
        UniqueFd fd;
        Mapping view;
        uint8_t* at(uint64_t offset) const { return static_cast<uint8_t*>(view.get()) + offset; }
    };
    static GuestRam make_ram(size_t pages) {
        GuestRam ram;
        ram.fd.reset(::memfd_create("guest-ram", MFD_CLOEXEC));
        EXPECT_TRUE(ram.fd.valid());
        EXPECT_EQ(::ftruncate(ram.fd.get(), static_cast<off_t>(pages * kPage)), 0);
        void* p =
            ::mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, ram.fd.get(), 0);
        EXPECT_NE(p, MAP_FAILED);
        ram.view = Mapping(p, pages * kPage);
        return ram;
    }
};

TEST_F(DmaMaps, PipelinedMapsAndDeviceAccess) {
    const size_t fds_before = open_fd_count();
    {
        GuestRam low = make_ram(64);
        GuestRam high = make_ram(16);
        FakeClient client = connect_negotiated();

        // Like QEMU at attach: a burst without waiting. Two maps share the low
        // RAM fd at different offsets, one is read-only, one has no fd.
        const int low_fd[] = {low.fd.get()};
        const int high_fd[] = {high.fd.get()};
        struct Map {
            uint64_t iova, size, offset;
            uint32_t flags;
            std::span<const int> fds;
        };
        // Low RAM is 64 pages (0x40000 bytes), high RAM sits above 4 GiB.
        const Map maps[5] = {
            {0x0, 0x10000, 0x0, kRw, low_fd},
            {0x20000, 0x8000, 0x20000, kDmaMapFlagRead, low_fd},
            {0x30000, 0x10000, 0x30000, kRw, low_fd},
            {0x100000000, 16 * kPage, 0, kRw, high_fd},
            {0xfebf0000, 0x4000, 0, kRw, {}}, // a BAR: no fd
        };
        uint16_t ids[5];
        for (int i = 0; i < 5; ++i) {
            DmaMapPayload req{sizeof(DmaMapPayload), maps[i].flags, maps[i].offset, maps[i].iova,
                              maps[i].size};
            ids[i] = client.send(kCmdDmaMap, bytes_of(req), maps[i].fds);
        }
        for (int i = 0; i < 5; ++i) {
            auto reply = client.receive();
            ASSERT_TRUE(reply);
            EXPECT_EQ(reply->header.msg_id, ids[i]);
            EXPECT_EQ(reply->header.command, kCmdDmaMap);
            EXPECT_EQ(reply->header.flags, kFlagTypeReply);
            EXPECT_EQ(reply->header.size, sizeof(Header));
        }
        EXPECT_EQ(chip().dma().map_count(), 5u);

        // Device writes land in the client's memory, and the other way round.
        const char text[] = "written by the device";
        ASSERT_EQ(chip().dma().write(0x1000, text, sizeof(text)), 0);
        EXPECT_STREQ(reinterpret_cast<const char*>(low.at(0x1000)), text);
        ASSERT_EQ(chip().dma().write(0x100000000 + 5 * kPage, text, sizeof(text)), 0);
        EXPECT_STREQ(reinterpret_cast<const char*>(high.at(5 * kPage)), text);
        ASSERT_EQ(chip().dma().write(0x30000 + 8, text, sizeof(text)), 0);
        EXPECT_STREQ(reinterpret_cast<const char*>(low.at(0x30008)), text);
        std::memcpy(low.at(0x20010), "rom!", 4);
        char rom[4];
        ASSERT_EQ(chip().dma().read(0x20010, rom, 4), 0);
        EXPECT_EQ(std::memcmp(rom, "rom!", 4), 0);
        EXPECT_EQ(chip().dma().write(0x20010, "x", 1), -EACCES) << "read-only map";
        EXPECT_EQ(chip().dma().read(0xfebf0000, rom, 4), -ENXIO) << "fd-less map";
        EXPECT_EQ(chip().dma().read(0x50000, rom, 4), -EFAULT) << "hole";

        // Unmap one range: the reply echoes the request, the memory is gone.
        Received unmap = client.dma_unmap(0x100000000, 16 * kPage);
        ASSERT_FALSE(unmap.is_error());
        auto echo = struct_at<DmaUnmapPayload>(unmap.payload);
        EXPECT_EQ(echo.iova, 0x100000000u);
        EXPECT_EQ(echo.size, 16 * kPage);
        EXPECT_LE(unmap.header.size, sizeof(Header) + sizeof(DmaUnmapPayload));
        EXPECT_EQ(chip().dma().write(0x100000000, text, 1), -EFAULT);
        EXPECT_EQ(chip().dma().map_count(), 4u);

        // Unmap everything.
        EXPECT_TRUE(client.dma_unmap(0, 4096, kDmaUnmapFlagAll).is_error()) << "ALL needs 0/0";
        EXPECT_FALSE(client.dma_unmap(0, 0, kDmaUnmapFlagAll).is_error());
        EXPECT_EQ(chip().dma().map_count(), 0u);
    }
    wait_session_end();
    EXPECT_EQ(open_fd_count(), fds_before) << "fd leak";
}

TEST_F(DmaMaps, RejectsWithoutLeaks) {
    const size_t fds_before = open_fd_count();
    {
        GuestRam ram = make_ram(4);
        FakeClient client = connect_negotiated();
        const int two[] = {ram.fd.get(), ram.fd.get()};
        EXPECT_TRUE(client.dma_map(0, kPage, kRw, 0, two).is_error()) << "two fds";
        const int one[] = {ram.fd.get()};
        EXPECT_TRUE(client.dma_map(0, kPage, kRw | 0x4, 0, one).is_error()) << "bad flags";
        EXPECT_TRUE(client.dma_map(0, 0, kRw, 0, one).is_error()) << "empty";
        EXPECT_TRUE(client.call(kCmdDmaMap, std::vector<uint8_t>(16, 0)).is_error()) << "short";
        EXPECT_FALSE(client.dma_map(0, kPage, kRw, 0, one).is_error());
        EXPECT_TRUE(client.dma_map(0, kPage, kRw, 0, one).is_error()) << "exact duplicate";
        EXPECT_TRUE(client.dma_unmap(0, kPage, kDmaUnmapFlagGetDirtyBitmap).is_error());
        EXPECT_TRUE(client.dma_unmap(0, kPage, 0x8).is_error());
        EXPECT_TRUE(client.dma_unmap(0, 0).is_error());
        EXPECT_EQ(chip().dma().map_count(), 1u);
    }
    wait_session_end();
    EXPECT_EQ(chip().dma().map_count(), 0u) << "disconnect unmaps everything";
    EXPECT_EQ(open_fd_count(), fds_before) << "fd leak";
}

} // namespace
} // namespace seed::device::test
