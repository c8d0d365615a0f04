// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Unit tests of seed_bench's pure logic: percentiles and the report shape.
#include "report.hpp"
#include "stats.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace {

using namespace seed::bench;

TEST(BenchStats, PercentileInterpolatesBetweenRanks) {
    const std::vector<double> v{40, 10, 30, 20}; // unsorted on purpose
    EXPECT_DOUBLE_EQ(percentile(v, 0), 10);
    EXPECT_DOUBLE_EQ(percentile(v, 100), 40);
    EXPECT_DOUBLE_EQ(percentile(v, 50), 25);
    EXPECT_DOUBLE_EQ(percentile(v, 90), 37); // rank 2.7
    EXPECT_DOUBLE_EQ(median(v), 25);
}

TEST(BenchStats, SingleSampleAndOddCount) {
    const std::vector<double> one{7};
    EXPECT_DOUBLE_EQ(percentile(one, 99), 7);
    const std::vector<double> odd{3, 1, 2};
    EXPECT_DOUBLE_EQ(median(odd), 2);
}

TEST(BenchStats, RejectsEmptyAndOutOfRange) {
    const std::vector<double> none;
    EXPECT_THROW((void)percentile(none, 50), std::invalid_argument);
    EXPECT_THROW((void)summarize(none), std::invalid_argument);
    const std::vector<double> v{1, 2};
    EXPECT_THROW((void)percentile(v, -1), std::invalid_argument);
    EXPECT_THROW((void)percentile(v, 100.5), std::invalid_argument);
}

TEST(BenchStats, SummaryOfOneToHundred) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i)
        v.push_back(i);
    const Summary s = summarize(v);
    EXPECT_EQ(s.count, 100u);
    EXPECT_DOUBLE_EQ(s.min, 1);
    EXPECT_DOUBLE_EQ(s.max, 100);
    EXPECT_DOUBLE_EQ(s.p50, 50.5);
    EXPECT_DOUBLE_EQ(s.p90, 90.1);
    EXPECT_DOUBLE_EQ(s.p99, 99.01);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
}

TEST(BenchReport, RatioAndEfficiency) {
    EXPECT_DOUBLE_EQ(ratio(6, 3), 2);
    EXPECT_DOUBLE_EQ(ratio(1, 0), 0);
    EXPECT_DOUBLE_EQ(gemm_flops(1024), 2.0 * 1024 * 1024 * 1024);
    ScalingResult s;
    s.points = {{1, 100, 10}, {2, 100, 15}, {4, 100, 20}};
    EXPECT_DOUBLE_EQ(efficiency(s, s.points[0]), 1.0);
    EXPECT_DOUBLE_EQ(efficiency(s, s.points[1]), 0.75);
    EXPECT_DOUBLE_EQ(efficiency(s, s.points[2]), 0.5);
    ScalingResult no_one;
    no_one.points = {{2, 100, 15}};
    EXPECT_DOUBLE_EQ(efficiency(no_one, no_one.points[0]), 0.0);
}

Results sample() {
    Results r;
    r.env.kernel = "6.12.0";
    r.env.cpus = 2;
    r.env.devices = 4;
    r.env.io_uring = true;
    SubmitResult s;
    s.jobs = 256;
    s.batch = 32;
    s.reps = 3;
    s.io_uring = true;
    s.single_submit = 1000;
    s.single_e2e = 500;
    s.uring_submit = 4000;
    s.uring_e2e = 1000;
    s.wait_fences = 64;
    s.waiter_ms = 10;
    s.threads_ms = 30;
    r.submit = s;
    r.latency = LatencyResult{summarize(std::vector<double>{100, 200, 300}), "/dev/nvme0n1",
                              summarize(std::vector<double>{40, 50, 60})};
    TransferResult t;
    t.bytes = 64u << 20;
    t.memcpy_gbs = 4;
    t.upload_gbs = 1;
    t.copy_d2h_gbs = 2;
    r.transfer = t;
    GemmResult g;
    g.n = 1024;
    g.stack_ms = 30;
    g.device_ms = 20;
    g.cpu_ms = 60;
    g.verified = true;
    r.gemm.push_back(g);
    ScalingResult sc;
    sc.n = 1024;
    sc.points = {{1, 100, 10}, {2, 100, 18}};
    r.scaling = sc;
    ClientsResult cl;
    cl.points = {{1, 100, summarize(std::vector<double>{50, 60}), 2000},
                 {64, 128, summarize(std::vector<double>{400, 900}), 1500}};
    r.clients = cl;
    r.notes.push_back("note");
    return r;
}

TEST(BenchReport, JsonShape) {
    const auto j = to_json(sample());
    EXPECT_EQ(j.at("schema"), "seed_bench/1");
    EXPECT_EQ(j.at("guest").at("devices"), 4);
    EXPECT_DOUBLE_EQ(j.at("submit").at("jobs_per_s").at("ioctl_single").at("submit"), 1000);
    EXPECT_DOUBLE_EQ(j.at("submit").at("ratio_io_uring_batch_over_ioctl_single").at("submit"), 4);
    EXPECT_DOUBLE_EQ(j.at("submit").at("ratio_io_uring_batch_over_ioctl_single").at("end_to_end"),
                     2);
    const auto& fw = j.at("submit").at("fence_wait");
    EXPECT_EQ(fw.at("fences"), 64);
    EXPECT_DOUBLE_EQ(fw.at("ratio_thread_per_wait_over_fence_waiter"), 3);
    for (const char* k : {"count", "min", "p50", "p90", "p99", "max", "mean"})
        EXPECT_TRUE(j.at("latency_us").contains(k)) << k;
    EXPECT_DOUBLE_EQ(j.at("latency_us").at("p50"), 200);
    const auto& nvme = j.at("nvme_reference");
    EXPECT_EQ(nvme.at("device"), "/dev/nvme0n1");
    EXPECT_DOUBLE_EQ(nvme.at("read_4k_qd1_latency_us").at("p50"), 50);
    EXPECT_DOUBLE_EQ(nvme.at("ratio_nop_over_nvme").at("p50"), 4);
    EXPECT_DOUBLE_EQ(j.at("transfer").at("ratio_to_memcpy").at("upload"), 0.25);
    EXPECT_DOUBLE_EQ(j.at("transfer").at("ratio_to_memcpy").at("copy_d2h"), 0.5);
    ASSERT_EQ(j.at("gemm").size(), 1u);
    const auto& g = j.at("gemm")[0];
    EXPECT_EQ(g.at("dtype"), "f32");
    EXPECT_TRUE(g.at("verified").get<bool>());
    EXPECT_DOUBLE_EQ(g.at("stack_over_device"), 1.5);
    EXPECT_DOUBLE_EQ(g.at("stack_over_cpu"), 0.5);
    EXPECT_DOUBLE_EQ(g.at("stack_overhead_ms"), 10);
    EXPECT_NEAR(g.at("gflops").at("device").get<double>(), gemm_flops(1024) / 20e6, 1e-9);
    const auto& pts = j.at("scaling").at("points");
    ASSERT_EQ(pts.size(), 2u);
    EXPECT_DOUBLE_EQ(pts[1].at("efficiency"), 0.9);
    const auto& cl = j.at("clients").at("points");
    ASSERT_EQ(cl.size(), 2u);
    EXPECT_EQ(cl[1].at("clients"), 64);
    EXPECT_DOUBLE_EQ(cl[1].at("jobs_per_s"), 1500);
    EXPECT_DOUBLE_EQ(cl[0].at("latency_us").at("max"), 60);
    EXPECT_EQ(j.at("notes").size(), 1u);
}

TEST(BenchReport, UnmeasuredCpuGemmIsNull) {
    Results r = sample();
    r.gemm[0].cpu_ms = 0;
    const auto j = to_json(r);
    const auto& g = j.at("gemm")[0];
    EXPECT_TRUE(g.at("ms").at("cpu").is_null());
    EXPECT_TRUE(g.at("gflops").at("cpu").is_null());
    EXPECT_TRUE(g.at("stack_over_cpu").is_null());
    EXPECT_DOUBLE_EQ(g.at("stack_over_device"), 1.5);
}

TEST(BenchReport, SkippedSectionsAreNull) {
    Results r;
    const auto j = to_json(r);
    EXPECT_TRUE(j.at("submit").is_null());
    EXPECT_TRUE(j.at("latency_us").is_null());
    EXPECT_TRUE(j.at("nvme_reference").is_null());
    EXPECT_TRUE(j.at("transfer").is_null());
    EXPECT_TRUE(j.at("scaling").is_null());
    EXPECT_TRUE(j.at("clients").is_null());
    EXPECT_TRUE(j.at("gemm").is_array());
    EXPECT_TRUE(j.at("gemm").empty());
}

TEST(BenchReport, TextMentionsEverySection) {
    const std::string t = to_text(sample());
    for (const char* s : {"a. NOP submission", "b. NOP submit-to-completion", "c. Transfers",
                          "d. f32 GEMM", "e. Multi-chip scaling", "f. Concurrent clients",
                          "Notes:", "ratio NOP / NVMe read: p50 4.00x",
                          "seed::FenceWaiter (1 thread) 10.0 ms, thread per wait 30.0 ms, 3.00x"})
        EXPECT_NE(t.find(s), std::string::npos) << s;
}

} // namespace
