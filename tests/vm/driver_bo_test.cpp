// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's buffer objects: DRM_IOCTL_SEED_BO_CREATE and
// DRM_IOCTL_SEED_BO_INFO (every success and every invalid argument), host BO
// mmap, memory accounting through DRM_SEED_QUERY_MEMORY (including after a
// client is killed), HBM exhaustion, per-file handles, per-file address
// spaces, and PRIME. Raw ioctls only, so each errno is pinned exactly.

#include "seed_drm.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <drm.h>
#include <hw/seed_hw.h>
#include <xf86drm.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using seed::vm::Fd;
using seed::vm::open_seed;
using seed::vm::seed_ioctl;

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t k2M = 2ull << 20;
constexpr std::uint64_t kVaStart = 1ull << 20;
constexpr std::uint64_t kVaEnd = 1ull << 47;

struct Bo {
    int err = 0;
    drm_seed_bo_create args{};
};

Bo create_bo(int fd, std::uint64_t size, std::uint32_t placement, std::uint32_t flags = 0) {
    Bo bo;
    bo.args.size = size;
    bo.args.placement = placement;
    bo.args.flags = flags;
    bo.err = seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &bo.args);
    return bo;
}

int bo_info(int fd, std::uint32_t handle, drm_seed_bo_info* info) {
    *info = {};
    info->handle = handle;
    return seed_ioctl(fd, DRM_IOCTL_SEED_BO_INFO, info);
}

int gem_close(int fd, std::uint32_t handle) {
    drm_gem_close c{};
    c.handle = handle;
    return seed_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

drm_seed_query_memory query_memory(int fd) {
    drm_seed_query_memory mem{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_MEMORY;
    q.size = sizeof(mem);
    q.data = reinterpret_cast<std::uintptr_t>(&mem);
    EXPECT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_QUERY, &q), 0);
    EXPECT_EQ(q.size, sizeof(mem));
    return mem;
}

// Waits up to 5 s for the device-wide figures to come back to @base.
bool wait_usage(int fd, const drm_seed_query_memory& base) {
    for (int i = 0; i < 500; i++) {
        const auto m = query_memory(fd);
        if (m.hbm_used == base.hbm_used && m.host_used == base.host_used)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

bool is_oom(int err) {
    return err == ENOSPC || err == ENOMEM;
}

class DriverBo : public ::testing::Test {
protected:
    void SetUp() override {
        fd_ = open_seed();
        if (!fd_)
            GTEST_SKIP() << "no SeedChip accel node";
    }
    int fd() const { return fd_.get(); }

    Fd fd_;
};

TEST_F(DriverBo, CreateHostBo) {
    const Bo bo = create_bo(fd(), 1, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);
    EXPECT_EQ(bo.args.size, kPage);
    EXPECT_NE(bo.args.handle, 0u);
    EXPECT_EQ(bo.args.pad, 0u);
    EXPECT_GE(bo.args.device_va, kVaStart);
    EXPECT_LE(bo.args.device_va + bo.args.size, kVaEnd);
    EXPECT_EQ(bo.args.device_va % kPage, 0u);

    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
    EXPECT_EQ(info.size, kPage);
    EXPECT_EQ(info.placement, static_cast<std::uint32_t>(DRM_SEED_BO_HOST));
    EXPECT_EQ(info.flags, 0u);
    EXPECT_EQ(info.device_va, bo.args.device_va);
    EXPECT_NE(info.mmap_offset, 0u);
    EXPECT_EQ(info.mmap_offset % kPage, 0u);
    EXPECT_EQ(gem_close(fd(), bo.args.handle), 0);
}

TEST_F(DriverBo, CreateHbmBo) {
    const Bo small = create_bo(fd(), kPage + 1, DRM_SEED_BO_HBM);
    ASSERT_EQ(small.err, 0);
    EXPECT_EQ(small.args.size, 2 * kPage);
    EXPECT_GE(small.args.device_va, kVaStart);

    // Big BOs are 2 MiB aligned in VA so that they map with 2 MiB pages.
    const Bo big = create_bo(fd(), 3 * k2M + kPage, DRM_SEED_BO_HBM);
    ASSERT_EQ(big.err, 0);
    EXPECT_EQ(big.args.size, 3 * k2M + kPage);
    EXPECT_EQ(big.args.device_va % k2M, 0u);
    EXPECT_GE(big.args.device_va, kVaStart);

    // Address ranges of one file never overlap.
    const auto a = small.args, b = big.args;
    EXPECT_TRUE(a.device_va + a.size <= b.device_va || b.device_va + b.size <= a.device_va);

    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), big.args.handle, &info), 0);
    EXPECT_EQ(info.size, big.args.size);
    EXPECT_EQ(info.placement, static_cast<std::uint32_t>(DRM_SEED_BO_HBM));
    EXPECT_EQ(info.flags, 0u);
    EXPECT_EQ(info.device_va, big.args.device_va);
    EXPECT_EQ(info.mmap_offset, 0u);
}

TEST_F(DriverBo, ReadOnlyFlagIsReported) {
    for (std::uint32_t placement : {DRM_SEED_BO_HBM, DRM_SEED_BO_HOST}) {
        const Bo bo = create_bo(fd(), 3 * kPage, placement, DRM_SEED_BO_DEVICE_READ_ONLY);
        ASSERT_EQ(bo.err, 0) << "placement " << placement;
        drm_seed_bo_info info;
        ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
        EXPECT_EQ(info.flags, static_cast<std::uint32_t>(DRM_SEED_BO_DEVICE_READ_ONLY));
        EXPECT_EQ(info.placement, placement);
        EXPECT_EQ(info.size, 3 * kPage);
    }
}

TEST_F(DriverBo, CreateRejectsInvalidArguments) {
    struct Case {
        const char* what;
        std::uint64_t size;
        std::uint32_t placement;
        std::uint32_t flags;
        std::uint32_t pad;
    };
    const Case cases[] = {
        {"size 0", 0, DRM_SEED_BO_HOST, 0, 0},
        {"size 0 HBM", 0, DRM_SEED_BO_HBM, 0, 0},
        {"size overflows rounding", ~0ull, DRM_SEED_BO_HOST, 0, 0},
        {"size overflows rounding HBM", ~0ull - kPage + 2, DRM_SEED_BO_HBM, 0, 0},
        {"unknown placement", kPage, 2, 0, 0},
        {"placement ~0", kPage, ~0u, 0, 0},
        {"unknown flag", kPage, DRM_SEED_BO_HOST, 1u << 1, 0},
        {"high flag", kPage, DRM_SEED_BO_HBM, 1u << 31, 0},
        {"pad", kPage, DRM_SEED_BO_HOST, 0, 1},
    };
    const auto before = query_memory(fd());
    for (const auto& c : cases) {
        drm_seed_bo_create args{};
        args.size = c.size;
        args.placement = c.placement;
        args.flags = c.flags;
        args.pad = c.pad;
        args.handle = 0x1234;
        args.device_va = 0x5678;
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_BO_CREATE, &args), EINVAL) << c.what;
        // Nothing is written back on failure.
        EXPECT_EQ(args.size, c.size) << c.what;
        EXPECT_EQ(args.handle, 0x1234u) << c.what;
        EXPECT_EQ(args.device_va, 0x5678u) << c.what;
    }
    const auto after = query_memory(fd());
    EXPECT_EQ(after.hbm_used, before.hbm_used);
    EXPECT_EQ(after.host_used, before.host_used);
}

TEST_F(DriverBo, CreateTooBigFails) {
    const auto mem = query_memory(fd());
    // More HBM than the chip has, or more than the whole VA space.
    EXPECT_TRUE(is_oom(create_bo(fd(), mem.hbm_total + kPage, DRM_SEED_BO_HBM).err));
    EXPECT_TRUE(is_oom(create_bo(fd(), 1ull << 50, DRM_SEED_BO_HBM).err));
    EXPECT_TRUE(is_oom(create_bo(fd(), 1ull << 50, DRM_SEED_BO_HOST).err));
    EXPECT_TRUE(is_oom(create_bo(fd(), ~0ull - kPage + 1, DRM_SEED_BO_HOST).err));
    const auto after = query_memory(fd());
    EXPECT_EQ(after.hbm_used, mem.hbm_used);
    EXPECT_EQ(after.host_used, mem.host_used);
}

TEST_F(DriverBo, InfoRejectsInvalidArguments) {
    const Bo bo = create_bo(fd(), kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);

    drm_seed_bo_info info{};
    info.handle = bo.args.handle;
    info.flags = 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_BO_INFO, &info), EINVAL);
    EXPECT_EQ(info.size, 0u);

    info = {};
    info.handle = bo.args.handle;
    info.pad = 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_BO_INFO, &info), EINVAL);
    EXPECT_EQ(info.size, 0u);

    EXPECT_EQ(bo_info(fd(), 0, &info), ENOENT);
    EXPECT_EQ(bo_info(fd(), bo.args.handle + 1000, &info), ENOENT);
    EXPECT_EQ(bo_info(fd(), ~0u, &info), ENOENT);

    ASSERT_EQ(gem_close(fd(), bo.args.handle), 0);
    EXPECT_EQ(bo_info(fd(), bo.args.handle, &info), ENOENT);
}

TEST_F(DriverBo, HostBoMmapReadWrite) {
    constexpr std::uint64_t size = 5 * kPage + 123;
    const Bo bo = create_bo(fd(), size, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);
    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);

    auto* p = static_cast<std::uint8_t*>(
        mmap(nullptr, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), info.mmap_offset));
    ASSERT_NE(p, MAP_FAILED) << strerror(errno);
    // New BOs read as zero.
    for (std::uint64_t i = 0; i < info.size; i++)
        ASSERT_EQ(p[i], 0) << "byte " << i;
    for (std::uint64_t i = 0; i < info.size; i++)
        p[i] = static_cast<std::uint8_t>(i * 7 + 1);
    ASSERT_EQ(munmap(p, info.size), 0);

    // A second mapping sees the same pages.
    auto* q = static_cast<std::uint8_t*>(
        mmap(nullptr, info.size, PROT_READ, MAP_SHARED, fd(), info.mmap_offset));
    ASSERT_NE(q, MAP_FAILED) << strerror(errno);
    for (std::uint64_t i = 0; i < info.size; i++)
        ASSERT_EQ(q[i], static_cast<std::uint8_t>(i * 7 + 1)) << "byte " << i;

    // The mapping keeps the BO alive after its handle is closed.
    ASSERT_EQ(gem_close(fd(), bo.args.handle), 0);
    EXPECT_EQ(q[info.size - 1], static_cast<std::uint8_t>((info.size - 1) * 7 + 1));
    ASSERT_EQ(munmap(q, info.size), 0);

    // Beyond the BO: refused.
    const Bo bo2 = create_bo(fd(), kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo2.err, 0);
    ASSERT_EQ(bo_info(fd(), bo2.args.handle, &info), 0);
    EXPECT_EQ(mmap(nullptr, 2 * kPage, PROT_READ, MAP_SHARED, fd(), info.mmap_offset), MAP_FAILED);
}

TEST_F(DriverBo, HbmBoCannotBeMmapped) {
    const Bo bo = create_bo(fd(), k2M, DRM_SEED_BO_HBM);
    ASSERT_EQ(bo.err, 0);
    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
    EXPECT_EQ(info.mmap_offset, 0u);
    errno = 0;
    EXPECT_EQ(mmap(nullptr, k2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), 0), MAP_FAILED);
    EXPECT_NE(errno, 0);

    // Nor at any offset a host BO would have had.
    const Bo host = create_bo(fd(), kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(host.err, 0);
    drm_seed_bo_info hinfo;
    ASSERT_EQ(bo_info(fd(), host.args.handle, &hinfo), 0);
    for (std::uint64_t off = kPage; off < 64 * kPage; off += kPage) {
        if (off == hinfo.mmap_offset)
            continue;
        EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_SHARED, fd(), hinfo.mmap_offset + off),
                  MAP_FAILED);
    }
}

TEST_F(DriverBo, UsageRisesAndReturnsToBaseline) {
    const auto base = query_memory(fd());
    EXPECT_GT(base.hbm_total, 0u);
    EXPECT_EQ(base.client_hbm, 0u);
    EXPECT_EQ(base.client_host, 0u);

    const Bo hbm = create_bo(fd(), 8 * k2M, DRM_SEED_BO_HBM);
    ASSERT_EQ(hbm.err, 0);
    const Bo host = create_bo(fd(), 16 * kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(host.err, 0);

    auto m = query_memory(fd());
    EXPECT_EQ(m.hbm_total, base.hbm_total);
    EXPECT_EQ(m.hbm_used, base.hbm_used + 8 * k2M);
    EXPECT_EQ(m.host_used, base.host_used + 16 * kPage);
    EXPECT_EQ(m.client_hbm, 8 * k2M);
    EXPECT_EQ(m.client_host, 16 * kPage);

    // Another client sees the device-wide figures but not its own.
    {
        Fd other = open_seed();
        ASSERT_TRUE(other);
        const auto o = query_memory(other.get());
        EXPECT_EQ(o.hbm_used, m.hbm_used);
        EXPECT_EQ(o.client_hbm, 0u);
        EXPECT_EQ(o.client_host, 0u);
    }

    ASSERT_EQ(gem_close(fd(), hbm.args.handle), 0);
    m = query_memory(fd());
    EXPECT_EQ(m.hbm_used, base.hbm_used);
    EXPECT_EQ(m.client_hbm, 0u);
    EXPECT_EQ(m.client_host, 16 * kPage);

    // Closing the file frees the rest.
    {
        Fd other = open_seed();
        ASSERT_TRUE(other);
        ASSERT_EQ(create_bo(other.get(), 3 * k2M, DRM_SEED_BO_HBM).err, 0);
        ASSERT_EQ(create_bo(other.get(), kPage, DRM_SEED_BO_HOST).err, 0);
        m = query_memory(fd());
        EXPECT_EQ(m.hbm_used, base.hbm_used + 3 * k2M);
    }
    fd_.reset();
    Fd again = open_seed();
    ASSERT_TRUE(again);
    EXPECT_TRUE(wait_usage(again.get(), base));
}

TEST_F(DriverBo, UsageReturnsToBaselineWhenClientIsKilled) {
    const auto base = query_memory(fd());
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);

    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(pipefd[0]);
        Fd f = open_seed();
        char ok = 'n';
        if (f && create_bo(f.get(), 16 * k2M, DRM_SEED_BO_HBM).err == 0 &&
            create_bo(f.get(), 64 * kPage, DRM_SEED_BO_HOST).err == 0)
            ok = 'y';
        if (write(pipefd[1], &ok, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(pipefd[1]);
    char ok = 0;
    ASSERT_EQ(read(pipefd[0], &ok, 1), 1);
    close(pipefd[0]);
    EXPECT_EQ(ok, 'y');

    const auto m = query_memory(fd());
    EXPECT_EQ(m.hbm_used, base.hbm_used + 16 * k2M);
    EXPECT_EQ(m.host_used, base.host_used + 64 * kPage);
    EXPECT_EQ(m.client_hbm, 0u);

    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_TRUE(wait_usage(fd(), base));
}

TEST_F(DriverBo, OutOfHbmFailsCleanlyAndDeviceKeepsWorking) {
    const auto base = query_memory(fd());
    const std::uint64_t chunk = 64ull << 20;
    std::vector<std::uint32_t> handles;
    int err = 0;
    // Bounded: at most the HBM size in chunks, plus a few.
    for (std::uint64_t i = 0; i < base.hbm_total / chunk + 4; i++) {
        const Bo bo = create_bo(fd(), chunk, DRM_SEED_BO_HBM);
        if (bo.err) {
            err = bo.err;
            break;
        }
        handles.push_back(bo.args.handle);
    }
    EXPECT_TRUE(is_oom(err)) << "errno " << err;
    EXPECT_FALSE(handles.empty());
    // Whatever is left is smaller than a chunk; fill it with small BOs.
    for (;;) {
        const Bo bo = create_bo(fd(), k2M, DRM_SEED_BO_HBM);
        if (bo.err) {
            EXPECT_TRUE(is_oom(bo.err)) << "errno " << bo.err;
            break;
        }
        handles.push_back(bo.args.handle);
    }
    const Bo page = create_bo(fd(), kPage, DRM_SEED_BO_HBM);
    if (page.err == 0)
        handles.push_back(page.args.handle);
    const auto full = query_memory(fd());
    EXPECT_GE(full.hbm_used + k2M, base.hbm_total - base.hbm_retired);
    // Two more pages fit only if that much was left (the 2 MiB fill stops
    // short of up to 2 MiB, more with retired pages); kept and closed below.
    const Bo two = create_bo(fd(), 2 * kPage, DRM_SEED_BO_HBM);
    EXPECT_TRUE(is_oom(two.err) || full.hbm_used + 2 * kPage <= full.hbm_total);
    if (two.err == 0)
        handles.push_back(two.args.handle);

    // Host BOs still work while HBM is full.
    const Bo host = create_bo(fd(), kPage, DRM_SEED_BO_HOST);
    EXPECT_EQ(host.err, 0);

    for (auto h : handles)
        EXPECT_EQ(gem_close(fd(), h), 0);
    if (host.err == 0) {
        EXPECT_EQ(gem_close(fd(), host.args.handle), 0);
    }
    const auto after = query_memory(fd());
    EXPECT_EQ(after.hbm_used, base.hbm_used);

    // All of it can be allocated again, in one BO.
    const Bo all =
        create_bo(fd(), base.hbm_total - base.hbm_used - base.hbm_retired, DRM_SEED_BO_HBM);
    EXPECT_EQ(all.err, 0);
    if (all.err == 0) {
        EXPECT_EQ(gem_close(fd(), all.args.handle), 0);
    }
    EXPECT_EQ(create_bo(fd(), k2M, DRM_SEED_BO_HBM).err, 0);
}

TEST_F(DriverBo, HandlesArePerFile) {
    Fd other = open_seed();
    ASSERT_TRUE(other);
    const Bo bo = create_bo(fd(), kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);
    const Bo hbm = create_bo(fd(), kPage, DRM_SEED_BO_HBM);
    ASSERT_EQ(hbm.err, 0);

    drm_seed_bo_info info;
    EXPECT_EQ(bo_info(other.get(), bo.args.handle, &info), ENOENT);
    EXPECT_EQ(bo_info(other.get(), hbm.args.handle, &info), ENOENT);
    EXPECT_EQ(gem_close(other.get(), bo.args.handle), EINVAL);

    drm_prime_handle prime{};
    prime.handle = bo.args.handle;
    prime.flags = DRM_CLOEXEC;
    EXPECT_EQ(seed_ioctl(other.get(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime), ENOENT);

    // Still usable from its own file.
    EXPECT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
}

TEST_F(DriverBo, PrimeSharesHostBoBetweenFiles) {
    constexpr std::uint64_t size = 3 * kPage;
    const Bo bo = create_bo(fd(), size, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);
    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
    auto* p = static_cast<std::uint32_t*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), info.mmap_offset));
    ASSERT_NE(p, MAP_FAILED);
    for (std::uint64_t i = 0; i < size / 4; i++)
        p[i] = 0x5eed0000u + static_cast<std::uint32_t>(i);

    drm_prime_handle exp{};
    exp.handle = bo.args.handle;
    exp.flags = DRM_CLOEXEC | DRM_RDWR;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp), 0);
    Fd dmabuf(exp.fd);

    // Re-importing into the exporting file gives back the same handle.
    drm_prime_handle self{};
    self.fd = dmabuf.get();
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &self), 0);
    EXPECT_EQ(self.handle, bo.args.handle);

    Fd other = open_seed();
    ASSERT_TRUE(other);
    drm_prime_handle imp{};
    imp.fd = dmabuf.get();
    ASSERT_EQ(seed_ioctl(other.get(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
    EXPECT_NE(imp.handle, 0u);

    drm_seed_bo_info oinfo;
    ASSERT_EQ(bo_info(other.get(), imp.handle, &oinfo), 0);
    EXPECT_EQ(oinfo.size, size);
    EXPECT_EQ(oinfo.placement, static_cast<std::uint32_t>(DRM_SEED_BO_HOST));
    EXPECT_GE(oinfo.device_va, kVaStart);
    EXPECT_NE(oinfo.mmap_offset, 0u);

    auto* q = static_cast<std::uint32_t*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, other.get(), oinfo.mmap_offset));
    ASSERT_NE(q, MAP_FAILED) << strerror(errno);
    for (std::uint64_t i = 0; i < size / 4; i++)
        ASSERT_EQ(q[i], 0x5eed0000u + i) << "word " << i;
    q[7] = 0xdeadbeef;
    EXPECT_EQ(p[7], 0xdeadbeefu);

    // The importer's usage does not count the BO; the device-wide figure
    // counts it once.
    const auto om = query_memory(other.get());
    EXPECT_EQ(om.client_host, 0u);
    const auto base = query_memory(fd());
    EXPECT_EQ(base.client_host, size);

    // The BO survives the exporter closing its handle and its dma-buf.
    munmap(p, size);
    ASSERT_EQ(gem_close(fd(), bo.args.handle), 0);
    dmabuf.reset();
    EXPECT_EQ(q[7], 0xdeadbeefu);
    ASSERT_EQ(bo_info(other.get(), imp.handle, &oinfo), 0);
    EXPECT_EQ(query_memory(fd()).client_host, 0u);
    munmap(q, size);
    ASSERT_EQ(gem_close(other.get(), imp.handle), 0);
    EXPECT_EQ(query_memory(fd()).host_used, base.host_used - size);
}

TEST_F(DriverBo, HbmBoExportIsRefused) {
    const Bo bo = create_bo(fd(), kPage, DRM_SEED_BO_HBM);
    ASSERT_EQ(bo.err, 0);
    drm_prime_handle exp{};
    exp.handle = bo.args.handle;
    exp.flags = DRM_CLOEXEC;
    const int err = seed_ioctl(fd(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
    EXPECT_TRUE(err == EOPNOTSUPP || err == EINVAL) << "errno " << err;
    // And the BO is unaffected.
    drm_seed_bo_info info;
    EXPECT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
}

TEST_F(DriverBo, AddressSpacesArePerFile) {
    Fd other = open_seed();
    ASSERT_TRUE(other);
    // Many BOs per file, never overlapping; each file allocates its own VAs.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (int i = 0; i < 64; i++) {
        const std::uint32_t placement = i % 2 ? DRM_SEED_BO_HBM : DRM_SEED_BO_HOST;
        const Bo bo = create_bo(fd(), (i % 5 + 1) * kPage, placement);
        ASSERT_EQ(bo.err, 0);
        for (const auto& [va, size] : ranges)
            ASSERT_TRUE(bo.args.device_va + bo.args.size <= va || va + size <= bo.args.device_va);
        ranges.emplace_back(bo.args.device_va, bo.args.size);
    }
    const Bo first = create_bo(other.get(), kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(first.err, 0);
    EXPECT_GE(first.args.device_va, kVaStart);
}

TEST_F(DriverBo, ConcurrentCreateCloseShareIsSafe) {
    // Threads create, query, share and close BOs in one shared file and in
    // their own files, while another thread closes handles of the shared file
    // at random (racing with their creation). Afterwards every byte is back.
    const auto base = query_memory(fd());
    std::atomic<bool> stop{false};
    std::atomic<int> errors{0};
    const int shared = fd();

    std::thread closer([&] {
        std::uint32_t h = 1;
        while (!stop.load()) {
            drm_gem_close c{};
            c.handle = h;
            (void)::ioctl(shared, DRM_IOCTL_GEM_CLOSE, &c);
            h = h % 64 + 1;
        }
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; t++) {
        workers.emplace_back([&, t] {
            Fd own = open_seed();
            if (!own) {
                errors++;
                return;
            }
            for (int i = 0; i < 150; i++) {
                const int target = i % 2 ? shared : own.get();
                const std::uint32_t placement = (i + t) % 3 ? DRM_SEED_BO_HOST : DRM_SEED_BO_HBM;
                const std::uint64_t size =
                    (static_cast<std::uint64_t>(i % 7) + 1) * kPage + (i % 11 == 0 ? k2M : 0);
                Bo bo = create_bo(target, size, placement);
                // ENOENT: the closer closed the new handle before its device
                // address could be reported.
                if (bo.err == ENOENT && target == shared)
                    continue;
                if (bo.err) {
                    ADD_FAILURE() << "BO_CREATE: errno " << bo.err;
                    errors++;
                    continue;
                }
                drm_seed_bo_info info;
                const int ierr = bo_info(target, bo.args.handle, &info);
                if (ierr != 0 && !(ierr == ENOENT && target == shared)) {
                    ADD_FAILURE() << "BO_INFO: errno " << ierr;
                    errors++;
                }
                if (placement == DRM_SEED_BO_HOST && i % 5 == 0) {
                    drm_prime_handle exp{};
                    exp.handle = bo.args.handle;
                    exp.flags = DRM_CLOEXEC;
                    if (seed_ioctl(target, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp) == 0) {
                        Fd dmabuf(exp.fd);
                        drm_prime_handle imp{};
                        imp.fd = dmabuf.get();
                        const int other = target == shared ? own.get() : shared;
                        if (seed_ioctl(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) == 0)
                            (void)gem_close(other, imp.handle);
                    }
                }
                (void)gem_close(target, bo.args.handle);
            }
        });
    }
    for (auto& w : workers)
        w.join();
    stop = true;
    closer.join();
    EXPECT_EQ(errors.load(), 0);

    // Close whatever handles the shared file still has (the closer missed
    // some), then check that nothing leaked.
    for (std::uint32_t h = 1; h < 4096; h++) {
        drm_gem_close c{};
        c.handle = h;
        (void)::ioctl(shared, DRM_IOCTL_GEM_CLOSE, &c);
    }
    EXPECT_TRUE(wait_usage(shared, base));
}

// ---------------------------------------------------------------------------
// The device's view of BOs: COPY jobs through the page tables the driver
// built. They need the execution engine (QUEUE_CREATE, SUBMIT).

class DriverBoDevice : public DriverBo {
protected:
    void SetUp() override {
        DriverBo::SetUp();
        if (IsSkipped())
            return;
        drm_seed_queue_create qc{};
        qc.priority = DRM_SEED_PRIORITY_NORMAL;
        const int err = seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &qc);
        if (err == EOPNOTSUPP || err == ENOTTY)
            GTEST_SKIP() << "no queues in this seed.ko";
        ASSERT_EQ(err, 0);
        queue_ = qc.queue_id;
        syncobj_ = qc.syncobj;
        cmd_ = create_bo(fd(), 64 * kPage, DRM_SEED_BO_HOST);
        ASSERT_EQ(cmd_.err, 0);
        drm_seed_bo_info info;
        ASSERT_EQ(bo_info(fd(), cmd_.args.handle, &info), 0);
        void* p =
            mmap(nullptr, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), info.mmap_offset);
        ASSERT_NE(p, MAP_FAILED);
        cmd_map_ = static_cast<seed_pkt_raw*>(p);
    }
    void TearDown() override {
        if (cmd_map_)
            munmap(cmd_map_, cmd_.args.size);
    }

    static seed_pkt_raw copy(std::uint64_t src, std::uint64_t dst, std::uint64_t size) {
        seed_pkt_raw raw{};
        seed_pkt_copy c{};
        c.hdr.opcode = SEED_OP_COPY;
        c.src = src;
        c.dst = dst;
        c.width = size;
        c.height = 1;
        c.src_pitch = size;
        c.dst_pitch = size;
        std::memcpy(&raw, &c, sizeof(raw));
        return raw;
    }

    // Runs the packets, waits, and returns the job's status.
    drm_seed_job_status run(const std::vector<seed_pkt_raw>& pkts) {
        for (size_t i = 0; i < pkts.size(); i++)
            cmd_map_[i] = pkts[i];
        drm_seed_submit sub{};
        sub.queue_id = queue_;
        sub.cmd_handle = cmd_.args.handle;
        sub.cmd_count = static_cast<std::uint32_t>(pkts.size());
        drm_seed_job_status st{};
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_SUBMIT, &sub), 0);
        std::uint64_t point = sub.seq;
        std::uint32_t handle = syncobj_;
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        const std::int64_t deadline = (now.tv_sec + 20) * 1000000000ll + now.tv_nsec;
        EXPECT_EQ(drmSyncobjTimelineWait(fd(), &handle, &point, 1, deadline,
                                         DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, nullptr),
                  0);
        st.queue_id = queue_;
        st.seq = sub.seq;
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_JOB_STATUS, &st), 0);
        EXPECT_EQ(st.state, static_cast<std::uint32_t>(DRM_SEED_JOB_DONE));
        return st;
    }

    // A host BO and its CPU mapping, unmapped on destruction: a mapping
    // keeps the file open after the test closes it.
    struct Mapped {
        Mapped() = default;
        Mapped(const Mapped&) = delete;
        Mapped& operator=(const Mapped&) = delete;
        ~Mapped() { unmap(); }
        void unmap() {
            if (p != nullptr)
                munmap(p, bo.args.size);
            p = nullptr;
        }
        Bo bo;
        std::uint8_t* p = nullptr;
    };
    void host_bo(Mapped& m, std::uint64_t size, std::uint32_t flags = 0) {
        m.bo = create_bo(fd(), size, DRM_SEED_BO_HOST, flags);
        ASSERT_EQ(m.bo.err, 0);
        drm_seed_bo_info info;
        ASSERT_EQ(bo_info(fd(), m.bo.args.handle, &info), 0);
        void* p =
            mmap(nullptr, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), info.mmap_offset);
        ASSERT_NE(p, MAP_FAILED);
        m.p = static_cast<std::uint8_t*>(p);
    }

    std::uint32_t queue_ = 0;
    std::uint32_t syncobj_ = 0;
    Bo cmd_;
    seed_pkt_raw* cmd_map_ = nullptr;
};

TEST_F(DriverBoDevice, HbmBoStartsZeroedAndRoundTrips) {
    // Sizes that need 4 KiB, 2 MiB and mixed pages.
    for (const std::uint64_t size : {kPage, 5 * kPage, 2 * k2M, 3 * k2M + 3 * kPage}) {
        SCOPED_TRACE(size);
        Mapped src, dst;
        ASSERT_NO_FATAL_FAILURE(host_bo(src, size));
        ASSERT_NO_FATAL_FAILURE(host_bo(dst, size));
        for (std::uint64_t i = 0; i < size; i++)
            src.p[i] = static_cast<std::uint8_t>(i * 13 + (i >> 12) + 1);
        std::memset(dst.p, 0xa5, size);

        // A fresh HBM BO reads as zero, whatever HBM held before.
        const Bo hbm = create_bo(fd(), size, DRM_SEED_BO_HBM);
        ASSERT_EQ(hbm.err, 0);
        auto st = run({copy(hbm.args.device_va, dst.bo.args.device_va, size)});
        ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK))
            << "hw_error " << st.hw_error << " fault at " << std::hex << st.fault_addr;
        for (std::uint64_t i = 0; i < size; i++)
            ASSERT_EQ(dst.p[i], 0) << "byte " << i;

        st = run({copy(src.bo.args.device_va, hbm.args.device_va, size),
                  copy(hbm.args.device_va, dst.bo.args.device_va, size)});
        ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK))
            << "hw_error " << st.hw_error << " fault at " << std::hex << st.fault_addr;
        ASSERT_EQ(std::memcmp(src.p, dst.p, size), 0);

        // Leave data behind for the next BO to (not) see.
        ASSERT_EQ(gem_close(fd(), hbm.args.handle), 0);
        src.unmap();
        dst.unmap();
        ASSERT_EQ(gem_close(fd(), src.bo.args.handle), 0);
        ASSERT_EQ(gem_close(fd(), dst.bo.args.handle), 0);
    }
}

TEST_F(DriverBoDevice, ReadOnlyBoFaultsOnWrite) {
    Mapped src, dst;
    ASSERT_NO_FATAL_FAILURE(host_bo(src, kPage));
    ASSERT_NO_FATAL_FAILURE(host_bo(dst, kPage));
    std::memset(src.p, 0x77, kPage);
    std::memset(dst.p, 0x55, kPage);
    for (std::uint32_t placement : {DRM_SEED_BO_HBM, DRM_SEED_BO_HOST}) {
        SCOPED_TRACE(placement);
        const Bo ro = create_bo(fd(), kPage, placement, DRM_SEED_BO_DEVICE_READ_ONLY);
        ASSERT_EQ(ro.err, 0);
        auto st = run({copy(src.bo.args.device_va, ro.args.device_va, 64)});
        EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
        EXPECT_EQ(st.fault_addr, ro.args.device_va);
        EXPECT_EQ((st.fault_info >> 8) & 0xff,
                  static_cast<std::uint32_t>(SEED_FAULT_REASON_PERMISSION));

        // Reading it is fine, and it was not written.
        st = run({copy(ro.args.device_va, dst.bo.args.device_va, 64)});
        EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
        for (int i = 0; i < 64; i++)
            ASSERT_EQ(dst.p[i], 0) << "byte " << i;
    }
}

TEST_F(DriverBoDevice, ClosedBoIsUnmappedFromTheDevice) {
    Mapped src;
    ASSERT_NO_FATAL_FAILURE(host_bo(src, kPage));
    const Bo hbm = create_bo(fd(), k2M, DRM_SEED_BO_HBM);
    ASSERT_EQ(hbm.err, 0);
    // Use the translation so the device caches it, then close the handle.
    auto st = run({copy(src.bo.args.device_va, hbm.args.device_va, 64)});
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    ASSERT_EQ(gem_close(fd(), hbm.args.handle), 0);
    st = run({copy(src.bo.args.device_va, hbm.args.device_va, 64)});
    EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    EXPECT_EQ(st.fault_addr, hbm.args.device_va);

    // VA 0 (null) always faults.
    st = run({copy(0, src.bo.args.device_va, 64)});
    EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    EXPECT_EQ(st.fault_addr, 0u);
}

TEST_F(DriverBoDevice, ImportedBoIsMappedInTheImporter) {
    // The exporter fills a host BO; another file imports it and copies it
    // through its own address space into its own BO.
    Fd other = open_seed();
    ASSERT_TRUE(other);
    const Bo theirs = create_bo(other.get(), 2 * kPage, DRM_SEED_BO_HOST);
    ASSERT_EQ(theirs.err, 0);
    drm_seed_bo_info tinfo;
    ASSERT_EQ(bo_info(other.get(), theirs.args.handle, &tinfo), 0);
    auto* tp = static_cast<std::uint8_t*>(mmap(nullptr, tinfo.size, PROT_READ | PROT_WRITE,
                                               MAP_SHARED, other.get(), tinfo.mmap_offset));
    ASSERT_NE(tp, MAP_FAILED);
    for (std::uint64_t i = 0; i < tinfo.size; i++)
        tp[i] = static_cast<std::uint8_t>(255 - i % 251);

    drm_prime_handle exp{};
    exp.handle = theirs.args.handle;
    exp.flags = DRM_CLOEXEC | DRM_RDWR;
    ASSERT_EQ(seed_ioctl(other.get(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp), 0);
    Fd dmabuf(exp.fd);
    drm_prime_handle imp{};
    imp.fd = dmabuf.get();
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), imp.handle, &info), 0);

    Mapped mine;
    ASSERT_NO_FATAL_FAILURE(host_bo(mine, 2 * kPage));
    auto st = run({copy(info.device_va, mine.bo.args.device_va, 2 * kPage)});
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    EXPECT_EQ(std::memcmp(tp, mine.p, 2 * kPage), 0);
    munmap(tp, tinfo.size);
}

TEST_F(DriverBoDevice, MappingsSurviveDeviceReset) {
    // A device reset invalidates every context (§14.1); the driver programs
    // them again, so BOs keep working, and HBM keeps its contents.
    constexpr std::uint64_t size = 3 * kPage;
    Mapped src, dst;
    ASSERT_NO_FATAL_FAILURE(host_bo(src, size));
    ASSERT_NO_FATAL_FAILURE(host_bo(dst, size));
    for (std::uint64_t i = 0; i < size; i++)
        src.p[i] = static_cast<std::uint8_t>(i * 3 + 7);
    const Bo hbm = create_bo(fd(), size, DRM_SEED_BO_HBM);
    ASSERT_EQ(hbm.err, 0);
    auto st = run({copy(src.bo.args.device_va, hbm.args.device_va, size)});
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));

    drm_seed_reset reset{};
    reset.type = DRM_SEED_RESET_DEVICE;
    const int err = seed_ioctl(fd(), DRM_IOCTL_SEED_RESET, &reset);
    if (err == EPERM)
        GTEST_SKIP() << "needs CAP_SYS_ADMIN";
    ASSERT_EQ(err, 0);

    st = run({copy(hbm.args.device_va, dst.bo.args.device_va, size)});
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK))
        << "hw_error " << st.hw_error << " fault at " << std::hex << st.fault_addr;
    EXPECT_EQ(std::memcmp(src.p, dst.p, size), 0);

    // New BOs (cleared through the kernel context) work too.
    const Bo fresh = create_bo(fd(), size, DRM_SEED_BO_HBM);
    ASSERT_EQ(fresh.err, 0);
    st = run({copy(fresh.args.device_va, dst.bo.args.device_va, size)});
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    for (std::uint64_t i = 0; i < size; i++)
        ASSERT_EQ(dst.p[i], 0) << "byte " << i;
}

// ---------------------------------------------------------------------------
// Page retirement after uncorrectable ECC errors, injected through the
// device model's control channel (docs/hardware.md §13.4, §16).

class DriverBoRetire : public DriverBo {
protected:
    void SetUp() override {
        DriverBo::SetUp();
        if (IsSkipped())
            return;
        if (!seed::vm::Control::available(0))
            GTEST_SKIP() << "no fault-injection channel (not under seed-vm)";
        control_ = std::make_unique<seed::vm::Control>(0);
    }

    // Injects an uncorrectable error and waits until the driver retired it.
    void inject_ue(std::uint64_t addr, std::uint64_t retired_before) {
        char cmd[64];
        std::snprintf(cmd, sizeof(cmd), "ecc uncorrected 0x%llx",
                      static_cast<unsigned long long>(addr));
        const std::string reply = control_->command(cmd);
        ASSERT_EQ(reply.rfind("ok", 0), 0u) << reply;
        for (int i = 0; i < 500; i++) {
            if (query_memory(fd()).hbm_retired >= retired_before + kPage)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        FAIL() << "page " << std::hex << addr << " not retired";
    }

    std::unique_ptr<seed::vm::Control> control_;
};

TEST_F(DriverBoRetire, RetiredPagesAreNeverHandedOutAgain) {
    const auto base = query_memory(fd());
    ASSERT_EQ(base.hbm_used, 0u) << "HBM held by someone else";
    // A page that is free (nothing else holds HBM at the top).
    const std::uint64_t top = base.hbm_total - kPage;
    inject_ue(top, base.hbm_retired);
    auto m = query_memory(fd());
    EXPECT_EQ(m.hbm_retired, base.hbm_retired + kPage);
    EXPECT_EQ(m.hbm_used, base.hbm_used);

    // Retiring it again changes nothing.
    inject_ue(top, base.hbm_retired);
    EXPECT_EQ(query_memory(fd()).hbm_retired, base.hbm_retired + kPage);

    // All the rest can be allocated, but not one page more.
    const std::uint64_t avail = m.hbm_total - m.hbm_used - m.hbm_retired;
    EXPECT_TRUE(is_oom(create_bo(fd(), avail + kPage, DRM_SEED_BO_HBM).err));
    Bo all = create_bo(fd(), avail, DRM_SEED_BO_HBM);
    ASSERT_EQ(all.err, 0);

    // A page that belongs to a live BO (everything does now) is retired
    // when the BO is freed; it counts as retired at once.
    const std::uint64_t mid = (m.hbm_total / 2) & ~(kPage - 1);
    inject_ue(mid, m.hbm_retired);
    m = query_memory(fd());
    EXPECT_EQ(m.hbm_retired, base.hbm_retired + 2 * kPage);
    ASSERT_EQ(gem_close(fd(), all.args.handle), 0);

    m = query_memory(fd());
    EXPECT_EQ(m.hbm_used, base.hbm_used);
    const std::uint64_t avail2 = m.hbm_total - m.hbm_used - m.hbm_retired;
    EXPECT_EQ(avail2, avail - kPage);
    EXPECT_TRUE(is_oom(create_bo(fd(), avail2 + kPage, DRM_SEED_BO_HBM).err));
    all = create_bo(fd(), avail2, DRM_SEED_BO_HBM);
    EXPECT_EQ(all.err, 0);
}

// ---------------------------------------------------------------------------
// PRIME between two chips: the importer does not own the BO, so it maps the
// exporter's pages through a dma-buf attachment.

TEST_F(DriverBo, PrimeImportFromAnotherChip) {
    Fd chip1 = open_seed(1);
    if (!chip1)
        GTEST_SKIP() << "needs two chips (seed-vm --chips 2)";
    constexpr std::uint64_t size = 4 * kPage;
    const Bo bo = create_bo(fd(), size, DRM_SEED_BO_HOST);
    ASSERT_EQ(bo.err, 0);
    drm_seed_bo_info info;
    ASSERT_EQ(bo_info(fd(), bo.args.handle, &info), 0);
    auto* p = static_cast<std::uint8_t*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd(), info.mmap_offset));
    ASSERT_NE(p, MAP_FAILED);
    for (std::uint64_t i = 0; i < size; i++)
        p[i] = static_cast<std::uint8_t>(i ^ 0x3c);

    drm_prime_handle exp{};
    exp.handle = bo.args.handle;
    exp.flags = DRM_CLOEXEC | DRM_RDWR;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp), 0);
    Fd dmabuf(exp.fd);

    const auto before = query_memory(chip1.get());
    drm_prime_handle imp{};
    imp.fd = dmabuf.get();
    ASSERT_EQ(seed_ioctl(chip1.get(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp), 0);
    drm_seed_bo_info iinfo;
    ASSERT_EQ(bo_info(chip1.get(), imp.handle, &iinfo), 0);
    EXPECT_EQ(iinfo.size, size);
    EXPECT_EQ(iinfo.placement, static_cast<std::uint32_t>(DRM_SEED_BO_HOST));
    EXPECT_GE(iinfo.device_va, kVaStart);
    // Imported memory is not the importer's: not counted there.
    EXPECT_EQ(query_memory(chip1.get()).host_used, before.host_used);

    // Its mmap goes to the exporter's pages.
    auto* q = static_cast<std::uint8_t*>(
        mmap(nullptr, size, PROT_READ, MAP_SHARED, chip1.get(), iinfo.mmap_offset));
    ASSERT_NE(q, MAP_FAILED) << strerror(errno);
    EXPECT_EQ(std::memcmp(p, q, size), 0);
    munmap(q, size);
    munmap(p, size);

    // Importing again gives the same handle; closing it releases the import.
    drm_prime_handle again{};
    again.fd = dmabuf.get();
    ASSERT_EQ(seed_ioctl(chip1.get(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &again), 0);
    EXPECT_EQ(again.handle, imp.handle);
    ASSERT_EQ(gem_close(chip1.get(), imp.handle), 0);
    EXPECT_EQ(bo_info(chip1.get(), imp.handle, &iinfo), ENOENT);
}

} // namespace
