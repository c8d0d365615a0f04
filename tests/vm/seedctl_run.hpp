// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Running seedctl from the VM tests: the binary built with the tests
// (SEEDCTL_PATH) unless SEEDCTL names another, with SEED_VISIBLE_DEVICES
// unset unless the caller sets it, so every chip of the run is visible.
#pragma once

#include <seed/seed.hpp>

#include "support/subprocess.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#ifndef SEEDCTL_PATH
#error "SEEDCTL_PATH must be defined by the build"
#endif

namespace seed::vm {

inline std::string seedctl_path() {
    const char* override_path = std::getenv("SEEDCTL");
    return override_path != nullptr && *override_path != '\0' ? override_path : SEEDCTL_PATH;
}

/// Runs seedctl @p args; @p env changes the child's environment.
inline seed::test::ProcessResult seedctl(std::vector<std::string> args,
                                         seed::test::EnvChanges env = {}) {
    args.insert(args.begin(), seedctl_path());
    env.emplace("SEED_VISIBLE_DEVICES", std::nullopt);
    return seed::test::run_process(args, env);
}

/// Runs seedctl @p args as nobody (uid and gid 65534), as seedctl() does.
inline seed::test::ProcessResult seedctl_as_nobody(std::vector<std::string> args) {
    args.insert(args.begin(), seedctl_path());
    return seed::test::run_process(args, {{"SEED_VISIBLE_DEVICES", std::nullopt}}, 65534);
}

/// The arguments joined by spaces, for failure messages.
inline std::string joined(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args)
        out += a + ' ';
    return out;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// libseed's view with SEED_VISIBLE_DEVICES unset (restored afterwards).
inline std::vector<seed::DeviceInfo> all_devices() {
    const char* saved = std::getenv("SEED_VISIBLE_DEVICES");
    const std::optional<std::string> old =
        saved != nullptr ? std::optional<std::string>(saved) : std::nullopt;
    ::unsetenv("SEED_VISIBLE_DEVICES");
    auto devices = seed::Device::list();
    if (old)
        ::setenv("SEED_VISIBLE_DEVICES", old->c_str(), 1);
    return devices;
}

/// Fixture of the seedctl tests: every chip of the run, skipped without one.
class SeedctlTest : public ::testing::Test {
protected:
    void SetUp() override {
        devices_ = all_devices();
        if (devices_.empty())
            GTEST_SKIP() << "no SeedChip device";
    }
    std::vector<seed::DeviceInfo> devices_;
};

} // namespace seed::vm
