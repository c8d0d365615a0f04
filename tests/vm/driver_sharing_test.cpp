// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of how seed.ko shares one chip among many clients: open files
// and queues bounded by memory, not by the chip's 64 hardware queues and
// contexts (contexts are bound on demand, queues multiplexed on a few rings
// per priority), fairness between queues of one priority, the per-file
// limits, races on queue ids, and a killed client whose jobs were still
// running. Everything runs through the real driver and device model;
// debugfs shows what the driver holds afterwards.

#include "debugfs.hpp"
#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using seed::vm::Bo;
using seed::vm::create_bo;
using seed::vm::create_queue;
using seed::vm::debug_kernel;
using seed::vm::Fd;
using seed::vm::put_fill;
using seed::vm::put_nop;
using seed::vm::Queue;
using seed::vm::seed_ioctl;
using seed::vm::Submit;
using seed::vm::submit;
using seed::vm::wait_point;

constexpr const char* kParams = "/sys/module/seed/parameters/";

unsigned read_param(const std::string& name) {
    std::ifstream in(kParams + name);
    unsigned v = 0;
    in >> v;
    return v;
}

/// Sets a writable module parameter for the scope of the object.
class ParamOverride {
public:
    ParamOverride(std::string name, unsigned value) : name_(std::move(name)) {
        old_ = read_param(name_);
        std::ofstream(kParams + name_) << value;
    }
    ~ParamOverride() { std::ofstream(kParams + name_) << old_; }
    ParamOverride(const ParamOverride&) = delete;
    ParamOverride& operator=(const ParamOverride&) = delete;

private:
    std::string name_;
    unsigned old_ = 0;
};

/// Runs @p fn in a child process; its return value is the exit status.
pid_t spawn(const std::function<int()>& fn) {
    const pid_t pid = fork();
    if (pid == 0) {
        int rc = 1;
        try {
            rc = fn();
        } catch (...) {
        }
        _exit(rc);
    }
    return pid;
}

int reap(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * One client's verified work, outside GoogleTest (for child processes):
 * @p queues queues, each filling its own 4 KiB of a host BO with its own
 * pattern and copying it to a second BO; 0 when every byte is right.
 */
int client_work(int fd, unsigned queues, std::uint64_t salt) {
    drm_seed_bo_create src{}, dst{}, cmd{};
    src.size = dst.size = 4096ull * queues;
    cmd.size = 2ull * SEED_PKT_SIZE * queues;
    src.placement = DRM_SEED_BO_HBM;
    dst.placement = cmd.placement = DRM_SEED_BO_HOST;
    if (seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &src) ||
        seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &dst) ||
        seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &cmd))
        return 10;
    auto map = [fd](const drm_seed_bo_create& bo) -> void* {
        drm_seed_bo_info info{};
        info.handle = bo.handle;
        if (seed_ioctl(fd, DRM_IOCTL_SEED_BO_INFO, &info))
            return nullptr;
        void* p = mmap(nullptr, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                       static_cast<off_t>(info.mmap_offset));
        return p == MAP_FAILED ? nullptr : p;
    };
    auto* out = static_cast<std::uint64_t*>(map(dst));
    auto* pkts = static_cast<std::uint8_t*>(map(cmd));
    if (!out || !pkts)
        return 11;

    std::vector<drm_seed_queue_create> qs(queues);
    std::vector<std::uint64_t> seqs(queues);
    for (unsigned i = 0; i < queues; i++) {
        if (seed_ioctl(fd, DRM_IOCTL_SEED_QUEUE_CREATE, &qs[i]))
            return 12;
        // Two packets per queue at slot 2i: FILL HBM, COPY to the host BO.
        auto* fill = reinterpret_cast<seed_pkt_fill*>(pkts + 2 * i * SEED_PKT_SIZE);
        *fill = {};
        fill->hdr.opcode = SEED_OP_FILL;
        fill->dst = src.device_va + 4096ull * i;
        fill->size = 4096;
        fill->pattern = salt * 1000 + i;
        fill->pattern_bytes = 8;
        auto* copy = reinterpret_cast<seed_pkt_copy*>(pkts + (2 * i + 1) * SEED_PKT_SIZE);
        *copy = {};
        copy->hdr.opcode = SEED_OP_COPY;
        copy->src = src.device_va + 4096ull * i;
        copy->dst = dst.device_va + 4096ull * i;
        copy->width = 4096;
        copy->height = 1;
    }
    for (unsigned i = 0; i < queues; i++) {
        drm_seed_submit s{};
        s.queue_id = qs[i].queue_id;
        s.cmd_handle = cmd.handle;
        s.cmd_count = 2;
        s.cmd_offset = 2ull * i * SEED_PKT_SIZE;
        if (seed_ioctl(fd, DRM_IOCTL_SEED_SUBMIT, &s))
            return 13;
        seqs[i] = s.seq;
    }
    for (unsigned i = 0; i < queues; i++) {
        if (wait_point(fd, qs[i].syncobj, seqs[i]))
            return 14;
        drm_seed_job_status st{};
        st.queue_id = qs[i].queue_id;
        st.seq = seqs[i];
        if (seed_ioctl(fd, DRM_IOCTL_SEED_JOB_STATUS, &st) || st.error != DRM_SEED_JOB_OK)
            return 15;
    }
    int rc = 0;
    for (unsigned i = 0; i < queues && !rc; i++)
        for (unsigned w = 0; w < 512 && !rc; w++)
            if (out[i * 512 + w] != salt * 1000 + i)
                rc = 16;
    munmap(out, dst.size);
    munmap(pkts, cmd.size);
    return rc;
}

class DriverSharing : public ::testing::Test {
protected:
    void SetUp() override {
        const auto nodes = seed::vm::seed_nodes();
        if (nodes.empty())
            GTEST_SKIP() << "no SeedChip device";
        node_ = nodes[0];
        fd_ = Fd(::open(node_.c_str(), O_RDWR | O_CLOEXEC));
        ASSERT_TRUE(fd_);
        dir_ = seed::vm::debugfs_dir(node_);
        ASSERT_FALSE(dir_.empty()) << "no debugfs directory for " << node_;
    }
    int fd() const { return fd_.get(); }
    Fd open_node() const { return Fd(::open(node_.c_str(), O_RDWR | O_CLOEXEC)); }

    /// Waits until no user queue is left on any ring and nothing is in
    /// flight; false (with the rings printed) after @p seconds.
    bool rings_idle(int seconds = 30) {
        std::vector<seed::vm::DebugfsRing> rings;
        for (int i = 0; i < seconds * 10; i++) {
            rings = seed::vm::debugfs_rings(dir_);
            bool idle = !rings.empty();
            for (const auto& r : rings)
                idle = idle && r.nqueues == 0 && r.inflight == 0 && r.state == "running";
            if (idle)
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        for (const auto& r : rings)
            ADD_FAILURE() << r.role << " ring " << r.hwq << ": " << r.nqueues << " queues, "
                          << r.inflight << " in flight, " << r.state;
        return false;
    }

    std::string node_;
    std::string dir_;
    Fd fd_;
};

// Issue: a client could leak every hardware queue by destroying the queue id
// that QUEUE_CREATE was about to hand out, while submitting to it. Creating,
// destroying and submitting race on one file; afterwards nothing is held.
TEST_F(DriverSharing, QueueIdRacesLeaveNothingBehind) {
    std::optional<Fd> f(open_node());
    ASSERT_TRUE(*f);
    std::optional<Bo> cmd(std::in_place);
    ASSERT_EQ(create_bo(*cmd, f->get(), 4096, DRM_SEED_BO_HOST), 0);
    put_nop(*cmd, 0);

    std::atomic<bool> stop{false};
    std::atomic<std::uint32_t> last{0};
    std::atomic<unsigned> created{0}, destroyed{0}, submitted{0};
    std::thread creator([&] {
        std::vector<std::uint32_t> mine;
        while (!stop) {
            drm_seed_queue_create c{};
            if (seed_ioctl(f->get(), DRM_IOCTL_SEED_QUEUE_CREATE, &c) == 0) {
                last = c.queue_id;
                created++;
                mine.push_back(c.queue_id);
                drmSyncobjDestroy(f->get(), c.syncobj);
            }
            if (mine.size() > 32) {
                drm_seed_queue_destroy d{};
                d.queue_id = mine.front();
                seed_ioctl(f->get(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d);
                mine.erase(mine.begin());
            }
        }
    });
    auto destroyer = [&] {
        while (!stop) {
            drm_seed_queue_destroy d{};
            d.queue_id = last + 1;
            if (seed_ioctl(f->get(), DRM_IOCTL_SEED_QUEUE_DESTROY, &d) == 0)
                destroyed++;
        }
    };
    std::thread d1(destroyer), d2(destroyer);
    std::thread submitter([&] {
        while (!stop) {
            const Submit s = submit(f->get(), last + 1, *cmd, 1);
            if (s.err == 0)
                submitted++;
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(8));
    stop = true;
    creator.join();
    d1.join();
    d2.join();
    submitter.join();
    std::printf("[          ] %u queues created, %u destroyed by the racing threads, %u jobs "
                "submitted to them\n",
                created.load(), destroyed.load(), submitted.load());
    EXPECT_GT(created.load(), 20u);
    EXPECT_GT(destroyed.load(), 0u) << "the race never hit a fresh queue";

    cmd.reset();
    f.reset();
    EXPECT_TRUE(rings_idle());
    // The chip is as usable as before, for another client.
    EXPECT_EQ(client_work(fd(), 8, 7), 0);
}

// One process holding 80 open files, each with a BO, does not keep anyone
// from opening the chip; all 80 run work (more contexts than the chip has).
TEST_F(DriverSharing, ManyOpenFilesBlockNobody) {
    std::vector<Fd> files;
    for (int i = 0; i < 80; i++) {
        files.push_back(open_node());
        ASSERT_TRUE(files.back()) << "open " << i << ": " << strerror(errno);
        drm_seed_bo_create c{};
        c.size = 4096;
        c.placement = DRM_SEED_BO_HBM;
        ASSERT_EQ(seed_ioctl(files.back().get(), DRM_IOCTL_SEED_BO_CREATE, &c), 0) << i;
    }
    // Another process opens the chip and computes.
    const pid_t other = spawn([this] {
        Fd g(::open(node_.c_str(), O_RDWR | O_CLOEXEC));
        return g ? client_work(g.get(), 2, 3) : 20;
    });
    EXPECT_EQ(reap(other), 0);
    // Every holder works too: 80 clients, more than the chip's contexts.
    for (size_t i = 0; i < files.size(); i++)
        ASSERT_EQ(client_work(files[i].get(), 1, 100 + i), 0) << "file " << i;
}

// 1000 queues in one process, each running verified work.
TEST_F(DriverSharing, ThousandQueuesInOneProcess) {
    EXPECT_EQ(client_work(fd(), 1000, 11), 0);
    fd_.reset();
    EXPECT_TRUE(rings_idle());
}

// 200 processes, each with its own open file and 4 queues, at once (100 on
// the debug kernel, whose every job takes about three times as long: 200
// there took minutes on a busy host, and jobs waited past their deadline).
TEST_F(DriverSharing, TwoHundredProcessesAtOnce) {
    const int kProcs = debug_kernel() ? 100 : 200;
    std::vector<pid_t> pids;
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    for (int p = 0; p < kProcs; p++) {
        pids.push_back(spawn([&, p] {
            ::close(gate[1]);
            Fd g(::open(node_.c_str(), O_RDWR | O_CLOEXEC));
            if (!g)
                return 30;
            char c;
            // Everyone starts together once all are open.
            if (::read(gate[0], &c, 1) != 0)
                return 31;
            return client_work(g.get(), 4, 1000 + p);
        }));
        ASSERT_GT(pids.back(), 0);
    }
    ::close(gate[0]);
    ::close(gate[1]);
    int failed = 0;
    for (int p = 0; p < kProcs; p++) {
        const int rc = reap(pids[p]);
        if (rc != 0 && failed++ < 5)
            ADD_FAILURE() << "process " << p << " exited " << rc;
    }
    EXPECT_EQ(failed, 0);
    EXPECT_TRUE(rings_idle());
}

// A queue with a long backlog does not starve another queue of the same
// priority on the same ring: the other's jobs finish while the flooder
// still has most of its backlog left, and the flooder keeps progressing.
TEST_F(DriverSharing, FloodingQueueDoesNotStarveAnother) {
    const unsigned rings = read_param("rings_per_priority");
    const unsigned depth = read_param("queue_depth");
    ASSERT_GT(rings, 0u);
    constexpr unsigned kFlood = 200; // per flooding queue
    constexpr unsigned kVictim = 20; // 10x fewer

    Fd a = open_node(), b = open_node();
    ASSERT_TRUE(a && b);
    // The flooder takes every ring of its priority, so the victim shares one.
    std::vector<Queue> flood(rings);
    for (auto& q : flood)
        ASSERT_EQ(create_queue(q, a.get()), 0);
    Queue victim;
    ASSERT_EQ(create_queue(victim, b.get()), 0);

    // Jobs that keep an engine busy a while: 8 MiB fills of HBM. Each
    // flooding queue's first job waits on a flag in host memory first (a
    // gate): the whole backlog, and the victim's jobs, are queued before
    // any of it runs, however slowly the guest submits.
    Bo a_cmd, a_gate, a_flag, a_dst, b_cmd, b_dst;
    ASSERT_EQ(create_bo(a_cmd, a.get(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(a_gate, a.get(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(a_flag, a.get(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(a_dst, a.get(), 8 << 20, DRM_SEED_BO_HBM), 0);
    ASSERT_EQ(create_bo(b_cmd, b.get(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(create_bo(b_dst, b.get(), 8 << 20, DRM_SEED_BO_HBM), 0);
    put_fill(a_cmd, 0, a_dst.va, 8 << 20, 1);
    put_wait(a_gate, 0, a_flag.va, 1, 0);
    put_fill(a_gate, 1, a_dst.va, 8 << 20, 1);
    put_fill(b_cmd, 0, b_dst.va, 8 << 20, 2);
    auto open_gate = [&] { __atomic_store_n(a_flag.ptr<std::uint64_t>(), 1, __ATOMIC_RELEASE); };
    struct Opener {
        decltype(open_gate)& open;
        ~Opener() { open(); } // whatever fails, nothing stays blocked
    } opener{open_gate};

    // The backlog must outlast the submissions, however slow the guest
    // kernel (the debug one submits far slower than the device fills):
    // the engines are slowed so that one fill takes about 20 ms.
    ASSERT_TRUE(seed::vm::Control::available(0)) << "needs seed-vm's fault-injection channel";
    seed::vm::Control ctl(0);
    {
        Bo probe;
        ASSERT_EQ(create_bo(probe, b.get(), 4096, DRM_SEED_BO_HOST), 0);
        put_timestamp(probe, 0, probe.va + 2048);
        put_fill(probe, 1, b_dst.va, 8 << 20, 3);
        put_timestamp(probe, 2, probe.va + 2056);
        const Submit s = submit(b.get(), victim.id, probe, 3);
        ASSERT_EQ(s.err, 0);
        ASSERT_EQ(wait_point(b.get(), victim.syncobj, s.seq), 0);
        const auto* t = probe.ptr<std::uint64_t>(2048);
        const std::int64_t native =
            std::max<std::int64_t>(static_cast<std::int64_t>(t[1] - t[0]), 1000);
        const std::int64_t factor = std::clamp<std::int64_t>(20'000'000 / native, 1, 1000);
        ASSERT_EQ(ctl.command("slow all " + std::to_string(factor)), "ok");
    }
    struct Restore {
        seed::vm::Control& ctl;
        ~Restore() { ctl.command("slow all 1"); }
    } restore{ctl};

    for (auto& q : flood)
        ASSERT_EQ(submit(a.get(), q.id, a_gate, 2).err, 0);
    for (unsigned i = 1; i < kFlood; i++)
        for (auto& q : flood)
            ASSERT_EQ(submit(a.get(), q.id, a_cmd, 1).err, 0);
    // How far each flooding queue got, now and once the victim is done.
    auto progress = [&] {
        std::vector<unsigned> done;
        for (auto& q : flood) {
            std::uint64_t point = 0;
            EXPECT_EQ(drmSyncobjQuery(a.get(), &q.syncobj, &point, 1), 0);
            done.push_back(static_cast<unsigned>(point));
        }
        return done;
    };
    const std::vector<unsigned> before = progress();
    std::uint64_t last = 0;
    for (unsigned i = 0; i < kVictim; i++) {
        const Submit s = submit(b.get(), victim.id, b_cmd, 1);
        ASSERT_EQ(s.err, 0);
        last = s.seq;
    }
    for (unsigned done : before)
        ASSERT_EQ(done, 0u) << "a flooding job ran before the gate opened";
    open_gate();
    ASSERT_EQ(wait_point(b.get(), victim.syncobj, last), 0);
    const std::vector<unsigned> after = progress();

    // The flooding queue that shares the victim's ring is the one that
    // advanced least meanwhile: it had to share.
    unsigned shared = kFlood, left = 0;
    for (size_t i = 0; i < flood.size(); i++) {
        if (after[i] - before[i] < shared) {
            shared = after[i] - before[i];
            left = kFlood - before[i];
        }
    }
    std::printf("[          ] while the victim ran its %u jobs, the flooding queue on its ring ran "
                "%u of the %u it still had (queue_depth %u, %u rings)\n",
                kVictim, shared, left, depth, rings);
    // Bound: at most queue_depth jobs ahead of the victim's first, then the
    // ring alternates between the two queues.
    EXPECT_LE(shared, depth + 2 * kVictim) << "the victim waited behind the flooder's backlog";
    EXPECT_GT(shared, 0u) << "the flooder made no progress while the victim ran";
    for (auto& q : flood)
        EXPECT_EQ(wait_point(a.get(), q.syncobj, kFlood), 0);
}

// The limits that remain are module parameters and fail with EDQUOT.
TEST_F(DriverSharing, PerFileLimitsFailClearly) {
    {
        ParamOverride limit("max_queues_per_file", 8);
        Fd f = open_node();
        std::vector<std::optional<Queue>> qs(9);
        for (unsigned i = 0; i < 9; i++)
            qs[i].emplace();
        for (unsigned i = 0; i < 8; i++)
            ASSERT_EQ(create_queue(*qs[i], f.get()), 0) << i;
        EXPECT_EQ(create_queue(*qs[8], f.get()), EDQUOT);
        // Other files have their own allowance.
        Queue other;
        EXPECT_EQ(create_queue(other, fd()), 0);
        // A destroyed queue frees its place.
        qs[0].emplace();
        EXPECT_EQ(create_queue(*qs[0], f.get()), 0);
    }
    {
        ParamOverride limit("max_hbm_per_file_mb", 4);
        Fd f = open_node();
        drm_seed_bo_create c{};
        c.size = 4 << 20;
        c.placement = DRM_SEED_BO_HBM;
        ASSERT_EQ(seed_ioctl(f.get(), DRM_IOCTL_SEED_BO_CREATE, &c), 0);
        drm_seed_bo_create more{};
        more.size = 4096;
        more.placement = DRM_SEED_BO_HBM;
        EXPECT_EQ(seed_ioctl(f.get(), DRM_IOCTL_SEED_BO_CREATE, &more), EDQUOT);
        // Host memory is not limited by it.
        more.placement = DRM_SEED_BO_HOST;
        EXPECT_EQ(seed_ioctl(f.get(), DRM_IOCTL_SEED_BO_CREATE, &more), 0);
        // Freeing gives the allowance back.
        drm_gem_close close_arg{};
        close_arg.handle = c.handle;
        ASSERT_EQ(seed_ioctl(f.get(), DRM_IOCTL_GEM_CLOSE, &close_arg), 0);
        more.placement = DRM_SEED_BO_HBM;
        EXPECT_EQ(seed_ioctl(f.get(), DRM_IOCTL_SEED_BO_CREATE, &more), 0);
    }
}

// A client killed with jobs still running on the device: its queues stop
// before its buffers are unmapped, so none of its jobs faults.
TEST_F(DriverSharing, KilledClientWithJobsInFlightFaultsNothing) {
    const auto faults_before = seed::vm::debugfs_event_counter(dir_, "mmu_faults");
    ASSERT_TRUE(faults_before.has_value());
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = spawn([&] {
        ::close(ready[0]);
        Fd g(::open(node_.c_str(), O_RDWR | O_CLOEXEC));
        drm_seed_bo_create dst{}, cmd{};
        dst.size = 32 << 20;
        dst.placement = DRM_SEED_BO_HBM;
        cmd.size = 4096;
        cmd.placement = DRM_SEED_BO_HOST;
        if (!g || seed_ioctl(g.get(), DRM_IOCTL_SEED_BO_CREATE, &dst) ||
            seed_ioctl(g.get(), DRM_IOCTL_SEED_BO_CREATE, &cmd))
            return 40;
        drm_seed_bo_info info{};
        info.handle = cmd.handle;
        if (seed_ioctl(g.get(), DRM_IOCTL_SEED_BO_INFO, &info))
            return 41;
        auto* fill =
            static_cast<seed_pkt_fill*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
                                             g.get(), static_cast<off_t>(info.mmap_offset)));
        if (fill == MAP_FAILED)
            return 42;
        *fill = {};
        fill->hdr.opcode = SEED_OP_FILL;
        fill->dst = dst.device_va;
        fill->size = dst.size;
        fill->pattern_bytes = 8;
        drm_seed_queue_create q{};
        if (seed_ioctl(g.get(), DRM_IOCTL_SEED_QUEUE_CREATE, &q))
            return 43;
        for (int i = 0; i < 256; i++) {
            drm_seed_submit s{};
            s.queue_id = q.queue_id;
            s.cmd_handle = cmd.handle;
            s.cmd_count = 1;
            if (seed_ioctl(g.get(), DRM_IOCTL_SEED_SUBMIT, &s))
                return 44;
        }
        if (::write(ready[1], "r", 1) != 1)
            return 45;
        pause();
        return 46;
    });
    ::close(ready[1]);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    EXPECT_EQ(reap(child), 128 + SIGKILL);
    EXPECT_TRUE(rings_idle());
    EXPECT_EQ(seed::vm::debugfs_event_counter(dir_, "mmu_faults"), faults_before)
        << "jobs of the killed client faulted on its unmapped buffers";
}

} // namespace
