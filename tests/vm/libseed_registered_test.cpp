// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed::RegisteredMemory and of Queue::upload/download through
// the application's pages (DRM_IOCTL_SEED_BO_USERPTR): round trips from
// registered and unregistered memory at unaligned addresses and sizes,
// read-only registrations, read-only mappings falling back to staging, and
// registration failures, also over RLIMIT_MEMLOCK. They skip without a
// device.

#include "libseed_fixture.hpp"
#include "support/error_of.hpp"

#include <gtest/gtest.h>
#include <seed/seed.hpp>

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using seed::test::error_of;

// For its life the process has no CAP_IPC_LOCK in its effective set and a
// soft RLIMIT_MEMLOCK of @p bytes, so the driver's pins count against it.
class MemlockLimit {
public:
    explicit MemlockLimit(rlim_t bytes) {
        if (syscall(SYS_capget, &hdr_, caps_) != 0 || getrlimit(RLIMIT_MEMLOCK, &old_) != 0)
            return;
        saved_ = true;
        const rlimit lower{bytes, old_.rlim_max};
        ok_ = set_ipc_lock(false) && setrlimit(RLIMIT_MEMLOCK, &lower) == 0;
    }
    MemlockLimit(const MemlockLimit&) = delete;
    MemlockLimit& operator=(const MemlockLimit&) = delete;
    ~MemlockLimit() {
        if (saved_) {
            setrlimit(RLIMIT_MEMLOCK, &old_);
            set_ipc_lock(true);
        }
    }
    [[nodiscard]] bool ok() const { return ok_; }

private:
    bool set_ipc_lock(bool on) {
        const unsigned word = CAP_IPC_LOCK / 32, bit = 1u << (CAP_IPC_LOCK % 32);
        if (on && !(caps_[word].permitted & bit))
            return false;
        caps_[word].effective = on ? caps_[word].effective | bit : caps_[word].effective & ~bit;
        return syscall(SYS_capset, &hdr_, caps_) == 0;
    }

    __user_cap_header_struct hdr_{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps_[2]{};
    rlimit old_{};
    bool saved_ = false, ok_ = false;
};

class LibseedRegistered : public seed::vm::LibseedQueueTest {
protected:
    static std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
        std::vector<std::byte> v(n);
        for (std::size_t i = 0; i < n; ++i)
            v[i] = static_cast<std::byte>((i * 131 + seed) & 0xff);
        return v;
    }
};

TEST_F(LibseedRegistered, UnregisteredRoundTripAtOddOffsets) {
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    const std::vector<std::byte> src = pattern(300'001, 7);
    std::vector<std::byte> dst(300'001 + 24, std::byte{0xee});
    q_->upload(seed::BufferView(hbm, 64), std::span<const std::byte>(src).subspan(3)).wait();
    q_->download(std::span<std::byte>(dst).subspan(5, src.size() - 3), seed::BufferView(hbm, 64));
    EXPECT_EQ(std::memcmp(dst.data() + 5, src.data() + 3, src.size() - 3), 0);
    EXPECT_EQ(dst[4], std::byte{0xee}) << "wrote before the range";
    EXPECT_EQ(dst[5 + src.size() - 3], std::byte{0xee}) << "wrote past the range";
}

TEST_F(LibseedRegistered, RegisteredRoundTrip) {
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    std::vector<std::byte> host = pattern(1 << 20, 1);
    std::vector<std::byte> back(1 << 20);
    seed::RegisteredMemory reg(*dev_, std::span<std::byte>(host));
    seed::RegisteredMemory reg_back(*dev_, std::span<std::byte>(back));
    ASSERT_TRUE(reg.valid());
    EXPECT_EQ(reg.memory().data(), host.data());
    EXPECT_EQ(reg.buffer().size() % 4096, 0u);
    EXPECT_TRUE(reg.buffer().is_host());
    EXPECT_EQ(reg.buffer().bytes().data() + reg.offset(), host.data());

    q_->upload(seed::BufferView(hbm), std::span<const std::byte>(host)).wait();
    q_->download(std::span<std::byte>(back).subspan(100, 5000), seed::BufferView(hbm, 100));
    EXPECT_EQ(std::memcmp(back.data() + 100, host.data() + 100, 5000), 0);

    // The device writes straight into registered memory through its buffer.
    q_->fill(seed::BufferView(reg_back.buffer(), reg_back.offset()), 4096, 0xa5a5a5a5u).wait();
    EXPECT_EQ(back[0], std::byte{0xa5});
    EXPECT_EQ(back[4095], std::byte{0xa5});

    seed::RegisteredMemory moved = std::move(reg);
    EXPECT_FALSE(reg.valid()); // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(moved.valid());
    moved.reset();
    EXPECT_FALSE(moved.valid());
}

TEST_F(LibseedRegistered, ReadOnlyMemory) {
    const std::size_t n = 8 * 4096;
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    std::memset(p, 0x3c, n);
    ASSERT_EQ(mprotect(p, n, PROT_READ), 0);
    const std::span<const std::byte> ro(static_cast<const std::byte*>(p), n);
    const seed::Buffer hbm(*dev_, n, seed::Placement::device);
    std::vector<std::byte> back(n);

    // Device-writable registration of read-only pages: EFAULT.
    const auto e = error_of([&] {
        seed::RegisteredMemory r(*dev_, std::span<std::byte>(static_cast<std::byte*>(p), n));
    });
    EXPECT_EQ(e, std::error_code(EFAULT, std::system_category()));
    {
        const seed::RegisteredMemory r(*dev_, ro);
        EXPECT_TRUE(r.buffer().device_read_only());
        q_->upload(seed::BufferView(hbm), ro).wait();
    }
    q_->download(std::span<std::byte>(back), seed::BufferView(hbm));
    EXPECT_EQ(back[0], std::byte{0x3c});
    EXPECT_EQ(back[n - 1], std::byte{0x3c});

    // Downloading into read-only memory cannot pin it; the staging
    // fallback's memcpy would fault, so only the upload path is used here.
    ASSERT_EQ(munmap(p, n), 0);
}

TEST_F(LibseedRegistered, Failures) {
    std::vector<std::byte> empty;
    EXPECT_EQ(error_of([&] { seed::RegisteredMemory r(*dev_, std::span<std::byte>(empty)); }),
              seed::Errc::invalid_argument);
    // Not mapped at all.
    void* p = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    EXPECT_EQ(error_of([&] {
                  seed::RegisteredMemory r(*dev_,
                                           std::span<std::byte>(static_cast<std::byte*>(p), 4096));
              }),
              std::error_code(EFAULT, std::system_category()));
    ASSERT_EQ(munmap(p, 4096), 0);
}

// Over RLIMIT_MEMLOCK (and without CAP_IPC_LOCK) the driver pins nothing
// more: uploads and downloads of pageable memory stage through a driver
// buffer instead and move the same bytes, and registering fails with
// ENOMEM.
TEST_F(LibseedRegistered, OverTheMemlockLimitTransfersStage) {
    const seed::Buffer hbm(*dev_, 1 << 20, seed::Placement::device);
    const std::vector<std::byte> src = pattern(1 << 20, 3);
    std::vector<std::byte> dst(1 << 20);
    const MemlockLimit limit(64 << 10);
    ASSERT_TRUE(limit.ok());
    q_->upload(seed::BufferView(hbm), std::span<const std::byte>(src)).wait();
    q_->download(std::span<std::byte>(dst), seed::BufferView(hbm));
    EXPECT_EQ(std::memcmp(dst.data(), src.data(), src.size()), 0);
    EXPECT_EQ(error_of([&] { seed::RegisteredMemory r(*dev_, std::span<std::byte>(dst)); }),
              std::error_code(ENOMEM, std::system_category()));
}

} // namespace
