// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device reset, client disconnect and reconnect, and the listening socket.
#include "fake_client.h"

#include "vfio_user/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <hw/seed_hw.h>
#include <linux/pci_regs.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

namespace seed::device::test {
namespace {

using namespace vfio_user;

class Session : public ServerTest {};

TEST_F(Session, DeviceResetRestoresDefaultsAndKeepsClientResources) {
    FakeClient client = connect_negotiated();
    UniqueFd efd = make_eventfd();
    const int fds[] = {efd.get()};
    ASSERT_FALSE(
        client.set_irqs(kIrqSetDataEventfd | kIrqSetActionTrigger, kPciMsixIrqIndex, 1, 1, fds)
            .is_error());
    client.write32(SEED_BAR_REGS, SEED_REG_SCRATCH, 0x1234);
    client.write32(SEED_BAR_REGS, SEED_REG_IRQ_TEST, 1);
    client.write32(SEED_BAR_REGS, SEED_REG_IRQ_TEST, 5); // latched pending
    client.write32(kPciConfigRegionIndex, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    EXPECT_EQ(eventfd_value(efd.get()), 1u);

    auto start = std::chrono::steady_clock::now();
    Received reply = client.call(kCmdDeviceReset, {});
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(reply.is_error());
    EXPECT_EQ(reply.header.size, sizeof(Header));
    EXPECT_LT(elapsed, std::chrono::seconds(1)) << "QEMU gives up after 5 s";

    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_SCRATCH), 0u);
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_IRQ_TEST_COUNT), 0u);
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_DEV_STATUS), SEED_DEV_STATUS_READY);
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, PCI_COMMAND) & 0xffff, 0u);
    EXPECT_FALSE(chip().msix().pending(5));
    // Interrupt fds survive a reset. Bus Master Enable does not: the
    // interrupt waits for the driver to set it again (§2.4).
    client.write32(SEED_BAR_REGS, SEED_REG_IRQ_TEST, 1);
    EXPECT_EQ(eventfd_value(efd.get()), 0u);
    EXPECT_TRUE(chip().msix().pending(1));
    client.write32(kPciConfigRegionIndex, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    EXPECT_EQ(eventfd_value(efd.get()), 1u);
}

TEST_F(Session, DisconnectKeepsDeviceStateAndReconnectWorks) {
    {
        FakeClient client = connect_negotiated();
        client.write32(SEED_BAR_REGS, SEED_REG_SCRATCH, 0xabcd);
        ASSERT_FALSE(client.dma_map(0x1000, 0x1000, kDmaMapFlagRead, 0).is_error());
    }
    EXPECT_EQ(wait_session_end(), ServeResult::kDisconnected);
    EXPECT_EQ(chip().dma().map_count(), 0u);

    FakeClient client = connect_negotiated();
    EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_SCRATCH), 0xabcdu);
}

/// A socket path in a fresh temporary directory.
class ListenerTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        char tmpl[] = "/tmp/seedchip-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/dev.sock";
    }
    void TearDown() override {
        ServerTest::TearDown();
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    static bool exists(const std::string& path) {
        struct stat st {};
        return ::lstat(path.c_str(), &st) == 0;
    }
    static UniqueFd connect_to(const std::string& path) {
        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
        if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            fd.reset();
        return fd;
    }

    std::string dir_;
    std::string path_;
};

TEST_F(ListenerTest, ServesClientsOneAfterAnother) {
    auto listener = Listener::create(path_);
    ASSERT_NE(listener, nullptr);
    int run_result = -1;
    std::thread runner([&] { run_result = server_->run(*listener, stop_fd_.get()); });
    for (int i = 0; i < 3; ++i) {
        UniqueFd fd = connect_to(path_);
        ASSERT_TRUE(fd.valid());
        FakeClient client(std::move(fd));
        client.handshake();
        client.write32(SEED_BAR_REGS, SEED_REG_SCRATCH, static_cast<uint32_t>(i + 1));
        EXPECT_EQ(client.read32(SEED_BAR_REGS, SEED_REG_SCRATCH), static_cast<uint32_t>(i + 1));
    }
    uint64_t one = 1;
    ASSERT_EQ(::write(stop_fd_.get(), &one, sizeof(one)), 8);
    runner.join();
    EXPECT_EQ(run_result, 0);
    EXPECT_TRUE(exists(path_));
    listener.reset();
    EXPECT_FALSE(exists(path_)) << "the socket is removed on exit";
}

TEST_F(ListenerTest, ReplacesStaleSocketOnly) {
    {
        // A stale socket: bound, never listened on, owner gone.
        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
        ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    }
    ASSERT_TRUE(exists(path_));
    auto listener = Listener::create(path_);
    ASSERT_NE(listener, nullptr);
    EXPECT_EQ(Listener::create(path_), nullptr) << "a live socket is not stolen";
    listener.reset();

    std::ofstream(path_) << "not a socket";
    EXPECT_EQ(Listener::create(path_), nullptr) << "regular files are left alone";
    EXPECT_TRUE(exists(path_));
}

} // namespace
} // namespace seed::device::test
