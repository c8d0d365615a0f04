// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of libseed's execution API: command lists (every packet kind),
// queues, fences (wait, poll, wait_all, wait_any, sync files, cross-queue
// dependencies), convenience operations, events (and that they let their
// Device's file close), batched submission through
// io_uring and its ioctl fallback, and buffers released while a job runs.
#include "libseed_fixture.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

namespace {

using namespace std::chrono_literals;

class LibseedQueue : public seed::vm::LibseedQueueTest {
protected:
    seed::Buffer host(std::uint64_t size) { return {*dev_, size, seed::Placement::host}; }
    seed::Buffer hbm(std::uint64_t size) { return {*dev_, size, seed::Placement::device}; }

    /// Host store of a semaphore value the device WAITs on.
    static void host_signal(const seed::Buffer& sem, std::uint64_t value) {
        std::atomic_ref<std::uint64_t>(sem.span<std::uint64_t>()[0])
            .store(value, std::memory_order_release);
    }
};

TEST_F(LibseedQueue, FillCopyRoundTripThroughHbm) {
    auto d = hbm(8192);
    auto out = host(8192);
    seed::CommandList list(*dev_);
    list.fill(d, 8192, 0xdeadbeef, 4).copy(out, d, 8192);
    EXPECT_EQ(list.packet_count(), 2u);
    q_->submit(list).wait();
    for (std::uint32_t w : out.span<std::uint32_t>())
        ASSERT_EQ(w, 0xdeadbeefu);
}

TEST_F(LibseedQueue, UploadDownload) {
    std::vector<std::uint32_t> data(3000);
    std::iota(data.begin(), data.end(), 1u);
    auto d = hbm(data.size() * 4);
    q_->upload(d, std::span<const std::uint32_t>(data)).wait();
    std::vector<std::uint32_t> back(data.size());
    q_->download(std::span<std::uint32_t>(back), d);
    EXPECT_EQ(back, data);
}

TEST_F(LibseedQueue, Copy2DAndConvenienceOps) {
    auto src = host(4096);
    auto dst = host(4096);
    auto s = src.span<std::uint8_t>();
    for (std::size_t i = 0; i < 256; ++i)
        s[i] = static_cast<std::uint8_t>(i);
    seed::CommandList list(*dev_);
    // 4 rows of 8 bytes, source rows 16 apart, destination rows 32 apart.
    list.copy_2d(dst, 32, src, 16, 8, 4);
    q_->submit(list).wait();
    auto d = dst.span<std::uint8_t>();
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t i = 0; i < 8; ++i)
            ASSERT_EQ(d[r * 32 + i], s[r * 16 + i]);
    EXPECT_EQ(d[8], 0);
    q_->fill(dst, 4096, 0x01020304u).wait();
    EXPECT_EQ(dst.span<std::uint32_t>()[1023], 0x01020304u);
    q_->copy(dst, src).wait();
    EXPECT_EQ(dst.span<std::uint8_t>()[200], 200);
}

TEST_F(LibseedQueue, RecordedOnceSubmittedManyTimes) {
    auto a = host(4096);
    auto b = host(4096);
    seed::CommandList list(*dev_);
    list.copy(b, a, 8);
    list.finish();
    EXPECT_TRUE(list.finished());
    EXPECT_EQ(list.buffer().size(), 4096u);
    for (std::uint64_t v = 1; v <= 3; ++v) {
        a.span<std::uint64_t>()[0] = v * 111;
        const seed::Fence f = q_->submit(list);
        f.wait();
        EXPECT_EQ(b.span<std::uint64_t>()[0], v * 111);
    }
    EXPECT_THROW(list.nop(), seed::Error);
}

TEST_F(LibseedQueue, SignalTimestampAndEvents) {
    auto mem = host(4096);
    seed::Event start(*dev_), end(*dev_);
    EXPECT_FALSE(start.device_time_ns());
    seed::CommandList list(*dev_);
    start.record(list);
    list.timestamp(seed::BufferView(mem, 8)).signal(seed::BufferView(mem, 0), 77);
    end.record(list);
    q_->submit(list).wait();
    EXPECT_EQ(mem.span<std::uint64_t>()[0], 77u);
    EXPECT_NE(mem.span<std::uint64_t>()[1], 0u);
    ASSERT_TRUE(start.device_time_ns());
    ASSERT_TRUE(end.device_time_ns());
    EXPECT_GE(seed::elapsed(start, end).count(), 0);
    EXPECT_LE(*start.device_time_ns(), mem.span<std::uint64_t>()[1]);
    seed::Event solo(*dev_);
    solo.record(*q_).wait();
    EXPECT_GE(*solo.device_time_ns(), *end.device_time_ns());
}

// Accel files this process holds open.
unsigned open_accel_files() {
    unsigned n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        if (std::filesystem::read_symlink(e.path(), ec).string().rfind("/dev/accel/", 0) == 0)
            ++n;
    }
    return n;
}

// Events share a page of slots per Device; the page must not keep the
// Device's file open once the Device and everything made from it are gone
// (it did: the context held the page and the page its context).
TEST(LibseedEvents, DoNotKeepTheDevicesFileOpen) {
    if (seed::Device::list().empty())
        GTEST_SKIP() << "no SeedChip device";
    const unsigned before = open_accel_files();
    {
        const seed::Device dev = seed::Device::open(0u);
        seed::Queue queue(dev);
        seed::Event first(dev), second(dev);
        first.record(queue).wait();
        second.record(queue).wait();
        EXPECT_GE(seed::elapsed(first, second).count(), 0);
        EXPECT_GT(open_accel_files(), before);
    }
    EXPECT_EQ(open_accel_files(), before);
    // A new Device's events work as before.
    const seed::Device dev = seed::Device::open(0u);
    seed::Queue queue(dev);
    seed::Event again(dev);
    again.record(queue).wait();
    EXPECT_TRUE(again.device_time_ns().has_value());
}

float bits_to_float(std::uint32_t) = delete;

TEST_F(LibseedQueue, GemmMatchesHostReference) {
    if (!dev_->info().has(seed::Cap::gemm))
        GTEST_SKIP() << "no GEMM";
    constexpr std::uint32_t M = 33, N = 17, K = 29;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> A(M * K), B(K * N), bias(N);
    for (auto& x : A)
        x = dist(rng);
    for (auto& x : B)
        x = dist(rng);
    for (auto& x : bias)
        x = dist(rng);
    auto a = hbm(A.size() * 4), b = hbm(B.size() * 4), c = hbm(M * N * 4), bb = hbm(N * 4);
    q_->upload(a, std::span<const float>(A));
    q_->upload(b, std::span<const float>(B));
    q_->upload(bb, std::span<const float>(bias));
    seed::GemmParams p;
    p.m = M;
    p.n = N;
    p.k = K;
    p.alpha = 2.0f;
    p.activation = seed::Activation::relu;
    q_->gemm(p, a, b, c, seed::BufferView(bb));
    std::vector<float> C(M * N);
    q_->download(std::span<float>(C), c);
    for (std::uint32_t i = 0; i < M; ++i) {
        for (std::uint32_t j = 0; j < N; ++j) {
            double acc = 0, mag = 0;
            for (std::uint32_t p2 = 0; p2 < K; ++p2) {
                acc += double{A[i * K + p2]} * B[p2 * N + j];
                mag += std::fabs(double{A[i * K + p2]} * B[p2 * N + j]);
            }
            const double want = std::max(2.0 * acc + bias[j], 0.0);
            ASSERT_NEAR(C[i * N + j], want, 1e-4 + 4 * K * 1.2e-7 * mag) << i << "," << j;
        }
    }
}

TEST_F(LibseedQueue, GemmSharedByEnginesMatchesHostBitForBit) {
    // Large enough for the engines to share it (docs/hardware.md §11.1), with
    // small integers so that every f32 sum is exact: C must equal the host's
    // result bit for bit, whatever the split; I8 is exact by definition.
    if (!dev_->info().has(seed::Cap::gemm))
        GTEST_SKIP() << "no GEMM";
    constexpr std::uint32_t M = 512, N = 192, K = 384;
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> dist(-3, 3);
    std::vector<float> A(M * K), B(K * N), bias(N);
    std::vector<std::int8_t> A8(M * K), B8(K * N);
    for (std::size_t i = 0; i < A.size(); ++i)
        A8[i] = static_cast<std::int8_t>(dist(rng) * 40), A[i] = static_cast<float>(dist(rng));
    for (std::size_t i = 0; i < B.size(); ++i)
        B8[i] = static_cast<std::int8_t>(dist(rng) * 40), B[i] = static_cast<float>(dist(rng));
    for (auto& x : bias)
        x = static_cast<float>(dist(rng));
    auto a = hbm(A.size() * 4), b = hbm(B.size() * 4), c = hbm(M * N * 4), bb = hbm(N * 4);
    auto a8 = hbm(A8.size()), b8 = hbm(B8.size()), c8 = hbm(M * N * 4);
    q_->upload(a, std::span<const float>(A));
    q_->upload(b, std::span<const float>(B));
    q_->upload(bb, std::span<const float>(bias));
    q_->upload(a8, std::span<const std::int8_t>(A8));
    q_->upload(b8, std::span<const std::int8_t>(B8));
    seed::GemmParams p;
    p.m = M;
    p.n = N;
    p.k = K;
    p.activation = seed::Activation::relu;
    seed::GemmParams p8 = p;
    p8.dtype = seed::DType::i8;
    p8.activation = seed::Activation::none;
    p8.alpha_i = -3;
    seed::CommandList l(*dev_);
    l.gemm(p, a, b, c, seed::BufferView(bb)).gemm(p8, a8, b8, c8);
    q_->submit(l).wait();
    std::vector<float> C(M * N);
    std::vector<std::int32_t> C8(M * N);
    q_->download(std::span<float>(C), c);
    q_->download(std::span<std::int32_t>(C8), c8);
    for (std::uint32_t i = 0; i < M; ++i)
        for (std::uint32_t j = 0; j < N; ++j) {
            float acc = 0;
            std::int32_t acc8 = 0;
            for (std::uint32_t k = 0; k < K; ++k) {
                acc += A[i * K + k] * B[k * N + j];
                acc8 += std::int32_t{A8[i * K + k]} * B8[k * N + j];
            }
            ASSERT_EQ(C[i * N + j], std::max(acc + bias[j], 0.0f)) << i << "," << j;
            ASSERT_EQ(C8[i * N + j], -3 * acc8) << i << "," << j;
        }
}

TEST_F(LibseedQueue, ElementwiseAndReduce) {
    constexpr std::uint32_t R = 4, C = 100;
    auto x = host(R * C * 4), y = host(R * C * 4), z = host(R * C * 4), s = host(4096);
    auto xs = x.span<float>(), ys = y.span<float>();
    for (std::uint32_t i = 0; i < R * C; ++i) {
        xs[i] = static_cast<float>(i);
        ys[i] = 0.5f;
    }
    seed::ElementwiseParams ew;
    ew.op = seed::ElementwiseOp::add;
    ew.rows = R;
    ew.cols = C;
    seed::ReduceParams rd;
    rd.op = seed::ReduceOp::sum;
    rd.rows = R;
    rd.cols = C;
    seed::CommandList list(*dev_);
    list.elementwise(ew, z, x, seed::BufferView(y)).reduce(rd, s, z);
    q_->submit(list).wait();
    for (std::uint32_t i = 0; i < R * C; ++i)
        ASSERT_FLOAT_EQ(z.span<float>()[i], static_cast<float>(i) + 0.5f);
    for (std::uint32_t r = 0; r < R; ++r) {
        double want = 0;
        for (std::uint32_t j = 0; j < C; ++j)
            want += r * C + j + 0.5;
        EXPECT_NEAR(s.span<float>()[r], want, want * 1e-5);
    }
    q_->elementwise({.op = seed::ElementwiseOp::neg, .rows = 1, .cols = 4}, z, x).wait();
    EXPECT_FLOAT_EQ(z.span<float>()[3], -3.0f);
    q_->reduce({.op = seed::ReduceOp::max, .rows = 1, .cols = C}, s, x).wait();
    EXPECT_FLOAT_EQ(s.span<float>()[0], static_cast<float>(C - 1));
}

TEST_F(LibseedQueue, PollAndTimedWaitOnABlockedJob) {
    auto sem = host(4096);
    seed::CommandList list(*dev_);
    list.wait(sem, 1);
    const seed::Fence f = q_->submit(list);
    EXPECT_FALSE(f.ready());
    EXPECT_FALSE(f.status());
    EXPECT_FALSE(f.wait_for(20ms));
    host_signal(sem, 1);
    EXPECT_TRUE(f.wait_for(5s));
    EXPECT_TRUE(f.ready());
    ASSERT_TRUE(f.status());
    EXPECT_EQ(f.status()->reason, seed::JobFailure::none);
    EXPECT_GE(f.point(), 1u);
    EXPECT_NE(f.syncobj(), 0u);
}

TEST_F(LibseedQueue, WaitAnyAndWaitAllAcrossQueues) {
    seed::Queue q2(*dev_, seed::Priority::high);
    EXPECT_EQ(q2.priority(), seed::Priority::high);
    EXPECT_NE(q2.id(), q_->id());
    auto sem = host(4096);
    seed::CommandList blocked(*dev_);
    blocked.wait(sem, 5);
    seed::CommandList quick(*dev_);
    quick.nop();
    const std::vector<seed::Fence> fences = {q_->submit(blocked), q2.submit(quick)};
    const auto first = seed::wait_any(fences, 5s);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 1u);
    EXPECT_FALSE(seed::wait_all(fences, 20ms));
    host_signal(sem, 5);
    EXPECT_TRUE(seed::wait_all(fences, 5s));
    EXPECT_FALSE(seed::wait_any(std::span<const seed::Fence>{}, 1ms));
}

TEST_F(LibseedQueue, CrossQueueDependencyHoldsTheSecondJob) {
    seed::Queue q2(*dev_);
    auto sem = host(4096);
    auto mem = host(4096);
    seed::CommandList first(*dev_);
    first.wait(sem, 1).signal(seed::BufferView(mem, 0), 1);
    seed::CommandList second(*dev_);
    second.copy(seed::BufferView(mem, 8), seed::BufferView(mem, 0), 8);
    const seed::Fence a = q_->submit(first);
    const std::vector<seed::Fence> deps = {a};
    const seed::Fence b = q2.submit(second, deps);
    EXPECT_FALSE(b.wait_for(30ms)); // held by a
    host_signal(sem, 1);
    b.wait();
    EXPECT_TRUE(a.ready());
    EXPECT_EQ(mem.span<std::uint64_t>()[1], 1u); // copied after a's signal
}

// No fence between the queues: the buffers the lists use order the jobs
// (libseed passes them to SUBMIT for the kernel's implicit sync).
TEST_F(LibseedQueue, SharedBufferOrdersJobsAcrossQueuesWithoutFences) {
    seed::Queue q2(*dev_);
    auto sem = host(4096);
    auto x = host(8192);
    auto y = host(8192);
    seed::CommandList writer(*dev_);
    writer.wait(sem, 1).fill(x, 8192, 0xabcd1234, 4);
    seed::CommandList reader(*dev_);
    reader.copy(y, x, 8192);
    const seed::Fence a = q_->submit(writer);
    const seed::Fence b = q2.submit(reader);
    EXPECT_FALSE(b.wait_for(300ms)); // x is still to be written by a
    host_signal(sem, 1);
    b.wait();
    EXPECT_TRUE(a.ready());
    for (std::uint32_t w : y.span<std::uint32_t>())
        ASSERT_EQ(w, 0xabcd1234u);
}

TEST_F(LibseedQueue, SyncFileExportAndImport) {
    auto sem = host(4096);
    seed::CommandList list(*dev_);
    list.wait(sem, 1);
    const seed::Fence f = q_->submit(list);
    const int fd = f.export_sync_file();
    ASSERT_GE(fd, 0);
    pollfd p{fd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0); // not signalled
    const seed::Fence imported = seed::Fence::import_sync_file(*dev_, fd);
    EXPECT_FALSE(imported.ready());
    // A second Device (another file) depends on it through the sync file.
    seed::Device other = seed::Device::open(0u);
    seed::Queue oq(other);
    seed::CommandList ol(other);
    ol.nop();
    const std::vector<seed::Fence> deps = {f};
    const seed::Fence g = oq.submit(ol, deps);
    EXPECT_FALSE(g.wait_for(20ms));
    host_signal(sem, 1);
    EXPECT_TRUE(imported.wait_for(5s));
    EXPECT_TRUE(g.wait_for(5s));
    EXPECT_EQ(::poll(&p, 1, 1000), 1);
    ::close(fd);
}

TEST_F(LibseedQueue, BufferReleasedWhileJobInFlightStaysAlive) {
    auto sem = host(4096);
    auto out = host(4096);
    const auto before = dev_->memory_usage();
    seed::Fence f;
    {
        seed::Buffer src(*dev_, 1 << 20, seed::Placement::device);
        seed::CommandList list(*dev_);
        list.fill(src, 4096, 0x5a5a5a5a, 4).wait(sem, 1).copy(out, src, 4096);
        f = q_->submit(list);
        // list and src go out of scope while the job waits.
    }
    EXPECT_EQ(dev_->memory_usage().client_hbm, before.client_hbm + (1u << 20));
    host_signal(sem, 1);
    f.wait();
    EXPECT_EQ(out.span<std::uint32_t>()[1023], 0x5a5a5a5au);
    q_->finish(); // retires the job and releases src
    EXPECT_EQ(dev_->memory_usage().client_hbm, before.client_hbm);
}

TEST_F(LibseedQueue, BatchSubmitRunsEveryList) {
    auto mem = host(4096);
    std::vector<seed::CommandList> lists;
    for (std::uint64_t i = 0; i < 8; ++i) {
        lists.emplace_back(*dev_);
        lists.back().signal(seed::BufferView(mem, i * 8), i + 100);
    }
    std::vector<const seed::CommandList*> ptrs;
    for (auto& l : lists)
        ptrs.push_back(&l);
    const auto fences = q_->submit_batch(ptrs);
    ASSERT_EQ(fences.size(), 8u);
    for (std::size_t i = 1; i < fences.size(); ++i)
        EXPECT_EQ(fences[i].point(), fences[i - 1].point() + 1);
    EXPECT_TRUE(seed::wait_all(fences, 5s));
    for (std::uint64_t i = 0; i < 8; ++i)
        EXPECT_EQ(mem.span<std::uint64_t>()[i], i + 100);
    const char* env = std::getenv("SEED_DISABLE_IO_URING");
    if (env == nullptr) {
        EXPECT_TRUE(dev_->uses_io_uring()) << "io_uring SUBMIT expected with this driver";
    }
}

TEST_F(LibseedQueue, BatchFallsBackToIoctlWhenDisabled) {
    ::setenv("SEED_DISABLE_IO_URING", "1", 1);
    seed::Device d2 = seed::Device::open(0u);
    ::unsetenv("SEED_DISABLE_IO_URING");
    EXPECT_FALSE(d2.uses_io_uring());
    seed::Queue q(d2);
    seed::Buffer mem(d2, 4096, seed::Placement::host);
    seed::CommandList a(d2), b(d2);
    a.signal(seed::BufferView(mem, 0), 1);
    b.signal(seed::BufferView(mem, 8), 2);
    std::vector<seed::Submission> batch;
    batch.push_back({&q, &a, {}});
    batch.push_back({&q, &b, {}});
    const auto fences = seed::submit(batch);
    EXPECT_TRUE(seed::wait_all(fences, 5s));
    EXPECT_EQ(mem.span<std::uint64_t>()[0], 1u);
    EXPECT_EQ(mem.span<std::uint64_t>()[1], 2u);
}

} // namespace
