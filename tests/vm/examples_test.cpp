// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The libseed examples (examples/) run in the guest through the real driver
// and device model. Each verifies its own results against the host and
// exits non-zero on a mismatch; these tests also check what they print.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

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

TEST(Examples, DeviceQuery) {
    const Outcome r = run("device_query");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("SEEDVM-0000"), std::string::npos) << r.output;
}

TEST(Examples, VectorAdd) {
    const Outcome r = run("vector_add");
    ASSERT_EQ(r.status, 0) << r.output;
}

TEST(Examples, GemmMatchesHost) {
    const Outcome r = run("gemm");
    ASSERT_EQ(r.status, 0) << r.output;
}

TEST(Examples, MultiQueuePipeline) {
    const Outcome r = run("multi_queue_pipeline");
    ASSERT_EQ(r.status, 0) << r.output;
}

TEST(Examples, MlpInferenceMatchesHost) {
    const Outcome r = run("mlp_inference");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("matches the host"), std::string::npos) << r.output;
}

} // namespace
