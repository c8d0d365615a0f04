// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of DRM_IOCTL_SEED_BO_USERPTR: every invalid argument, read-only
// mappings, device reads and writes of the application's pages, the per-file
// pin limit, RLIMIT_MEMLOCK, and misuse while jobs run (munmap of the pinned range, fork,
// closing the handle, the process killed with jobs in flight). Raw ioctls,
// so each errno is pinned exactly; the debug kernel run checks that none of
// it oopses, warns or leaks.

#include "seed_drm.hpp"
#include "seed_exec.hpp"

#include <gtest/gtest.h>

#include <linux/capability.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

namespace {

using seed::vm::Bo;
using seed::vm::create_queue;
using seed::vm::Fd;
using seed::vm::finish;
using seed::vm::open_seed;
using seed::vm::put_copy;
using seed::vm::put_fill;
using seed::vm::put_wait;
using seed::vm::Queue;
using seed::vm::seed_ioctl;
using seed::vm::submit;

constexpr std::uint64_t kPage = 4096;
constexpr const char* kPinLimit = "/sys/module/seed/parameters/max_pinned_per_file_mb";

// An anonymous mapping, unmapped on destruction unless released.
struct Mapping {
    void* p = MAP_FAILED;
    std::size_t size = 0;

    Mapping(std::size_t n, int prot) : size(n) {
        p = mmap(nullptr, n, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() { unmap(); }
    void unmap() {
        if (p != MAP_FAILED)
            munmap(p, size);
        p = MAP_FAILED;
    }
    [[nodiscard]] std::uint64_t addr() const { return reinterpret_cast<std::uintptr_t>(p); }
    template <typename T = std::uint64_t>
    T* ptr() const {
        return static_cast<T*>(p);
    }
};

// BO_USERPTR into @p bo (unmapped: the application has the memory): 0 or an errno.
int userptr(Bo& bo, int fd, std::uint64_t addr, std::uint64_t size, std::uint32_t flags = 0,
            std::uint64_t reserved = 0) {
    bo.reset();
    drm_seed_bo_userptr u{};
    u.user_ptr = addr;
    u.size = size;
    u.flags = flags;
    u.reserved = reserved;
    if (const int err = seed_ioctl(fd, DRM_IOCTL_SEED_BO_USERPTR, &u))
        return err;
    bo.fd = fd;
    bo.handle = u.handle;
    bo.size = size;
    bo.va = u.device_va;
    return 0;
}

bool write_param(const char* path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    return static_cast<bool>(out);
}

class DriverUserptr : public ::testing::Test {
protected:
    void SetUp() override {
        fd_ = open_seed();
        if (!fd_)
            GTEST_SKIP() << "no SeedChip device";
        ASSERT_EQ(create_queue(q_, fd()), 0);
        ASSERT_EQ(seed::vm::create_bo(cmd_, fd(), kPage, DRM_SEED_BO_HOST), 0);
    }
    int fd() const { return fd_.get(); }

    // Runs @count packets of cmd_ and returns the job's error (or ~0 when
    // submitting or waiting failed).
    std::uint32_t run(std::uint32_t count) {
        const auto s = submit(q_, cmd_, count);
        if (s.err != 0)
            return ~0u;
        int err = 0;
        const auto st = finish(q_, s.seq, &err);
        return err != 0 ? ~0u : st.error;
    }

    Fd fd_;
    Queue q_;
    Bo cmd_;
};

TEST_F(DriverUserptr, InvalidArguments) {
    Mapping m(4 * kPage, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo bo;
    EXPECT_EQ(userptr(bo, fd(), m.addr(), 0), EINVAL) << "size 0";
    EXPECT_EQ(userptr(bo, fd(), m.addr() + 8, kPage), EINVAL) << "unaligned address";
    EXPECT_EQ(userptr(bo, fd(), m.addr(), kPage + 8), EINVAL) << "unaligned size";
    EXPECT_EQ(userptr(bo, fd(), m.addr(), kPage, 1u << 7), EINVAL) << "unknown flag";
    EXPECT_EQ(userptr(bo, fd(), m.addr(), kPage, 1u << 31), EINVAL) << "unknown flag";
    EXPECT_EQ(userptr(bo, fd(), m.addr(), kPage, 0, 1), EINVAL) << "reserved";
    EXPECT_EQ(userptr(bo, fd(), ~(kPage - 1), 2 * kPage), EINVAL) << "wraps";
    EXPECT_EQ(userptr(bo, fd(), 0, kPage), EFAULT) << "page 0";
    EXPECT_EQ(userptr(bo, fd(), 0xffff'8000'0000'0000ull, kPage), EFAULT) << "kernel address";
    EXPECT_EQ(userptr(bo, fd(), kPage, 1ull << 46), ENOMEM) << "huge: more than system memory";
    EXPECT_EQ(userptr(bo, fd(), kPage, 1ull << 47), EFAULT) << "past user space";
    EXPECT_EQ(userptr(bo, fd(), m.addr(), 8 * kPage), EFAULT) << "runs past the mapping";

    // Nothing was created, and the ioctl still works.
    EXPECT_EQ(userptr(bo, fd(), m.addr(), 4 * kPage), 0);
    EXPECT_NE(bo.handle, 0u);
}

TEST_F(DriverUserptr, BoInfoAndNoMmapNoExport) {
    Mapping m(2 * kPage, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo bo;
    ASSERT_EQ(userptr(bo, fd(), m.addr(), 2 * kPage, DRM_SEED_BO_DEVICE_READ_ONLY), 0);
    drm_seed_bo_info info{};
    info.handle = bo.handle;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_BO_INFO, &info), 0);
    EXPECT_EQ(info.size, 2 * kPage);
    EXPECT_EQ(info.device_va, bo.va);
    EXPECT_EQ(info.placement, DRM_SEED_BO_HOST);
    EXPECT_EQ(info.flags, DRM_SEED_BO_DEVICE_READ_ONLY);
    EXPECT_EQ(info.mmap_offset, 0u);
    int dmabuf = -1;
    EXPECT_NE(drmPrimeHandleToFD(fd(), bo.handle, DRM_CLOEXEC, &dmabuf), 0);
    EXPECT_EQ(dmabuf, -1);
}

TEST_F(DriverUserptr, DeviceReadsAndWritesUserPages) {
    constexpr std::uint64_t kSize = 64 * kPage;
    Mapping m(kSize, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    for (std::uint64_t i = 0; i < kSize / 8; i++)
        m.ptr()[i] = i * 0x9e3779b97f4a7c15ull;
    Bo user, hbm, out;
    ASSERT_EQ(userptr(user, fd(), m.addr(), kSize), 0);
    ASSERT_EQ(seed::vm::create_bo(hbm, fd(), kSize, DRM_SEED_BO_HBM), 0);
    ASSERT_EQ(seed::vm::create_bo(out, fd(), kSize, DRM_SEED_BO_HOST), 0);

    // User pages -> HBM -> host BO: the device read what the process wrote.
    put_copy(cmd_, 0, user.va, hbm.va, kSize);
    put_copy(cmd_, 1, hbm.va, out.va, kSize);
    ASSERT_EQ(run(2), DRM_SEED_JOB_OK);
    ASSERT_EQ(std::memcmp(out.map, m.p, kSize), 0);

    // The device writes; the process sees it in its own mapping.
    put_fill(cmd_, 0, user.va + kPage, kPage, 0x5eed5eed5eed5eedull);
    ASSERT_EQ(run(1), DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < kPage / 8; i++)
        ASSERT_EQ(m.ptr()[kPage / 8 + i], 0x5eed5eed5eed5eedull) << i;
    EXPECT_EQ(m.ptr()[0], 0u);
    EXPECT_EQ(m.ptr()[2 * kPage / 8], (2 * kPage / 8) * 0x9e3779b97f4a7c15ull);
}

TEST_F(DriverUserptr, ReadOnlyMapping) {
    Mapping m(4 * kPage, PROT_READ);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo bo, out;
    EXPECT_EQ(userptr(bo, fd(), m.addr(), 4 * kPage), EFAULT) << "writable pin of read-only pages";
    ASSERT_EQ(userptr(bo, fd(), m.addr(), 4 * kPage, DRM_SEED_BO_DEVICE_READ_ONLY), 0);
    ASSERT_EQ(seed::vm::create_bo(out, fd(), 4 * kPage, DRM_SEED_BO_HOST), 0);
    std::memset(out.map, 0xab, 4 * kPage);
    put_copy(cmd_, 0, bo.va, out.va, 4 * kPage);
    ASSERT_EQ(run(1), DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < 4 * kPage / 8; i++)
        ASSERT_EQ(out.ptr<std::uint64_t>()[i], 0u) << i;

    // The device may not write it: an MMU fault, the pages unchanged.
    put_fill(cmd_, 0, bo.va, kPage, ~0ull);
    EXPECT_EQ(run(1), DRM_SEED_JOB_MMU_FAULT);
    EXPECT_EQ(m.ptr()[0], 0u);
}

TEST_F(DriverUserptr, PinLimitPerFile) {
    ASSERT_TRUE(write_param(kPinLimit, "1"));
    Mapping m(2 << 20, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo a, b;
    EXPECT_EQ(userptr(a, fd(), m.addr(), 2 << 20), EDQUOT);
    EXPECT_EQ(userptr(a, fd(), m.addr(), 1 << 20), 0);
    EXPECT_EQ(userptr(b, fd(), m.addr() + (1 << 20), kPage), EDQUOT);
    {
        // The limit is per file: another file may pin as much.
        Fd other = open_seed();
        Bo c;
        EXPECT_EQ(userptr(c, other.get(), m.addr(), 1 << 20), 0);
    }
    a.reset();
    EXPECT_EQ(userptr(b, fd(), m.addr() + (1 << 20), 1 << 20), 0) << "closing a unpinned it";
    EXPECT_TRUE(write_param(kPinLimit, "0"));
}

// Pinned pages count against the process's RLIMIT_MEMLOCK (VmPin) unless it
// has CAP_IPC_LOCK, as for RDMA memory regions. In a child without the
// capability and with a 256 KiB limit: 1 MiB fails with ENOMEM, 128 KiB is
// pinned and shows in VmPin, 192 KiB more would exceed the limit, freeing
// the BO gives the pages back; with the capability again the limit does not
// apply. The child's exit status is the number of the step that failed.
TEST_F(DriverUserptr, MemlockLimitWithoutCapIpcLock) {
    Mapping m(1 << 20, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const auto vm_pin_kib = [] {
            std::ifstream in("/proc/self/status");
            std::string line;
            while (std::getline(in, line))
                if (line.rfind("VmPin:", 0) == 0)
                    return std::stol(line.substr(6));
            return -1L;
        };
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct caps[2]{};
        const auto set_ipc_lock = [&](bool on) {
            const unsigned word = CAP_IPC_LOCK / 32, bit = 1u << (CAP_IPC_LOCK % 32);
            caps[word].effective = on ? caps[word].effective | bit : caps[word].effective & ~bit;
            return syscall(SYS_capset, &hdr, caps) == 0;
        };
        const rlimit limit{256 << 10, 256 << 10};
        if (syscall(SYS_capget, &hdr, caps) != 0 || !set_ipc_lock(false) ||
            setrlimit(RLIMIT_MEMLOCK, &limit) != 0 || vm_pin_kib() != 0)
            _exit(1);
        const Fd own = open_seed();
        const int fd = own.get();
        Bo a, b;
        if (fd < 0 || userptr(a, fd, m.addr(), 1 << 20) != ENOMEM)
            _exit(2);
        if (vm_pin_kib() != 0)
            _exit(3);
        if (userptr(a, fd, m.addr(), 128 << 10) != 0 || vm_pin_kib() != 128)
            _exit(4);
        if (userptr(b, fd, m.addr() + (128 << 10), 192 << 10) != ENOMEM || vm_pin_kib() != 128)
            _exit(5);
        a.reset();
        if (vm_pin_kib() != 0)
            _exit(6);
        if (!set_ipc_lock(true) || userptr(b, fd, m.addr(), 1 << 20) != 0 || vm_pin_kib() != 1024)
            _exit(7);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << "step " << WEXITSTATUS(status) << " failed";
}

// munmap() of the pinned range while a job is about to write it: the job
// completes on the pages the BO holds, nothing else is touched.
TEST_F(DriverUserptr, MunmapWhileInUse) {
    constexpr std::uint64_t kSize = 16 * kPage;
    auto* m = new Mapping(kSize, PROT_READ | PROT_WRITE);
    ASSERT_NE(m->p, MAP_FAILED);
    Bo user, flag;
    ASSERT_EQ(userptr(user, fd(), m->addr(), kSize), 0);
    ASSERT_EQ(seed::vm::create_bo(flag, fd(), kPage, DRM_SEED_BO_HOST), 0);
    put_wait(cmd_, 0, flag.va, 1, 0);
    put_fill(cmd_, 1, user.va, kSize, 0x77);
    const auto s = submit(q_, cmd_, 2);
    ASSERT_EQ(s.err, 0);
    delete m;
    // Something else may now get the virtual range; it must stay untouched.
    Mapping reuse(kSize, PROT_READ | PROT_WRITE);
    ASSERT_NE(reuse.p, MAP_FAILED);
    *flag.ptr<std::uint64_t>() = 1;
    int err = 0;
    const auto st = finish(q_, s.seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < kSize / 8; i++)
        ASSERT_EQ(reuse.ptr()[i], 0u) << i;
    user.reset();
}

// Closing the handle while a job uses the BO: the job fails or completes,
// the pages are unpinned once it is done.
TEST_F(DriverUserptr, CloseWhileJobRuns) {
    constexpr std::uint64_t kSize = 256 * kPage;
    Mapping m(kSize, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo user, flag;
    ASSERT_EQ(userptr(user, fd(), m.addr(), kSize), 0);
    ASSERT_EQ(seed::vm::create_bo(flag, fd(), kPage, DRM_SEED_BO_HOST), 0);
    put_wait(cmd_, 0, flag.va, 1, 0);
    put_fill(cmd_, 1, user.va, kSize, 0x77);
    const auto s = submit(q_, cmd_, 2);
    ASSERT_EQ(s.err, 0);
    user.reset();
    *flag.ptr<std::uint64_t>() = 1;
    int err = 0;
    const auto st = finish(q_, s.seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_TRUE(st.error == DRM_SEED_JOB_OK || st.error == DRM_SEED_JOB_MMU_FAULT) << st.error;
}

// After fork() the BO keeps the parent's pages: the child's writes (to its
// copies) do not reach the device, and the device's reach the parent.
TEST_F(DriverUserptr, Fork) {
    constexpr std::uint64_t kSize = 4 * kPage;
    Mapping m(kSize, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo user, out;
    ASSERT_EQ(userptr(user, fd(), m.addr(), kSize), 0);
    ASSERT_EQ(seed::vm::create_bo(out, fd(), kSize, DRM_SEED_BO_HOST), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        std::memset(m.p, 0xcc, kSize);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    put_copy(cmd_, 0, user.va, out.va, kSize);
    ASSERT_EQ(run(1), DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < kSize / 8; i++)
        ASSERT_EQ(out.ptr<std::uint64_t>()[i], 0u) << i;
    put_fill(cmd_, 0, user.va, kSize, 0x42);
    ASSERT_EQ(run(1), DRM_SEED_JOB_OK);
    EXPECT_EQ(m.ptr()[0], 0x42u);
}

// A process killed while its jobs write its pinned pages: the device keeps
// working and the pages are released (kmemleak and the debug kernel's
// checks would report otherwise).
TEST_F(DriverUserptr, ProcessKilledWithJobsInFlight) {
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(pipefd[0]);
        Fd f = open_seed();
        Queue q;
        Bo cmd, flag, user;
        Mapping mem(8 << 20, PROT_READ | PROT_WRITE);
        if (!f || create_queue(q, f.get()) != 0 || mem.p == MAP_FAILED ||
            seed::vm::create_bo(cmd, f.get(), kPage, DRM_SEED_BO_HOST) != 0 ||
            seed::vm::create_bo(flag, f.get(), kPage, DRM_SEED_BO_HOST) != 0 ||
            userptr(user, f.get(), mem.addr(), 8 << 20) != 0)
            _exit(1);
        put_fill(cmd, 0, user.va, 8 << 20, 0x1234);
        put_wait(cmd, 1, flag.va, 1, 0);
        for (int i = 0; i < 3; i++)
            if (submit(f.get(), q.id, cmd, 2).err != 0)
                _exit(1);
        const char c = 'r';
        if (write(pipefd[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(pipefd[1]);
    char c = 0;
    ASSERT_EQ(read(pipefd[0], &c, 1), 1);
    close(pipefd[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status));

    Mapping m(kPage, PROT_READ | PROT_WRITE);
    ASSERT_NE(m.p, MAP_FAILED);
    Bo user;
    ASSERT_EQ(userptr(user, fd(), m.addr(), kPage), 0);
    put_fill(cmd_, 0, user.va, kPage, 0x99);
    ASSERT_EQ(run(1), DRM_SEED_JOB_OK);
    EXPECT_EQ(m.ptr()[0], 0x99u);
}

} // namespace
