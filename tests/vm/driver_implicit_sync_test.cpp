// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of implicit sync (DOC: implicit sync in seed_accel.h): a job
// lists the BOs it reads and writes in drm_seed_submit.bos, waits for their
// earlier users through their reservation objects, and leaves its finished
// fence there, so a PRIME importer in another process waiting on the
// dma-buf waits for the job. Jobs are held back by a WAIT packet on a gate
// word in a host BO, which the test opens once it has checked that nothing
// ran (or signalled) too early; every result is checked in memory.

#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "uring.hpp"

#include <gtest/gtest.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using seed::vm::Bo;
using seed::vm::create_bo;
using seed::vm::create_queue;
using seed::vm::Fd;
using seed::vm::job_status;
using seed::vm::kJobWaitNs;
using seed::vm::open_seed;
using seed::vm::put_copy;
using seed::vm::put_fill;
using seed::vm::put_wait;
using seed::vm::Queue;
using seed::vm::seed_ioctl;
using seed::vm::Uring;
using seed::vm::wait_point;

// The job timeout is 10 s: gates open well before.
constexpr std::uint32_t kGateTimeoutUs = 8'000'000;
// How long a test watches for something that must not happen yet.
constexpr int kQuietMs = 500;

constexpr std::uint64_t kPattern = 0x5eed5eed00c0ffeeull;
constexpr std::uint64_t kPattern2 = 0x0123456789abcdefull;

// The ioctl number and size old binaries use: the structure up to seq.
constexpr std::size_t kSubmitSizeV1 = offsetof(drm_seed_submit, bos);
constexpr unsigned long kIoctlSubmitV1 =
    _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, DRM_COMMAND_BASE + DRM_SEED_SUBMIT, kSubmitSizeV1);

static_assert(kSubmitSizeV1 == 56, "the old SUBMIT was 56 bytes");

drm_seed_submit_bo bo_entry(const Bo& bo, bool write) {
    drm_seed_submit_bo e{};
    e.handle = bo.handle;
    e.flags = write ? DRM_SEED_SUBMIT_BO_WRITE : 0;
    return e;
}

drm_seed_submit make_submit(const Queue& q, const Bo& cmd, std::uint32_t count,
                            std::uint64_t offset, const std::vector<drm_seed_submit_bo>& bos) {
    drm_seed_submit s{};
    s.queue_id = q.id;
    s.cmd_handle = cmd.handle;
    s.cmd_count = count;
    s.cmd_offset = offset;
    s.bos = reinterpret_cast<std::uintptr_t>(bos.data());
    s.bo_count = static_cast<std::uint32_t>(bos.size());
    return s;
}

// SUBMIT with a BO list: 0 or an errno; @seq gets the job's seq.
int submit_bos(const Queue& q, const Bo& cmd, std::uint32_t count, std::uint64_t offset,
               const std::vector<drm_seed_submit_bo>& bos, std::uint64_t* seq = nullptr) {
    drm_seed_submit s = make_submit(q, cmd, count, offset, bos);
    const int err = seed_ioctl(q.fd, DRM_IOCTL_SEED_SUBMIT, &s);
    if (seq != nullptr)
        *seq = s.seq;
    return err;
}

std::uint32_t job_state(const Queue& q, std::uint64_t seq) {
    int err = 0;
    const auto st = job_status(q.fd, q.id, seq, &err);
    EXPECT_EQ(err, 0);
    return st.state;
}

void expect_job_ok(const Queue& q, std::uint64_t seq) {
    ASSERT_EQ(wait_point(q.fd, q.syncobj, seq), 0) << "job " << seq;
    int err = 0;
    const auto st = job_status(q.fd, q.id, seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK) << "job " << seq;
}

// Opens a gate word the device polls through the host mapping.
void open_gate(const Bo& gate) {
    std::atomic_ref<std::uint64_t>(*gate.ptr<std::uint64_t>()).store(1);
}

bool all_equal(const Bo& bo, std::uint64_t value) {
    for (std::uint64_t i = 0; i < bo.size / 8; i++) {
        if (bo.ptr<std::uint64_t>()[i] != value)
            return false;
    }
    return true;
}

class DriverImplicitSync : public ::testing::Test {
protected:
    void SetUp() override {
        fd_ = open_seed();
        if (!fd_)
            GTEST_SKIP() << "no SeedChip device";
        ASSERT_EQ(create_bo(cmd_, fd(), 4096, DRM_SEED_BO_HOST), 0);
        ASSERT_EQ(create_bo(gate_, fd(), 4096, DRM_SEED_BO_HOST), 0);
    }
    int fd() const { return fd_.get(); }

    // Packets at slot @slot: WAIT for the gate, then FILL @dst with @pattern.
    // Returns the byte offset of the two packets.
    std::uint64_t gated_fill(unsigned slot, const Bo& dst, std::uint64_t pattern) {
        put_wait(cmd_, slot, gate_.va, 1, kGateTimeoutUs);
        put_fill(cmd_, slot + 1, dst.va, dst.size, pattern);
        return slot * SEED_PKT_SIZE;
    }

    Fd fd_;
    Bo cmd_, gate_;
};

// A job writing a BO exported as a dma-buf: an importer in another process,
// through another open file, sees the buffer busy (poll, EXPORT_SYNC_FILE)
// until the job is done, and the job's data once it is.
TEST_F(DriverImplicitSync, DmaBufImporterWaitsForWriter) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo data;
    ASSERT_EQ(create_bo(data, fd(), 64 * 1024, DRM_SEED_BO_HOST), 0);
    const std::uint64_t off = gated_fill(0, data, kPattern);

    drm_prime_handle prime{};
    prime.handle = data.handle;
    prime.flags = DRM_CLOEXEC | DRM_RDWR;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime), 0);
    const Fd dmabuf{prime.fd};

    std::uint64_t seq = 0;
    ASSERT_EQ(submit_bos(q, cmd_, 2, off, {bo_entry(data, true)}, &seq), 0);

    int to_child[2], to_parent[2];
    ASSERT_EQ(pipe(to_child), 0);
    ASSERT_EQ(pipe(to_parent), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // Exit codes name the first check that failed.
        const Fd other = open_seed();
        if (!other)
            _exit(10);
        drm_prime_handle imp{};
        imp.fd = dmabuf.get();
        imp.flags = DRM_CLOEXEC | DRM_RDWR;
        if (seed_ioctl(other.get(), DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) != 0)
            _exit(11);
        pollfd pfd{dmabuf.get(), POLLIN, 0};
        if (poll(&pfd, 1, kQuietMs) != 0)
            _exit(12); // readable while the writer has not run
        pfd = {dmabuf.get(), POLLOUT, 0};
        if (poll(&pfd, 1, 0) != 0)
            _exit(13);
        dma_buf_export_sync_file exp{};
        exp.flags = DMA_BUF_SYNC_READ;
        exp.fd = -1;
        if (ioctl(dmabuf.get(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp) != 0)
            _exit(14);
        const Fd sync_file{exp.fd};
        sync_file_info info{};
        if (ioctl(sync_file.get(), SYNC_IOC_FILE_INFO, &info) != 0 || info.status != 0)
            _exit(15); // the sync file must hold the pending job
        drm_seed_bo_info bi{};
        bi.handle = imp.handle;
        if (seed_ioctl(other.get(), DRM_IOCTL_SEED_BO_INFO, &bi) != 0)
            _exit(16);
        void* map = mmap(nullptr, bi.size, PROT_READ, MAP_SHARED, other.get(),
                         static_cast<off_t>(bi.mmap_offset));
        if (map == MAP_FAILED)
            _exit(17);
        const auto* words = static_cast<const std::uint64_t*>(map);
        if (words[0] != 0)
            _exit(18);
        char c = 1;
        if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
            _exit(19);
        pfd = {dmabuf.get(), POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(kJobWaitNs / 1'000'000)) != 1 || !(pfd.revents & POLLIN))
            _exit(20);
        pollfd sfd{sync_file.get(), POLLIN, 0};
        if (poll(&sfd, 1, 0) != 1)
            _exit(21); // the sync file signals with the buffer
        for (std::uint64_t i = 0; i < bi.size / 8; i++) {
            if (words[i] != kPattern)
                _exit(22); // signalled before the data was there
        }
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    char c = 0;
    const bool ready = read(to_parent[0], &c, 1) == 1;
    EXPECT_EQ(job_state(q, seq), DRM_SEED_JOB_PENDING);
    open_gate(gate_);
    EXPECT_EQ(write(to_child[1], &c, 1), 1);
    close(to_child[1]);
    close(to_parent[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(ready);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "importer failed check " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    expect_job_ok(q, seq);
    EXPECT_TRUE(all_equal(data, kPattern));
}

// Read after write and write after read between two queues, with no
// syncobj between them: the BO lists alone order the jobs.
TEST_F(DriverImplicitSync, QueuesOrderByBoLists) {
    Queue qa, qb;
    ASSERT_EQ(create_queue(qa, fd()), 0);
    ASSERT_EQ(create_queue(qb, fd()), 0);
    Bo x, y, cmd2;
    ASSERT_EQ(create_bo(x, fd(), 16 * 1024, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(y, fd(), 16 * 1024, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(cmd2, fd(), 4096, DRM_SEED_BO_HOST), 0);

    // Queue A writes x (held at the gate); queue B copies x to y.
    const std::uint64_t off = gated_fill(0, x, kPattern);
    put_copy(cmd2, 0, x.va, y.va, x.size);
    std::uint64_t writer = 0, reader = 0;
    ASSERT_EQ(submit_bos(qa, cmd_, 2, off, {bo_entry(x, true)}, &writer), 0);
    ASSERT_EQ(submit_bos(qb, cmd2, 1, 0, {bo_entry(x, false), bo_entry(y, true)}, &reader), 0);

    // Queue A then overwrites x: it must wait for queue B's read.
    put_fill(cmd_, 2, x.va, x.size, kPattern2);
    std::uint64_t overwrite = 0;
    ASSERT_EQ(submit_bos(qa, cmd_, 1, 2 * SEED_PKT_SIZE, {bo_entry(x, true)}, &overwrite), 0);

    usleep(kQuietMs * 1000);
    EXPECT_EQ(job_state(qb, reader), DRM_SEED_JOB_PENDING) << "the reader did not wait";
    EXPECT_EQ(y.ptr<std::uint64_t>()[0], 0u);
    open_gate(gate_);
    expect_job_ok(qa, writer);
    expect_job_ok(qb, reader);
    expect_job_ok(qa, overwrite);
    EXPECT_TRUE(all_equal(y, kPattern)) << "the reader saw x before or after the writers";
    EXPECT_TRUE(all_equal(x, kPattern2));

    // Write after read on its own: queue B reads x behind the gate, then
    // queue A's write waits for it.
    std::atomic_ref<std::uint64_t>(*gate_.ptr<std::uint64_t>()).store(0);
    put_wait(cmd2, 1, gate_.va, 1, kGateTimeoutUs);
    put_copy(cmd2, 2, x.va, y.va, x.size);
    ASSERT_EQ(
        submit_bos(qb, cmd2, 2, SEED_PKT_SIZE, {bo_entry(x, false), bo_entry(y, true)}, &reader),
        0);
    put_fill(cmd_, 3, x.va, x.size, kPattern);
    ASSERT_EQ(submit_bos(qa, cmd_, 1, 3 * SEED_PKT_SIZE, {bo_entry(x, true)}, &writer), 0);
    usleep(kQuietMs * 1000);
    EXPECT_EQ(job_state(qa, writer), DRM_SEED_JOB_PENDING) << "the writer did not wait";
    EXPECT_TRUE(all_equal(x, kPattern2));
    open_gate(gate_);
    expect_job_ok(qb, reader);
    expect_job_ok(qa, writer);
    EXPECT_TRUE(all_equal(y, kPattern2));
    EXPECT_TRUE(all_equal(x, kPattern));
}

// The control: without BO lists the same two jobs are not ordered, so the
// test above sees the lists at work, not some other serialisation.
TEST_F(DriverImplicitSync, WithoutListsQueuesDoNotWait) {
    Queue qa, qb;
    ASSERT_EQ(create_queue(qa, fd()), 0);
    ASSERT_EQ(create_queue(qb, fd()), 0);
    Bo x, y, cmd2;
    ASSERT_EQ(create_bo(x, fd(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(y, fd(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(cmd2, fd(), 4096, DRM_SEED_BO_HOST), 0);
    const std::uint64_t off = gated_fill(0, x, kPattern);
    put_copy(cmd2, 0, x.va, y.va, x.size);
    std::uint64_t writer = 0, reader = 0;
    ASSERT_EQ(submit_bos(qa, cmd_, 2, off, {}, &writer), 0);
    ASSERT_EQ(submit_bos(qb, cmd2, 1, 0, {}, &reader), 0);
    expect_job_ok(qb, reader);
    EXPECT_EQ(job_state(qa, writer), DRM_SEED_JOB_PENDING);
    EXPECT_TRUE(all_equal(y, 0));
    open_gate(gate_);
    expect_job_ok(qa, writer);
}

// Bad lists fail with the documented errors, change nothing, and leave the
// queue usable; duplicates merge (write wins).
TEST_F(DriverImplicitSync, InvalidListsFailCleanly) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo data;
    ASSERT_EQ(create_bo(data, fd(), 4096, DRM_SEED_BO_HOST), 0);
    put_fill(cmd_, 0, data.va, data.size, kPattern);

    const auto expect_err = [&](std::vector<drm_seed_submit_bo> bos, int want, const char* what,
                                std::uint32_t count_override = 0, std::uint64_t ptr = 0,
                                std::uint32_t pad = 0) {
        drm_seed_submit s = make_submit(q, cmd_, 1, 0, bos);
        if (count_override != 0)
            s.bo_count = count_override;
        if (ptr != 0)
            s.bos = ptr;
        s.pad = pad;
        EXPECT_EQ(seed_ioctl(fd(), DRM_IOCTL_SEED_SUBMIT, &s), want) << what;
    };
    auto good = bo_entry(data, true);
    auto bad = good;
    bad.handle = 0x7fffffff;
    expect_err({good, bad}, ENOENT, "unknown handle");
    bad = good;
    bad.flags = 1u << 1;
    expect_err({bad}, EINVAL, "unknown flag");
    bad = good;
    bad.flags = 1u << 31;
    expect_err({bad}, EINVAL, "unknown high flag");
    bad = good;
    bad.reserved = 1;
    expect_err({good, bad}, EINVAL, "reserved");
    expect_err({good}, EINVAL, "pad", 0, 0, 1);
    std::vector<drm_seed_submit_bo> many(DRM_SEED_MAX_SUBMIT_BOS + 1, good);
    expect_err(many, EINVAL, "too many");
    expect_err({good}, EFAULT, "bad pointer", 4, 8);
    void* hole = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(hole, MAP_FAILED);
    expect_err({good}, EFAULT, "unreadable page", 1, reinterpret_cast<std::uintptr_t>(hole));
    munmap(hole, 4096);
    int err = 0;
    job_status(fd(), q.id, 1, &err);
    EXPECT_EQ(err, EINVAL) << "a failed SUBMIT issued a seq";
    EXPECT_TRUE(all_equal(data, 0));

    // The largest list, all one BO, read and written: one lock, one fence.
    std::vector<drm_seed_submit_bo> dups(DRM_SEED_MAX_SUBMIT_BOS, bo_entry(data, false));
    dups[DRM_SEED_MAX_SUBMIT_BOS / 2] = good;
    std::uint64_t seq = 0;
    ASSERT_EQ(submit_bos(q, cmd_, 1, 0, dups, &seq), 0);
    EXPECT_EQ(seq, 1u);
    expect_job_ok(q, seq);
    EXPECT_TRUE(all_equal(data, kPattern));

    // The write was recorded: the dma-buf is idle only after the job.
    drm_prime_handle prime{};
    prime.handle = data.handle;
    prime.flags = DRM_CLOEXEC | DRM_RDWR;
    ASSERT_EQ(seed_ioctl(fd(), DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime), 0);
    const Fd dmabuf{prime.fd};
    dma_buf_export_sync_file exp{};
    exp.flags = DMA_BUF_SYNC_READ;
    ASSERT_EQ(ioctl(dmabuf.get(), DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp), 0);
    const Fd sync_file{exp.fd};
    sync_file_info info{};
    ASSERT_EQ(ioctl(sync_file.get(), SYNC_IOC_FILE_INFO, &info), 0);
    EXPECT_EQ(info.status, 1);
}

// Binaries built before the BO list pass the 56-byte structure, by ioctl and
// by io_uring (whose command area then holds anything past it).
TEST_F(DriverImplicitSync, OldSizeSubmitStillWorks) {
    Queue q;
    ASSERT_EQ(create_queue(q, fd()), 0);
    Bo data;
    ASSERT_EQ(create_bo(data, fd(), 4096, DRM_SEED_BO_HOST), 0);
    put_fill(cmd_, 0, data.va, data.size, kPattern);

    struct {
        drm_seed_submit s;
        std::uint8_t guard[8];
    } old{};
    old.s.queue_id = q.id;
    old.s.cmd_handle = cmd_.handle;
    old.s.cmd_count = 1;
    // What an old binary has past its structure is not the kernel's to read.
    old.s.bos = 8;
    old.s.bo_count = 1;
    old.s.pad = 0xffffffff;
    ASSERT_EQ(seed_ioctl(fd(), kIoctlSubmitV1, &old.s), 0);
    EXPECT_EQ(old.s.seq, 1u);
    expect_job_ok(q, 1);
    EXPECT_TRUE(all_equal(data, kPattern));

    Uring ring(IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (!ring.ok())
        GTEST_SKIP() << "io_uring unavailable";
    std::int32_t res = -1;
    std::uint64_t seq = 0;
    // The whole 80-byte area, with garbage past the old structure.
    std::uint8_t area[80];
    std::memset(area, 0xa5, sizeof(area));
    old.s.seq = 0;
    std::memcpy(area, &old.s, kSubmitSizeV1);
    ASSERT_TRUE(
        ring.cmd(fd(), static_cast<std::uint32_t>(kIoctlSubmitV1), area, sizeof(area), &res, &seq));
    EXPECT_EQ(res, 0);
    EXPECT_EQ(seq, 2u);
    expect_job_ok(q, 2);

    // The current size through io_uring reads the list, and checks it.
    Bo out;
    ASSERT_EQ(create_bo(out, fd(), 4096, DRM_SEED_BO_HOST), 0);
    put_fill(cmd_, 1, out.va, out.size, kPattern2);
    std::vector<drm_seed_submit_bo> bos = {bo_entry(out, true)};
    drm_seed_submit s = make_submit(q, cmd_, 1, SEED_PKT_SIZE, bos);
    s.pad = 1;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &seq));
    EXPECT_EQ(res, -EINVAL);
    s.pad = 0;
    bos[0].reserved = 1;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &seq));
    EXPECT_EQ(res, -EINVAL);
    bos[0].reserved = 0;
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &seq));
    EXPECT_EQ(res, 0);
    EXPECT_EQ(seq, 3u);
    expect_job_ok(q, 3);
    EXPECT_TRUE(all_equal(out, kPattern2));
}

// io_uring submissions with lists order like the ioctl's: a writer held at
// the gate keeps an io_uring reader of the same BO on another queue waiting.
TEST_F(DriverImplicitSync, IoUringSubmitOrdersByBoLists) {
    Uring ring(IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (!ring.ok())
        GTEST_SKIP() << "io_uring unavailable";
    Queue qa, qb;
    ASSERT_EQ(create_queue(qa, fd()), 0);
    ASSERT_EQ(create_queue(qb, fd()), 0);
    Bo x, y, cmd2;
    ASSERT_EQ(create_bo(x, fd(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(y, fd(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(cmd2, fd(), 4096, DRM_SEED_BO_HOST), 0);
    const std::uint64_t off = gated_fill(0, x, kPattern);
    put_copy(cmd2, 0, x.va, y.va, x.size);

    std::int32_t res = -1;
    std::uint64_t writer = 0, reader = 0;
    const std::vector<drm_seed_submit_bo> wbos = {bo_entry(x, true)};
    drm_seed_submit s = make_submit(qa, cmd_, 2, off, wbos);
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &writer));
    ASSERT_EQ(res, 0);
    const std::vector<drm_seed_submit_bo> rbos = {bo_entry(x, false), bo_entry(y, true)};
    s = make_submit(qb, cmd2, 1, 0, rbos);
    ASSERT_TRUE(ring.cmd(fd(), DRM_IOCTL_SEED_SUBMIT, &s, sizeof(s), &res, &reader));
    ASSERT_EQ(res, 0);
    usleep(kQuietMs * 1000);
    EXPECT_EQ(job_state(qb, reader), DRM_SEED_JOB_PENDING);
    open_gate(gate_);
    expect_job_ok(qa, writer);
    expect_job_ok(qb, reader);
    EXPECT_TRUE(all_equal(y, kPattern));
}

} // namespace
