// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's execution: DRM_IOCTL_SEED_QUEUE_CREATE/DESTROY,
// DRM_IOCTL_SEED_SUBMIT (ioctl and io_uring command), DRM_IOCTL_SEED_JOB_STATUS,
// timeline syncobjs, cross-queue dependencies, error reporting (MMU faults,
// invalid packets, timeouts), recovery, isolation between clients, and a
// client killed in the middle of a job. Raw ioctls and io_uring syscalls, so
// each errno is pinned exactly; libdrm's drmSyncobj* for waiting.

#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "uring.hpp"

#include <gtest/gtest.h>

#include <drm.h>
#include <hw/seed_hw.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using seed::vm::Bo;
using seed::vm::create_queue;
using seed::vm::Fd;
using seed::vm::job_status;
using seed::vm::now_ns;
using seed::vm::open_seed;
using seed::vm::put_copy;
using seed::vm::put_fill;
using seed::vm::put_nop;
using seed::vm::put_wait;
using seed::vm::Queue;
using seed::vm::seed_ioctl;
using seed::vm::Submit;
using seed::vm::submit;
using seed::vm::Uring;
using seed::vm::wait_point;

constexpr std::int64_t kWaitNs = seed::vm::kJobWaitNs;

// ---------------------------------------------------------------------------
// Helpers

// Creates a BO (mapped if host); false (with a failure added) on error.
bool make_bo(Bo& bo, int fd, std::uint64_t size, std::uint32_t placement) {
    const int err = seed::vm::create_bo(bo, fd, size, placement);
    if (err)
        ADD_FAILURE() << "BO_CREATE: " << strerror(err);
    return err == 0;
}

#define MAKE_BO(...) ASSERT_TRUE(make_bo(__VA_ARGS__))

// Runs @count packets of @cmd on @q and waits; returns the job's status.
drm_seed_job_status run(const Queue& q, const Bo& cmd, std::uint32_t count,
                        std::uint64_t offset = 0) {
    const Submit s = submit(q.fd, q.id, cmd, count, offset);
    EXPECT_EQ(s.err, 0);
    EXPECT_EQ(wait_point(q.fd, q.syncobj, s.seq), 0);
    int err = 0;
    const auto st = job_status(q.fd, q.id, s.seq, &err);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
    return st;
}

class DriverExec : public ::testing::Test {
protected:
    void SetUp() override {
        fd_ = open_seed();
        if (!fd_)
            GTEST_SKIP() << "no SeedChip device";
    }
    int fd() const { return fd_.get(); }

    // A FILL on @q into a fresh host BO, checked through the mapping.
    void expect_queue_works(const Queue& q) {
        Bo cmd, data;
        MAKE_BO(cmd, q.fd, 4096, DRM_SEED_BO_HOST);
        MAKE_BO(data, q.fd, 4096, DRM_SEED_BO_HOST);
        put_fill(cmd, 0, data.va, 4096, 0x0123456789abcdefull);
        const auto st = run(q, cmd, 1);
        EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
        for (int i = 0; i < 512; i++)
            ASSERT_EQ(data.ptr<std::uint64_t>()[i], 0x0123456789abcdefull) << i;
    }

    Fd fd_;
};

// ---------------------------------------------------------------------------
// QUEUE_CREATE / QUEUE_DESTROY

TEST_F(DriverExec, QueueCreateDestroy) {
    std::vector<std::uint32_t> ids;
    for (std::uint32_t prio : {DRM_SEED_PRIORITY_LOW, DRM_SEED_PRIORITY_NORMAL,
                               DRM_SEED_PRIORITY_HIGH, DRM_SEED_PRIORITY_REALTIME}) {
        drm_seed_queue_create c{};
        c.priority = prio;
        ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c), 0) << prio;
        EXPECT_NE(c.queue_id, 0u);
        EXPECT_NE(c.syncobj, 0u);
        for (auto id : ids)
            EXPECT_NE(id, c.queue_id);
        ids.push_back(c.queue_id);

        // The timeline starts at point 0.
        std::uint64_t point = 99;
        EXPECT_EQ(drmSyncobjQuery(fd(), &c.syncobj, &point, 1), 0);
        EXPECT_EQ(point, 0u);

        drm_seed_queue_destroy d{};
        d.queue_id = c.queue_id;
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d), 0);
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d), ENOENT);
        // The syncobj handle outlives the queue.
        EXPECT_EQ(drmSyncobjDestroy(fd(), c.syncobj), 0);
    }
}

TEST_F(DriverExec, QueueCreateInvalid) {
    drm_seed_queue_create c{};
    c.flags = 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c), EINVAL);
    c = {};
    c.priority = DRM_SEED_PRIORITY_REALTIME + 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c), EINVAL);
    c.priority = ~0u;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c), EINVAL);

    drm_seed_queue_destroy d{};
    d.queue_id = 12345;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d), ENOENT);
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    d.queue_id = q.id;
    d.pad = 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d), EINVAL);
}

TEST_F(DriverExec, RealtimeNeedsCapSysNice) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // Dropping root drops every capability; the fd stays usable.
        if (setresuid(65534, 65534, 65534) != 0)
            _exit(2);
        drm_seed_queue_create c{};
        c.priority = DRM_SEED_PRIORITY_REALTIME;
        const int rt = seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c);
        c = {};
        c.priority = DRM_SEED_PRIORITY_HIGH;
        const int high = seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_CREATE, &c);
        _exit(rt == EPERM && high == 0 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(DriverExec, SubmitNop) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);
    put_nop(cmd, 1);
    for (std::uint64_t want = 1; want <= 3; want++) {
        const Submit s = submit(fd(), q.id, cmd, 2);
        ASSERT_EQ(s.err, 0);
        EXPECT_EQ(s.seq, want);
        ASSERT_EQ(wait_point(fd(), q.syncobj, s.seq), 0);
        int err = 0;
        const auto st = job_status(fd(), q.id, s.seq, &err);
        ASSERT_EQ(err, 0);
        EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
        EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
        EXPECT_EQ(st.hw_error, 0u);
    }
    std::uint64_t point = 0;
    EXPECT_EQ(drmSyncobjQuery(fd(), &q.syncobj, &point, 1), 0);
    EXPECT_EQ(point, 3u);
}

TEST_F(DriverExec, SubmitFillHostBo) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, data;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(data, fd(), 64 * 1024, DRM_SEED_BO_HOST);
    std::memset(data.ptr(), 0x11, data.size);
    // Packets at an offset in the command buffer; fill the middle only.
    put_fill(cmd, 2, data.va + 4096, 8192, 0xa5, 1);
    put_fill(cmd, 3, data.va + 16384, 4096, 0xdeadbeefcafef00dull, 8);
    const auto st = run(q, cmd, 2, 2 * SEED_PKT_SIZE);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < 4096; i++)
        ASSERT_EQ(data.ptr()[i], 0x11) << i;
    for (std::uint64_t i = 4096; i < 12288; i++)
        ASSERT_EQ(data.ptr()[i], 0xa5) << i;
    for (std::uint64_t i = 12288; i < 16384; i++)
        ASSERT_EQ(data.ptr()[i], 0x11) << i;
    for (std::uint64_t i = 0; i < 512; i++)
        ASSERT_EQ(data.ptr<std::uint64_t>(16384)[i], 0xdeadbeefcafef00dull) << i;
}

TEST_F(DriverExec, CopyHostHbmHostRoundTrip) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    constexpr std::uint64_t kSize = 256 * 1024;
    Bo cmd, src, hbm, dst;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(src, fd(), kSize, DRM_SEED_BO_HOST);
    MAKE_BO(hbm, fd(), kSize, DRM_SEED_BO_HBM);
    MAKE_BO(dst, fd(), kSize, DRM_SEED_BO_HOST);
    for (std::uint64_t i = 0; i < kSize / 4; i++)
        src.ptr<std::uint32_t>()[i] = static_cast<std::uint32_t>(i * 2654435761u);
    put_copy(cmd, 0, src.va, hbm.va, kSize);
    put_copy(cmd, 1, hbm.va, dst.va, kSize);
    const auto st = run(q, cmd, 2);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    EXPECT_EQ(std::memcmp(src.ptr(), dst.ptr(), kSize), 0);
}

TEST_F(DriverExec, SubmitInvalid) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);

    auto base = [&] {
        drm_seed_submit s{};
        s.queue_id = q.id;
        s.cmd_handle = cmd.handle;
        s.cmd_count = 1;
        return s;
    };
    auto try_submit = [&](drm_seed_submit s) {
        return seed_ioctl(fd(), DRM_IOCTL_SEED_SUBMIT, &s);
    };

    drm_seed_submit s = base();
    s.flags = 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.cmd_count = 0;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.cmd_count = DRM_SEED_MAX_CMD_PACKETS + 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.cmd_offset = 32;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.in_sync_count = DRM_SEED_MAX_SYNCS + 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.out_sync_count = DRM_SEED_MAX_SYNCS + 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    // Range outside the BO.
    s = base();
    s.cmd_count = 65;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.cmd_offset = 4096;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.cmd_offset = ~0ull & ~63ull;
    EXPECT_EQ(try_submit(s), EINVAL);
    // Unknown queue, BO, syncobjs.
    s = base();
    s.queue_id = q.id + 1000;
    EXPECT_EQ(try_submit(s), ENOENT);
    s = base();
    s.cmd_handle = cmd.handle + 1000;
    EXPECT_EQ(try_submit(s), ENOENT);
    drm_seed_sync bad{};
    bad.handle = 0xfffff;
    s = base();
    s.in_syncs = reinterpret_cast<std::uintptr_t>(&bad);
    s.in_sync_count = 1;
    EXPECT_EQ(try_submit(s), ENOENT);
    s = base();
    s.out_syncs = reinterpret_cast<std::uintptr_t>(&bad);
    s.out_sync_count = 1;
    EXPECT_EQ(try_submit(s), ENOENT);
    // Sync flags must be zero.
    drm_seed_sync flagged{};
    flagged.handle = q.syncobj;
    flagged.flags = 1;
    s = base();
    s.in_syncs = reinterpret_cast<std::uintptr_t>(&flagged);
    s.in_sync_count = 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    s = base();
    s.out_syncs = reinterpret_cast<std::uintptr_t>(&flagged);
    s.out_sync_count = 1;
    EXPECT_EQ(try_submit(s), EINVAL);
    // Bad pointers.
    s = base();
    s.in_syncs = 8;
    s.in_sync_count = 1;
    EXPECT_EQ(try_submit(s), EFAULT);
    s = base();
    s.out_syncs = 8;
    s.out_sync_count = 1;
    EXPECT_EQ(try_submit(s), EFAULT);

    // Nothing was issued by the failed calls.
    const Submit ok = submit(fd(), q.id, cmd, 1);
    ASSERT_EQ(ok.err, 0);
    EXPECT_EQ(ok.seq, 1u);
    EXPECT_EQ(wait_point(fd(), q.syncobj, ok.seq), 0);
}

TEST_F(DriverExec, JobStatusInvalid) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    int err = 0;
    job_status(fd(), q.id, 1, &err);
    EXPECT_EQ(err, EINVAL); // not issued yet
    Bo cmd;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);
    const Submit s = submit(fd(), q.id, cmd, 1);
    ASSERT_EQ(s.err, 0);
    job_status(fd(), q.id, 0, &err);
    EXPECT_EQ(err, EINVAL);
    job_status(fd(), q.id, s.seq + 1, &err);
    EXPECT_EQ(err, EINVAL);
    job_status(fd(), q.id + 1000, s.seq, &err);
    EXPECT_EQ(err, ENOENT);
    drm_seed_job_status st{};
    st.queue_id = q.id;
    st.seq = s.seq;
    st.flags = 1;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_JOB_STATUS, &st), EINVAL);
    EXPECT_EQ(wait_point(fd(), q.syncobj, s.seq), 0);
}

TEST_F(DriverExec, OutSyncsBinaryAndTimeline) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    std::uint32_t bin = 0, tl = 0;
    ASSERT_EQ(drmSyncobjCreate(fd(), 0, &bin), 0);
    ASSERT_EQ(drmSyncobjCreate(fd(), 0, &tl), 0);
    Bo cmd;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);
    std::vector<drm_seed_sync> out(2);
    out[0].handle = bin;
    out[1].handle = tl;
    out[1].point = 7;
    const Submit s = submit(fd(), q.id, cmd, 1, 0, {}, out);
    ASSERT_EQ(s.err, 0);
    EXPECT_EQ(drmSyncobjWait(fd(), &bin, 1, now_ns() + kWaitNs, 0, nullptr), 0);
    std::uint64_t point = 7;
    EXPECT_EQ(drmSyncobjTimelineWait(fd(), &tl, &point, 1, now_ns() + kWaitNs,
                                     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, nullptr),
              0);
    // A job depending on both runs too.
    std::vector<drm_seed_sync> in(2);
    in[0].handle = bin;
    in[1].handle = tl;
    in[1].point = 7;
    const Submit s2 = submit(fd(), q.id, cmd, 1, 0, in);
    ASSERT_EQ(s2.err, 0);
    EXPECT_EQ(wait_point(fd(), q.syncobj, s2.seq), 0);
    drmSyncobjDestroy(fd(), bin);
    drmSyncobjDestroy(fd(), tl);
}

// Queue A waits on host memory, then fills a buffer; queue B copies that
// buffer, depending on A's timeline point: B must see A's data.
TEST_F(DriverExec, CrossQueueDependency) {
    Queue a, b;
    ASSERT_EQ(create_queue(a, fd()), 0);
    ASSERT_EQ(create_queue(b, fd()), 0);
    Bo cmd_a, cmd_b, flag, buf, dst;
    MAKE_BO(cmd_a, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(cmd_b, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(flag, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(buf, fd(), 4096, DRM_SEED_BO_HBM);
    MAKE_BO(dst, fd(), 4096, DRM_SEED_BO_HOST);
    put_wait(cmd_a, 0, flag.va, 1, 0);
    put_fill(cmd_a, 1, buf.va, 4096, 0x5eed5eed5eed5eedull);
    put_copy(cmd_b, 0, buf.va, dst.va, 4096);

    const Submit sa = submit(fd(), a.id, cmd_a, 2);
    ASSERT_EQ(sa.err, 0);
    std::vector<drm_seed_sync> in(1);
    in[0].handle = a.syncobj;
    in[0].point = sa.seq;
    const Submit sb = submit(fd(), b.id, cmd_b, 1, 0, in);
    ASSERT_EQ(sb.err, 0);

    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    int err = 0;
    EXPECT_EQ(job_status(fd(), b.id, sb.seq, &err).state, DRM_SEED_JOB_PENDING);
    EXPECT_EQ(job_status(fd(), a.id, sa.seq, &err).state, DRM_SEED_JOB_PENDING);
    EXPECT_EQ(dst.ptr<std::uint64_t>()[0], 0u);

    __atomic_store_n(flag.ptr<std::uint64_t>(), 1, __ATOMIC_RELEASE);
    ASSERT_EQ(wait_point(fd(), b.syncobj, sb.seq), 0);
    EXPECT_EQ(job_status(fd(), b.id, sb.seq, &err).error, DRM_SEED_JOB_OK);
    for (int i = 0; i < 512; i++)
        ASSERT_EQ(dst.ptr<std::uint64_t>()[i], 0x5eed5eed5eed5eedull) << i;
}

// ---------------------------------------------------------------------------
// Errors and recovery

constexpr std::uint64_t kUnmappedVa = 0x1000; // below every BO (they start at 1 MiB)

TEST_F(DriverExec, MmuFaultReportedAndQueueRecovers) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, src;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(src, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);
    put_copy(cmd, 1, src.va, kUnmappedVa, 256);
    put_nop(cmd, 2);
    const auto st = run(q, cmd, 3);
    EXPECT_EQ(st.error, DRM_SEED_JOB_MMU_FAULT);
    EXPECT_EQ(st.hw_error, static_cast<std::uint32_t>(SEED_ERR_MMU_FAULT));
    EXPECT_EQ(st.fault_addr, kUnmappedVa);
    EXPECT_EQ(SEED_FAULT_INFO_ACCESS(st.fault_info), 1u); // write
    EXPECT_EQ(st.packet_offset, 1u);
    EXPECT_EQ(st.packet_level, 1u);
    EXPECT_EQ(st.packet_opcode, SEED_OP_COPY);

    expect_queue_works(q);
    // The failure is still reported afterwards.
    int err = 0;
    EXPECT_EQ(job_status(fd(), q.id, 1, &err).error, DRM_SEED_JOB_MMU_FAULT);
}

TEST_F(DriverExec, InvalidPacketReported) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    put_nop(cmd, 0);
    put_nop(cmd, 1);
    cmd.ptr<seed_pkt_header>(2 * SEED_PKT_SIZE)->opcode = 0x7f; // reserved opcode
    const auto st = run(q, cmd, 3);
    EXPECT_EQ(st.error, DRM_SEED_JOB_INVALID_PACKET);
    EXPECT_EQ(st.hw_error, static_cast<std::uint32_t>(SEED_ERR_BAD_OPCODE));
    EXPECT_EQ(st.packet_offset, 2u);
    EXPECT_EQ(st.packet_level, 1u);
    EXPECT_EQ(st.packet_opcode, 0x7f);

    // FENCE is not allowed in a command buffer (the kernel's fence).
    put_nop(cmd, 2);
    cmd.ptr<seed_pkt_header>(2 * SEED_PKT_SIZE)->flags = SEED_PKT_F_FENCE;
    const auto st2 = run(q, cmd, 3);
    EXPECT_EQ(st2.error, DRM_SEED_JOB_INVALID_PACKET);
    EXPECT_EQ(st2.hw_error, static_cast<std::uint32_t>(SEED_ERR_MALFORMED));
    EXPECT_EQ(st2.packet_offset, 2u);

    expect_queue_works(q);
}

// Jobs queued behind a failing job did not start: they run after the reset.
TEST_F(DriverExec, JobsBehindFailedJobStillRun) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo bad, good, data;
    MAKE_BO(bad, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(good, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(data, fd(), 4096, DRM_SEED_BO_HOST);
    put_fill(bad, 0, kUnmappedVa, 64, 1);
    std::vector<Submit> subs;
    for (int i = 0; i < 8; i++) {
        put_fill(good, static_cast<unsigned>(i), data.va + 8 * i, 8, 100 + i);
        subs.push_back(submit(fd(), q.id, i % 2 ? good : bad, 1, i % 2 ? i * SEED_PKT_SIZE : 0));
        ASSERT_EQ(subs.back().err, 0);
    }
    ASSERT_EQ(wait_point(fd(), q.syncobj, subs.back().seq), 0);
    for (int i = 0; i < 8; i++) {
        int err = 0;
        const auto st = job_status(fd(), q.id, subs[i].seq, &err);
        ASSERT_EQ(err, 0);
        EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
        if (i % 2) {
            EXPECT_EQ(st.error, DRM_SEED_JOB_OK) << i;
            EXPECT_EQ(data.ptr<std::uint64_t>()[i], 100u + i);
        } else {
            EXPECT_EQ(st.error, DRM_SEED_JOB_MMU_FAULT) << i;
        }
    }
}

// One client's device addresses reach nothing of another client's: a write
// and a read at the other file's VAs fault in this file only, report those
// addresses, move no byte, and leave the other file's job and data alone;
// its queue ids and BO handles are unknown here. Every file's address space
// fills from the same start, so the other file's buffers are placed at VAs
// this file has not mapped (create_bo_avoiding()).
TEST_F(DriverExec, FaultIsolatedBetweenFiles) {
    constexpr std::uint64_t kData = 1 << 20, kSecretSize = 64 << 10;
    constexpr std::uint64_t kSecret = 0x5ec12e755ec12e75ull, kGood = 0x600d600d600d600dull;
    Fd other = open_seed();
    ASSERT_TRUE(other);
    Queue qa, qb, qb2;
    ASSERT_EQ(create_queue(qa, fd()), 0);
    ASSERT_EQ(create_queue(qb, other.get()), 0);
    ASSERT_EQ(create_queue(qb2, other.get()), 0);
    Bo cmd_a, dst;
    MAKE_BO(cmd_a, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(dst, fd(), kSecretSize, DRM_SEED_BO_HOST);
    const std::vector<seed::vm::VaRange> mine = {{cmd_a.va, cmd_a.size}, {dst.va, dst.size}};
    std::vector<Bo> fillers;
    Bo data, secret, check, cmd_b;
    ASSERT_EQ(
        seed::vm::create_bo_avoiding(data, other.get(), kData, DRM_SEED_BO_HOST, mine, fillers), 0);
    ASSERT_EQ(seed::vm::create_bo_avoiding(secret, other.get(), kSecretSize, DRM_SEED_BO_HBM, mine,
                                           fillers),
              0);
    MAKE_BO(check, other.get(), kSecretSize, DRM_SEED_BO_HOST);
    MAKE_BO(cmd_b, other.get(), 4096, DRM_SEED_BO_HOST);

    // The other file puts its secret into HBM first.
    put_fill(cmd_b, 0, secret.va, kSecretSize, kSecret);
    ASSERT_EQ(run(qb, cmd_b, 1).error, DRM_SEED_JOB_OK);

    // This file writes to the other's host buffer and reads its HBM secret,
    // while the other file fills that host buffer.
    put_fill(cmd_a, 0, data.va, 4096, 0xbad);
    put_copy(cmd_a, 1, secret.va, dst.va, kSecretSize);
    std::memset(dst.ptr(), 0xa5, kSecretSize);
    put_fill(cmd_b, 1, data.va, kData, kGood);
    const Submit write_a = submit(fd(), qa.id, cmd_a, 1, 0);
    const Submit fill_b = submit(other.get(), qb.id, cmd_b, 1, SEED_PKT_SIZE);
    const Submit read_a = submit(fd(), qa.id, cmd_a, 1, SEED_PKT_SIZE);
    ASSERT_EQ(write_a.err, 0);
    ASSERT_EQ(fill_b.err, 0);
    ASSERT_EQ(read_a.err, 0);
    ASSERT_EQ(wait_point(fd(), qa.syncobj, read_a.seq), 0);
    ASSERT_EQ(wait_point(other.get(), qb.syncobj, fill_b.seq), 0);
    int err = 0;
    const auto st_w = job_status(fd(), qa.id, write_a.seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(st_w.error, DRM_SEED_JOB_MMU_FAULT);
    EXPECT_EQ(st_w.fault_addr, data.va);
    EXPECT_EQ(SEED_FAULT_INFO_ACCESS(st_w.fault_info), 1u); // write
    const auto st_r = job_status(fd(), qa.id, read_a.seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(st_r.error, DRM_SEED_JOB_MMU_FAULT);
    EXPECT_EQ(st_r.fault_addr, secret.va);
    EXPECT_EQ(SEED_FAULT_INFO_ACCESS(st_r.fault_info), 0u); // read
    for (std::uint64_t i = 0; i < kSecretSize; i++)
        ASSERT_EQ(dst.ptr()[i], 0xa5) << "byte " << i << " changed by a read of a foreign VA";

    // The other file's job ran and its memory holds what it wrote.
    EXPECT_EQ(job_status(other.get(), qb.id, fill_b.seq, &err).error, DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < kData / 8; i++)
        ASSERT_EQ(data.ptr<std::uint64_t>()[i], kGood) << i;
    put_copy(cmd_b, 2, secret.va, check.va, kSecretSize);
    ASSERT_EQ(run(qb, cmd_b, 1, 2 * SEED_PKT_SIZE).error, DRM_SEED_JOB_OK);
    for (std::uint64_t i = 0; i < kSecretSize / 8; i++)
        ASSERT_EQ(check.ptr<std::uint64_t>()[i], kSecret) << i;

    // Its queue ids and BO handles mean nothing here.
    put_nop(cmd_a, 0);
    const std::uint32_t foreign_queue = seed::vm::first_foreign({qb.id, qb2.id}, {qa.id});
    const std::uint32_t foreign_bo = seed::vm::first_foreign(
        {data.handle, secret.handle, check.handle, cmd_b.handle}, {cmd_a.handle, dst.handle});
    ASSERT_NE(foreign_queue, 0u);
    ASSERT_NE(foreign_bo, 0u);
    EXPECT_EQ(seed::vm::foreign_ids_accepted(fd(), foreign_queue, foreign_bo, qa, cmd_a), "");
    // ... and nothing happened to them.
    drm_seed_bo_info info{};
    info.handle = foreign_bo;
    EXPECT_EQ(seed_ioctl(other.get(), DRM_IOCTL_SEED_BO_INFO, &info), 0);
    put_nop(cmd_b, 3);
    EXPECT_EQ(run(foreign_queue == qb.id ? qb : qb2, cmd_b, 1, 3 * SEED_PKT_SIZE).error,
              DRM_SEED_JOB_OK);
}

TEST_F(DriverExec, WaitTimeoutReported) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, flag;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(flag, fd(), 4096, DRM_SEED_BO_HOST);
    put_wait(cmd, 0, flag.va, 1, 1000);
    const auto st = run(q, cmd, 1);
    EXPECT_EQ(st.error, DRM_SEED_JOB_TIMEOUT);
    EXPECT_EQ(st.hw_error, static_cast<std::uint32_t>(SEED_ERR_WAIT_TIMEOUT));
    expect_queue_works(q);
}

// A job that never ends is stopped by the driver's job timeout (module
// parameter job_timeout_ms; run with e.g. --module-arg job_timeout_ms=2000).
TEST_F(DriverExec, JobTimeoutResetsQueue) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, flag, nop;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(flag, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(nop, fd(), 4096, DRM_SEED_BO_HOST);
    put_wait(cmd, 0, flag.va, 1, 0);
    put_nop(nop, 0);
    const Submit s = submit(fd(), q.id, cmd, 1);
    ASSERT_EQ(s.err, 0);
    const Submit behind = submit(fd(), q.id, nop, 1);
    ASSERT_EQ(behind.err, 0);
    ASSERT_EQ(wait_point(fd(), q.syncobj, behind.seq, 120'000'000'000), 0);
    int err = 0;
    const auto st = job_status(fd(), q.id, s.seq, &err);
    EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
    EXPECT_EQ(st.error, DRM_SEED_JOB_TIMEOUT);
    EXPECT_EQ(job_status(fd(), q.id, behind.seq, &err).error, DRM_SEED_JOB_OK);
    expect_queue_works(q);
}

// Destroying a queue cancels every job not finished, as the UAPI says:
// their fences signal -ECANCELED if the device had received them, -ESRCH if
// they were still waiting for a dependency. Cancelled jobs never run, even
// once what they waited for arrives; the syncobj handle stays valid; the
// queue id is gone; a new queue works.
TEST_F(DriverExec, DestroyQueueWithRunningJob) {
    Queue q, gate_q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    ASSERT_EQ(create_queue(gate_q, fd()), 0);
    Bo cmd, flag, out, gate_cmd, gate_flag;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(flag, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(out, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(gate_cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(gate_flag, fd(), 4096, DRM_SEED_BO_HOST);
    // Each job waits for the flag, then writes into `out`.
    put_wait(cmd, 0, flag.va, 1, 0);
    put_fill(cmd, 1, out.va, 4096, 0xdeaddeaddeaddeadull);
    put_wait(gate_cmd, 0, gate_flag.va, 1, 0);
    const Submit gate = submit(fd(), gate_q.id, gate_cmd, 1);
    ASSERT_EQ(gate.err, 0);

    // Three jobs the device receives, then one behind the other queue's job.
    std::vector<std::uint32_t> done(4);
    std::vector<Submit> jobs;
    for (unsigned i = 0; i < done.size(); i++) {
        ASSERT_EQ(drmSyncobjCreate(fd(), 0, &done[i]), 0);
        std::vector<drm_seed_sync> in;
        if (i == 3)
            in.push_back({gate_q.syncobj, 0, gate.seq});
        jobs.push_back(submit(fd(), q.id, cmd, 2, 0, in, {{done[i], 0, 0}}));
        ASSERT_EQ(jobs.back().err, 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    int err = 0;
    ASSERT_EQ(job_status(fd(), q.id, jobs[0].seq, &err).state, DRM_SEED_JOB_PENDING);

    const std::uint32_t id = q.id;
    ASSERT_EQ(q.destroy(), 0);
    job_status(fd(), id, jobs[0].seq, &err);
    EXPECT_EQ(err, ENOENT);
    drm_seed_queue_destroy d{};
    d.queue_id = id;
    EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d), ENOENT);

    // The jobs the device had received end at once.
    for (unsigned i = 0; i < 3; i++) {
        ASSERT_EQ(wait_point(fd(), q.syncobj, jobs[i].seq), 0) << "job " << i;
        EXPECT_EQ(seed::vm::fence_status(fd(), done[i]), -ECANCELED) << "job " << i;
    }
    // What they waited for arrives: none of them runs. The one waiting for
    // another queue's job ends once that job has (DRM's scheduler signals a
    // killed job only after its dependencies).
    __atomic_store_n(flag.ptr<std::uint64_t>(), 1, __ATOMIC_RELEASE);
    __atomic_store_n(gate_flag.ptr<std::uint64_t>(), 1, __ATOMIC_RELEASE);
    ASSERT_EQ(wait_point(fd(), gate_q.syncobj, gate.seq), 0);
    EXPECT_EQ(job_status(fd(), gate_q.id, gate.seq, &err).error, DRM_SEED_JOB_OK);
    ASSERT_EQ(wait_point(fd(), q.syncobj, jobs[3].seq), 0);
    EXPECT_EQ(seed::vm::fence_status(fd(), done[3]), -ESRCH);
    for (const std::uint32_t syncobj : done)
        drmSyncobjDestroy(fd(), syncobj);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i < 512; i++)
        ASSERT_EQ(out.ptr<std::uint64_t>()[i], 0u) << "a cancelled job ran";

    Queue q2;
    ASSERT_EQ(create_queue(q2, fd()), 0);
    expect_queue_works(q2);
}

// A client killed while its job runs: the device keeps working.
TEST_F(DriverExec, ProcessKilledMidJob) {
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(pipefd[0]);
        Fd f = open_seed();
        Queue q;
        if (!f || create_queue(q, f.get()))
            _exit(1);
        Bo cmd, flag, big;
        if (!make_bo(cmd, f.get(), 4096, DRM_SEED_BO_HOST) ||
            !make_bo(flag, f.get(), 4096, DRM_SEED_BO_HOST) ||
            !make_bo(big, f.get(), 8 << 20, DRM_SEED_BO_HBM))
            _exit(1);
        put_fill(cmd, 0, big.va, 8 << 20, 0x1234);
        put_wait(cmd, 1, flag.va, 1, 0);
        for (int i = 0; i < 3; i++)
            if (submit(f.get(), q.id, cmd, 2).err)
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

    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    expect_queue_works(q);
}

// Queue A's job fails while queue B's jobs run: B is not affected.
TEST_F(DriverExec, ErrorOnOneQueueLeavesOthersRunning) {
    Queue a, b;
    ASSERT_EQ(create_queue(a, fd()), 0);
    ASSERT_EQ(create_queue(b, fd()), 0);
    Bo bad, cmd, data;
    MAKE_BO(bad, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(data, fd(), 4096, DRM_SEED_BO_HOST);
    put_copy(bad, 0, kUnmappedVa, data.va, 64);
    std::vector<Submit> good;
    for (unsigned i = 0; i < 16; i++) {
        put_fill(cmd, i, data.va + 8 * i, 8, i + 1);
        good.push_back(submit(fd(), b.id, cmd, 1, i * SEED_PKT_SIZE));
        ASSERT_EQ(good.back().err, 0);
        if (i % 4 == 0) {
            ASSERT_EQ(submit(fd(), a.id, bad, 1).err, 0);
        }
    }
    ASSERT_EQ(wait_point(fd(), b.syncobj, good.back().seq), 0);
    for (unsigned i = 0; i < 16; i++) {
        int err = 0;
        EXPECT_EQ(job_status(fd(), b.id, good[i].seq, &err).error, DRM_SEED_JOB_OK);
        EXPECT_EQ(data.ptr<std::uint64_t>()[i], i + 1u);
    }
    ASSERT_EQ(wait_point(fd(), a.syncobj, 4), 0);
    int err = 0;
    EXPECT_EQ(job_status(fd(), a.id, 4, &err).error, DRM_SEED_JOB_MMU_FAULT);
}

TEST_F(DriverExec, AdminResetFailsRunningJobKeepsQueuedOnes) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, flag, nop;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(flag, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(nop, fd(), 4096, DRM_SEED_BO_HOST);
    put_wait(cmd, 0, flag.va, 1, 0);
    put_nop(nop, 0);
    const Submit s = submit(fd(), q.id, cmd, 1);
    const Submit behind = submit(fd(), q.id, nop, 1);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(behind.err, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    drm_seed_reset r{};
    r.type = DRM_SEED_RESET_DEVICE;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_RESET, &r), 0);
    ASSERT_EQ(wait_point(fd(), q.syncobj, behind.seq), 0);
    int err = 0;
    EXPECT_EQ(job_status(fd(), q.id, s.seq, &err).error, DRM_SEED_JOB_RESET);
    EXPECT_EQ(job_status(fd(), q.id, behind.seq, &err).error, DRM_SEED_JOB_OK);
    expect_queue_works(q);
}

// ---------------------------------------------------------------------------
// io_uring

TEST_F(DriverExec, IoUringSubmit) {
    Uring ring(IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (!ring.ok())
        GTEST_SKIP() << "io_uring unavailable";
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo cmd, data;
    MAKE_BO(cmd, fd(), 4096, DRM_SEED_BO_HOST);
    MAKE_BO(data, fd(), 4096, DRM_SEED_BO_HOST);
    put_fill(cmd, 0, data.va, 4096, 0x77, 1);

    drm_seed_submit s{};
    s.queue_id = q.id;
    s.cmd_handle = cmd.handle;
    s.cmd_count = 1;
    std::int32_t res = -1;
    std::uint64_t seq = 0;
    for (std::uint64_t want = 1; want <= 2; want++) {
        ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &seq));
        EXPECT_EQ(res, 0);
        EXPECT_EQ(seq, want);
    }
    ASSERT_EQ(wait_point(fd(), q.syncobj, 2), 0);
    int err = 0;
    EXPECT_EQ(job_status(fd(), q.id, 2, &err).error, DRM_SEED_JOB_OK);
    EXPECT_EQ(data.ptr<std::uint64_t>()[0], 0x7777777777777777ull);

    // Same validation as the ioctl.
    drm_seed_submit bad = s;
    bad.flags = 1;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &bad, sizeof(bad), &res, &seq));
    EXPECT_EQ(res, -EINVAL);
    bad = s;
    bad.queue_id = 999;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &bad, sizeof(bad), &res, &seq));
    EXPECT_EQ(res, -ENOENT);
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_JOB_STATUS, &s, sizeof(s), &res, &seq));
    EXPECT_EQ(res, -ENOTTY);
}

TEST_F(DriverExec, IoUringNeedsBigEntries) {
    Uring ring(0);
    if (!ring.ok())
        GTEST_SKIP() << "io_uring unavailable";
    drm_seed_submit s{};
    std::int32_t res = 0;
    std::uint64_t extra = 0;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, 16, &res, &extra));
    EXPECT_EQ(res, -EINVAL);
}

} // namespace
