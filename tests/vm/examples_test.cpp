// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The libseed examples (examples/) run in the guest through the real driver
// and device model. Each verifies its own results and exits non-zero on a
// mismatch; these tests do not take the exit status on trust: they check
// what each prints against values computed here (the sums of the results,
// the GEMM of the same inputs, the chips' identities from sysfs), or for
// the MLP, whose reference takes seconds in the guest, the figures of the
// example's own comparison.

#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <seed/seed.hpp>

namespace {

namespace fs = std::filesystem;

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome run(const std::string& example, const std::string& args = "") {
    const std::string cmd = std::string(SEED_EXAMPLES_DIR) + "/" + example + " " + args + " 2>&1";
    Outcome r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr)
        return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.output.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

// The first match of @p pattern in @p text: its groups, or empty.
std::vector<std::string> find(const std::string& text, const std::string& pattern) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(pattern)))
        return {};
    std::vector<std::string> groups;
    for (size_t i = 1; i < m.size(); ++i)
        groups.push_back(m[i].str());
    return groups;
}

// Every seed chip of the run in the examples' order (Device::list: by node).
std::vector<fs::path> chip_dirs() {
    std::vector<fs::path> dirs;
    for (const auto& d : seed::Device::list())
        dirs.push_back(fs::path("/sys/class/accel") / fs::path(d.node).filename() / "device");
    return dirs;
}

TEST(Examples, DeviceQuery) {
    const Outcome r = run("device_query");
    ASSERT_EQ(r.status, 0) << r.output;
    const auto devices = seed::Device::list();
    ASSERT_FALSE(devices.empty());
    if (const auto chips = seed::vm::chips()) {
        ASSERT_EQ(devices.size(), *chips);
    }
    // One entry per chip, with what sysfs says about it; under seed-vm the
    // chips are those it attached (in whatever order they were probed).
    std::set<std::string> serials, want;
    for (size_t k = 0; k < devices.size(); ++k) {
        const fs::path sys = chip_dirs()[k];
        const std::string serial = seed::vm::read_line(sys / "serial");
        serials.insert(serial);
        want.insert(seed::vm::serial(static_cast<unsigned>(k)));
        const std::string head = "device " + std::to_string(k) + ": " + devices[k].node + "  " +
                                 fs::canonical(sys).filename().string() + "  serial " + serial;
        EXPECT_NE(r.output.find(head + "\n"), std::string::npos) << head << "\n" << r.output;
        const std::uint64_t hbm = std::stoull(seed::vm::read_line(sys / "hbm_total_bytes"));
        const std::string size = seed::format_size(hbm);
        const std::string counts = "; " + seed::vm::read_line(sys / "num_queues") + " queues, " +
                                   seed::vm::read_line(sys / "num_engines") + " engines;";
        EXPECT_NE(r.output.find("  HBM " + size + ", "), std::string::npos) << r.output;
        EXPECT_NE(r.output.find(counts), std::string::npos) << counts << "\n" << r.output;
    }
    if (seed::vm::chips()) {
        EXPECT_EQ(serials, want);
    }
    EXPECT_EQ(find(r.output, "device " + std::to_string(devices.size()) + ":").size(), 0u)
        << "more devices than chips:\n"
        << r.output;
}

TEST(Examples, VectorAdd) {
    const Outcome r = run("vector_add");
    ASSERT_EQ(r.status, 0) << r.output;
    // c[i] = i + i / 2 for i < 65536, exact in float.
    double sum = 0;
    for (std::uint32_t i = 0; i < (1u << 16); ++i)
        sum += static_cast<float>(i) + 0.5f * static_cast<float>(i);
    char want[96];
    std::snprintf(want, sizeof(want), "vector_add: 65536 elements OK, sum %.1f\n", sum);
    EXPECT_NE(r.output.find(want), std::string::npos) << want << r.output;
}

TEST(Examples, GemmMatchesHost) {
    const Outcome r = run("gemm");
    ASSERT_EQ(r.status, 0) << r.output;
    const auto got = find(r.output, "gemm 128x96x64: matches the host reference \\(max \\|error\\| "
                                    "([0-9.e+-]+)\\), sum of C ([0-9.e+-]+), ([0-9]+) ns device "
                                    "time\n");
    ASSERT_EQ(got.size(), 3u) << r.output;
    // The same inputs as the example (its header says how they are made).
    constexpr std::uint32_t M = 128, N = 96, K = 64;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> A(M * K), B(K * N);
    for (auto& x : A)
        x = dist(rng);
    for (auto& x : B)
        x = dist(rng);
    double sum = 0, bound = 0, max_bound = 0;
    for (std::uint32_t i = 0; i < M; ++i)
        for (std::uint32_t j = 0; j < N; ++j) {
            double mag = 0;
            for (std::uint32_t q = 0; q < K; ++q) {
                const double t = double{A[i * K + q]} * double{B[q * N + j]};
                sum += t;
                mag += std::fabs(t);
            }
            // docs/hardware.md §11.1, per element.
            const double tol = K * std::ldexp(1.0, -23) * mag + 1e-6;
            bound += tol;
            max_bound = std::max(max_bound, tol);
        }
    EXPECT_LE(std::stod(got[0]), max_bound) << r.output;
    // The printed sum has 9 significant digits.
    EXPECT_NEAR(std::stod(got[1]), sum, bound + std::fabs(sum) * 1e-8 + 1e-6) << r.output;
    EXPECT_GT(std::stoull(got[2]), 0u) << "no device time: " << r.output;
}

TEST(Examples, MultiQueuePipeline) {
    const Outcome r = run("multi_queue_pipeline");
    ASSERT_EQ(r.status, 0) << r.output;
    // Element x of 4 chunks of 4096 is squared in f32.
    double sum = 0;
    for (std::uint32_t x = 0; x < 4 * 4096; ++x)
        sum += static_cast<float>(x) * static_cast<float>(x);
    char want[128];
    std::snprintf(want, sizeof(want), "multi_queue_pipeline: 4 chunks of 4096 OK, sum %.1f\n", sum);
    EXPECT_NE(r.output.find(want), std::string::npos) << want << r.output;
}

TEST(Examples, MlpInferenceMatchesHost) {
    const Outcome r = run("mlp_inference");
    ASSERT_EQ(r.status, 0) << r.output;
    const auto got = find(r.output, "result: max \\|error\\| ([0-9.e+-]+), top-1 class agrees on "
                                    "([0-9]+)/([0-9]+) rows: matches the host\n");
    ASSERT_EQ(got.size(), 3u) << r.output;
    EXPECT_LT(std::stod(got[0]), 1e-4) << r.output;
    EXPECT_EQ(got[1], "64") << r.output;
    EXPECT_EQ(got[2], "64") << r.output;
    const auto runs = find(r.output, "10 runs of one command list: device time median "
                                     "([0-9.]+) ms");
    ASSERT_EQ(runs.size(), 1u) << r.output;
    EXPECT_GT(std::stod(runs[0]), 0.0) << r.output;
}

} // namespace
