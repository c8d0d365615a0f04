// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The --control socket over real UNIX sockets in a temporary directory,
// served by the vfio-user server's event loop (idle, and with a vfio-user
// client connected), and the --control/--fault options.
#include "control_socket.h"
#include "fake_client.h"
#include "fault_injector.h"
#include "options.h"
#include "seedchip.h"
#include "vfio_user/listener.h"
#include "vfio_user/server.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace seed::device {
namespace {

UniqueFd connect_to(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
        return UniqueFd();
    timeval tv{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        ASSERT_GT(n, 0);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

/// Reads one reply line (without LF); "" on timeout or EOF.
std::string read_line(int fd) {
    std::string line;
    char c;
    while (::recv(fd, &c, 1, 0) == 1) {
        if (c == '\n')
            return line;
        line.push_back(c);
    }
    return "";
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

class ControlSocketTest : public ::testing::Test {
protected:
    void SetUp() override {
        log::set_level(LogLevel::kError);
        char tmpl[] = "/tmp/seed-control-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        chip_ = SeedChip::create(test::test_chip_config());
        ASSERT_NE(chip_, nullptr);
        injector_ = std::make_unique<FaultInjector>(*chip_);
        control_ = ControlSocket::create(dir_ + "/control", *injector_);
        ASSERT_NE(control_, nullptr);
        listener_ = vfio_user::Listener::create(dir_ + "/vfio");
        ASSERT_NE(listener_, nullptr);
        stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));
        server_ = std::make_unique<vfio_user::Server>(*chip_);
        server_->set_poll_source(control_.get());
        thread_ = std::thread([this] { result_ = server_->run(*listener_, stop_.get()); });
    }
    void TearDown() override {
        stop_server();
        server_.reset();
        listener_.reset();
        control_.reset();
        EXPECT_FALSE(exists(dir_ + "/control"));
        injector_.reset();
        chip_.reset();
        ::rmdir(dir_.c_str());
    }
    void stop_server() {
        if (!thread_.joinable())
            return;
        uint64_t one = 1;
        ASSERT_EQ(::write(stop_.get(), &one, sizeof(one)), 8);
        thread_.join();
        EXPECT_EQ(result_, 0);
    }
    std::string path() const { return dir_ + "/control"; }

    std::string dir_;
    std::unique_ptr<SeedChip> chip_;
    std::unique_ptr<FaultInjector> injector_;
    std::unique_ptr<ControlSocket> control_;
    std::unique_ptr<vfio_user::Listener> listener_;
    std::unique_ptr<vfio_user::Server> server_;
    UniqueFd stop_;
    std::thread thread_;
    int result_ = -1;
};

TEST_F(ControlSocketTest, OneReplyPerLineInOrder) {
    UniqueFd c = connect_to(path());
    ASSERT_TRUE(c.valid());
    send_all(c.get(), "help\n\n# comment\nstatus\r\nqueue 99\nslow all 3\nbogus\n");
    EXPECT_EQ(read_line(c.get()).rfind("ok commands=help,status,", 0), 0u);
    EXPECT_EQ(read_line(c.get()).rfind("ok state=running dev_status=0x00000001 ", 0), 0u);
    EXPECT_EQ(read_line(c.get()).rfind("error queue 99 out of range", 0), 0u);
    EXPECT_EQ(read_line(c.get()), "ok");
    EXPECT_EQ(read_line(c.get()).rfind("error unknown command", 0), 0u);
    EXPECT_EQ(chip_->engines().slow_factor(1), 3u);
    // A line split over several writes.
    send_all(c.get(), "ecc corr");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    send_all(c.get(), "ected 0x10\n");
    EXPECT_EQ(read_line(c.get()), "ok ecc_ce=1");
}

TEST_F(ControlSocketTest, OversizedAndBinaryLines) {
    UniqueFd c = connect_to(path());
    ASSERT_TRUE(c.valid());
    send_all(c.get(), std::string(300, 'x') + "\nhelp\n");
    EXPECT_EQ(read_line(c.get()), "error line too long");
    EXPECT_EQ(read_line(c.get()).rfind("ok commands=", 0), 0u);
    // A huge line without LF: one error, then everything up to the LF is discarded.
    send_all(c.get(), std::string(100000, 'y'));
    EXPECT_EQ(read_line(c.get()), "error line too long");
    send_all(c.get(), "zzz\nstatus\n");
    EXPECT_EQ(read_line(c.get()).rfind("ok state=", 0), 0u);
    send_all(c.get(), std::string("sta\0tus\n", 8));
    EXPECT_EQ(read_line(c.get()).rfind("error ", 0), 0u);
    // Exactly 256 bytes is allowed (an unknown command, but not too long).
    send_all(c.get(), std::string(256, 'a') + "\r\n");
    EXPECT_EQ(read_line(c.get()).rfind("error unknown command", 0), 0u);
}

TEST_F(ControlSocketTest, SeveralClientsWhileVfioUserClientConnected) {
    // A connected vfio-user client that sends nothing keeps the server in
    // its per-client loop; the control socket is still served.
    UniqueFd vfio = connect_to(dir_ + "/vfio");
    ASSERT_TRUE(vfio.valid());
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // accepted by now
    UniqueFd a = connect_to(path());
    UniqueFd b = connect_to(path());
    ASSERT_TRUE(a.valid());
    ASSERT_TRUE(b.valid());
    send_all(a.get(), "ecc corrected\n");
    send_all(b.get(), "queue 1\n");
    EXPECT_EQ(read_line(b.get()).rfind("ok queue=1 state=disabled", 0), 0u);
    EXPECT_EQ(read_line(a.get()), "ok ecc_ce=1");
    a.reset(); // a client leaving does not disturb the others
    send_all(b.get(), "stop-responding\n");
    EXPECT_EQ(read_line(b.get()), "ok");
    EXPECT_EQ(chip_->read_register(SEED_REG_MAGIC), 0xffffffffu);
    send_all(b.get(), "resume\n");
    EXPECT_EQ(read_line(b.get()), "ok");
    EXPECT_EQ(chip_->read_register(SEED_REG_MAGIC), uint32_t{SEED_MAGIC});
}

TEST_F(ControlSocketTest, StaleSocketReplacedLiveOneRefused) {
    // The live socket cannot be taken over.
    EXPECT_EQ(ControlSocket::create(path(), *injector_), nullptr);
    stop_server();
    server_->set_poll_source(nullptr);
    control_.reset();
    EXPECT_FALSE(exists(path()));
    // A stale socket file (nobody listening) is replaced.
    {
        UniqueFd s(::socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path().c_str());
        ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    }
    ASSERT_TRUE(exists(path()));
    control_ = ControlSocket::create(path(), *injector_);
    ASSERT_NE(control_, nullptr);
}

TEST(ControlOptionsTest, ControlAndRepeatedFault) {
    const std::vector<std::string_view> args = {"--socket",
                                                "/tmp/s",
                                                "--control",
                                                "/tmp/c",
                                                "--fault",
                                                "slow 0 4",
                                                "--fault=hang-queue 1 sticky"};
    ParseResult r = parse_options(args);
    ASSERT_EQ(r.action, ParseAction::kRun) << r.error;
    EXPECT_EQ(r.options.control_path, "/tmp/c");
    ASSERT_EQ(r.options.faults.size(), 2u);
    EXPECT_EQ(r.options.faults[0], "slow 0 4");
    EXPECT_EQ(r.options.faults[1], "hang-queue 1 sticky");
    const std::vector<std::string_view> empty = {"--socket", "/tmp/s", "--control", ""};
    EXPECT_EQ(parse_options(empty).action, ParseAction::kError);
    EXPECT_NE(usage_text("x").find("--control PATH"), std::string::npos);
    EXPECT_NE(usage_text("x").find("--fault CMD"), std::string::npos);
}

} // namespace
} // namespace seed::device
