// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The seedctl binary's command line: exit codes and streams. Only cases
// that do not depend on devices being present (SEED_VISIBLE_DEVICES=""
// hides any real device).
#include "support/subprocess.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#ifndef SEEDCTL_PATH
#error "SEEDCTL_PATH must be defined by the build"
#endif

namespace {

using seed::test::EnvChanges;
using seed::test::ProcessResult;

ProcessResult seedctl(std::vector<std::string> args, const EnvChanges& env = {}) {
    args.insert(args.begin(), SEEDCTL_PATH);
    return seed::test::run_process(args, env);
}

const EnvChanges no_devices = {{"SEED_VISIBLE_DEVICES", ""}};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

TEST(SeedctlCli, Version) {
    const auto r = seedctl({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.starts_with("seedctl ")) << r.out;
    EXPECT_TRUE(contains(r.out, "libseed ")) << r.out;
}

TEST(SeedctlCli, HelpGoesToStdout) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--help"}, {"list", "--help"}, {"info", "--help"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 0) << args.front();
        EXPECT_TRUE(contains(r.out, "Usage:")) << r.out;
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
    EXPECT_TRUE(contains(seedctl({"info", "--help"}).out, "--device"));
    EXPECT_TRUE(contains(seedctl({"list", "--help"}).out, "--json"));
}

TEST(SeedctlCli, MalformedArgumentsExitTwoWithUsageOnStderr) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                                 {"frobnicate"},
                                                 {"list", "--bogus"},
                                                 {"list", "extra"},
                                                 {"info", "--device"},
                                                 {"info", "-d", "not-a-device"},
                                                 {"info", "-d", "00:20.0"},
                                                 {"--bogus", "list"}}) {
        const auto r = seedctl(args, no_devices);
        std::string joined;
        for (const auto& a : args)
            joined += a + ' ';
        EXPECT_EQ(r.exit_code, 2) << joined;
        EXPECT_TRUE(r.out.empty()) << joined << ": " << r.out;
        EXPECT_TRUE(contains(r.err, "seedctl: error:")) << joined << ": " << r.err;
    }
    EXPECT_TRUE(contains(seedctl({"frobnicate"}).err, "unknown command 'frobnicate'"));
    EXPECT_TRUE(contains(seedctl({"list", "--bogus"}).err, "Usage: seedctl list"));
}

TEST(SeedctlCli, ListWithoutDevicesSucceeds) {
    const auto r = seedctl({"list"}, no_devices);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_TRUE(contains(r.err, "no SeedChip devices found")) << r.err;
}

TEST(SeedctlCli, ListJsonWithoutDevicesIsAnEmptyList) {
    const auto r = seedctl({"list", "--json"}, no_devices);
    EXPECT_EQ(r.exit_code, 0);
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc.at("schema_version"), 1);
    EXPECT_TRUE(doc.at("devices").is_array());
    EXPECT_TRUE(doc.at("devices").empty());
}

TEST(SeedctlCli, InfoWithoutDevicesFailsWithAHint) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"info"}, {"info", "--json"}}) {
        const auto r = seedctl(args, no_devices);
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "no SeedChip devices found")) << r.err;
        EXPECT_TRUE(contains(r.err, "hint:")) << r.err;
    }
}

TEST(SeedctlCli, InfoOnAMissingDeviceFails) {
    const auto r = seedctl({"info", "-d", "0"}, no_devices);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "no such SeedChip device")) << r.err;
}

TEST(SeedctlCli, MalformedVisibleDevicesFails) {
    const auto r = seedctl({"list"}, {{"SEED_VISIBLE_DEVICES", "zero"}});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "SEED_VISIBLE_DEVICES")) << r.err;
}

} // namespace
